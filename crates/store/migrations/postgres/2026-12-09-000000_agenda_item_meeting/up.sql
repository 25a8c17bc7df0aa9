-- An agenda item belongs to its meeting's community: one foreign key on both columns
-- checks that, where two (the community, the meeting) checked less. PostgreSQL runs a
-- foreign key's check once a row: of a ~480-item agenda's insert at the district's size
-- the checks were two thirds, the community's alone 2.8-3.6 ms (docs/performance.md).
CREATE UNIQUE INDEX meetings_id_community ON meetings (id, community_id);
ALTER TABLE agenda_items
    DROP CONSTRAINT agenda_items_community_id_fkey,
    DROP CONSTRAINT agenda_items_meeting_id_fkey,
    ADD CONSTRAINT agenda_items_meeting_community_fkey
        FOREIGN KEY (meeting_id, community_id) REFERENCES meetings (id, community_id);
