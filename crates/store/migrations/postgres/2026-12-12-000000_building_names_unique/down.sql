DROP INDEX buildings_compound_name;
CREATE INDEX buildings_compound ON buildings (compound_id);
