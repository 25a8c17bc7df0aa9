-- Extensions (延期). On the issue, one JSON column (the issues table is at diesel's
-- 32-column limit): how often the commitment's date moved, when it was last set and the
-- request awaiting the secretary. Each granted extension is also a row of the commitment
-- history, with the date it moved from and the reason.
ALTER TABLE issues ADD COLUMN extension TEXT;
ALTER TABLE commitments ADD COLUMN extended_from DATE;
ALTER TABLE commitments ADD COLUMN reason TEXT;
