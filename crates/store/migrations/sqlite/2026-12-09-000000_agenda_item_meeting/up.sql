-- The index PostgreSQL's foreign key from an agenda item to its meeting's (id, community)
-- needs, kept on both databases so the schemas stay one. SQLite keeps its two foreign keys
-- (the community, the meeting): changing one means rebuilding the table, and its checks
-- run in the process, where PostgreSQL's cost a query a row (docs/performance.md).
CREATE UNIQUE INDEX meetings_id_community ON meetings (id, community_id);
