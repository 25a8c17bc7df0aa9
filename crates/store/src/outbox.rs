//! Queuing notifications that are not a transition's effects (agenda, minutes).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roundtable_core::DeliveryStatus;

use crate::convert::ts;
use crate::db::DbConn;
use crate::error::Result;
use crate::schema::outbox;

/// Queues one notification exactly once per `dedupe_key`, also when several instances
/// race (the unique index decides; the loser's insert is rolled back to a savepoint).
pub fn queue_once(
    conn: &mut DbConn,
    community: &str,
    effect: &str,
    issue: Option<String>,
    payload: serde_json::Value,
    dedupe_key: String,
    at: DateTime<Utc>,
) -> Result<bool> {
    match conn.transaction(|conn| queue(conn, community, effect, issue, payload, Some(dedupe_key), at)) {
        Err(crate::StoreError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Ok(false),
        other => other,
    }
}

/// Queues one notification; a `dedupe_key` seen before makes this a no-op.
pub fn queue(
    conn: &mut DbConn,
    community: &str,
    effect: &str,
    issue: Option<String>,
    payload: serde_json::Value,
    dedupe_key: Option<String>,
    at: DateTime<Utc>,
) -> Result<bool> {
    if let Some(key) = &dedupe_key {
        let seen: i64 = outbox::table.filter(outbox::dedupe_key.eq(key)).count().get_result(conn)?;
        if seen > 0 {
            return Ok(false);
        }
    }
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(outbox::table)
        .values((
            outbox::message_id.eq(format!("<{id}@roundtable>")),
            outbox::id.eq(&id),
            outbox::community_id.eq(community),
            outbox::effect.eq(effect),
            outbox::issue_id.eq(issue),
            outbox::payload.eq(payload.to_string()),
            outbox::dedupe_key.eq(dedupe_key),
            outbox::status.eq(DeliveryStatus::Pending.as_str()),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(ts(at)),
            outbox::created_at.eq(ts(at)),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The effects queued for a community, oldest first (for tests and tools).
pub fn effects(conn: &mut DbConn, community: &str) -> Result<Vec<String>> {
    Ok(outbox::table.filter(outbox::community_id.eq(community)).order(outbox::id).select(outbox::effect).load(conn)?)
}

/// A notification waiting to be sent (or being sent).
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct Pending {
    pub id: String,
    pub community_id: String,
    pub effect: String,
    pub issue_id: Option<String>,
    pub event_id: Option<String>,
    pub payload: String,
    pub message_id: String,
    pub attempts: i32,
    pub status: String,
    pub last_error: Option<String>,
    /// Attempts found cut off mid-send (the process died before recording the outcome):
    /// the relay may have accepted one of them, so the recipient may get this message
    /// twice (with the same Message-ID, which lets mail clients drop the copy).
    pub interrupted: i32,
}

/// Claims up to `limit` due rows for `lease`: their `next_attempt_at` moves past the
/// lease and `attempts` counts this try, so a dispatcher that dies mid-send leaves them
/// due again afterwards, and two dispatchers never hold the same row. A row claimed while
/// still marked by [`mark_sending`] was cut off mid-send: it counts as `interrupted` and is
/// sent again with the same Message-ID (a duplicate the recipient's client can recognise
/// is better than a commitment reminder that never arrives). On PostgreSQL the claim skips
/// rows another dispatcher has locked; on SQLite writers take turns.
pub fn claim_due(conn: &mut DbConn, now: DateTime<Utc>, lease: chrono::TimeDelta, limit: i64) -> Result<Vec<Pending>> {
    use crate::db::DbConn as C;
    conn.transaction(|conn| {
        let ids: Vec<String> = match conn {
            C::Pg(pg) => outbox::table
                .filter(outbox::status.eq(DeliveryStatus::Pending.as_str()))
                .filter(outbox::next_attempt_at.le(ts(now)))
                .order(outbox::id)
                .limit(limit)
                .select(outbox::id)
                .for_update()
                .skip_locked()
                .load(pg)?,
            C::Sqlite(lite) => outbox::table
                .filter(outbox::status.eq(DeliveryStatus::Pending.as_str()))
                .filter(outbox::next_attempt_at.le(ts(now)))
                .order(outbox::id)
                .limit(limit)
                .select(outbox::id)
                .load(lite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)).filter(outbox::sending_since.is_not_null()))
            .set((outbox::interrupted.eq(outbox::interrupted + 1), outbox::sending_since.eq(None::<NaiveDateTime>)))
            .execute(conn)?;
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((outbox::next_attempt_at.eq(ts(now + lease)), outbox::attempts.eq(outbox::attempts + 1)))
            .execute(conn)?;
        Ok(outbox::table.filter(outbox::id.eq_any(&ids)).order(outbox::id).select(Pending::as_select()).load(conn)?)
    })
}

/// Marks claimed rows as being handed to the relay now (before the SMTP DATA), until
/// their outcome is recorded.
pub fn mark_sending(conn: &mut DbConn, ids: &[String], now: DateTime<Utc>) -> Result<()> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set(outbox::sending_since.eq(Some(ts(now))))
        .execute(conn)?;
    Ok(())
}

pub fn mark_sent(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> Result<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(DeliveryStatus::Sent.as_str()),
            outbox::sent_at.eq(Some(ts(now))),
            outbox::last_error.eq(None::<String>),
            outbox::sending_since.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or dead when `retry_at` is `None`.
pub fn mark_failed(conn: &mut DbConn, id: &str, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()> {
    let status = if retry_at.is_some() { DeliveryStatus::Pending.as_str() } else { DeliveryStatus::Dead.as_str() };
    let next = retry_at.map(ts);
    let q = diesel::update(outbox::table.find(id));
    match next {
        Some(at) => q
            .set((
                outbox::status.eq(status),
                outbox::last_error.eq(Some(error)),
                outbox::next_attempt_at.eq(at),
                outbox::sending_since.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
        None => q
            .set((
                outbox::status.eq(status),
                outbox::last_error.eq(Some(error)),
                outbox::sending_since.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// Rows in a status (pending, sent, dead), oldest first.
pub fn with_status(conn: &mut DbConn, status: DeliveryStatus) -> Result<Vec<Pending>> {
    Ok(outbox::table
        .filter(outbox::status.eq(status.as_str()))
        .order(outbox::id)
        .select(Pending::as_select())
        .load(conn)?)
}

/// Gives a dead row a fresh set of attempts, due now.
pub fn retry(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> Result<bool> {
    let n = diesel::update(outbox::table.find(id).filter(outbox::status.eq(DeliveryStatus::Dead.as_str())))
        .set((
            outbox::status.eq(DeliveryStatus::Pending.as_str()),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(ts(now)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Marks every pending row of a community as sent (history loaded from elsewhere, such
/// as the demo's past six months, is not news to anyone).
pub fn settle_history(conn: &mut DbConn, community: &str, now: DateTime<Utc>) -> Result<usize> {
    Ok(diesel::update(
        outbox::table
            .filter(outbox::community_id.eq(community))
            .filter(outbox::status.eq(DeliveryStatus::Pending.as_str())),
    )
    .set((outbox::status.eq(DeliveryStatus::Sent.as_str()), outbox::sent_at.eq(Some(ts(now)))))
    .execute(conn)?)
}

/// Marks several rows sent in one transaction.
pub fn mark_sent_many(conn: &mut DbConn, ids: &[String], now: DateTime<Utc>) -> Result<()> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((
            outbox::status.eq(DeliveryStatus::Sent.as_str()),
            outbox::sent_at.eq(Some(ts(now))),
            outbox::last_error.eq(None::<String>),
            outbox::sending_since.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}
