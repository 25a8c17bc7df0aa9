-- The audit trail of what changes outside an issue's timeline: meetings, accounts,
-- organisations, support. Ids are UUID v7: the trail pages by id.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    at TIMESTAMP NOT NULL,
    actor_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX audit_log_community ON audit_log (community_id, id);
CREATE INDEX audit_log_subject ON audit_log (subject_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
