-- roundtable schema, PostgreSQL flavour. Keep in step with ../../sqlite: a test compares them.
-- Portable types only: TEXT for ids (UUID v7), enums and JSON; TIMESTAMP in UTC; DATE local.

CREATE TABLE communities (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    default_locale TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE compounds (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX compounds_community ON compounds (community_id);

CREATE TABLE buildings (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    compound_id TEXT NOT NULL REFERENCES compounds (id),
    name TEXT NOT NULL
);
CREATE INDEX buildings_compound ON buildings (compound_id);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Comma-separated addresses that receive the organisation's mail.
    contact_emails TEXT NOT NULL,
    -- The compound a property company runs or a grid branch covers, if one.
    compound_id TEXT REFERENCES compounds (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_community ON organisations (community_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    login TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    password_hash TEXT NOT NULL,
    -- Comma-separated role names (admin, secretary, supervisor, property, grid, resident).
    roles TEXT NOT NULL,
    locale TEXT,
    -- The compound a resident or grid secretary belongs to.
    compound_id TEXT REFERENCES compounds (id),
    disabled BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_login ON users (login);
CREATE INDEX users_community ON users (community_id);

CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    community_id TEXT NOT NULL REFERENCES communities (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (user_id, org_id)
);
CREATE INDEX memberships_org ON memberships (org_id);

CREATE TABLE issues (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    workflow TEXT NOT NULL,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    compound_id TEXT NOT NULL REFERENCES compounds (id),
    building_id TEXT REFERENCES buildings (id),
    unit TEXT,
    raised_by TEXT NOT NULL REFERENCES users (id),
    raised_by_org TEXT REFERENCES organisations (id),
    responsible_org TEXT REFERENCES organisations (id),
    commitment_text TEXT,
    commitment_due DATE,
    committed_by TEXT REFERENCES users (id),
    committed_by_org TEXT REFERENCES organisations (id),
    commitment_meeting TEXT,
    committed_at TIMESTAMP,
    resolution_note TEXT,
    -- The latest verification as JSON (outcome, satisfaction, note, by, at); history is in the events.
    verification TEXT,
    duplicate_of TEXT REFERENCES issues (id),
    closing_reason TEXT,
    support_count INTEGER NOT NULL,
    reopen_count INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    state_entered_at TIMESTAMP NOT NULL,
    -- Set by the overdue timer's flag_overdue effect; cleared when the state moves on.
    overdue_since TIMESTAMP
);
CREATE INDEX issues_community_newest ON issues (community_id, id);
CREATE INDEX issues_community_state ON issues (community_id, state, id);
CREATE INDEX issues_community_compound ON issues (community_id, compound_id, id);
CREATE INDEX issues_community_responsible ON issues (community_id, responsible_org, id);
CREATE INDEX issues_community_support ON issues (community_id, support_count, id);
CREATE INDEX issues_commitment_due ON issues (community_id, commitment_due);
CREATE INDEX issues_raised_by ON issues (raised_by);

-- Append-only audit: one row per version of an issue, so (issue_id, version) is unique.
CREATE TABLE issue_events (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    issue_id TEXT NOT NULL REFERENCES issues (id),
    version INTEGER NOT NULL,
    transition TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users (id),
    actor_org TEXT REFERENCES organisations (id),
    at TIMESTAMP NOT NULL,
    -- The transition's fields as JSON.
    fields TEXT NOT NULL
);
CREATE UNIQUE INDEX issue_events_issue_version ON issue_events (issue_id, version);

CREATE TABLE supports (
    issue_id TEXT NOT NULL REFERENCES issues (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    community_id TEXT NOT NULL REFERENCES communities (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (issue_id, user_id)
);

CREATE TABLE meetings (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    -- The first-Sunday date this meeting stands for (its slot), and when it really is.
    slot DATE NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    place TEXT NOT NULL,
    -- planned, skipped, open, closed
    status TEXT NOT NULL,
    announcements TEXT NOT NULL,
    opened_at TIMESTAMP,
    closed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX meetings_community_slot ON meetings (community_id, slot);

CREATE TABLE agenda_items (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL,
    section TEXT NOT NULL,
    issue_id TEXT REFERENCES issues (id),
    title TEXT NOT NULL,
    minutes_allowed INTEGER NOT NULL,
    in_appendix BOOLEAN NOT NULL,
    -- commitment, decision, deferred (NULL until recorded)
    outcome TEXT,
    outcome_note TEXT,
    carried_from TEXT REFERENCES agenda_items (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);

CREATE TABLE attendances (
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    community_id TEXT NOT NULL REFERENCES communities (id),
    attendees TEXT NOT NULL,
    PRIMARY KEY (meeting_id, org_id)
);

-- Every commitment ever made, including superseded ones (the issue row holds the current).
CREATE TABLE commitments (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    issue_id TEXT NOT NULL REFERENCES issues (id),
    meeting_id TEXT REFERENCES meetings (id),
    org_id TEXT REFERENCES organisations (id),
    text TEXT NOT NULL,
    due_date DATE NOT NULL,
    committed_by TEXT NOT NULL REFERENCES users (id),
    committed_at TIMESTAMP NOT NULL
);
CREATE INDEX commitments_issue ON commitments (issue_id);
CREATE INDEX commitments_meeting ON commitments (meeting_id);

CREATE TABLE minutes (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    revision INTEGER NOT NULL,
    -- draft, published, addendum
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
CREATE UNIQUE INDEX minutes_meeting_revision ON minutes (meeting_id, revision);

-- Notifications to send, written in the transaction of the change that causes them.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    effect TEXT NOT NULL,
    issue_id TEXT REFERENCES issues (id),
    event_id TEXT REFERENCES issue_events (id),
    -- JSON: whatever the mail template needs beyond the issue.
    payload TEXT NOT NULL,
    -- Makes "exactly once" checkable, e.g. timer:<issue>:<timer>:<fire_at>.
    dedupe_key TEXT,
    message_id TEXT NOT NULL,
    -- pending, sent, dead
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE UNIQUE INDEX outbox_dedupe ON outbox (dedupe_key);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- A scheduled job claims (job, slot) before running, so no slot runs twice.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    slot TEXT NOT NULL,
    instance TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    PRIMARY KEY (job, slot)
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
