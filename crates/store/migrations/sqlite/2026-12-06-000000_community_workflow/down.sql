ALTER TABLE communities DROP COLUMN settings;
ALTER TABLE communities DROP COLUMN workflow;
