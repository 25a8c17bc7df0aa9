ALTER TABLE notices DROP COLUMN reminder;
