DROP INDEX issues_community_updated;
CREATE INDEX issues_community_updated ON issues (community_id, updated_at);
ALTER TABLE issues
    DROP COLUMN verdict,
    DROP COLUMN verdict_satisfaction,
    DROP COLUMN verdict_at,
    DROP COLUMN extension_count,
    DROP COLUMN extension_dated_at,
    DROP COLUMN extension_requested_at;
