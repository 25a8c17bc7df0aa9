-- Password-reset links used (each works once), as used_links is for verification links.
CREATE TABLE used_reset_links (
    nonce TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    used_at TIMESTAMP NOT NULL
);
