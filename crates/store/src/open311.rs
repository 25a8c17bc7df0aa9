//! Open311 GeoReport v2: the keys of its clients (only their SHA-256 kept) and the query
//! behind `requests`: the community's issues a company is answerable for — and, for a
//! client with its key, the requests it posted itself — in a time window, newest first.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roundtable_core::{CommunityId, Issue, IssueId, UserId};

use crate::convert::{parse, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::issues::IssueRow;
use crate::schema::{issues, open311_keys, users};

type Backend = <DbConn as diesel::Connection>::Backend;

/// A key as the administrator sees it (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Open311Key {
    pub id: String,
    pub community: CommunityId,
    pub name: String,
    /// The account a posted request is raised as.
    pub user: UserId,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = open311_keys)]
struct KeyRow {
    id: String,
    community_id: String,
    name: String,
    user_id: String,
    key_hash: String,
    created_by: String,
    created_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
    last_used_at: Option<NaiveDateTime>,
}

impl TryFrom<KeyRow> for Open311Key {
    type Error = StoreError;

    fn try_from(r: KeyRow) -> Result<Open311Key> {
        Ok(Open311Key {
            id: r.id,
            community: parse("community id", &r.community_id)?,
            name: r.name,
            user: parse("user id", &r.user_id)?,
            created_by: parse("user id", &r.created_by)?,
            created_at: utc(r.created_at),
            revoked_at: r.revoked_at.map(utc),
            last_used_at: r.last_used_at.map(utc),
        })
    }
}

pub fn insert_key(conn: &mut DbConn, key: &Open311Key, key_hash: &str) -> Result<()> {
    let row = KeyRow {
        id: key.id.clone(),
        community_id: key.community.to_string(),
        name: key.name.clone(),
        user_id: key.user.to_string(),
        key_hash: key_hash.to_owned(),
        created_by: key.created_by.to_string(),
        created_at: ts(key.created_at),
        revoked_at: None,
        last_used_at: None,
    };
    diesel::insert_into(open311_keys::table).values(&row).execute(conn).map_err(StoreError::from_insert("key"))?;
    Ok(())
}

/// The community's keys, newest first.
pub fn keys(conn: &mut DbConn, community: CommunityId) -> Result<Vec<Open311Key>> {
    let rows: Vec<KeyRow> = open311_keys::table
        .filter(open311_keys::community_id.eq(community.to_string()))
        .order(open311_keys::created_at.desc())
        .select(KeyRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Open311Key::try_from).collect()
}

/// The live key behind a hash: not revoked, its account not disabled.
pub fn live_key(conn: &mut DbConn, key_hash: &str) -> Result<Option<Open311Key>> {
    let row: Option<KeyRow> = open311_keys::table
        .inner_join(users::table.on(users::id.eq(open311_keys::user_id)))
        .filter(open311_keys::key_hash.eq(key_hash))
        .filter(open311_keys::revoked_at.is_null())
        .filter(users::disabled.eq(false))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?;
    row.map(Open311Key::try_from).transpose()
}

/// Records a key's use.
pub fn mark_used(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> Result<()> {
    diesel::update(open311_keys::table.find(id)).set(open311_keys::last_used_at.eq(ts(now))).execute(conn)?;
    Ok(())
}

/// Revokes a key of the community; `NotFound` for another community's or an unknown one.
/// Revoking twice is harmless.
pub fn revoke_key(conn: &mut DbConn, community: CommunityId, id: &str, now: DateTime<Utc>) -> Result<()> {
    let found = open311_keys::table
        .filter(open311_keys::id.eq(id))
        .filter(open311_keys::community_id.eq(community.to_string()))
        .count()
        .get_result::<i64>(conn)?;
    if found == 0 {
        return Err(StoreError::NotFound);
    }
    diesel::update(open311_keys::table.find(id).filter(open311_keys::revoked_at.is_null()))
        .set(open311_keys::revoked_at.eq(ts(now)))
        .execute(conn)?;
    Ok(())
}

/// What `GET requests` asks for. Every list is "any of"; empty means no filter.
#[derive(Clone, Debug, Default)]
pub struct RequestFilter {
    pub ids: Vec<IssueId>,
    pub categories: Vec<String>,
    pub states: Vec<String>,
    /// Raised in `[from, to]` (ignored when `ids` are given, as the spec says).
    pub between: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// A client with its key sees its own requests before any company is answerable.
    pub own: Option<UserId>,
    pub limit: u32,
    /// Requests skipped first (the pagination extension's earlier pages).
    pub offset: u32,
}

/// The requests, newest first: issues with a responsible organisation (the public part of
/// the tracker: someone is answerable), or raised by `own`.
pub fn requests(conn: &mut DbConn, community: CommunityId, f: &RequestFilter) -> Result<Vec<Issue>> {
    let mut q = issues::table.filter(issues::community_id.eq(community.to_string())).into_boxed::<Backend>();
    q = match f.own {
        Some(user) => q.filter(issues::responsible_org.is_not_null().or(issues::raised_by.eq(user.to_string()))),
        None => q.filter(issues::responsible_org.is_not_null()),
    };
    if !f.ids.is_empty() {
        q = q.filter(issues::id.eq_any(f.ids.iter().map(ToString::to_string).collect::<Vec<_>>()));
    } else if let Some((from, to)) = f.between {
        q = q.filter(issues::created_at.ge(ts(from))).filter(issues::created_at.le(ts(to)));
    }
    if !f.categories.is_empty() {
        q = q.filter(issues::category.eq_any(f.categories.clone()));
    }
    if !f.states.is_empty() {
        q = q.filter(issues::state.eq_any(f.states.clone()));
    }
    let rows: Vec<IssueRow> = q
        .order(issues::id.desc())
        .limit(i64::from(f.limit.max(1)))
        .offset(i64::from(f.offset))
        .select(IssueRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Issue::try_from).collect()
}
