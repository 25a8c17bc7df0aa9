-- The street office (街道) a community belongs to: its people with the street role compare
-- the communities that share it.
ALTER TABLE communities ADD COLUMN street TEXT;
-- When and where this community meets, where it differs from the deployment's
-- `[meeting]` settings (a street office's communities meet in their own rooms).
ALTER TABLE communities ADD COLUMN meeting_time TEXT;
ALTER TABLE communities ADD COLUMN meeting_place TEXT;
