//! Reading the audit trail: for secretaries and administrators, newest first.

use roundtable_core::UserId;
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_store::audit::{self, AuditFilter};
use roundtable_store::directory;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::meetings::manage;
use crate::state::AppState;
use crate::views::PersonRef;
use crate::views::audit::{AuditList, AuditQuery, AuditView};

pub async fn list(state: &AppState, caller: &Caller, q: AuditQuery) -> ApiResult<AuditList> {
    manage(caller)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::out_of_range("limit", 1, 200));
    }
    let named = |field: &str, e: roundtable_core::UnknownName| ApiError::field(field, "invalid", e.to_string());
    let filter = AuditFilter {
        subject_id: q.subject_id.filter(|s| !s.trim().is_empty()),
        actor: q.actor.map(UserId),
        action: q.action.as_deref().map(str::parse::<AuditAction>).transpose().map_err(|e| named("action", e))?,
        subject: q.subject.as_deref().map(str::parse::<AuditSubject>).transpose().map_err(|e| named("subject", e))?,
        before: q
            .cursor
            .as_deref()
            .map(|c| c.parse::<uuid::Uuid>())
            .transpose()
            .map_err(|_| ApiError::field("cursor", "invalid", "the cursor is not one this list gave out"))?,
    };
    let community = caller.actor.community;
    let (entries, more, names) = state
        .db
        .run(move |conn| {
            let (entries, more) = audit::list(conn, community, &filter, limit)?;
            let actors: Vec<UserId> = entries.iter().filter_map(|e| e.actor).collect();
            Ok((entries, more, directory::display_names(conn, &actors)?))
        })
        .await?;
    let next_cursor = more.then(|| entries.last().map(|e| e.id.to_string())).flatten();
    let items = entries
        .into_iter()
        .map(|e| AuditView {
            id: e.id,
            at: e.at,
            actor: e.actor.map(|a| PersonRef { id: a.0, name: names.get(&a).cloned().unwrap_or_default() }),
            action: e.action,
            subject: e.subject,
            subject_id: e.subject_id,
            details: e.details,
        })
        .collect();
    Ok(AuditList { items, next_cursor })
}
