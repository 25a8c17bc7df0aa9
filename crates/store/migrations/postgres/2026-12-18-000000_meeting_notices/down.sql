ALTER TABLE notices DROP COLUMN meeting_id;
