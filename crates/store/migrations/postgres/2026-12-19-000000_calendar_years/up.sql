-- A year's holidays and make-up working days as the State Council's notice gives them,
-- entered by a community's administrator in place of what the configuration holds for
-- that year (the notice comes out each November; a deployment without a technician cannot
-- edit the configuration). Per community: its deadlines are its own, and another
-- community's administrator cannot move them. Each list is its entries one per line
-- (`2027-02-06/2027-02-14 春节`).
CREATE TABLE calendar_years (
    community_id TEXT NOT NULL REFERENCES communities (id),
    year INTEGER NOT NULL,
    holidays TEXT NOT NULL,
    workdays TEXT NOT NULL,
    entered_by TEXT NOT NULL REFERENCES users (id),
    entered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, year)
);
