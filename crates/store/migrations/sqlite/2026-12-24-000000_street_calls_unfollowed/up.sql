-- The street office raised issues in the other communities of its street (吹哨) as their
-- follower, so each step put a notice in its bell that its notices page — its own
-- community's issues only — never listed: a count nobody could read. It follows its calls
-- on the street's page; those follows are stopped and those notices read.
UPDATE follows SET following = FALSE
WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = follows.user_id AND u.community_id <> follows.community_id);
UPDATE notices SET read_at = created_at
WHERE read_at IS NULL
  AND EXISTS (SELECT 1 FROM users u WHERE u.id = notices.user_id AND u.community_id <> notices.community_id);
