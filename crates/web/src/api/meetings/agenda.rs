//! The agenda: a meeting with it, building, editing, publishing, rebuilding, the document.

use crate::api::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use roundtable_core::MeetingId;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use crate::ops::meetings::{self as ops, agenda};
use crate::state::AppState;
use crate::views::meetings::{AgendaEdit, AgendaItemView, FormatQuery, MeetingDetail, MeetingView, Rendering};

/// A meeting with its agenda, attendance and the company comparison.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = MeetingDetail), (status = 401, body = Problem), (status = 404, body = Problem),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MeetingDetail>> {
    ops::detail(&state, &caller, MeetingId(id)).await.map(Json)
}

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
    Ok((StatusCode::CREATED, Json(agenda::build(&state, &caller, slot).await?)))
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
    agenda::edit(&state, &caller, MeetingId(id), body).await.map(Json)
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
    agenda::publish(&state, &caller, MeetingId(id)).await.map(Json)
}

/// The issues raised or changed since the draft was built that the agenda lacks (and the
/// secretary did not drop); empty once the agenda can no longer change.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/agenda/late", tag = "meetings", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses(
    (status = 200, body = [AgendaItemView]), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem),
))]
pub async fn late(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<AgendaItemView>>> {
    agenda::late(&state, &caller, MeetingId(id)).await.map(Json)
}

/// Adds those late issues to the agenda (publishing it, or opening the meeting, does too).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/agenda/late", tag = "meetings", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses(
    (status = 200, body = MeetingDetail), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem),
))]
pub async fn add_late(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MeetingDetail>> {
    agenda::add_late(&state, &caller, MeetingId(id)).await.map(Json)
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
    agenda::rebuild(&state, &caller, MeetingId(id)).await.map(Json)
}

/// The agenda as HTML (with print CSS) or Markdown: drafts for secretaries and
/// administrators, published agendas for everyone in the community.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/agenda", tag = "meetings", operation_id = "agenda", params(("id" = Uuid, Path), FormatQuery),
    security(("bearer" = [])), responses(
    (status = 200, description = "The agenda", content((String = "text/html"), (String = "text/markdown"))),
    (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
))]
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let format = q.format.unwrap_or_default();
    Ok(super::document(
        agenda::document(&state, &caller, MeetingId(id), Rendering { format, lang: caller.lang() }).await?,
        format,
    ))
}
