//! Telling the secretaries of minutes nobody published. The parties were told the minutes
//! follow the review; a draft left lying holds every promise made at the meeting
//! unrecorded, and the next meeting checks promises against published minutes. So the
//! morning after the review's last day (`core::review::minutes_due`), a still-unpublished
//! draft is named to the secretaries once, by mail and their robots, with the corrections
//! still unanswered (publishing waits for them).

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use roundtable_core::MeetingNotice;
use roundtable_core::review::{MINUTES_DUE_WITHIN_DAYS, last_day, minutes_due};
use roundtable_store::{Db, corrections, directory, meetings};

use crate::config::Config;

/// Queues the notice for each meeting whose minutes are due at `now` and not told of
/// before; returns how many were new. Each community's own review days count.
pub async fn tick(db: &Db, config: &Arc<Config>, now: DateTime<Utc>) -> Result<usize, String> {
    let config = Arc::clone(config);
    let due = db
        .run(move |conn| {
            let drafts = meetings::unpublished_since(conn, now - TimeDelta::days(MINUTES_DUE_WITHIN_DAYS))?;
            if drafts.is_empty() {
                return Ok(Vec::new());
            }
            let communities = directory::communities(conn)?;
            let mut due = Vec::new();
            for r in drafts {
                let m = r.meeting;
                let Some(c) = communities.iter().find(|c| c.id == m.community) else { continue };
                let days = crate::community_settings::effective(&config, c).meeting.minutes_review_days;
                if minutes_due(&m, r.minutes_published, days, c.time_zone, now) {
                    let payload = serde_json::json!({
                        "meeting": m.id,
                        "review_ended": last_day(&m, days, c.time_zone),
                        "unanswered": corrections::unanswered(conn, m.id)?,
                    });
                    due.push((m, payload));
                }
            }
            Ok(due)
        })
        .await
        .map_err(|e| e.to_string())?;
    if due.is_empty() {
        return Ok(0);
    }
    db.write(move |conn| {
        let mut told = 0;
        for (m, payload) in due {
            told += usize::from(meetings::notify_secretaries(conn, &m, MeetingNotice::MinutesDue, payload, now)?);
        }
        Ok(told)
    })
    .await
    .map_err(|e| e.to_string())
}
