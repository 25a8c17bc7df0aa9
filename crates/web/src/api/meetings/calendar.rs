//! The calendar: the community's meetings, the next one, moving and skipping a month.

use crate::api::Json;
use axum::extract::State;
use chrono::NaiveDate;

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiPath, ApiResult, Problem};
use crate::ops::meetings::calendar as ops;
use crate::state::AppState;
use crate::views::meetings::{MeetingView, ScheduleBody};

/// The community's meetings, latest first.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", security(("bearer" = [])), responses(
    (status = 200, body = [MeetingView]), (status = 401, body = Problem),
))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<MeetingView>>> {
    ops::list(&state, &caller).await.map(Json)
}

/// The next meeting by the calendar (moved and skipped months included): one under way,
/// else today's until its day is over (it may still be opened), else the first ahead.
/// 404 when none is scheduled: every month the calendar looks at (three years) is skipped.
#[utoipa::path(get, path = "/api/v1/meetings/next", tag = "meetings", security(("bearer" = [])), responses(
    (status = 200, body = MeetingView), (status = 401, body = Problem), (status = 404, body = Problem),
))]
pub async fn next(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MeetingView>> {
    ops::next(&state, &caller).await?.map(Json).ok_or_else(|| {
        ApiError::NotFound("no meeting is scheduled: every month of the next three years is skipped".into())
    })
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
    ops::schedule(&state, &caller, slot, body).await.map(|(view, _)| Json(view))
}
