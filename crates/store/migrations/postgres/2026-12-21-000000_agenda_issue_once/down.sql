DROP INDEX agenda_items_issue_once;
