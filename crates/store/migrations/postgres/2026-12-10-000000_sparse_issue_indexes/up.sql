-- Two of the issue's ten indexes hold only some issues: a duplicate's original and a
-- promise's due date. Indexed only where set, a new issue and an assignment (neither has
-- either) write eight index entries where they wrote ten — every step's update is a new
-- row version in every index (its state and company are indexed, so none is heap-only).
-- Every query that reads them compares the column (`duplicate_of = …`, `commitment_due <
-- …`), which both databases know implies IS NOT NULL (docs/performance.md).
DROP INDEX issues_duplicate_of;
CREATE INDEX issues_duplicate_of ON issues (duplicate_of) WHERE duplicate_of IS NOT NULL;
DROP INDEX issues_commitment_due;
CREATE INDEX issues_commitment_due ON issues (community_id, commitment_due) WHERE commitment_due IS NOT NULL;
