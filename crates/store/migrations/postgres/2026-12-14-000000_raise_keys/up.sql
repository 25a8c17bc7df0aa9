-- The key a raise was sent with (a page's form, an API client's Idempotency-Key), so that
-- the same raise sent twice — a double tap, a retry after a lost answer — makes one issue.
-- `fingerprint` is the SHA-256 of what was raised: the same key with other content is
-- another raise, not a repeat. No index by community: only an export reads it so.
CREATE TABLE raise_keys (
    user_id TEXT NOT NULL REFERENCES users (id),
    key TEXT NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    issue_id TEXT NOT NULL REFERENCES issues (id),
    fingerprint TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
