-- The agenda's state lives on its meeting: none → draft → published.
ALTER TABLE meetings ADD COLUMN agenda_status TEXT NOT NULL DEFAULT 'none';
ALTER TABLE meetings ADD COLUMN agenda_built_at TIMESTAMP;
ALTER TABLE meetings ADD COLUMN agenda_published_at TIMESTAMP;
-- The company comparison computed with the agenda, as JSON.
ALTER TABLE meetings ADD COLUMN scorecard TEXT;
-- Why an item is on the agenda (overdue, new_issue, grid_top_issue, …).
ALTER TABLE agenda_items ADD COLUMN reason TEXT NOT NULL DEFAULT 'added';
-- The agenda reads issues changed since the last meeting.
CREATE INDEX issues_community_updated ON issues (community_id, updated_at);
CREATE INDEX issue_events_community_at ON issue_events (community_id, at);
