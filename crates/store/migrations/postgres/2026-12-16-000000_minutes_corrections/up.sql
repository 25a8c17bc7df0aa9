-- A party's request to correct a meeting's draft minutes (会议纪要征求意见), asked by an
-- account of an organisation that attended, answered by the secretary (`answer`
-- accepted/declined, with a reply) before the minutes are published.
CREATE TABLE minutes_corrections (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    asked_by TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    asked_at TIMESTAMP NOT NULL,
    answer TEXT,
    reply TEXT NOT NULL DEFAULT '',
    answered_by TEXT REFERENCES users (id),
    answered_at TIMESTAMP
);
CREATE INDEX minutes_corrections_meeting ON minutes_corrections (meeting_id);
