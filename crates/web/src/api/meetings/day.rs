//! The meeting day: opening and closing, attendance, items' outcomes.

use crate::api::Json;
use axum::extract::State;
use roundtable_core::MeetingId;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiResult, Problem};
use crate::ops::meetings::day as ops;
use crate::state::AppState;
use crate::views::meetings::{AttendanceBody, AttendanceView, MeetingDetail, MeetingView, OutcomeBody};

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
    ops::open(&state, &caller, MeetingId(id)).await.map(Json)
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
    ops::close(&state, &caller, MeetingId(id)).await.map(Json)
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
    ops::attendance(&state, &caller, MeetingId(id), body).await.map(Json)
}

/// Records an item's outcome. A commitment fires the issue's `commit` transition for
/// its responsible organisation, recording this meeting, in the same transaction. A
/// decision or a deferral may be recorded again while the meeting is open; an outcome that
/// took the steps (a commitment, a request turned down) stands: 409 `outcome_stands`.
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
    ops::outcome(&state, &caller, MeetingId(id), item, body).await.map(Json)
}
