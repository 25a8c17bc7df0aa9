-- Two index entries fewer for a write (counted with bench/wal.py, docs/performance.md).
-- Every read of an issue's steps by time names the states it wants (`to_state IN …`), so
-- `issue_events_community_state_at` (community, state, time) serves them all and the
-- older (community, time) index was written by every step and read by nothing.
DROP INDEX issue_events_community_at;
-- The robots' rate limit reads the rows sent to given channels; mail rows have no channel
-- and no longer enter the index.
DROP INDEX outbox_by_channel;
CREATE INDEX outbox_by_channel ON outbox (channel_id, sent_at) WHERE channel_id IS NOT NULL;
