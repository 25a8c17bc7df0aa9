UPDATE meetings SET announcements = skip_reason WHERE status = 'skipped' AND skip_reason IS NOT NULL;
ALTER TABLE meetings DROP COLUMN skip_reason;
