DROP INDEX meetings_id_community;
