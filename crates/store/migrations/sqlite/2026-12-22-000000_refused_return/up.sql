-- The company's request to hand the issue back (申请退回) that the meeting turned down
-- with a decision on the item: the minutes and the followers' notices say so, and the
-- outcome, having taken the issue's step, stands (as a commitment or a refused later
-- date does). Items decided before this read as not having refused one.
ALTER TABLE agenda_items ADD COLUMN refused_return BOOLEAN NOT NULL DEFAULT FALSE;
