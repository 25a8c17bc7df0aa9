-- An issue is listed once on an agenda: the builder never lists it twice, and the
-- secretary adding one by hand (raised at the meeting) is refused when it is there
-- already, also when two edits race.
CREATE UNIQUE INDEX agenda_items_issue_once ON agenda_items (meeting_id, issue_id) WHERE issue_id IS NOT NULL;
