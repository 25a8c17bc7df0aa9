//! Invitations (`roundtable_core::Invitation`). Taking one up is a conditional update, so
//! the last use cannot be taken twice by two sign-ups at once.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roundtable_core::{CommunityId, Invitation, UserId};

use crate::convert::{id_opt, parse, parse_opt, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::invitations;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
struct Row {
    id: String,
    community_id: String,
    role: String,
    compound_id: Option<String>,
    building_id: Option<String>,
    unit: Option<String>,
    org_id: Option<String>,
    note: Option<String>,
    created_by: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    max_uses: i32,
    uses: i32,
    revoked_at: Option<NaiveDateTime>,
}

fn from_row(r: Row) -> Result<Invitation> {
    Ok(Invitation {
        id: parse("invitation id", &r.id)?,
        community: parse("community id", &r.community_id)?,
        role: parse("role", &r.role)?,
        compound: parse_opt("compound id", r.compound_id.as_deref())?,
        building: parse_opt("building id", r.building_id.as_deref())?,
        unit: r.unit,
        org: parse_opt("organisation id", r.org_id.as_deref())?,
        note: r.note,
        created_by: parse("user id", &r.created_by)?,
        created_at: utc(r.created_at),
        expires_at: utc(r.expires_at),
        max_uses: r.max_uses.max(0) as u32,
        uses: r.uses.max(0) as u32,
        revoked_at: r.revoked_at.map(utc),
    })
}

pub fn insert(conn: &mut DbConn, i: &Invitation) -> Result<()> {
    let row = Row {
        id: i.id.to_string(),
        community_id: i.community.to_string(),
        role: i.role.as_str().to_owned(),
        compound_id: id_opt(i.compound),
        building_id: id_opt(i.building),
        unit: i.unit.clone(),
        org_id: id_opt(i.org),
        note: i.note.clone(),
        created_by: i.created_by.to_string(),
        created_at: ts(i.created_at),
        expires_at: ts(i.expires_at),
        max_uses: i.max_uses as i32,
        uses: i.uses as i32,
        revoked_at: i.revoked_at.map(ts),
    };
    diesel::insert_into(invitations::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, id: uuid::Uuid) -> Result<Invitation> {
    let row = invitations::table.find(id.to_string()).select(Row::as_select()).first(conn).optional()?;
    from_row(row.ok_or(StoreError::NotFound)?)
}

/// A community's invitations, newest first (those `by` made, if given), at most 200.
pub fn list(conn: &mut DbConn, community: CommunityId, by: Option<UserId>) -> Result<Vec<Invitation>> {
    let mut q = invitations::table.filter(invitations::community_id.eq(community.to_string())).into_boxed();
    if let Some(user) = by {
        q = q.filter(invitations::created_by.eq(user.to_string()));
    }
    let rows = q.order(invitations::id.desc()).limit(200).select(Row::as_select()).load(conn)?;
    rows.into_iter().map(from_row).collect()
}

/// Takes up one use, if the invitation is still open at `now`; `false` if it is not
/// (expired, revoked, used up — perhaps by someone a moment ago).
pub fn take(conn: &mut DbConn, id: uuid::Uuid, now: DateTime<Utc>) -> Result<bool> {
    let n = diesel::update(
        invitations::table
            .find(id.to_string())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(ts(now)))
            .filter(invitations::uses.lt(invitations::max_uses)),
    )
    .set(invitations::uses.eq(invitations::uses + 1))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn revoke(conn: &mut DbConn, id: uuid::Uuid, now: DateTime<Utc>) -> Result<()> {
    diesel::update(invitations::table.find(id.to_string()).filter(invitations::revoked_at.is_null()))
        .set(invitations::revoked_at.eq(Some(ts(now))))
        .execute(conn)?;
    Ok(())
}
