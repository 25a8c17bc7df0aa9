ALTER TABLE communities DROP COLUMN street;
