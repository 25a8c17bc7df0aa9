DROP INDEX outbox_by_channel;
CREATE INDEX outbox_by_channel ON outbox (channel_id, sent_at);
CREATE INDEX issue_events_community_at ON issue_events (community_id, at);
