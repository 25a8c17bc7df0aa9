//! The audit trail on the pages: a meeting's history on its page, an account's on the
//! administration page — read through `ops::audit`, so a page shows what the API would.

use roundtable_core::audit::AuditAction;
use serde::Serialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ops::audit;
use crate::state::AppState;
use crate::views::audit::AuditQuery;

/// One line of a history, in the viewer's time zone.
#[derive(Serialize)]
pub struct HistoryLine {
    at: String,
    /// `None`: the service itself or the command line.
    actor: Option<String>,
    action: AuditAction,
    /// What changed: (name, value), shown as "name: value".
    details: Vec<(String, String)>,
}

/// The latest entries the query selects (at most 50), newest first.
pub async fn lines(state: &AppState, caller: &Caller, query: AuditQuery) -> Result<Vec<HistoryLine>, ApiError> {
    let list = audit::list(state, caller, AuditQuery { limit: Some(50), ..query }).await?;
    Ok(list
        .items
        .into_iter()
        .map(|e| HistoryLine {
            at: e.at.with_timezone(&caller.tz()).format("%Y-%m-%d %H:%M").to_string(),
            actor: e.actor.map(|a| a.name),
            action: e.action,
            details: e.details.into_iter().collect(),
        })
        .collect())
}
