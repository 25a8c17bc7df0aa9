-- The street office (街道) a community belongs to: its people with the street role compare
-- the communities that share it.
ALTER TABLE communities ADD COLUMN street TEXT;
