-- The issue search index (see roundtable_core::search): one document of ASCII tokens per
-- issue, in FTS5 — ranked by bm25. Filled for existing issues after the migration.
CREATE VIRTUAL TABLE issue_search USING fts5(doc, issue_id UNINDEXED, community_id UNINDEXED, tokenize = 'unicode61');
-- A duplicate's original lists its duplicates.
CREATE INDEX issues_duplicate_of ON issues (duplicate_of);
