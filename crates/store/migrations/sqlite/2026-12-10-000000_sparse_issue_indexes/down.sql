DROP INDEX issues_duplicate_of;
CREATE INDEX issues_duplicate_of ON issues (duplicate_of);
DROP INDEX issues_commitment_due;
CREATE INDEX issues_commitment_due ON issues (community_id, commitment_due);
