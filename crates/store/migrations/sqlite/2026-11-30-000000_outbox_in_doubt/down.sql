ALTER TABLE outbox DROP COLUMN interrupted;
ALTER TABLE outbox DROP COLUMN sending_since;
