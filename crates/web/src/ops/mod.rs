//! What the service does, once: each operation takes the application, the caller and
//! typed input, checks the caller's rights, and returns a view. The API handlers and
//! the pages both call these, so a page can never show or do more than the API.

pub mod account;
pub mod admin;
pub mod audit;
pub mod board;
pub mod channels;
pub mod invitations;
pub mod issues;
pub mod keys;
pub mod ledger;
pub mod meetings;
pub mod notices;
pub mod photos;
pub mod reference;
pub mod street;
pub mod trends;
pub mod workdays;

use chrono::NaiveDate;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::state::AppState;

/// A typed text's length, as people count it (characters, trimmed of blanks and
/// zero-width ones): `empty` below `min`, `too_long` (with the limit, so the page can say
/// how much to cut) above `max`.
pub fn check_text(errors: &mut Vec<FieldProblem>, field: &str, text: &str, min: usize, max: usize) {
    let n = roundtable_core::text::trim(text).chars().count();
    if n < min {
        errors.push(FieldProblem::new(field, "empty", format!("`{field}` must not be empty")));
    } else if n > max {
        errors.push(FieldProblem::too_long(field, max));
    }
}

/// [`check_text`] of one field, refused at once.
pub fn text_within(field: &str, text: &str, min: usize, max: usize) -> ApiResult<()> {
    let mut errors = Vec::new();
    check_text(&mut errors, field, text, min, max);
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}

/// A commitment's due date lies within `meeting.max_commitment_days` of today; a later one
/// needs the secretary (or an administrator) and a reason, so a far-off promise is a
/// decision on the record, not a way around the scorecard.
pub fn check_due_date(
    state: &AppState,
    caller: &Caller,
    due: Option<NaiveDate>,
    reason: Option<&str>,
) -> ApiResult<()> {
    let Some(due) = due else { return Ok(()) };
    let max = crate::community_settings::effective(&state.config, &caller.community).meeting.max_commitment_days;
    let limit = caller.now(state).date_naive() + chrono::Days::new(u64::from(max));
    let chairs =
        [roundtable_core::Role::Secretary, roundtable_core::Role::Admin].iter().any(|r| caller.actor.has_role(*r));
    let explained = reason.is_some_and(|r| !roundtable_core::text::is_blank(r));
    if due <= limit || (chairs && explained) {
        Ok(())
    } else {
        Err(ApiError::field(
            "due_date",
            "too_far",
            format!(
                "`due_date` must be on or before {limit} ({max} days from today); a later date needs the secretary and a reason"
            ),
        ))
    }
}

/// An entry of the audit trail for what `caller` does now.
pub fn audit(
    state: &AppState,
    caller: &Caller,
    action: roundtable_core::audit::AuditAction,
    subject: roundtable_core::audit::AuditSubject,
    id: impl ToString,
) -> roundtable_core::audit::AuditEntry {
    audit_entry(caller.actor.community, Some(caller.user.id), action, subject, id, state.now())
}

/// An entry of the audit trail; its id comes from the process's v7 clock, which never
/// goes back, so the trail keeps the order things were done in.
pub fn audit_entry(
    community: roundtable_core::CommunityId,
    actor: Option<roundtable_core::UserId>,
    action: roundtable_core::audit::AuditAction,
    subject: roundtable_core::audit::AuditSubject,
    id: impl ToString,
    at: chrono::DateTime<chrono::Utc>,
) -> roundtable_core::audit::AuditEntry {
    roundtable_core::audit::AuditEntry::new(uuid::Uuid::now_v7(), community, actor, action, subject, id, at)
}
