DROP TABLE used_reset_links;
