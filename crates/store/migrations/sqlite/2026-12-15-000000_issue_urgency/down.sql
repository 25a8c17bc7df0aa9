ALTER TABLE issues DROP COLUMN urgency;
