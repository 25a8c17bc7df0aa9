DROP TABLE minutes_corrections;
