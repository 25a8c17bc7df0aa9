-- Invitations to make an account (a signed link, a QR code on a notice board).
CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id),
    role TEXT NOT NULL,
    compound_id TEXT REFERENCES compounds (id),
    building_id TEXT REFERENCES buildings (id),
    unit TEXT,
    org_id TEXT REFERENCES organisations (id),
    note TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    max_uses INTEGER NOT NULL,
    uses INTEGER NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX invitations_by_creator ON invitations (community_id, created_by);
