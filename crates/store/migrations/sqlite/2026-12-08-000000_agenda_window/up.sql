-- What the agenda's planner reads of the verdict and of the extensions, as plain columns
-- kept by the database (PostgreSQL stores them for an index the window is read from alone;
-- SQLite computes them as read, which is all one schema needs here).
ALTER TABLE issues ADD COLUMN verdict TEXT GENERATED ALWAYS AS (json_extract(verification, '$.outcome')) VIRTUAL;
ALTER TABLE issues ADD COLUMN verdict_satisfaction INTEGER GENERATED ALWAYS AS (json_extract(verification, '$.satisfaction')) VIRTUAL;
ALTER TABLE issues ADD COLUMN verdict_at TEXT GENERATED ALWAYS AS (json_extract(verification, '$.at')) VIRTUAL;
ALTER TABLE issues ADD COLUMN extension_count INTEGER GENERATED ALWAYS AS (COALESCE(json_extract(extension, '$.count'), 0)) VIRTUAL;
ALTER TABLE issues ADD COLUMN extension_dated_at TEXT GENERATED ALWAYS AS (json_extract(extension, '$.dated_at')) VIRTUAL;
ALTER TABLE issues ADD COLUMN extension_requested_at TEXT GENERATED ALWAYS AS (json_extract(extension, '$.request.at')) VIRTUAL;
