DROP INDEX organisations_community_name;
CREATE INDEX organisations_community ON organisations (community_id);
DROP INDEX compounds_community_name;
CREATE INDEX compounds_community ON compounds (community_id);
