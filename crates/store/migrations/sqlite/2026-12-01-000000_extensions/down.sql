ALTER TABLE commitments DROP COLUMN reason;
ALTER TABLE commitments DROP COLUMN extended_from;
ALTER TABLE issues DROP COLUMN extension;
