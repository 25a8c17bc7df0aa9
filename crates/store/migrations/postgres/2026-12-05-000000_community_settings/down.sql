ALTER TABLE communities DROP COLUMN meeting_place;
ALTER TABLE communities DROP COLUMN meeting_time;
ALTER TABLE communities DROP COLUMN street;
