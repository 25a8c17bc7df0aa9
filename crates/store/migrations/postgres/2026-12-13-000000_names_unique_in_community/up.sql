-- A community's compounds and organisations are told apart by name (the forms' lists,
-- the minutes, the company comparison): two of one name are refused by the database too,
-- so that two administrators adding or renaming to the same name at once leave one. Each
-- index also serves what the one on the community alone served.
DROP INDEX compounds_community;
CREATE UNIQUE INDEX compounds_community_name ON compounds (community_id, name);
DROP INDEX organisations_community;
CREATE UNIQUE INDEX organisations_community_name ON organisations (community_id, name);
