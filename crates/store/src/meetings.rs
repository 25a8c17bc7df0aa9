//! Joint meetings. (The agenda, attendance and minutes build on these rows.)

use diesel::prelude::*;
use roundtable_core::{CommunityId, Meeting};

use crate::convert::{parse, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::meetings;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = meetings)]
struct MeetingRow {
    id: String,
    community_id: String,
    slot: chrono::NaiveDate,
    starts_at: chrono::NaiveDateTime,
    place: String,
    status: String,
    announcements: String,
    opened_at: Option<chrono::NaiveDateTime>,
    closed_at: Option<chrono::NaiveDateTime>,
    created_at: chrono::NaiveDateTime,
}

pub fn insert_meeting(conn: &mut DbConn, m: &Meeting) -> Result<()> {
    let row = MeetingRow {
        id: m.id.to_string(),
        community_id: m.community.to_string(),
        slot: m.slot,
        starts_at: ts(m.starts_at),
        place: m.place.clone(),
        status: m.status.to_string(),
        announcements: m.announcements.clone(),
        opened_at: m.opened_at.map(ts),
        closed_at: m.closed_at.map(ts),
        created_at: ts(m.created_at),
    };
    diesel::insert_into(meetings::table)
        .values(&row)
        .execute(conn)
        .map_err(StoreError::from_insert("meeting for that month"))?;
    Ok(())
}

/// A community's meetings, latest first.
pub fn meetings(conn: &mut DbConn, community: CommunityId) -> Result<Vec<Meeting>> {
    let rows: Vec<MeetingRow> = meetings::table
        .filter(meetings::community_id.eq(community.to_string()))
        .order(meetings::slot.desc())
        .select(MeetingRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(Meeting {
                id: parse("meeting id", &r.id)?,
                community: parse("community id", &r.community_id)?,
                slot: r.slot,
                starts_at: utc(r.starts_at),
                place: r.place,
                status: parse("meeting status", &r.status)?,
                announcements: r.announcements,
                opened_at: r.opened_at.map(utc),
                closed_at: r.closed_at.map(utc),
                created_at: utc(r.created_at),
            })
        })
        .collect()
}
