//! Telling the secretaries of a meeting left open. Closing is the secretary's act: it
//! carries the unreached items to the next agenda and starts the minutes, and until then
//! next month's meeting will not open. A secretary who forgot to press "close" hears of it
//! once, the morning after (`core::left_open`), by mail and their robots.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use roundtable_core::{MeetingNotice, left_open};
use roundtable_store::{Db, directory, meetings};

/// Queues the notice for each meeting left open at `now` not told of before; returns how
/// many were new.
pub async fn tick(db: &Db, now: DateTime<Utc>) -> Result<usize, String> {
    let left = db
        .run(move |conn| {
            let open = meetings::open_meetings(conn)?;
            if open.is_empty() {
                return Ok(open);
            }
            let zones: HashMap<_, _> = directory::communities(conn)?.into_iter().map(|c| (c.id, c.time_zone)).collect();
            Ok(open.into_iter().filter(|m| zones.get(&m.community).is_some_and(|tz| left_open(m, now, *tz))).collect())
        })
        .await
        .map_err(|e| e.to_string())?;
    if left.is_empty() {
        return Ok(0);
    }
    db.write(move |conn| {
        let mut told = 0;
        for m in &left {
            let payload = serde_json::json!({ "meeting": m.id });
            told += usize::from(meetings::notify_secretaries(conn, m, MeetingNotice::LeftOpen, payload, now)?);
        }
        Ok(told)
    })
    .await
    .map_err(|e| e.to_string())
}
