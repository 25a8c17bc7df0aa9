DROP TABLE issue_search;
DROP INDEX issues_duplicate_of;
