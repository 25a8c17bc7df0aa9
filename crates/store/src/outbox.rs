//! Queuing notifications that are not a transition's effects (agenda, minutes).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::convert::ts;
use crate::db::DbConn;
use crate::error::Result;
use crate::schema::outbox;

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
            outbox::status.eq("pending"),
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
