DROP TABLE open311_keys;
ALTER TABLE compounds DROP COLUMN longitude;
ALTER TABLE compounds DROP COLUMN latitude;
