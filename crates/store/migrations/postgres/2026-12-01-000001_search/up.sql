-- The issue search index (see roundtable_core::search): one document of ASCII tokens per
-- issue as a tsvector ('simple': no stemming, no stop words), under a GIN index — ranked
-- by ts_rank. Filled for existing issues after the migration.
CREATE TABLE issue_search (
    issue_id TEXT PRIMARY KEY NOT NULL REFERENCES issues (id),
    community_id TEXT NOT NULL,
    doc TSVECTOR NOT NULL
);
CREATE INDEX issue_search_doc ON issue_search USING GIN (doc);
-- A duplicate's original lists its duplicates.
CREATE INDEX issues_duplicate_of ON issues (duplicate_of);
