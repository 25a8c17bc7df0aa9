DROP TABLE proxy_reports;
DROP TABLE user_buildings;
