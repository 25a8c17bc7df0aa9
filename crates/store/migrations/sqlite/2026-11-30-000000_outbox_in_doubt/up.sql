-- A send that was cut off (the process died between claiming a row and recording the
-- outcome) may or may not have reached the relay: `sending_since` marks a row from its
-- claim until its outcome is recorded, and `interrupted` counts the attempts found cut off.
ALTER TABLE outbox ADD COLUMN sending_since TIMESTAMP;
ALTER TABLE outbox ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
