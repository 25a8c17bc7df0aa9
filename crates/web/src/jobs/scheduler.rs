//! The scheduled jobs. An hourly tick asks the pure calendar, for each community in its
//! own time zone, whether an agenda is due (and whether it is the hour of the digests) (croner's `1-7 * SUN` would mean "day 1–7 *or*
//! Sunday"); every run claims its slot in `job_runs`, so restarts and extra instances
//! never build twice, and the tick at start-up catches up on anything missed.

use tokio_cron_scheduler::{Job, JobScheduler};

use crate::jobs::agenda as meetings;
use crate::state::AppState;

async fn run_tick(state: &AppState, instance: &str) {
    match meetings::tick(&state.db, (&state.config, &state.workflows), state.now(), instance).await {
        Ok(results) => {
            for r in results.iter().filter(|r| !matches!(r, meetings::Built::NotDue)) {
                tracing::info!(result = ?r, "agenda job");
            }
        }
        Err(e) => tracing::error!(error = %e, "agenda job failed; the next tick retries"),
    }
    match crate::jobs::notices::queue(&state.db, roundtable_core::notice::NoticeMail::Digest, state.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(digests = n, "notice digests queued"),
        Err(e) => tracing::error!(error = %e, "notice digests failed; the next tick retries"),
    }
    // Another instance may have entered a year's holidays since.
    if let Err(e) = crate::ops::workdays::reload(state).await {
        tracing::error!(error = %e, "the working-day calendar not read again; the next tick retries");
    }
    match crate::jobs::reminders::tick(&state.db, &state.workflows, &state.calendars(), state.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "timer notifications"),
        Err(e) => tracing::error!(error = %e, "timer job failed; the next tick retries"),
    }
    match crate::jobs::summaries::tick(&state.db, state.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(organisations = n, "weekly summaries queued"),
        Err(e) => tracing::error!(error = %e, "weekly summaries failed; the next tick retries"),
    }
    match crate::jobs::left_open::tick(&state.db, state.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(meetings = n, "secretaries told of meetings left open"),
        Err(e) => tracing::error!(error = %e, "meetings left open not checked; the next tick retries"),
    }
    match crate::jobs::minutes_due::tick(&state.db, &state.config, state.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(meetings = n, "secretaries told of unpublished minutes"),
        Err(e) => tracing::error!(error = %e, "unpublished minutes not checked; the next tick retries"),
    }
    match crate::jobs::raise_keys::forget(&state.db, state.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(forgotten = n, "request keys forgotten"),
        Err(e) => tracing::error!(error = %e, "forgetting request keys failed; the next tick retries"),
    }
}

/// Starts the scheduler; the returned handle keeps it alive.
pub async fn start(state: AppState, instance: String) -> Result<JobScheduler, String> {
    let tz: chrono_tz::Tz = state.config.community.time_zone;
    run_tick(&state, &instance).await;
    let scheduler = JobScheduler::new().await.map_err(|e| format!("scheduler: {e}"))?;
    let job = Job::new_async_tz("0 0 * * * *", tz, move |_id, _lock| {
        let (state, instance) = (state.clone(), instance.clone());
        Box::pin(async move { run_tick(&state, &instance).await })
    })
    .map_err(|e| format!("scheduler job: {e}"))?;
    scheduler.add(job).await.map_err(|e| format!("scheduler: {e}"))?;
    scheduler.start().await.map_err(|e| format!("scheduler: {e}"))?;
    Ok(scheduler)
}
