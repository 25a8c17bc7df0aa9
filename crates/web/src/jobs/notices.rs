//! Notices by mail: those who want each step at once get a mail for the steps gathered
//! since the last dispatcher round; those who want a digest get one mail a day, at
//! [`DIGEST_HOUR`] in their community's time zone. Each mail is an outbox row (retried, never sent twice)
//! queued in the transaction that marks its notices mailed.

use chrono::{DateTime, Timelike, Utc};
use roundtable_core::AccountNotice;
use roundtable_core::CommunityId;
use roundtable_core::notice::{Notice, NoticeMail};
use roundtable_store::{Db, StoreError, directory, notices, outbox};
use std::collections::HashMap;

/// The local hour the daily digests go out.
pub const DIGEST_HOUR: u32 = 18;

/// Queues mail for the unmailed notices of users whose setting is `mail` (each, or the
/// digest); returns how many mails were queued. A digest is queued once a user a day,
/// in the hour [`DIGEST_HOUR`] of the user's community (the hourly tick asks every hour).
pub async fn queue(db: &Db, mail: NoticeMail, now: DateTime<Utc>) -> Result<usize, StoreError> {
    if mail == NoticeMail::Off {
        return Ok(0);
    }
    db.write(move |conn| {
        let zones: HashMap<CommunityId, chrono_tz::Tz> =
            directory::communities(conn)?.into_iter().map(|c| (c.id, c.time_zone)).collect();
        let pending = notices::unmailed(conn, mail, 5_000)?;
        let mut by_user: Vec<(roundtable_core::UserId, Vec<&Notice>)> = Vec::new();
        for n in &pending {
            match by_user.iter_mut().find(|(u, _)| *u == n.user) {
                Some((_, list)) => list.push(n),
                None => by_user.push((n.user, vec![n])),
            }
        }
        let mut queued = 0;
        for (user, list) in by_user {
            let local = now.with_timezone(&zones.get(&list[0].community).copied().unwrap_or(chrono_tz::UTC));
            if mail == NoticeMail::Digest && local.hour() != DIGEST_HOUR {
                continue;
            }
            let day = local.date_naive();
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
