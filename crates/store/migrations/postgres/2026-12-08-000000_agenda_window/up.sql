-- The agenda's window: a meeting plans from every issue of its community changed within
-- the six months the company comparison looks back (~2,300 closed issues a community at
-- the district's size), each spread over its own heap page. Read cold from the heap that
-- cost ~0.5 s; read from one index alone, a few milliseconds (docs/performance.md).
--
-- What the comparison reads of the verdict and of the extensions, as plain columns kept by
-- the database: the JSON they come from holds free text (a verification note, an
-- extension's reason) too long for an index entry.
ALTER TABLE issues
    ADD COLUMN verdict TEXT GENERATED ALWAYS AS (verification::jsonb ->> 'outcome') STORED,
    ADD COLUMN verdict_satisfaction INTEGER GENERATED ALWAYS AS ((verification::jsonb ->> 'satisfaction')::integer) STORED,
    ADD COLUMN verdict_at TEXT GENERATED ALWAYS AS (verification::jsonb ->> 'at') STORED,
    ADD COLUMN extension_count INTEGER GENERATED ALWAYS AS (COALESCE((extension::jsonb ->> 'count')::integer, 0)) STORED,
    ADD COLUMN extension_dated_at TEXT GENERATED ALWAYS AS (extension::jsonb ->> 'dated_at') STORED,
    ADD COLUMN extension_requested_at TEXT GENERATED ALWAYS AS (extension::jsonb -> 'request' ->> 'at') STORED;
-- The index the window was always read through, now holding every column the planner
-- reads (titles are at most 200 characters, well inside an index entry).
DROP INDEX issues_community_updated;
CREATE INDEX issues_community_updated ON issues (community_id, updated_at) INCLUDE (
    state, id, title, compound_id, raised_by, responsible_org, commitment_due, commitment_meeting, committed_at,
    support_count, reopen_count, created_at, state_entered_at, verdict, verdict_satisfaction, verdict_at,
    extension_count, extension_dated_at, extension_requested_at);
