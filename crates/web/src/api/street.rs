//! The street office's comparison (`/api/v1/street`) and its whistle (吹哨).

use crate::api::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use roundtable_core::scorecard::Rate;
use roundtable_core::{CommunityId, IssueId};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use crate::ops::ledger::Form;
use crate::ops::street::{self as ops, Rates};
use crate::state::AppState;
use crate::views::meetings::{IssueMeetingView, RateSchema};
use crate::views::{CommitmentRecordView, EventView, IssueList, IssueSummary, IssueView, ListQuery, NewIssueBody};

/// Six months of 三率 as counts (`n` of `m`), the issues received, the promises past
/// their date now, and the six months' extensions, redone work and refused returns.
#[derive(Serialize, ToSchema)]
pub struct RatesView {
    pub received: u32,
    #[schema(value_type = RateSchema)]
    pub response: Rate,
    #[schema(value_type = RateSchema)]
    pub resolution: Rate,
    #[schema(value_type = RateSchema)]
    pub satisfaction: Rate,
    pub overdue: u32,
    /// Commitments whose date was extended.
    pub extended: u32,
    /// Issues verified or reopened that were reopened at least once (返工).
    pub reopened: u32,
    /// Requests to hand an issue back turned down (退回不成立).
    pub returns_refused: u32,
}

impl From<Rates> for RatesView {
    fn from(r: Rates) -> Self {
        RatesView {
            received: r.received,
            response: r.response,
            resolution: r.resolution,
            satisfaction: r.satisfaction,
            overdue: r.overdue,
            extended: r.extended,
            reopened: r.reopened,
            returns_refused: r.returns_refused,
        }
    }
}

/// One community of the street.
#[derive(Serialize, ToSchema)]
pub struct StreetCommunityView {
    pub id: Uuid,
    pub name: String,
    /// Issues in no closing state.
    pub open: i64,
    /// Commitments past their due date.
    pub overdue: i64,
    /// Its companies' rates summed, as its latest agenda computed them…
    pub rates: RatesView,
    /// …for the meeting of this first Sunday (`null`: no agenda built yet).
    pub rates_of: Option<chrono::NaiveDate>,
    /// The community's public commitments board.
    pub board: String,
    /// When and where it meets next (`null`: every month ahead is skipped).
    pub next_meeting: Option<StreetMeetingView>,
}

/// A community's next joint meeting, as its public calendar has it.
#[derive(Serialize, ToSchema)]
pub struct StreetMeetingView {
    /// The first Sunday it stands for.
    pub slot: chrono::NaiveDate,
    #[serde(serialize_with = "crate::views::instant::rfc3339")]
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub place: String,
    /// Under way now.
    pub open: bool,
    pub agenda_published: bool,
    /// Its published agenda's public page (`null` until it is out, or with the public
    /// views off).
    pub agenda: Option<String>,
    /// The community's meetings as an iCalendar feed, to subscribe to.
    pub calendar: String,
}

/// A property company across the communities it serves (known by its name).
#[derive(Serialize, ToSchema)]
pub struct StreetCompanyView {
    pub name: String,
    pub communities: Vec<String>,
    pub rates: RatesView,
}

/// An issue the street office raised in one of its communities (吹哨), as it stands.
#[derive(Serialize, ToSchema)]
pub struct StreetCalledInView {
    pub community: Uuid,
    pub community_name: String,
    pub compound_name: Option<String>,
    /// The company answering for it, once assigned.
    pub org_name: Option<String>,
    pub issue: IssueSummary,
    /// The issue, read-only, as the street office reads it.
    pub href: String,
    /// What the company last reported on its promise (进展) since the issue entered its
    /// state; `null` when nothing was.
    pub progress: Option<ProgressView>,
}

/// A report on the way: its words and when.
#[derive(Serialize, ToSchema)]
pub struct ProgressView {
    pub note: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct StreetView {
    /// The street office.
    pub street: String,
    pub communities: Vec<StreetCommunityView>,
    pub companies: Vec<StreetCompanyView>,
    /// What the street office (any holder of the street role in its communities) called
    /// its communities in for, the newest 50 first: whether each was assigned, promised,
    /// done.
    pub called_in: Vec<StreetCalledInView>,
}

impl From<ops::Street> for StreetView {
    fn from(s: ops::Street) -> Self {
        StreetView {
            street: s.name,
            communities: s
                .communities
                .into_iter()
                .map(|c| StreetCommunityView {
                    id: c.id.0,
                    board: format!("/communities/{}/board", c.id),
                    next_meeting: c.next_meeting.map(|m| StreetMeetingView {
                        slot: m.slot,
                        starts_at: m.starts_at,
                        place: m.place,
                        open: m.open,
                        agenda_published: m.agenda_published,
                        agenda: m.agenda,
                        calendar: format!("/communities/{}/meetings.ics", c.id),
                    }),
                    name: c.name,
                    open: c.open,
                    overdue: c.overdue,
                    rates: c.rates.into(),
                    rates_of: c.rates_of,
                })
                .collect(),
            companies: s
                .companies
                .into_iter()
                .map(|c| StreetCompanyView { name: c.name, communities: c.communities, rates: c.rates.into() })
                .collect(),
            called_in: s
                .called_in
                .into_iter()
                .map(|c| StreetCalledInView {
                    href: format!("/api/v1/street/communities/{}/issues/{}", c.community, c.issue.id),
                    community: c.community.0,
                    community_name: c.community_name,
                    compound_name: c.compound_name,
                    org_name: c.org_name,
                    progress: c.progress.map(|(at, note)| ProgressView { note, at }),
                    issue: c.issue,
                })
                .collect(),
        }
    }
}

/// The communities of the caller's street side by side, and each company across them
/// (the street role; 404 when the caller's community belongs to no street office).
#[utoipa::path(get, path = "/api/v1/street", tag = "reference", security(("bearer" = [])), responses(
    (status = 200, body = StreetView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn comparison(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<StreetView>> {
    Ok(Json(ops::comparison(&state, &caller).await?.into()))
}

/// The street office calls a community's meeting in (吹哨): raises an issue in one of its
/// street's communities (the street role; no photos). It goes on that community's next
/// agenda like any new issue. An `Idempotency-Key` makes it happen once, as in
/// `POST /api/v1/issues`.
#[utoipa::path(post, path = "/api/v1/street/communities/{id}/issues", tag = "reference", request_body = NewIssueBody, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters (a UUID, say), plain or as a quoted string: the raise happens once")),
    responses(
    (status = 201, body = IssueView, headers(("Idempotent-Replayed" = String, description = "`true` when a raise with this key had made the issue before"))),
    (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 422, body = Problem),
))]
pub async fn whistle(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    request: HeaderMap,
    ApiJson(body): ApiJson<NewIssueBody>,
) -> ApiResult<(StatusCode, HeaderMap, Json<IssueView>)> {
    let key = crate::api::issues::idempotency_key(&request)?;
    let (view, headers) =
        crate::api::issues::raised_reply(ops::whistle(&state, &caller, CommunityId(id), body, key).await?)?;
    Ok((StatusCode::CREATED, headers, Json(view)))
}

/// A community's issues as the street office reads them (the street role; a community of
/// its street, else 404): every issue, with the tracker's filters, one page at a time.
#[utoipa::path(get, path = "/api/v1/street/communities/{id}/issues", tag = "reference", params(("id" = Uuid, Path), ListQuery), security(("bearer" = [])), responses(
    (status = 200, body = IssueList), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 422, body = Problem),
))]
pub async fn community_issues(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<IssueList>> {
    Ok(Json(ops::community_issues(&state, &caller, CommunityId(id), q).await?))
}

/// One issue of a community of the street, read-only (no transitions, no contact data).
#[utoipa::path(get, path = "/api/v1/street/communities/{id}/issues/{issue}", tag = "reference", params(("id" = Uuid, Path), ("issue" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = IssueView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem),
))]
pub async fn community_issue(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, issue)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<IssueView>> {
    Ok(Json(ops::community_issue(&state, &caller, CommunityId(id), IssueId(issue)).await?))
}

/// One issue's timeline, read by the street office as on the community's own route
/// (`/api/v1/issues/{id}/events`): what its read-only issue page shows.
#[utoipa::path(get, path = "/api/v1/street/communities/{id}/issues/{issue}/events", tag = "reference", params(("id" = Uuid, Path), ("issue" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = [EventView]), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem),
))]
pub async fn community_issue_events(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, issue)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<Vec<EventView>>> {
    let reader = ops::reader(&state, &caller, CommunityId(id)).await?;
    Ok(Json(crate::ops::issues::events(&state, &reader, IssueId(issue)).await?))
}

/// One issue's commitment history, read by the street office (as
/// `/api/v1/issues/{id}/commitments`).
#[utoipa::path(get, path = "/api/v1/street/communities/{id}/issues/{issue}/commitments", tag = "reference", params(("id" = Uuid, Path), ("issue" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = [CommitmentRecordView]), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem),
))]
pub async fn community_issue_commitments(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, issue)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<Vec<CommitmentRecordView>>> {
    let reader = ops::reader(&state, &caller, CommunityId(id)).await?;
    Ok(Json(crate::ops::issues::commitments(&state, &reader, IssueId(issue)).await?))
}

/// What each joint meeting did with one issue, read by the street office (as
/// `/api/v1/issues/{id}/meetings`: published agendas only; the words once the minutes are).
#[utoipa::path(get, path = "/api/v1/street/communities/{id}/issues/{issue}/meetings", tag = "reference", params(("id" = Uuid, Path), ("issue" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = [IssueMeetingView]), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem),
))]
pub async fn community_issue_meetings(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, issue)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<Vec<IssueMeetingView>>> {
    let reader = ops::reader(&state, &caller, CommunityId(id)).await?;
    Ok(Json(crate::ops::meetings::of_issue(&state, &reader, IssueId(issue)).await?))
}

/// A community's ledger (台账) as the street office downloads it (the street role; a
/// community of its street, else 404): the community's own ledger, CSV, filtered like its
/// list, in the caller's language.
#[utoipa::path(get, path = "/api/v1/street/communities/{id}/issues/ledger", tag = "reference", params(("id" = Uuid, Path), ListQuery), security(("bearer" = [])), responses(
    (status = 200, description = "The ledger", content(("text/csv"))),
    (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 422, body = Problem),
))]
pub async fn community_ledger(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<axum::response::Response> {
    community_ledger_as(&state, &caller, CommunityId(id), q, Form::Csv).await
}

/// The same ledger as an Excel workbook.
#[utoipa::path(get, path = "/api/v1/street/communities/{id}/issues/ledger.xlsx", tag = "reference", params(("id" = Uuid, Path), ListQuery), security(("bearer" = [])), responses(
    (status = 200, description = "The ledger", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 422, body = Problem),
))]
pub async fn community_ledger_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<axum::response::Response> {
    community_ledger_as(&state, &caller, CommunityId(id), q, Form::Xlsx).await
}

async fn community_ledger_as(
    state: &AppState,
    caller: &Caller,
    community: CommunityId,
    q: ListQuery,
    form: Form,
) -> ApiResult<axum::response::Response> {
    let there = ops::reader(state, caller, community).await?;
    crate::api::issues::ledger_response(state, &there, q, caller.lang(), form).await
}
