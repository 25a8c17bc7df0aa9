-- A photo the secretary has looked at and marked fit for the public board and Open311
-- (no faces, no door numbers). Every photo starts private.
ALTER TABLE photos ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
