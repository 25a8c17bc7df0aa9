-- A notice may tell of a joint meeting rather than a step: the meeting whose agenda lists
-- the followed issue. Such a notice has no step: its `version` is 0 (no step has it) and
-- its `transition` says what the meeting told (`listed`, `heard`). No index: notices are
-- written with every step, and none is looked up by meeting.
ALTER TABLE notices ADD COLUMN meeting_id TEXT;
