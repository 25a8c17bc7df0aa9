DROP TABLE raise_keys;
