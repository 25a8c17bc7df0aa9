ALTER TABLE agenda_items DROP COLUMN review_on;
