-- Who follows an issue. The raiser and supporters follow by themselves (a row with
-- following = true); the responsible organisation's members follow without a row; a row
-- with following = false is someone who stopped following.
CREATE TABLE follows (
    issue_id TEXT NOT NULL REFERENCES issues (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    community_id TEXT NOT NULL REFERENCES communities (id),
    following BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (issue_id, user_id)
);

-- In-app notices, written in the transaction of the step they tell of; mailed_at is the
-- mail outbox of those whose setting asks for mail.
CREATE TABLE notices (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    issue_id TEXT NOT NULL REFERENCES issues (id),
    version INTEGER NOT NULL,
    transition TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    mailed_at TIMESTAMP
);
CREATE INDEX notices_by_user ON notices (user_id, id);
CREATE INDEX notices_unmailed ON notices (mailed_at, user_id);

-- Which notices a user also wants by mail (each / digest / none); no row: digest.
CREATE TABLE notice_settings (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    community_id TEXT NOT NULL REFERENCES communities (id),
    mail TEXT NOT NULL
);
