ALTER TABLE issues DROP COLUMN verdict;
ALTER TABLE issues DROP COLUMN verdict_satisfaction;
ALTER TABLE issues DROP COLUMN verdict_at;
ALTER TABLE issues DROP COLUMN extension_count;
ALTER TABLE issues DROP COLUMN extension_dated_at;
ALTER TABLE issues DROP COLUMN extension_requested_at;
