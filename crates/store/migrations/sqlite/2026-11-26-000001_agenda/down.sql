DROP INDEX issue_events_community_at;
DROP INDEX issues_community_updated;
ALTER TABLE agenda_items DROP COLUMN reason;
ALTER TABLE meetings DROP COLUMN scorecard;
ALTER TABLE meetings DROP COLUMN agenda_published_at;
ALTER TABLE meetings DROP COLUMN agenda_built_at;
ALTER TABLE meetings DROP COLUMN agenda_status;
