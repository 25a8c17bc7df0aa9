//! The agenda: built from the tracker (once per meeting), edited and published by the
//! secretary, rebuilt while a draft, read as a print-ready document.

use chrono::NaiveDate;
use roundtable_core::agenda::Section;
use roundtable_core::audit::{AuditAction, AuditEntry, AuditSubject};
use roundtable_core::text;
use roundtable_core::{AgendaStatus, Issue, IssueId, MeetingId, MeetingStatus};
use roundtable_store::{StoreError, agenda as store_agenda, meetings};

use super::{detail, manage, record, sees_agenda, view};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::jobs::agenda::{AgendaError, Built, Mode, build_agenda_for};
use crate::state::AppState;
use crate::views::meetings::{
    AgendaEdit, AgendaItemView, DocumentFormat, MeetingDetail, MeetingView, NewItem, Rendering,
};

/// The sections a secretary adds items to.
const EDITABLE: [Section; 3] = [Section::FollowUp, Section::NewIssues, Section::OtherBusiness];

/// Builds the month's draft agenda now (as the schedule would; once per meeting).
pub async fn build(state: &AppState, caller: &Caller, slot: NaiveDate) -> ApiResult<MeetingView> {
    manage(caller)?;
    match write_agenda(state, caller, slot, false).await? {
        Built::Built { meeting, .. } => Ok(view(state, caller, &record(state, caller, meeting).await?)),
        _ => Err(ApiError::Conflict {
            detail: "this meeting's agenda was built before; edit it instead".into(),
            current: None,
        }),
    }
}

/// The announcements read out at the meeting: a page or two of the agenda.
pub const ANNOUNCEMENTS_MAX_CHARS: usize = 4000;

/// An agenda changes while a draft, or while its meeting is open (an item raised there).
fn may_change(r: &roundtable_store::meetings::MeetingRecord) -> ApiResult<()> {
    if r.agenda_status == AgendaStatus::Draft || r.meeting.status == MeetingStatus::Open {
        return Ok(());
    }
    let (agenda, meeting) = (r.agenda_status, r.meeting.status);
    let detail = format!(
        "the agenda is {agenda} and the meeting {meeting}: an agenda changes while a draft or its meeting is open"
    );
    Err(ApiError::Conflict { detail, current: None })
}

/// Edits an agenda that can still change — a draft, or an open meeting's: announcements,
/// order, new items, and explicit drops (never a fixed section's item or a recorded one).
pub async fn edit(state: &AppState, caller: &Caller, id: MeetingId, body: AgendaEdit) -> ApiResult<MeetingDetail> {
    manage(caller)?;
    let r = record(state, caller, id).await?;
    may_change(&r)?;
    let mut problems = Vec::new();
    if let Some(announcements) = &body.announcements {
        crate::ops::check_text(&mut problems, "announcements", announcements, 0, ANNOUNCEMENTS_MAX_CHARS);
    }
    let issues = added_issues(state, caller, &body).await?;
    let mut added = Vec::new();
    for (n, item) in body.add.iter().enumerate() {
        let issue = match item.issue {
            Some(id) => added_issue(state, &mut problems, (n, item), issues.iter().find(|i| i.id.0 == id)),
            None => {
                crate::ops::check_text(&mut problems, &format!("add[{n}].title"), &item.title, 1, 200);
                None
            }
        };
        let section = item.section.or(issue.map(|i| roundtable_core::agenda::section_of(&i.state)));
        let Some(section) = section else {
            problems.push(FieldProblem::new(&format!("add[{n}].section"), "missing", "name the item's section"));
            continue;
        };
        added.push(store_agenda::Added {
            section,
            title: issue.map_or_else(|| text::one_line(&item.title), |i| text::one_line(&i.title)),
            minutes: item.minutes,
            issue: issue.map(|i| i.id),
        });
        if !EDITABLE.contains(&section) {
            problems.push(FieldProblem::new(
                &format!("add[{n}].section"),
                "invalid",
                "follow_up, new_issues or other_business",
            ));
        }
        if !(1..=120).contains(&item.minutes) {
            problems.push(FieldProblem::out_of_range(&format!("add[{n}].minutes"), 1, 120));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let meeting = r.meeting.clone();
    let now = state.now();
    let entry = crate::ops::audit(state, caller, AuditAction::AgendaEdited, AuditSubject::Meeting, id)
        .with("added", added.iter().map(|a| a.title.as_str()).collect::<Vec<_>>().join("、"))
        .with("dropped", body.drop.len())
        .with("reordered", body.order.as_ref().map_or(0, Vec::len))
        .with("announcements", body.announcements.is_some());
    state
        .db
        .write(move |conn| {
            roundtable_store::audit::record(conn, &entry)?;
            if let Some(announcements) = &body.announcements {
                meetings::set_announcements(conn, meeting.id, text::trim(announcements))?;
            }
            let order = body.order.unwrap_or_default();
            store_agenda::edit_agenda(conn, &meeting, &order, &body.drop, &added, now)
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => {
                ApiError::Conflict { detail: "the agenda can no longer change".into(), current: None }
            }
            StoreError::Duplicate(_) => ApiError::field("add", "listed", "the issue is on this agenda already"),
            other => other.into(),
        })?;
    detail(state, caller, id).await
}

/// The issues an edit adds by hand, read in one query.
async fn added_issues(state: &AppState, caller: &Caller, body: &AgendaEdit) -> ApiResult<Vec<Issue>> {
    let ids: Vec<IssueId> = body.add.iter().filter_map(|a| a.issue.map(IssueId)).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let community = caller.community.id;
    let found = state.db.run(move |conn| roundtable_store::issues::get_issues(conn, &ids)).await?;
    Ok(found.into_iter().filter(|i| i.community == community).collect())
}

/// An issue the `n`th addition names, if the agenda may list it: the community's (another
/// community's is as unknown as one that does not exist), open by its workflow, under its
/// own title.
fn added_issue<'a>(
    state: &AppState,
    problems: &mut Vec<FieldProblem>,
    (n, item): (usize, &NewItem),
    found: Option<&'a Issue>,
) -> Option<&'a Issue> {
    if !item.title.is_empty() {
        problems.push(FieldProblem::new(&format!("add[{n}].title"), "not_accepted", "an issue's item takes its title"));
    }
    match found {
        None => {
            problems.push(FieldProblem::new(&format!("add[{n}].issue"), "unknown", "no such issue in this community"));
            None
        }
        Some(i) if state.workflows.is_closed(&i.workflow, &i.state) => {
            let why = format!("the issue is `{}`: only an open issue goes on an agenda", i.state);
            problems.push(FieldProblem::new(&format!("add[{n}].issue"), "closed", &why));
            None
        }
        found => found,
    }
}

/// Publishes the draft agenda and notifies the participants.
pub async fn publish(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<MeetingView> {
    manage(caller)?;
    let r = record(state, caller, id).await?;
    let (now, config, by, workflows) = (state.now(), state.config.clone(), caller.user.id, state.workflows.clone());
    let entry = crate::ops::audit(state, caller, AuditAction::AgendaPublished, AuditSubject::Meeting, id);
    // What was raised or changed since the draft joins it as it is published.
    let done = state
        .db
        .write(move |conn| {
            if r.agenda_status == AgendaStatus::Draft {
                crate::jobs::agenda::add_late(conn, (&config, &workflows), &r.meeting, now)?;
            }
            let done = meetings::publish_agenda(conn, r.meeting.id, by, now)?;
            if done {
                roundtable_store::audit::record(conn, &entry)?;
            }
            Ok(done)
        })
        .await?;
    if !done {
        return Err(ApiError::Conflict { detail: "only a draft agenda can be published".into(), current: None });
    }
    Ok(view(state, caller, &record(state, caller, id).await?))
}

/// The issues raised or changed since the draft was built that the agenda lacks (and the
/// secretary did not drop): for those who run the meeting, while the agenda can change.
pub async fn late(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<Vec<AgendaItemView>> {
    manage(caller)?;
    let r = record(state, caller, id).await?;
    if r.agenda_status != AgendaStatus::Draft && r.meeting.status != MeetingStatus::Open {
        return Ok(Vec::new());
    }
    let (now, config, workflows) = (state.now(), state.config.clone(), state.workflows.clone());
    let late =
        state.db.run(move |conn| crate::jobs::agenda::late_items(conn, (&config, &workflows), &r.meeting, now)).await?;
    Ok(late
        .into_iter()
        .map(|i| AgendaItemView {
            id: String::new(),
            position: 0,
            section: i.section,
            reason: i.reason,
            issue: i.issue.map(|x| x.0),
            title: i.title,
            minutes: i.minutes as i32,
            in_appendix: i.in_appendix,
            urgency: i.urgency,
            outcome: None,
            review_on: None,
            refused_due_date: None,
            refused_return: false,
            note: None,
        })
        .collect())
}

/// Adds the late issues to an agenda that can still change.
pub async fn add_late(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<MeetingDetail> {
    manage(caller)?;
    let r = record(state, caller, id).await?;
    may_change(&r)?;
    let (now, config, workflows) = (state.now(), state.config.clone(), state.workflows.clone());
    let entry = crate::ops::audit(state, caller, AuditAction::LateItemsAdded, AuditSubject::Meeting, id);
    state
        .db
        .write(move |conn| {
            let added = crate::jobs::agenda::add_late(conn, (&config, &workflows), &r.meeting, now)?;
            roundtable_store::audit::record(conn, &entry.with("added", added))
        })
        .await?;
    detail(state, caller, id).await
}

/// Rebuilds a draft agenda from the tracker as it is now (the secretary's edits are
/// replaced; nobody is notified again).
pub async fn rebuild(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<MeetingDetail> {
    manage(caller)?;
    let r = record(state, caller, id).await?;
    write_agenda(state, caller, r.meeting.slot, true).await?;
    detail(state, caller, id).await
}

/// Builds (claiming the slot, once) or rebuilds `slot`'s agenda in one write.
async fn write_agenda(state: &AppState, caller: &Caller, slot: NaiveDate, rebuild: bool) -> ApiResult<Built> {
    let (config, community, now) = ((*state.config).clone(), caller.actor.community, state.now());
    let workflows = state.workflows.clone();
    let instance = format!("api:{}", caller.user.login);
    let action = if rebuild { AuditAction::AgendaRebuilt } else { AuditAction::AgendaBuilt };
    let entry = crate::ops::audit(state, caller, action, AuditSubject::Meeting, "");
    let built = state
        .db
        .write(move |conn| {
            let mode = if rebuild { Mode::Rebuild } else { Mode::Claim(&instance) };
            let built =
                AgendaError::in_write(build_agenda_for(conn, (&config, &workflows), community, Some(slot), now, mode))?;
            if let Ok(Built::Built { meeting, items, .. } | Built::Rebuilt { meeting, items }) = &built {
                let entry = AuditEntry { subject_id: meeting.to_string(), ..entry }.with("items", items);
                roundtable_store::audit::record(conn, &entry)?;
            }
            Ok(built)
        })
        .await??;
    Ok(built)
}

/// The agenda as a document in the reader's language: drafts for secretaries and administrators, published
/// agendas for everyone in the community.
pub async fn document(state: &AppState, caller: &Caller, id: MeetingId, how: Rendering) -> ApiResult<String> {
    let record = record(state, caller, id).await?;
    if !sees_agenda(caller, &record) {
        return Err(ApiError::NotFound("this meeting has no agenda you can see yet".into()));
    }
    let config = state.config.agenda_config(&caller.community);
    let printing = crate::documents::Printing {
        tz: caller.tz(),
        now: state.now(),
        lang: how.lang,
        base_url: state.config.mail.base_url.clone(),
        progress_reports: state.workflows.progress_reports(),
    };
    let doc = state.db.run(move |conn| crate::documents::assemble_agenda(conn, &record, &config, &printing)).await?;
    state.minutes.render("agenda", how.format == DocumentFormat::Md, &doc).map_err(ApiError::Internal)
}

/// The company comparison so far this month: what the next meeting's agenda would show
/// if it were built now. `None` for the slot when no meeting is scheduled.
pub async fn live_scorecard(
    state: &AppState,
    caller: &Caller,
    next: Option<NaiveDate>,
) -> ApiResult<Option<Vec<roundtable_core::agenda::ScoreRow>>> {
    let Some(slot) = next else { return Ok(None) };
    let (community, config, now) = (caller.actor.community, (*state.config).clone(), state.now());
    let workflows = state.workflows.clone();
    let planned = state
        .db
        .run(move |conn| {
            let planner = (&config, &*workflows);
            let plan =
                AgendaError::in_write(crate::jobs::agenda::plan_agenda(conn, planner, community, Some(slot), now))?;
            Ok(plan.map(|plan| plan.map(|(_, agenda)| agenda.scorecard)))
        })
        .await??;
    Ok(planned)
}
