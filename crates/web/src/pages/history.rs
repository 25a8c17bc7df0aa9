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

/// The latest entries the query selects (at most 50), newest first, in `lang`.
pub async fn lines(
    state: &AppState,
    caller: &Caller,
    query: AuditQuery,
    lang: &str,
) -> Result<Vec<HistoryLine>, ApiError> {
    let list = audit::list(state, caller, AuditQuery { limit: Some(50), ..query }).await?;
    let locales = &state.pages.locales;
    Ok(list
        .items
        .into_iter()
        .map(|e| HistoryLine {
            at: e.at.with_timezone(&caller.tz()).format("%Y-%m-%d %H:%M").to_string(),
            actor: e.actor.map(|a| a.name),
            action: e.action,
            details: e
                .details
                .into_iter()
                .map(|(name, value)| {
                    let shown = value_shown(locales, lang, &name, &value);
                    (name, shown)
                })
                .collect(),
        })
        .collect())
}

/// A detail's value in the reader's words where it is a name the trail keeps as stored
/// (an outcome, a workflow's steps, roles, a kind, an answer, how it was done, the fields
/// changed): "结果: 现场承诺 · 流转: 改派、承诺整改", not "commitment · reassign, commit".
/// A name without words (a newer workflow's step) stays as it is, and so does every other
/// value.
fn value_shown(locales: &crate::i18n::Locales, lang: &str, name: &str, value: &str) -> String {
    let prefixes: &[&str] = match name {
        "outcome" | "replacing" => &["doc.outcome"],
        "transitions" => &["transition"],
        "role" | "roles" => &["role"],
        "kind" => &["org_kind", "channel_kind"],
        "answer" => &["correction_answer"],
        "via" => &["audit_via"],
        "changed" => &["field"],
        _ => return value.to_owned(),
    };
    let one = |v: &str| {
        let key = v.trim().replace(' ', "_");
        prefixes
            .iter()
            .find_map(|p| locales.lookup(lang, &format!("{p}.{key}")))
            .map_or_else(|| v.trim().to_owned(), str::to_owned)
    };
    value.split(',').map(one).collect::<Vec<_>>().join(&locales.text(lang, "history.list_separator", &[]))
}
