//! The meeting day: opening and closing the meeting, who came, what each item came to.

use roundtable_core::text;
use roundtable_core::{
    IssueId, IssueState, ItemOutcome, MeetingId, MeetingStatus, OrgId, Refusal, TransitionFields, TransitionRequest,
    apply, may_open,
};
use roundtable_store::meetings::MeetingRecord;
use roundtable_store::{StoreError, agenda as store_agenda, directory, issues, meetings};

use super::{detail, manage, record, refusal, view};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::meetings::{AttendanceBody, AttendanceView, MeetingDetail, MeetingView, OutcomeBody};

/// Opens the meeting: attendance and outcomes can be recorded. Only a planned meeting
/// with a published agenda, on its day, from `meeting.open_hours_before` ahead.
pub async fn open(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<MeetingView> {
    manage(caller)?;
    let hours = state.config.meeting.open_hours_before;
    let r = record(state, caller, id).await?;
    let now = state.now();
    may_open(&r.meeting, r.agenda_status, now, caller.tz, hours).map_err(|c| refusal(c, hours))?;
    let (from, to, config) = (MeetingStatus::Planned, MeetingStatus::Open, state.config.clone());
    // What was raised or changed since the agenda was published joins it as the meeting
    // opens. The store checks the status again in the write, so two cannot both open it.
    let opened = state.db.write(move |conn| {
        crate::jobs::agenda::add_late(conn, &config, &r.meeting, now)?;
        meetings::set_status(conn, r.meeting.id, from, to, now)
    });
    opened.await.map_err(|e| match e {
        StoreError::Conflict { .. } => refusal(Refusal::NotPlanned, hours),
        other => other.into(),
    })?;
    Ok(view(&record(state, caller, id).await?))
}

/// Closes the meeting; what it did not get to is carried to the next agenda.
pub async fn close(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<MeetingView> {
    manage(caller)?;
    let r = record(state, caller, id).await?;
    let now = state.now();
    let (from, to) = (MeetingStatus::Open, MeetingStatus::Closed);
    state.db.write(move |conn| meetings::set_status(conn, r.meeting.id, from, to, now)).await.map_err(|e| match e {
        StoreError::Conflict { .. } => refusal(Refusal::NotOpen, 0),
        other => other.into(),
    })?;
    Ok(view(&record(state, caller, id).await?))
}

fn require_open(r: &MeetingRecord) -> ApiResult<()> {
    if r.meeting.status == MeetingStatus::Open { Ok(()) } else { Err(refusal(Refusal::NotOpen, 0)) }
}

/// Records who an organisation sent.
pub async fn attendance(
    state: &AppState,
    caller: &Caller,
    id: MeetingId,
    body: AttendanceBody,
) -> ApiResult<Vec<AttendanceView>> {
    manage(caller)?;
    let r = record(state, caller, id).await?;
    require_open(&r)?;
    let attendees = text::trim(&body.attendees).to_owned();
    if attendees.is_empty() || attendees.chars().count() > 500 {
        return Err(ApiError::field("attendees", "invalid", "name who came (1–500 characters)"));
    }
    let (org, community) = (OrgId(body.org), caller.actor.community);
    let list = state
        .db
        .write(move |conn| {
            match directory::get_organisation(conn, org) {
                Ok(o) if o.community == community => {}
                Ok(_) | Err(StoreError::NotFound) => return Err(StoreError::NotFound),
                Err(e) => return Err(e),
            }
            meetings::record_attendance(conn, &r.meeting, org, &attendees)?;
            meetings::attendance(conn, r.meeting.id)
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::field("org", "unknown", "no such organisation in this community"),
            other => other.into(),
        })?;
    Ok(list.into_iter().map(|(org, attendees)| AttendanceView { org: org.0, attendees }).collect())
}

/// Records an item's outcome. A commitment fires the issue's `commit` transition for
/// its responsible organisation, recording this meeting, in the same transaction.
pub async fn outcome(
    state: &AppState,
    caller: &Caller,
    id: MeetingId,
    item: String,
    body: OutcomeBody,
) -> ApiResult<MeetingDetail> {
    manage(caller)?;
    let r = record(state, caller, id).await?;
    require_open(&r)?;
    let items = {
        let meeting = r.meeting.id;
        state.db.run(move |conn| store_agenda::agenda_items(conn, meeting)).await?
    };
    let stored =
        items.into_iter().find(|i| i.id == item).ok_or_else(|| ApiError::NotFound("no such agenda item".into()))?;
    let note = body.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    let transition = match body.outcome {
        ItemOutcome::Decision | ItemOutcome::Deferred => None,
        ItemOutcome::Commitment => {
            let issue_id = stored
                .issue_id
                .ok_or_else(|| ApiError::field("outcome", "invalid", "a commitment needs an item about an issue"))?;
            let issue = state.db.run(move |conn| issues::get_issue(conn, issue_id)).await?;
            let workflow = state
                .workflows
                .get(&issue.workflow)
                .ok_or_else(|| ApiError::Internal(format!("workflow `{}` is not loaded", issue.workflow)))?;
            let request = TransitionRequest {
                transition: "commit".into(),
                version: issue.version,
                fields: TransitionFields {
                    commitment_text: body.commitment_text.clone(),
                    due_date: body.due_date,
                    meeting: Some(r.meeting.id),
                    note: note.clone(),
                    ..Default::default()
                },
            };
            let outcome = apply(workflow, &issue, &caller.actor, &request, caller.now(state))?;
            crate::ops::check_due_date(state, caller, body.due_date, note.as_deref())?;
            Some(outcome)
        }
    };
    let (meeting, outcome) = (r.meeting.id, body.outcome);
    state
        .db
        .write(move |conn| {
            meetings::record_outcome(conn, meeting, &item, outcome, note.as_deref(), transition.as_ref())
        })
        .await?;
    detail(state, caller, id).await
}

/// The agenda's issues a commitment can be recorded on now (assigned ones: the
/// workflow's `commit`), read in one query.
pub async fn committable(state: &AppState, caller: &Caller, detail: &MeetingDetail) -> ApiResult<Vec<uuid::Uuid>> {
    manage(caller)?;
    let ids: Vec<IssueId> = detail.items.iter().flatten().filter_map(|i| i.issue.map(IssueId)).collect();
    let community = caller.actor.community;
    let found = state.db.run(move |conn| issues::get_issues(conn, &ids)).await?;
    Ok(found
        .into_iter()
        .filter(|i| i.community == community && i.state == IssueState::ASSIGNED)
        .map(|i| i.id.0)
        .collect())
}
