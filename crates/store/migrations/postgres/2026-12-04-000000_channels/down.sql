DROP INDEX outbox_by_channel;
ALTER TABLE outbox DROP COLUMN channel_id;
DROP TABLE channels;
