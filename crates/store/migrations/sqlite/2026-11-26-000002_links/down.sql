DROP TABLE used_links;
DROP TABLE settings;
