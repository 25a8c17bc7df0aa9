-- The day by which a meeting's decision on an item asks to hear it again (复议): the item
-- comes back to the first agenda on or after it.
ALTER TABLE agenda_items ADD COLUMN review_on DATE;
