//! Notices and following (`/api/v1/notices`, `/api/v1/issues/{id}/follow`,
//! `/api/v1/me/notice-mail`).

use crate::api::Json;
use axum::extract::State;
use roundtable_core::IssueId;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use crate::ops::notices as ops;
use crate::state::AppState;
use crate::views::{FollowView, MarkRead, NoticeList, NoticeMailSetting, NoticeQuery};

/// The caller's notices, newest first (at most 100), and how many are unread.
///
/// Each step taken on an issue they follow (`transition`, `to`, `fields`), and what a
/// joint meeting whose published agenda lists it told (`meeting`: listed, heard, moved,
/// cancelled). A page at a time: `older` names where the next one starts (`before`).
#[utoipa::path(get, path = "/api/v1/notices", tag = "issues", params(NoticeQuery), security(("bearer" = [])), responses(
    (status = 200, body = NoticeList), (status = 401, body = Problem),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> ApiResult<Json<NoticeList>> {
    ops::list(&state, &caller, q.unread.unwrap_or(false), q.before).await.map(Json)
}

/// Marks notices read (`ids`, or all); answers the list as it is then.
#[utoipa::path(post, path = "/api/v1/notices/read", tag = "issues", request_body = MarkRead, security(("bearer" = [])), responses(
    (status = 200, body = NoticeList), (status = 401, body = Problem),
))]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<MarkRead>,
) -> ApiResult<Json<NoticeList>> {
    ops::mark_read(&state, &caller, body.ids).await?;
    ops::list(&state, &caller, false, None).await.map(Json)
}

/// Follows an issue: a notice (and mail, as the caller chose) for each step taken on it.
///
/// And when a joint meeting lists it, publishes its minutes, moves or is called off.
#[utoipa::path(put, path = "/api/v1/issues/{id}/follow", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = FollowView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn follow(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<FollowView>> {
    let following = ops::follow(&state, &caller, IssueId(id), true).await?;
    Ok(Json(FollowView { following }))
}

/// Stops following an issue (the raiser, supporters and the responsible company too).
#[utoipa::path(delete, path = "/api/v1/issues/{id}/follow", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = FollowView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn unfollow(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<FollowView>> {
    let following = ops::follow(&state, &caller, IssueId(id), false).await?;
    Ok(Json(FollowView { following }))
}

/// Which notices also come by mail.
#[utoipa::path(get, path = "/api/v1/me/notice-mail", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = NoticeMailSetting), (status = 401, body = Problem),
))]
pub async fn mail_setting(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<NoticeMailSetting>> {
    Ok(Json(NoticeMailSetting { mail: ops::mail_setting(&state, &caller).await? }))
}

/// Chooses which notices also come by mail: `each`, a daily `digest` or `none`.
#[utoipa::path(put, path = "/api/v1/me/notice-mail", tag = "auth", request_body = NoticeMailSetting, security(("bearer" = [])), responses(
    (status = 200, body = NoticeMailSetting), (status = 401, body = Problem), (status = 422, body = Problem),
))]
pub async fn set_mail_setting(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NoticeMailSetting>,
) -> ApiResult<Json<NoticeMailSetting>> {
    ops::set_mail_setting(&state, &caller, body.mail).await?;
    Ok(Json(body))
}
