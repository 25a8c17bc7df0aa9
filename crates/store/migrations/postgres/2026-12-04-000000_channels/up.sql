-- Where notices go besides mail: a WeCom or DingTalk group robot, or a webhook signed with
-- HMAC-SHA256, owned by an organisation or by one person. The URL and the secret are kept
-- to send with (a robot's URL holds its key); pages and the API never show them again.
CREATE TABLE channels (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    org_id TEXT REFERENCES organisations (id),
    user_id TEXT REFERENCES users (id),
    url TEXT NOT NULL,
    secret TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP
);
CREATE INDEX channels_by_community ON channels (community_id);

-- A notice fans out to one outbox row per channel (mail rows have none), each retried on
-- its own; the index serves the robots' rate limit (rows sent to a channel in a minute).
ALTER TABLE outbox ADD COLUMN channel_id TEXT REFERENCES channels (id);
CREATE INDEX outbox_by_channel ON outbox (channel_id, sent_at);
