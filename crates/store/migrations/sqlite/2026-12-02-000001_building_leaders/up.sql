-- The buildings a building leader (楼栋长) speaks for.
CREATE TABLE user_buildings (
    user_id TEXT NOT NULL REFERENCES users (id),
    building_id TEXT NOT NULL REFERENCES buildings (id),
    community_id TEXT NOT NULL REFERENCES communities (id),
    PRIMARY KEY (user_id, building_id)
);
CREATE INDEX user_buildings_by_building ON user_buildings (building_id);

-- An issue raised on behalf of households (代报): how many, and those who gave their
-- names and phones (JSON: [{"name": …, "phone": …}]).
CREATE TABLE proxy_reports (
    issue_id TEXT PRIMARY KEY NOT NULL REFERENCES issues (id),
    community_id TEXT NOT NULL REFERENCES communities (id),
    households INTEGER NOT NULL,
    contacts TEXT NOT NULL
);
