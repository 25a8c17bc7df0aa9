-- Why a month's meeting is skipped, in its own column: it used to be kept in the
-- announcements, which the agenda relays.
ALTER TABLE meetings ADD COLUMN skip_reason TEXT;
UPDATE meetings SET skip_reason = announcements, announcements = '' WHERE status = 'skipped';
