//! Minutes of a closed meeting: read as a document, amended as drafts by the secretary,
//! published (locked, participants notified), corrected by dated addenda.

use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::{MeetingId, MeetingStatus, RevisionStatus};
use roundtable_store::StoreError;
use roundtable_store::meetings::MeetingRecord;
use roundtable_store::minutes::{self, MinutesRevision};

use super::{manages, record};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::meetings::{DocumentFormat, Rendering, RevisionView};

async fn closed_meeting(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<MeetingRecord> {
    let record = record(state, caller, id).await?;
    if record.meeting.status != MeetingStatus::Closed {
        return Err(ApiError::Conflict { detail: "minutes come after the meeting is closed".into(), current: None });
    }
    Ok(record)
}

/// The minutes as a document in the reader's language. Drafts are for secretaries and administrators, and for
/// the organisations that attended while the community reviews drafts; everyone in the community reads published
/// minutes.
pub async fn document(state: &AppState, caller: &Caller, id: MeetingId, how: Rendering) -> ApiResult<String> {
    let record = closed_meeting(state, caller, id).await?;
    rendered(state, caller, record, how.lang, "minutes", how.format == DocumentFormat::Md).await
}

/// The minutes as HTML to show inside a page (the print document without its head), to
/// the same readers as [`document`]; `record` is the meeting the page has read (and found
/// closed) already.
pub async fn body(state: &AppState, caller: &Caller, record: MeetingRecord, lang: &'static str) -> ApiResult<String> {
    rendered(state, caller, record, lang, "minutes_body", false).await
}

async fn rendered(
    state: &AppState,
    caller: &Caller,
    record: MeetingRecord,
    lang: &'static str,
    template: &str,
    markdown: bool,
) -> ApiResult<String> {
    let tz = caller.tz();
    let config = state.config.agenda_config(&caller.community);
    let base = state.config.mail.base_url.clone();
    let doc = state.db.run(move |conn| crate::documents::assemble(conn, &record, &config, tz, lang, &base)).await?;
    let days = crate::community_settings::effective(&state.config, &caller.community).meeting.minutes_review_days;
    if !doc.published && !manages(caller) && super::review::reviews_for(caller, &doc.attended, days).is_none() {
        return Err(ApiError::NotFound("these minutes are not published yet".into()));
    }
    state.minutes.render(template, markdown, &doc).map_err(ApiError::Internal)
}

/// The minutes' revisions, oldest first; drafts only for those who write minutes.
pub async fn revisions(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<Vec<MinutesRevision>> {
    revisions_of(state, caller, &record(state, caller, id).await?).await
}

/// [`revisions`] of a meeting already read.
pub async fn revisions_of(
    state: &AppState,
    caller: &Caller,
    record: &MeetingRecord,
) -> ApiResult<Vec<MinutesRevision>> {
    let id = record.meeting.id;
    let all = state.db.run(move |conn| minutes::revisions(conn, id)).await?;
    Ok(if manages(caller) { all } else { all.into_iter().filter(|r| r.status != RevisionStatus::Draft).collect() })
}

async fn add(
    state: &AppState,
    caller: &Caller,
    id: MeetingId,
    status: RevisionStatus,
    text: &str,
) -> ApiResult<RevisionView> {
    if !manages(caller) {
        return Err(ApiError::Forbidden("only secretaries and administrators write minutes".into()));
    }
    // An addendum says something; the draft may be emptied and written again.
    crate::ops::text_within("text", text, usize::from(status == RevisionStatus::Addendum), 10_000)?;
    let text = roundtable_core::text::trim(text).to_owned();
    let record = closed_meeting(state, caller, id).await?;
    let (by, now) = (caller.user.id, state.now());
    let action = match status {
        RevisionStatus::Draft => AuditAction::MinutesAmended,
        RevisionStatus::Published => AuditAction::MinutesPublished,
        RevisionStatus::Addendum => AuditAction::AddendumAdded,
    };
    let entry = crate::ops::audit(state, caller, action, AuditSubject::Meeting, id);
    let revision = state
        .db
        .write(move |conn| {
            let revision = minutes::add_revision(conn, &record.meeting, status, &text, by, now)?;
            roundtable_store::audit::record(conn, &entry.with("revision", revision))?;
            Ok(revision)
        })
        .await
        .map_err(|e| match (e, status) {
            (StoreError::Conflict { .. }, RevisionStatus::Addendum) => ApiError::Conflict {
                detail: "addenda follow publication; amend the draft instead".into(),
                current: None,
            },
            (StoreError::Conflict { .. }, _) => ApiError::Conflict {
                detail: "published minutes are locked; add a dated addendum".into(),
                current: None,
            },
            (other, _) => other.into(),
        })?;
    Ok(RevisionView { revision, status })
}

/// Amends the draft: the secretary's remarks, as a new revision.
pub async fn amend(state: &AppState, caller: &Caller, id: MeetingId, text: &str) -> ApiResult<RevisionView> {
    add(state, caller, id, RevisionStatus::Draft, text).await
}

/// Adds a dated correction to published minutes.
pub async fn addendum(state: &AppState, caller: &Caller, id: MeetingId, text: &str) -> ApiResult<RevisionView> {
    add(state, caller, id, RevisionStatus::Addendum, text).await
}

/// Publishes the minutes (locking them, with the last draft's remarks) and notifies
/// every participating organisation.
pub async fn publish(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<RevisionView> {
    let last_remarks = state
        .db
        .run(move |conn| minutes::revisions(conn, id))
        .await?
        .into_iter()
        .rev()
        .find(|r| r.status == RevisionStatus::Draft)
        .map(|r| r.body);
    add(state, caller, id, RevisionStatus::Published, &last_remarks.unwrap_or_default()).await
}
