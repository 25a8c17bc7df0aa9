DROP TABLE agenda_drops;
