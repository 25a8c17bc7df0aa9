//! The meeting day: opening and closing the meeting, who came, what each item came to.

use chrono::{DateTime, NaiveDate};
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::text;
use std::collections::HashMap;

use roundtable_core::workflow::TransitionDef;
use roundtable_core::{
    Actor, Effect, Field, Issue, IssueId, ItemOutcome, Meeting, MeetingId, MeetingStatus, OrgId, Outcome, Refusal,
    TransitionFields, TransitionRequest, Workflow, apply, may_open,
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
    let hours = crate::community_settings::effective(&state.config, &caller.community).meeting.open_hours_before;
    let r = record(state, caller, id).await?;
    let now = state.now();
    may_open(&r.meeting, r.agenda_status, now, caller.tz(), hours).map_err(|c| refusal(c, hours))?;
    // Last month's meeting left open would stay open beside this one: what it did not get
    // to never carried over, its minutes never written. Its closing comes first.
    if super::all(state, caller).await?.iter().any(|o| o.meeting.status == MeetingStatus::Open && o.meeting.id != id) {
        return Err(refusal(Refusal::AnotherOpen, hours));
    }
    let (from, to, config) = (MeetingStatus::Planned, MeetingStatus::Open, state.config.clone());
    let workflows = state.workflows.clone();
    let entry = crate::ops::audit(state, caller, AuditAction::MeetingOpened, AuditSubject::Meeting, id);
    // What was raised or changed since the agenda was published joins it as the meeting
    // opens. The store checks the status again in the write, so two cannot both open it.
    let opened = state.db.write(move |conn| {
        let added = crate::jobs::agenda::add_late(conn, (&config, &workflows), &r.meeting, now)?;
        meetings::set_status(conn, r.meeting.id, from, to, now)?;
        roundtable_store::audit::record(conn, &entry.with("late_items_added", added))
    });
    opened.await.map_err(|e| match e {
        StoreError::Conflict { .. } => refusal(Refusal::NotPlanned, hours),
        other => other.into(),
    })?;
    Ok(view(state, caller, &record(state, caller, id).await?))
}

/// Closes the meeting; what it did not get to is carried to the next agenda.
pub async fn close(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<MeetingView> {
    manage(caller)?;
    let r = record(state, caller, id).await?;
    let now = state.now();
    let (from, to) = (MeetingStatus::Open, MeetingStatus::Closed);
    let entry = crate::ops::audit(state, caller, AuditAction::MeetingClosed, AuditSubject::Meeting, id);
    let days = crate::community_settings::effective(&state.config, &caller.community).meeting.minutes_review_days;
    let tz = caller.tz();
    let closed = state.db.write(move |conn| {
        meetings::set_status(conn, r.meeting.id, from, to, now)?;
        // The parties that came are told the draft is theirs to review, counted from now.
        let closed = Meeting { status: to, closed_at: Some(now), ..r.meeting };
        if let Some(last) = roundtable_core::review::last_day(&closed, days, tz) {
            meetings::notify_review(conn, &closed, now, last)?;
        }
        roundtable_store::audit::record(conn, &entry)
    });
    closed.await.map_err(|e| match e {
        StoreError::Conflict { .. } => refusal(Refusal::NotOpen, 0),
        other => other.into(),
    })?;
    Ok(view(state, caller, &record(state, caller, id).await?))
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
    crate::ops::text_within("attendees", &body.attendees, 1, 500)?;
    let attendees = text::trim(&body.attendees).to_owned();
    let (org, community) = (OrgId(body.org), caller.actor.community);
    let entry = crate::ops::audit(state, caller, AuditAction::AttendanceRecorded, AuditSubject::Meeting, id)
        .with("attendees", &attendees);
    let list = state
        .db
        .write(move |conn| {
            let name = match directory::get_organisation(conn, org) {
                Ok(o) if o.community == community => o.name,
                Ok(_) | Err(StoreError::NotFound) => return Err(StoreError::NotFound),
                Err(e) => return Err(e),
            };
            meetings::record_attendance(conn, &r.meeting, org, &attendees)?;
            roundtable_store::audit::record(conn, &entry.with("organisation", name))?;
            meetings::attendance(conn, r.meeting.id)
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::field("org", "unknown", "no such organisation in this community"),
            other => other.into(),
        })?;
    Ok(list.into_iter().map(|(org, attendees)| AttendanceView { org: org.0, attendees }).collect())
}

/// Records an item's outcome. A commitment fires the issue's workflow steps for it in the
/// same transaction, recording this meeting: a raised issue is assigned to the company
/// named and committed (two steps, both in the timeline); an assigned one is committed;
/// a committed one — overdue too — gets the new due date as an extension, with the note
/// as its reason.
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
    // Refused before its steps are worked out, which would refuse it for another reason
    // (a second promise on a committed issue is not an extension's); the write checks it
    // again.
    if stored.outcome_stands() {
        return Err(refusal(Refusal::OutcomeStands, 0));
    }
    let note = body.note.as_deref().map(roundtable_core::text::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    let review_on = review_day(&body, r.meeting.starts_at.with_timezone(&caller.tz()).date_naive())?;
    promise_only_in_a_commitment(&body)?;
    // The steps the outcome takes, and the date a refusal turned down (kept on the item).
    let down = match (body.refuse_extension, body.refuse_return) {
        (true, true) => {
            return Err(ApiError::field("refuse_return", "invalid", "turn down one request at a time"));
        }
        (true, false) => Some(TurnDown::Extension),
        (false, true) => Some(TurnDown::Return),
        (false, false) => None,
    };
    let (transitions, refused_due_date) = match (body.outcome, down) {
        (ItemOutcome::Decision | ItemOutcome::Deferred, None) => (Vec::new(), None),
        (ItemOutcome::Decision, Some(down)) => {
            let issue = item_issue(state, &stored, down.field()).await?;
            let asked = issue.extension_request.as_ref().map(|r| r.due_date).filter(|_| down == TurnDown::Extension);
            (vec![turn_down(state, caller, (&issue, r.meeting.id), note.clone(), down)?], asked)
        }
        (_, Some(down)) => {
            return Err(ApiError::field(down.field(), "not_a_decision", "only a decision turns a request down"));
        }
        (ItemOutcome::Commitment, None) => {
            let issue = item_issue(state, &stored, "outcome").await?;
            if let Some(org) = body.responsible_org.map(OrgId) {
                known(state, caller, org).await?;
            }
            let steps = commitment_steps(state, caller, &issue, r.meeting.id, &body, note.clone())?;
            crate::ops::check_due_date(state, caller, body.due_date, note.as_deref())?;
            (steps, None)
        }
    };
    let (meeting, outcome) = (r.meeting.id, body.outcome);
    let mut entry = crate::ops::audit(state, caller, AuditAction::OutcomeRecorded, AuditSubject::Meeting, id)
        .with("item", &stored.title)
        .with("outcome", outcome);
    if let Some(before) = stored.outcome {
        entry = entry.with("replacing", before);
    }
    if let Some(note) = &note {
        entry = entry.with("note", note);
    }
    if let Some(day) = review_on {
        entry = entry.with("review_on", day);
    }
    if !transitions.is_empty() {
        entry = entry.with(
            "transitions",
            transitions.iter().map(|t| t.event.transition.as_str()).collect::<Vec<_>>().join(", "),
        );
    }
    let now = state.now();
    state
        .db
        .write(move |conn| {
            let refused_return = down == Some(TurnDown::Return);
            let recorded =
                meetings::Recorded { outcome, note: note.as_deref(), review_on, refused_due_date, refused_return };
            meetings::record_outcome(conn, meeting, &item, recorded, &transitions)?;
            // Handed to a company at the meeting: a company's staff who followed it while
            // it was theirs stop following what they can no longer read.
            if let Some(last) =
                transitions.last().filter(|_| transitions.iter().any(|t| t.event.fields.responsible_org.is_some()))
            {
                crate::ops::notices::forget_unseeing_followers(conn, &last.issue, now)?;
            }
            roundtable_store::audit::record(conn, &entry)
        })
        .await?;
    detail(state, caller, id).await
}

/// Refuses a promise or a company given with a decision or a deferral, which would record
/// neither: the chair who typed the promise and pressed 决定 would lose it without a word.
/// (A due date alone is let through: the day screen fills in the date a company asked for.)
fn promise_only_in_a_commitment(body: &OutcomeBody) -> ApiResult<()> {
    if body.outcome == ItemOutcome::Commitment {
        return Ok(());
    }
    let field = if body.commitment_text.as_deref().is_some_and(|t| !text::is_blank(t)) {
        "commitment_text"
    } else if body.responsible_org.is_some() {
        "responsible_org"
    } else {
        return Ok(());
    };
    Err(ApiError::field(
        field,
        "not_a_commitment",
        "only a commitment records a promise or names a company: record it as a commitment, or leave them empty",
    ))
}

/// The day a decision asks to hear its item again, if it does: only a decision sets one,
/// after the meeting's day and within a year of it.
fn review_day(body: &OutcomeBody, meeting_day: NaiveDate) -> ApiResult<Option<NaiveDate>> {
    let Some(day) = body.review_on else { return Ok(None) };
    if body.outcome != ItemOutcome::Decision {
        return Err(ApiError::field("review_on", "decision_only", "only a decision sets a day to hear the item again"));
    }
    let days = roundtable_core::agenda::review_days(meeting_day);
    if !days.contains(&day) {
        let (first, last) = (days.start(), days.end());
        return Err(ApiError::field(
            "review_on",
            "review_window",
            format!("`review_on` must be after the meeting's day, from {first} to {last}"),
        ));
    }
    Ok(Some(day))
}

/// What a commitment recorded at the meeting does to an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnTheSpot {
    /// Raised: assigned to the company present, which commits (two steps).
    AssignAndCommit,
    /// Assigned: the company commits.
    Commit,
    /// Committed (overdue too): a later due date, with a reason (延期).
    Extend,
}

/// Whether `t` is the step of a commitment of `kind`: it takes a commitment, takes a
/// responsible organisation, or extends a date.
fn does(kind: OnTheSpot, t: &TransitionDef) -> bool {
    match kind {
        OnTheSpot::Commit => t.require.contains(&Field::CommitmentText),
        OnTheSpot::Extend => t.effects.contains(&Effect::RecordExtension),
        OnTheSpot::AssignAndCommit => t.require.contains(&Field::ResponsibleOrg),
    }
}

/// The workflow's step open to `actor` on `issue` that `wanted` picks, found by what it
/// does, not by name: the workflow file names them.
fn step(workflow: &Workflow, issue: &Issue, actor: &Actor, wanted: impl Fn(&TransitionDef) -> bool) -> Option<String> {
    workflow.available(issue, actor).find(|t| wanted(t)).map(|t| t.name.clone())
}

/// Applies that step with the `fields` it is given, made for the step found (what it
/// takes); a conflict saying `none` when there is no such step.
fn take_step(
    workflow: &Workflow,
    issue: &Issue,
    (actor, now): (&Actor, DateTime<chrono_tz::Tz>),
    wanted: impl Fn(&TransitionDef) -> bool,
    fields: impl FnOnce(&TransitionDef) -> TransitionFields,
    none: impl FnOnce() -> String,
) -> ApiResult<Outcome> {
    let t = workflow
        .available(issue, actor)
        .find(|t| wanted(t))
        .ok_or_else(|| ApiError::Conflict { detail: none(), current: Some(issue.version) })?;
    let request = TransitionRequest { transition: t.name.clone(), version: issue.version, fields: fields(t) };
    apply(workflow, issue, actor, &request, now).map_err(ApiError::from)
}

/// What a commitment at the meeting would do to `issue`, if it can be recorded at all.
pub fn on_the_spot(workflow: &Workflow, issue: &Issue, actor: &Actor) -> Option<OnTheSpot> {
    [OnTheSpot::Extend, OnTheSpot::Commit, OnTheSpot::AssignAndCommit]
        .into_iter()
        .find(|kind| step(workflow, issue, actor, |t| does(*kind, t)).is_some())
}

/// The workflow steps a commitment at the meeting takes for `issue`, applied in turn.
fn commitment_steps(
    state: &AppState,
    caller: &Caller,
    issue: &Issue,
    meeting: MeetingId,
    body: &OutcomeBody,
    note: Option<String>,
) -> ApiResult<Vec<Outcome>> {
    let workflow = workflow_of(state, issue)?;
    let (actor, now) = (&caller.actor, caller.now(state));
    let fire = |issue: &Issue, kind: OnTheSpot, fields: TransitionFields| {
        take_step(
            workflow,
            issue,
            (actor, now),
            |t| does(kind, t),
            |_| fields,
            || format!("no commitment can be recorded while the issue is `{}`", issue.state),
        )
    };
    let commitment = |note| TransitionFields {
        commitment_text: body.commitment_text.clone(),
        due_date: body.due_date,
        meeting: Some(meeting),
        note,
        ..Default::default()
    };
    // Another company than the issue's named on an assigned or committed issue: the
    // meeting hands the issue on, and the company that takes it commits.
    let handed_to = body.responsible_org.map(OrgId).filter(|o| Some(*o) != issue.responsible_org);
    match (on_the_spot(workflow, issue, actor), handed_to) {
        (Some(OnTheSpot::Extend | OnTheSpot::Commit), Some(org)) => {
            // The step that takes a company, from where the issue is (`reassign`): the
            // workflow asks its reason, which is the note.
            let fields = TransitionFields { responsible_org: Some(org), reason: note, ..Default::default() };
            let handed = fire(issue, OnTheSpot::AssignAndCommit, fields)?;
            let committed = fire(&handed.issue, OnTheSpot::Commit, commitment(None))?;
            Ok(vec![handed, committed])
        }
        (Some(OnTheSpot::Extend), None) => {
            if body.responsible_org.is_some() || body.commitment_text.is_some() {
                return Err(ApiError::field(
                    "commitment_text",
                    "not_accepted",
                    "the issue is committed already: give the new due date, and the reason in the note (an extension), \
                     or name another company to take it on",
                ));
            }
            let fields = TransitionFields {
                due_date: body.due_date,
                reason: note,
                meeting: Some(meeting),
                ..Default::default()
            };
            Ok(vec![fire(issue, OnTheSpot::Extend, fields)?])
        }
        (Some(OnTheSpot::AssignAndCommit), _) => {
            let org = body.responsible_org.ok_or_else(|| {
                ApiError::field(
                    "responsible_org",
                    "missing",
                    "name the company that commits (the issue is not assigned yet)",
                )
            })?;
            let fields = TransitionFields { responsible_org: Some(OrgId(org)), ..Default::default() };
            let assigned = fire(issue, OnTheSpot::AssignAndCommit, fields)?;
            let committed = fire(&assigned.issue, OnTheSpot::Commit, commitment(note))?;
            Ok(vec![assigned, committed])
        }
        (Some(OnTheSpot::Commit) | None, _) => Ok(vec![fire(issue, OnTheSpot::Commit, commitment(note))?]),
    }
}

/// Refuses a company that is not of the caller's community: the meeting names only its own.
async fn known(state: &AppState, caller: &Caller, org: OrgId) -> ApiResult<()> {
    let named = TransitionFields { responsible_org: Some(org), ..Default::default() };
    let community = caller.actor.community;
    let problems = state.db.run(move |conn| crate::ops::issues::reference_problems(conn, community, &named)).await?;
    if problems.is_empty() { Ok(()) } else { Err(ApiError::invalid(problems)) }
}

fn workflow_of<'a>(state: &'a AppState, issue: &Issue) -> ApiResult<&'a Workflow> {
    state
        .workflows
        .get(&issue.workflow)
        .ok_or_else(|| ApiError::Internal(format!("workflow `{}` is not loaded", issue.workflow)))
}

/// Which of the company's requests a decision turns down.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TurnDown {
    /// A later date (申请延期): `refuse_extension`.
    Extension,
    /// To hand the issue back (申请退回): `refuse_return`.
    Return,
}

impl TurnDown {
    /// The outcome's field that asks for it.
    fn field(self) -> &'static str {
        match self {
            TurnDown::Extension => "refuse_extension",
            TurnDown::Return => "refuse_return",
        }
    }

    /// What the workflow's step that settles the request does.
    fn clears(self) -> Effect {
        match self {
            TurnDown::Extension => Effect::ClearExtensionRequest,
            TurnDown::Return => Effect::ClearReturnRequest,
        }
    }
}

/// The meeting turns a request of the company down (a decision's `refuse_extension` or
/// `refuse_return`): the workflow's step that clears that request, found by what it does,
/// with `note` as its reason and the meeting recorded where the step takes one (the
/// issue's timeline says it was the meeting's). Refused when no such request is pending.
fn turn_down(
    state: &AppState,
    caller: &Caller,
    (issue, meeting): (&Issue, MeetingId),
    note: Option<String>,
    down: TurnDown,
) -> ApiResult<Outcome> {
    // A refusal leaves the issue where it is: not a pause, which settles a request too.
    let clears_the_request = |t: &TransitionDef| t.effects.contains(&down.clears()) && t.to == issue.state;
    let fields = |t: &TransitionDef| TransitionFields {
        reason: note,
        meeting: t.takes(Field::Meeting).then_some(meeting),
        ..Default::default()
    };
    let workflow = workflow_of(state, issue)?;
    take_step(workflow, issue, (&caller.actor, caller.now(state)), clears_the_request, fields, || match down {
        TurnDown::Extension => "the company has asked for no later date that could be turned down".into(),
        TurnDown::Return => "the company has not asked to hand the issue back".into(),
    })
}

/// The issue an agenda item is about, for an outcome that fires its steps (`field` named
/// when the item is about none).
async fn item_issue(state: &AppState, item: &roundtable_store::agenda::StoredItem, field: &str) -> ApiResult<Issue> {
    let id = item.issue_id.ok_or_else(|| ApiError::field(field, "invalid", "the item is about no issue"))?;
    Ok(state.db.run(move |conn| issues::get_issue(conn, id)).await?)
}

/// Who each organisation sent to the last meeting held before this one's start: the
/// meeting-day screen's hint (the same people mostly come). The secretary's alone.
pub async fn last_attendance(
    state: &AppState,
    caller: &Caller,
    detail: &MeetingDetail,
) -> ApiResult<Vec<(roundtable_core::OrgId, String)>> {
    manage(caller)?;
    let (community, starts) = (caller.actor.community, detail.meeting.starts_at);
    Ok(state.db.run(move |conn| roundtable_store::meetings::last_attendance(conn, community, starts)).await?)
}

/// An agenda item's issue as the day screen holds it: the issue as it stands, and what a
/// commitment recorded on it would do (none where nothing can be recorded now).
pub struct AtHand {
    pub issue: Issue,
    pub on_the_spot: Option<OnTheSpot>,
    /// Whether the meeting can hand it to another company that commits on the spot: it
    /// is assigned or committed, and the caller may reassign it.
    pub hands_on: bool,
    /// What the company last reported on the way (进展) and when, since the issue entered
    /// its state: what the chair asks it about.
    pub progress: Option<(chrono::DateTime<chrono::Utc>, String)>,
}

/// The agenda's issues of the caller's community, read in one query, by issue id: the day
/// screen's, with what a commitment would do to each.
pub async fn at_hand(
    state: &AppState,
    caller: &Caller,
    detail: &MeetingDetail,
) -> ApiResult<HashMap<uuid::Uuid, AtHand>> {
    manage(caller)?;
    let mut at_hand = listed(state, caller, detail).await?;
    for hand in at_hand.values_mut() {
        let Some(workflow) = state.workflows.get(&hand.issue.workflow) else { continue };
        hand.on_the_spot = on_the_spot(workflow, &hand.issue, &caller.actor);
        hand.hands_on = matches!(hand.on_the_spot, Some(OnTheSpot::Commit | OnTheSpot::Extend))
            && step(workflow, &hand.issue, &caller.actor, |t| does(OnTheSpot::AssignAndCommit, t)).is_some();
    }
    Ok(at_hand)
}

/// The issues `detail`'s agenda lists, of the caller's community, with the latest progress
/// reported on each, by issue id, in two queries. Whoever may read the agenda (`detail` was
/// read for the caller) reads what its printed and public versions say of them.
pub async fn listed(
    state: &AppState,
    caller: &Caller,
    detail: &MeetingDetail,
) -> ApiResult<HashMap<uuid::Uuid, AtHand>> {
    let ids: Vec<IssueId> = detail.items.iter().flatten().filter_map(|i| i.issue.map(IssueId)).collect();
    let (community, reports) = (caller.actor.community, state.workflows.progress_reports());
    let (found, mut progress) = state
        .db
        .run(move |conn| {
            let found = issues::get_issues(conn, &ids)?;
            let entered: Vec<_> = found.iter().map(|i| (i.id, i.state_entered_at)).collect();
            let progress = issues::standing_progress(conn, &entered, &reports)?;
            Ok::<_, roundtable_store::StoreError>((found, progress))
        })
        .await?;
    Ok(found
        .into_iter()
        .filter(|i| i.community == community)
        .map(|issue| {
            let progress = progress.remove(&issue.id);
            (issue.id.0, AtHand { issue, on_the_spot: None, hands_on: false, progress })
        })
        .collect())
}
