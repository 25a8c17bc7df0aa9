-- Found by the district benchmark (1,000,000 issues, 50 communities).
-- An item carried over names the item it came from. Without an index on that column,
-- deleting a draft's items (a rebuild) checked the reference by reading every agenda item
-- of the deployment once per deleted item: a rebuild took a second at 22,000 items.
CREATE INDEX agenda_items_carried_from ON agenda_items (carried_from);
-- When a held meeting last dealt with each issue: the community's outcomes, not every item.
CREATE INDEX agenda_items_community_outcome ON agenda_items (community_id, outcome);
-- When each issue last became assigned or resolved, in the comparison's window: read from
-- the index alone instead of every step of the window.
CREATE INDEX issue_events_community_state_at ON issue_events (community_id, to_state, at, issue_id);
