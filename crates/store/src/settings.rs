//! The deployment's own values, and single-use link nonces.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use roundtable_core::{IssueId, UserId};

use crate::convert::ts;
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::{settings, used_links, used_reset_links};

/// The value of `key`, created by `make` the first time (instances racing agree on one).
pub fn get_or_create(conn: &mut DbConn, key: &str, make: impl FnOnce() -> String) -> Result<String> {
    let existing: Option<String> = settings::table.find(key).select(settings::value).first(conn).optional()?;
    if let Some(v) = existing {
        return Ok(v);
    }
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(settings::table).values((settings::key.eq(key), settings::value.eq(make()))).execute(conn)
    });
    match inserted {
        Ok(_) | Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {}
        Err(e) => return Err(StoreError::Database(e)),
    }
    Ok(settings::table.find(key).select(settings::value).first(conn)?)
}

/// Marks a link used; `false` if it was used before.
pub fn consume_link(conn: &mut DbConn, nonce: &str, issue: IssueId, now: DateTime<Utc>) -> Result<bool> {
    let row =
        (used_links::nonce.eq(nonce), used_links::issue_id.eq(issue.to_string()), used_links::used_at.eq(ts(now)));
    first_use(conn.transaction(|conn| diesel::insert_into(used_links::table).values(row).execute(conn)))
}

/// Marks a password-reset link of `user` used; `false` if it was used before.
pub fn consume_reset_link(conn: &mut DbConn, nonce: &str, user: UserId, now: DateTime<Utc>) -> Result<bool> {
    let row = (
        used_reset_links::nonce.eq(nonce),
        used_reset_links::user_id.eq(user.to_string()),
        used_reset_links::used_at.eq(ts(now)),
    );
    first_use(conn.transaction(|conn| diesel::insert_into(used_reset_links::table).values(row).execute(conn)))
}

/// An insert of a used nonce: `true` the first time, `false` when it is there already.
fn first_use(inserted: std::result::Result<usize, diesel::result::Error>) -> Result<bool> {
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(StoreError::Database(e)),
    }
}

/// Uses a link and records its transition in one transaction: either both happen or
/// neither. `false` when the link was used before.
pub fn consume_link_and_record(
    conn: &mut DbConn,
    nonce: &str,
    outcome: &roundtable_core::Outcome,
    now: DateTime<Utc>,
) -> Result<bool> {
    crate::db::atomically(conn, |conn| {
        if !consume_link(conn, nonce, outcome.issue.id, now)? {
            return Ok(false);
        }
        crate::issues::record_transition(conn, outcome)?;
        Ok(true)
    })
}
