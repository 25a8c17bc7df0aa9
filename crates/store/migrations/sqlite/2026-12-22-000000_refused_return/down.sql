ALTER TABLE agenda_items DROP COLUMN refused_return;
