-- The later date a company asked for (申请延期) that the meeting turned down with a
-- decision on the item: the minutes and the followers' notices name the refusal, not
-- only the decision's words (the issue's own timeline has the step and its reason).
ALTER TABLE agenda_items ADD COLUMN refused_due_date DATE;
