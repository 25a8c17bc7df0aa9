//! Forgetting request keys: a raise sent again with its key (a double tap, a form resent,
//! a client's retry after a lost answer) makes one issue, and a transition fires once,
//! while its key is remembered — `KEPT`, far longer than any retry or a form left open on
//! a phone — and the table of keys holds that window, not every request ever made.

use chrono::{DateTime, TimeDelta, Utc};
use roundtable_store::{Db, issues};

/// How long a request's key is remembered.
pub const KEPT: TimeDelta = TimeDelta::days(30);

/// Forgets the keys older than `KEPT` at `now`; returns how many.
pub async fn forget(db: &Db, now: DateTime<Utc>) -> Result<usize, String> {
    db.write(move |conn| issues::forget_raise_keys(conn, now - KEPT)).await.map_err(|e| e.to_string())
}
