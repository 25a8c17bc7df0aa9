//! The timer job: turns the workflow's timers (due soon, overdue, unassigned, unverified)
//! into notifications, exactly once per timer occurrence and issue — the outbox's unique
//! dedupe key `timer:<issue>:<timer>:<fire_at>:<effect>` decides, across restarts and
//! instances. Those a reminder is for find it in their bell too (a notice each, written in
//! the same write as the mail's queueing, so once as well). A timer that fell due more
//! than `CATCH_UP` ago (a server down for long, or history loaded from elsewhere) is not
//! sent late: the agenda lists such issues anyway.

use chrono::{DateTime, TimeDelta, Utc};
use roundtable_core::{Audience, Calendars, Effect, WorkflowSet};
use roundtable_store::{Db, StoreError, directory, issues, notices, outbox};

pub const CATCH_UP: TimeDelta = TimeDelta::days(7);

/// Queues what is due at `now`; returns how many notifications were queued.
pub async fn tick(
    db: &Db,
    workflows: &WorkflowSet,
    calendars: &Calendars,
    now: DateTime<Utc>,
) -> Result<usize, String> {
    let workflows = workflows.clone();
    let calendars = calendars.clone();
    db.write(move |conn| {
        let mut queued = 0;
        for community in directory::communities(conn)? {
            let (tz, calendar) = (community.time_zone, calendars.of(community.id));
            for wf in workflows.iter() {
                let open: Vec<String> = wf.states.iter().filter(|s| !s.terminal).map(|s| s.name.to_string()).collect();
                for issue in issues::in_states(conn, community.id, &open)?.into_iter().filter(|i| i.workflow == wf.name)
                {
                    for due in wf.due_timers(&issue, now.with_timezone(&tz), calendar) {
                        if due.fire_at < now - CATCH_UP {
                            continue;
                        }
                        // Whom the effects queued for the first time remind, told in the
                        // bell too: once a firing, however many of its effects name them.
                        let mut reminded: Vec<Audience> = Vec::new();
                        for effect in &due.timer.effects {
                            if *effect == Effect::FlagOverdue {
                                issues::flag_overdue(conn, issue.id, due.fire_at)?;
                                continue;
                            }
                            let key =
                                format!("timer:{}:{}:{}:{effect}", issue.id, due.timer.name, due.fire_at.to_rfc3339());
                            let payload = serde_json::json!({ "timer": due.timer.name });
                            if outbox::queue_once(
                                conn,
                                &community.id.to_string(),
                                effect.as_str(),
                                Some(issue.id.to_string()),
                                payload,
                                key,
                                now,
                            )? {
                                queued += 1;
                                reminded.extend(effect.audiences());
                            }
                        }
                        if !reminded.is_empty() {
                            notices::tell_reminder(conn, &issue, &due.timer.name, &reminded, now)?;
                        }
                    }
                }
            }
        }
        Ok::<_, StoreError>(queued)
    })
    .await
    .map_err(|e| e.to_string())
}
