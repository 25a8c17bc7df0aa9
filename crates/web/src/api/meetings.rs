//! The monthly joint meeting: calendar, agenda, the meeting-day record.
//!
//! Everyone in the community reads meetings and published agendas; secretaries and
//! administrators build, edit and publish agendas, move or skip meetings, and record
//! the meeting (attendance, outcomes, closing).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use roundtable_core::text;
use roundtable_core::{
    IssueId, Meeting, MeetingId, MeetingRules, MeetingStatus, OrgId, Role, TransitionFields, TransitionRequest, apply,
};
use roundtable_store::meetings::MeetingRecord;
use roundtable_store::{StoreError, agenda, directory, issues, meetings};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiPath, ApiResult, FieldProblem, Problem};
use crate::meetings::AgendaError;
use crate::meetings::Built;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct MeetingView {
    /// Absent for a meeting the calendar knows but nobody has touched yet.
    pub id: Option<Uuid>,
    /// The first Sunday it stands for.
    pub slot: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    #[schema(value_type = crate::views::names::MeetingStatusName)]
    pub status: String,
    /// none, draft, published
    pub agenda_status: String,
    pub announcements: String,
}

#[derive(Serialize, ToSchema)]
pub struct AgendaItemView {
    pub id: String,
    pub position: i32,
    pub section: String,
    pub reason: String,
    pub issue: Option<String>,
    pub title: String,
    pub minutes: i32,
    pub in_appendix: bool,
    /// commitment, decision or deferred, once recorded.
    pub outcome: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AttendanceView {
    pub org: Uuid,
    pub attendees: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingDetail {
    pub meeting: MeetingView,
    /// The agenda: for everyone once published, before that for secretaries and administrators.
    pub items: Option<Vec<AgendaItemView>>,
    /// The property companies compared (once the agenda is published); `null` before.
    #[schema(value_type = Option<Vec<Object>>)]
    pub scorecard: Option<serde_json::Value>,
    pub attendance: Vec<AttendanceView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// New local date and time, `YYYY-MM-DDTHH:MM[:SS]`.
    #[serde(default, deserialize_with = "crate::views::local_time::optional")]
    #[schema(value_type = Option<String>, example = "2027-02-14T14:30")]
    pub starts_at: Option<NaiveDateTime>,
    pub place: Option<String>,
    /// Skip this month's meeting.
    #[serde(default)]
    pub skip: bool,
    /// Why (shown on the calendar); required when skipping.
    pub reason: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    pub title: String,
    /// follow_up, new_issues or other_business
    pub section: String,
    #[serde(default = "default_minutes")]
    pub minutes: i32,
}

fn default_minutes() -> i32 {
    5
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaEdit {
    pub announcements: Option<String>,
    /// Every item to keep, in the new order; items left out are dropped.
    pub order: Option<Vec<String>>,
    #[serde(default)]
    pub add: Vec<NewItem>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceBody {
    pub org: Uuid,
    /// Who came, e.g. "李明、王芳".
    pub attendees: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// commitment, decision or deferred
    pub outcome: String,
    pub note: Option<String>,
    /// For a commitment: what the responsible organisation promised…
    pub commitment_text: Option<String>,
    /// …and by when (local date).
    pub due_date: Option<NaiveDate>,
}

pub(crate) fn manage(caller: &Caller) -> ApiResult<()> {
    if caller.actor.has_role(Role::Secretary) || caller.actor.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only secretaries and administrators run the meeting".into()))
    }
}

pub(crate) fn rules(state: &AppState, caller: &Caller) -> ApiResult<MeetingRules> {
    let time = state.config.meeting.time;
    Ok(MeetingRules { time, place: state.config.meeting.place.clone(), tz: caller.tz })
}

pub(crate) fn view(r: &MeetingRecord) -> MeetingView {
    let m = &r.meeting;
    MeetingView {
        id: Some(m.id.0),
        slot: m.slot,
        starts_at: m.starts_at,
        place: m.place.clone(),
        status: m.status.to_string(),
        agenda_status: r.agenda_status.clone(),
        announcements: m.announcements.clone(),
    }
}

/// A meeting of the caller's community, or 404.
pub(crate) async fn record(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<MeetingRecord> {
    let found = state.db.run(move |conn| meetings::get_meeting(conn, MeetingId(id))).await;
    match found {
        Ok(r) if r.meeting.community == caller.actor.community => Ok(r),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::NotFound("no such meeting".into())),
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn all(state: &AppState, caller: &Caller) -> ApiResult<Vec<MeetingRecord>> {
    let community = caller.actor.community;
    state
        .db
        .run(move |conn| {
            let list = meetings::meetings(conn, community)?;
            list.into_iter().map(|m| meetings::get_meeting(conn, m.id)).collect()
        })
        .await
        .map_err(Into::into)
}

/// The community's meetings, latest first.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", security(("bearer" = [])), responses(
    (status = 200, body = [MeetingView]), (status = 401, body = Problem),
))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<MeetingView>>> {
    Ok(Json(all(&state, &caller).await?.iter().map(view).collect()))
}

/// The next meeting by the calendar (moved and skipped months included).
/// 404 when none is scheduled: every month the calendar looks at (three years) is skipped.
#[utoipa::path(get, path = "/api/v1/meetings/next", tag = "meetings", security(("bearer" = [])), responses(
    (status = 200, body = MeetingView), (status = 401, body = Problem), (status = 404, body = Problem),
))]
pub async fn next(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MeetingView>> {
    let records = all(&state, &caller).await?;
    next_of(&state, &caller, &records)?.map(Json).ok_or_else(|| {
        ApiError::NotFound("no meeting is scheduled: every month of the next three years is skipped".into())
    })
}

/// The next meeting among `records` (the community's meetings) by the calendar; `None`
/// when every month ahead is skipped.
pub(crate) fn next_of(state: &AppState, caller: &Caller, records: &[MeetingRecord]) -> ApiResult<Option<MeetingView>> {
    let rules = rules(state, caller)?;
    let rows: Vec<Meeting> = records.iter().map(|r| r.meeting.clone()).collect();
    let overrides = crate::meetings::overrides(&rules, &rows);
    let Some(o) = rules.next_after(&overrides, state.now()) else { return Ok(None) };
    Ok(Some(match records.iter().find(|r| r.meeting.slot == o.slot) {
        Some(r) => view(r),
        None => MeetingView {
            id: None,
            slot: o.slot,
            starts_at: o.starts_at.with_timezone(&Utc),
            place: o.place,
            status: MeetingStatus::Planned.to_string(),
            agenda_status: "none".into(),
            announcements: String::new(),
        },
    }))
}

/// A meeting with its agenda, attendance and the company comparison.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = MeetingDetail), (status = 401, body = Problem), (status = 404, body = Problem),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MeetingDetail>> {
    let r = record(&state, &caller, id).await?;
    let sees_draft = manage(&caller).is_ok();
    let show = r.agenda_status == "published" || (sees_draft && r.agenda_status == "draft");
    let meeting = r.meeting.id;
    let (items, attendance) = state
        .db
        .run(move |conn| Ok((agenda::agenda_items(conn, meeting)?, meetings::attendance(conn, meeting)?)))
        .await?;
    Ok(Json(MeetingDetail {
        meeting: view(&r),
        items: show.then(|| {
            items
                .into_iter()
                .map(|i| AgendaItemView {
                    id: i.id,
                    position: i.position,
                    section: i.section,
                    reason: i.reason,
                    issue: i.issue_id,
                    title: i.title,
                    minutes: i.minutes_allowed,
                    in_appendix: i.in_appendix,
                    outcome: i.outcome,
                })
                .collect()
        }),
        scorecard: if show { r.scorecard.as_deref().and_then(|s| serde_json::from_str(s).ok()) } else { None },
        attendance: attendance.into_iter().map(|(org, attendees)| AttendanceView { org: org.0, attendees }).collect(),
    }))
}

/// Moves or skips the meeting of a month (the override wins over the first-Sunday rule).
#[utoipa::path(put, path = "/api/v1/meetings/slots/{date}", tag = "meetings", params(("date" = NaiveDate, Path)),
    request_body = ScheduleBody, security(("bearer" = [])), responses(
    (status = 200, body = MeetingView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
))]
pub async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slot): ApiPath<NaiveDate>,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> ApiResult<Json<MeetingView>> {
    manage(&caller)?;
    let rules = rules(&state, &caller)?;
    let planned = rules
        .occurrence(&BTreeMap::new(), slot)
        .ok_or_else(|| ApiError::NotFound(format!("{slot} is not the first Sunday of a month")))?;
    let records = all(&state, &caller).await?;
    let existing = records.iter().find(|r| r.meeting.slot == slot);
    if existing
        .is_some_and(|r| r.meeting.status != MeetingStatus::Planned && r.meeting.status != MeetingStatus::Skipped)
    {
        return Err(ApiError::Conflict { detail: "the meeting has already begun".into(), current: None });
    }
    let reason = body.reason.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if body.skip && reason.is_empty() {
        return Err(ApiError::field("reason", "missing", "say why the meeting is skipped"));
    }
    let starts_at = match body.starts_at {
        Some(local) if !text::date_in_range(local.date()) => {
            return Err(ApiError::field(
                "starts_at",
                "date_out_of_range",
                format!("`starts_at` must be between {} and {}", text::EARLIEST_DATE, text::LATEST_DATE),
            ));
        }
        Some(local) => rules
            .tz
            .from_local_datetime(&local)
            .earliest()
            .ok_or_else(|| ApiError::field("starts_at", "invalid", "that local time does not exist"))?,
        None => planned.starts_at,
    };
    let now = state.now();
    if !body.skip && starts_at.with_timezone(&Utc) <= now {
        return Err(ApiError::field("starts_at", "in_past", "a meeting cannot be moved into the past"));
    }
    let meeting = Meeting {
        id: existing.map_or_else(MeetingId::new, |r| r.meeting.id),
        community: caller.actor.community,
        slot,
        starts_at: starts_at.with_timezone(&Utc),
        place: body.place.map(|p| text::trim(&p).to_owned()).filter(|p| !p.is_empty()).unwrap_or(planned.place),
        status: if body.skip { MeetingStatus::Skipped } else { MeetingStatus::Planned },
        announcements: if body.skip {
            reason
        } else {
            existing.map(|r| r.meeting.announcements.clone()).unwrap_or_default()
        },
        opened_at: None,
        closed_at: None,
        created_at: now,
    };
    let id = meeting.id;
    state.db.write(move |conn| meetings::schedule(conn, &meeting)).await?;
    let r = record(&state, &caller, id.0).await?;
    Ok(Json(view(&r)))
}

use chrono::TimeZone;

/// Builds the month's draft agenda now (as the schedule would; once per meeting).
#[utoipa::path(post, path = "/api/v1/meetings/slots/{date}/agenda", tag = "meetings", params(("date" = NaiveDate, Path)),
    security(("bearer" = [])), responses(
    (status = 201, body = MeetingView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem),
))]
pub async fn build(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slot): ApiPath<NaiveDate>,
) -> ApiResult<(StatusCode, Json<MeetingView>)> {
    manage(&caller)?;
    match write_agenda(&state, &caller, slot, false).await? {
        Built::Built { meeting, .. } => {
            Ok((StatusCode::CREATED, Json(view(&record(&state, &caller, meeting.0).await?))))
        }
        _ => Err(ApiError::Conflict {
            detail: "this meeting's agenda was built before; edit it instead".into(),
            current: None,
        }),
    }
}

/// Edits a draft agenda: announcements, order (dropping what is left out), new items.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/agenda", tag = "meetings", params(("id" = Uuid, Path)), request_body = AgendaEdit,
    security(("bearer" = [])), responses(
    (status = 200, body = MeetingDetail), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
))]
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AgendaEdit>,
) -> ApiResult<Json<MeetingDetail>> {
    manage(&caller)?;
    let r = record(&state, &caller, id).await?;
    if r.agenda_status != "draft" {
        return Err(ApiError::Conflict {
            detail: format!("the agenda is {}, not a draft", r.agenda_status),
            current: None,
        });
    }
    let mut problems = Vec::new();
    for (n, item) in body.add.iter().enumerate() {
        if text::is_blank(&item.title) || item.title.chars().count() > 200 {
            problems.push(FieldProblem::new(&format!("add[{n}].title"), "invalid", "a title of 1–200 characters"));
        }
        if !["follow_up", "new_issues", "other_business"].contains(&item.section.as_str()) {
            problems.push(FieldProblem::new(
                &format!("add[{n}].section"),
                "invalid",
                "follow_up, new_issues or other_business",
            ));
        }
        if !(1..=120).contains(&item.minutes) {
            problems.push(FieldProblem::new(&format!("add[{n}].minutes"), "out_of_range", "1 to 120 minutes"));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let meeting = r.meeting.clone();
    let now = state.now();
    state
        .db
        .write(move |conn| {
            if let Some(announcements) = &body.announcements {
                meetings::set_announcements(conn, meeting.id, text::trim(announcements))?;
            }
            let order = match body.order {
                Some(order) => order,
                None => agenda::agenda_items(conn, meeting.id)?.into_iter().map(|i| i.id).collect(),
            };
            let added: Vec<_> =
                body.add.into_iter().map(|a| (a.section, text::trim(&a.title).to_owned(), a.minutes)).collect();
            agenda::edit_agenda(conn, &meeting, &order, &added, now)
        })
        .await
        .map_err(|e| match e {
            StoreError::Corrupt(msg) => ApiError::field("order", "unknown", msg),
            StoreError::Conflict { .. } => {
                ApiError::Conflict { detail: "the agenda is no longer a draft".into(), current: None }
            }
            other => other.into(),
        })?;
    get(State(state), caller, ApiPath(id)).await
}

/// Publishes the draft agenda and notifies the participants.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/agenda/publish", tag = "meetings", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses(
    (status = 200, body = MeetingView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem),
))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MeetingView>> {
    manage(&caller)?;
    let r = record(&state, &caller, id).await?;
    let now = state.now();
    let done = state.db.write(move |conn| meetings::publish_agenda(conn, r.meeting.id, now)).await?;
    if !done {
        return Err(ApiError::Conflict { detail: "only a draft agenda can be published".into(), current: None });
    }
    Ok(Json(view(&record(&state, &caller, id).await?)))
}

async fn move_status(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    from: MeetingStatus,
    to: MeetingStatus,
) -> ApiResult<Json<MeetingView>> {
    manage(caller)?;
    let r = record(state, caller, id).await?;
    let now = state.now();
    state.db.write(move |conn| meetings::set_status(conn, r.meeting.id, from, to, now)).await.map_err(|e| match e {
        StoreError::Conflict { .. } => {
            ApiError::Conflict { detail: format!("the meeting is not {from}"), current: None }
        }
        other => other.into(),
    })?;
    Ok(Json(view(&record(state, caller, id).await?)))
}

/// Opens the meeting: attendance and outcomes can be recorded.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/open", tag = "meetings", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses(
    (status = 200, body = MeetingView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem),
))]
pub async fn open(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MeetingView>> {
    move_status(&state, &caller, id, MeetingStatus::Planned, MeetingStatus::Open).await
}

/// Closes the meeting; what it did not get to is carried to the next agenda.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/close", tag = "meetings", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses(
    (status = 200, body = MeetingView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem),
))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MeetingView>> {
    move_status(&state, &caller, id, MeetingStatus::Open, MeetingStatus::Closed).await
}

fn require_open(r: &MeetingRecord) -> ApiResult<()> {
    if r.meeting.status == MeetingStatus::Open {
        Ok(())
    } else {
        Err(ApiError::Conflict { detail: "the meeting is not open".into(), current: None })
    }
}

/// Records who an organisation sent.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/attendance", tag = "meetings", params(("id" = Uuid, Path)),
    request_body = AttendanceBody, security(("bearer" = [])), responses(
    (status = 200, body = [AttendanceView]), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
))]
pub async fn attendance(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AttendanceBody>,
) -> ApiResult<Json<Vec<AttendanceView>>> {
    manage(&caller)?;
    let r = record(&state, &caller, id).await?;
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
    Ok(Json(list.into_iter().map(|(org, attendees)| AttendanceView { org: org.0, attendees }).collect()))
}

/// Records an item's outcome. A commitment fires the issue's `commit` transition for
/// its responsible organisation, recording this meeting, in the same transaction.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/items/{item}/outcome", tag = "meetings",
    params(("id" = Uuid, Path), ("item" = String, Path)), request_body = OutcomeBody, security(("bearer" = [])), responses(
    (status = 200, body = MeetingDetail), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
))]
pub async fn outcome(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, item)): ApiPath<(Uuid, String)>,
    ApiJson(body): ApiJson<OutcomeBody>,
) -> ApiResult<Json<MeetingDetail>> {
    manage(&caller)?;
    let r = record(&state, &caller, id).await?;
    require_open(&r)?;
    let items = {
        let meeting = r.meeting.id;
        state.db.run(move |conn| agenda::agenda_items(conn, meeting)).await?
    };
    let stored =
        items.into_iter().find(|i| i.id == item).ok_or_else(|| ApiError::NotFound("no such agenda item".into()))?;
    let note = body.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    let transition = match body.outcome.as_str() {
        "decision" | "deferred" => None,
        "commitment" => {
            let issue_id: IssueId =
                stored.issue_id.as_deref().and_then(|i| i.parse().ok()).ok_or_else(|| {
                    ApiError::field("outcome", "invalid", "a commitment needs an item about an issue")
                })?;
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
            Some(apply(workflow, &issue, &caller.actor, &request, caller.now(&state))?)
        }
        other => {
            return Err(ApiError::field(
                "outcome",
                "invalid",
                format!("`{other}` is not commitment, decision or deferred"),
            ));
        }
    };
    let (meeting, outcome) = (r.meeting.id, body.outcome.clone());
    state
        .db
        .write(move |conn| {
            meetings::record_outcome(conn, meeting, &item, &outcome, note.as_deref(), transition.as_ref())
        })
        .await?;
    get(State(state), caller, ApiPath(id)).await
}

/// Rebuilds a draft agenda from the tracker as it is now (the secretary's edits are
/// replaced; nobody is notified again).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/agenda/rebuild", tag = "meetings", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses(
    (status = 200, body = MeetingDetail), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem),
))]
pub async fn rebuild(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MeetingDetail>> {
    manage(&caller)?;
    let r = record(&state, &caller, id).await?;
    write_agenda(&state, &caller, r.meeting.slot, true).await?;
    get(State(state), caller, ApiPath(id)).await
}

/// Builds (claiming the slot, once) or rebuilds `slot`'s agenda in one write.
async fn write_agenda(state: &AppState, caller: &Caller, slot: NaiveDate, rebuild: bool) -> ApiResult<Built> {
    let (config, community, now) = ((*state.config).clone(), caller.actor.community, state.now());
    let instance = format!("api:{}", caller.user.login);
    let built = state
        .db
        .write(move |conn| {
            let mode = if rebuild { crate::meetings::Mode::Rebuild } else { crate::meetings::Mode::Claim(&instance) };
            AgendaError::in_write(crate::meetings::build_agenda_for(conn, &config, community, Some(slot), now, mode))
        })
        .await??;
    Ok(built)
}
