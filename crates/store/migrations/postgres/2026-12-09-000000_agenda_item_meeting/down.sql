ALTER TABLE agenda_items
    DROP CONSTRAINT agenda_items_meeting_community_fkey,
    ADD CONSTRAINT agenda_items_community_id_fkey FOREIGN KEY (community_id) REFERENCES communities (id),
    ADD CONSTRAINT agenda_items_meeting_id_fkey FOREIGN KEY (meeting_id) REFERENCES meetings (id);
DROP INDEX meetings_id_community;
