//! Notices by mail: those who want each step at once get a mail for the steps gathered
//! since the last dispatcher round; those who want a digest get one mail a day, at
//! [`DIGEST_HOUR`] local time. Each mail is an outbox row (retried, never sent twice)
//! queued in the transaction that marks its notices mailed.

use chrono::{DateTime, Timelike, Utc};
use roundtable_core::AccountNotice;
use roundtable_core::notice::{Notice, NoticeMail};
use roundtable_store::{Db, StoreError, notices, outbox};

/// The local hour the daily digests go out.
pub const DIGEST_HOUR: u32 = 18;

/// Queues mail for the unmailed notices of users whose setting is `mail` (each, or the
/// digest); returns how many mails were queued. A digest is queued once a user a day.
pub async fn queue(db: &Db, mail: NoticeMail, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Result<usize, StoreError> {
    if mail == NoticeMail::Off {
        return Ok(0);
    }
    db.write(move |conn| {
        let pending = notices::unmailed(conn, mail, 5_000)?;
        let mut by_user: Vec<(roundtable_core::UserId, Vec<&Notice>)> = Vec::new();
        for n in &pending {
            match by_user.iter_mut().find(|(u, _)| *u == n.user) {
                Some((_, list)) => list.push(n),
                None => by_user.push((n.user, vec![n])),
            }
        }
        let day = now.with_timezone(&tz).date_naive();
        let mut queued = 0;
        for (user, list) in by_user {
            let ids: Vec<uuid::Uuid> = list.iter().map(|n| n.id).collect();
            let payload = serde_json::json!({"user": user, "notices": ids});
            let community = list[0].community.to_string();
            let effect = AccountNotice::Notices.as_str();
            let taken = match mail {
                NoticeMail::Digest => {
                    let key = format!("notices-digest:{user}:{day}");
                    outbox::queue_once(conn, &community, effect, None, payload, key, now)?
                }
                _ => outbox::queue(conn, &community, effect, None, payload, None, now)?,
            };
            if taken {
                notices::mark_mailed(conn, &ids, now)?;
                queued += 1;
            }
        }
        Ok(queued)
    })
    .await
}

/// Whether the hourly tick at `now` is the digest's hour.
pub fn digest_due(now: DateTime<Utc>, tz: chrono_tz::Tz) -> bool {
    now.with_timezone(&tz).hour() == DIGEST_HOUR
}
