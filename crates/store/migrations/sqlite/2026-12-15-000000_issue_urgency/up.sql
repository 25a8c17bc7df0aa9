-- How urgent an issue is (紧急程度): NULL for routine, the usual case, so most rows
-- carry nothing more; 'yellow' or 'red' otherwise.
ALTER TABLE issues ADD COLUMN urgency TEXT;
