-- The workflow a community's new issues follow, where not the default one, and its own
-- `[meeting]` and `[scorecard]` settings (a TOML document laid over the deployment's).
ALTER TABLE communities ADD COLUMN workflow TEXT;
ALTER TABLE communities ADD COLUMN settings TEXT;
