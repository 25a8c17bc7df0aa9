DROP TABLE notice_settings;
DROP TABLE notices;
DROP TABLE follows;
