//! The weekly summary: on Monday at 08:00 in each community's own time zone
//! (`core::notice::summary_week`), every organisation answering for an open issue is sent
//! what awaits it — by mail and its robots, once a week however many ticks or instances
//! ask (keyed by organisation and ISO week). What it says is composed when it is sent
//! (`mail::summary`).

use chrono::{DateTime, Utc};
use roundtable_core::notice::{OrgNotice, summary_week};
use roundtable_store::{Db, StoreError, directory, issues, outbox};

use crate::mail::summary::OPEN;

/// Queues the week's summaries due at `now`; returns how many were new.
pub async fn tick(db: &Db, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let due: Vec<_> = db
        .run(directory::communities)
        .await?
        .into_iter()
        .filter_map(|c| summary_week(now.with_timezone(&c.time_zone).naive_local()).map(|week| (c.id, week)))
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    db.write(move |conn| {
        let mut queued = 0;
        for (community, week) in &due {
            let answering = issues::orgs_answering(conn, *community, &OPEN)?;
            for org in directory::organisations(conn, *community)?.into_iter().filter(|o| answering.contains(&o.id)) {
                let notice = OrgNotice::WeeklySummary.as_str();
                let (payload, key) = (serde_json::json!({ "org": org.id }), format!("{notice}:{}:{week}", org.id));
                let new = outbox::queue_for_org(conn, &community.to_string(), notice, &org, payload, key, now)?;
                queued += usize::from(new);
            }
        }
        Ok(queued)
    })
    .await
}
