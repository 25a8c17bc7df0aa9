-- Issues the secretary dropped from a meeting's agenda: late additions (issues raised or
-- changed after the draft was built) never bring them back to that meeting.
CREATE TABLE agenda_drops (
    meeting_id TEXT NOT NULL,
    issue_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    dropped_at TIMESTAMP NOT NULL,
    PRIMARY KEY (meeting_id, issue_id)
);
