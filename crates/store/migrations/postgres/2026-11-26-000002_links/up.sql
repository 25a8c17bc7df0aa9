-- Values the deployment keeps for itself (e.g. the key that signs one-click links).
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- One-click verification links already used: each works once.
CREATE TABLE used_links (
    nonce TEXT PRIMARY KEY NOT NULL,
    issue_id TEXT NOT NULL REFERENCES issues (id),
    used_at TIMESTAMP NOT NULL
);
