-- A compound's buildings are told apart by name (raising, the leaders' buildings, the
-- Open311 address): two of one name are refused by the database too, now that buildings
-- are added to a compound after it was made (its second phase), where two administrators
-- adding the same one at once would each find it absent. The index also serves what
-- `buildings_compound` served (the compound's buildings, by name).
DROP INDEX buildings_compound;
CREATE UNIQUE INDEX buildings_compound_name ON buildings (compound_id, name);
