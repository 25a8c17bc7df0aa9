-- Photos of issues: the bytes are files named by content_hash under uploads.dir. A row
-- without issue_id is uploaded and not yet attached (only its uploader sees it).
CREATE TABLE photos (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    issue_id TEXT REFERENCES issues (id),
    version INTEGER,
    content_hash TEXT NOT NULL,
    thumb_hash TEXT NOT NULL,
    media_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX photos_by_issue ON photos (issue_id, version);
CREATE INDEX photos_by_hash ON photos (content_hash);
