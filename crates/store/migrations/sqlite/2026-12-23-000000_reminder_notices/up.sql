-- A notice of a reminder the workflow's timers sent (a promise due soon, an issue left
-- unassigned, a fix unverified): the bell says it beside the mail. `transition` holds the
-- timer's name and `version` is 0 — no step was taken — and the row's actor is the user
-- told (the column is NOT NULL; nobody acted).
ALTER TABLE notices ADD COLUMN reminder BOOLEAN NOT NULL DEFAULT FALSE;
