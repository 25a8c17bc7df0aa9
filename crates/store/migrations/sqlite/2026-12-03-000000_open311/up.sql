-- Where a compound lies (WGS-84 degrees), so that an Open311 request giving lat/long finds
-- its compound; Open311 answers give it back instead of anyone's unit.
ALTER TABLE compounds ADD COLUMN latitude DOUBLE PRECISION;
ALTER TABLE compounds ADD COLUMN longitude DOUBLE PRECISION;

-- Keys of Open311 clients (a 12345 hotline, a city platform), issued by an administrator.
-- A request posted with one is raised as the key's account; only the key's SHA-256 is kept.
CREATE TABLE open311_keys (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    name TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    key_hash TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX open311_keys_by_hash ON open311_keys (key_hash);
CREATE INDEX open311_keys_by_community ON open311_keys (community_id);
