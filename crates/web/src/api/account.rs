//! The caller's own account: password and sessions (`/api/v1/me/...`).

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;

use crate::api::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiResult, Problem};
use crate::ops::account as ops;
use crate::state::AppState;
use crate::views::{CloseAccount, ContactChange, MeView, MyData, NameChange, PasswordChange, SessionView};

/// How many sessions and tokens an action ended.
#[derive(Serialize, ToSchema)]
pub struct Ended {
    pub sessions_ended: usize,
}

/// Changes the caller's password (the current one is required); every other session and
/// token of theirs ends, the one in use stays. A wrong current password is throttled
/// like a failed sign-in.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange, security(("bearer" = [])), responses(
    (status = 200, body = Ended), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem),
))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<Json<Ended>> {
    let address = crate::auth::client_address(peer);
    let ended = ops::change_password(&state, &caller, body.current_password, body.new_password, &address).await?;
    Ok(Json(Ended { sessions_ended: ended }))
}

/// Changes the caller's e-mail address and phone number (the current password is
/// required; a wrong one is throttled like a failed sign-in). An address or number another
/// account has is refused as `taken`.
#[utoipa::path(put, path = "/api/v1/me/contact", tag = "auth", request_body = ContactChange, security(("bearer" = [])), responses(
    (status = 200, body = MeView), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem),
))]
pub async fn change_contact(
    State(state): State<AppState>,
    caller: Caller,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    ApiJson(body): ApiJson<ContactChange>,
) -> ApiResult<Json<MeView>> {
    let address = crate::auth::client_address(peer);
    let (email, phone) = (body.email.as_deref(), body.phone.as_deref());
    ops::change_contact(&state, &caller, body.current_password, email, phone, &address).await?;
    crate::api::auth::me_again(state, caller).await
}

/// Changes the name the caller is shown by: everywhere they are named, at once.
#[utoipa::path(put, path = "/api/v1/me/name", tag = "auth", request_body = NameChange, security(("bearer" = [])), responses(
    (status = 200, body = MeView), (status = 401, body = Problem), (status = 422, body = Problem),
))]
pub async fn change_name(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NameChange>,
) -> ApiResult<Json<MeView>> {
    ops::change_name(&state, &caller, &body.name).await?;
    crate::api::auth::me_again(state, caller).await
}

/// The caller's live sessions and API tokens, newest first.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = [SessionView]), (status = 401, body = Problem),
))]
pub async fn sessions(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<SessionView>>> {
    ops::sessions(&state, &caller).await.map(Json)
}

/// Ends every session and token of the caller's but the one in use.
#[utoipa::path(delete, path = "/api/v1/me/sessions", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = Ended), (status = 401, body = Problem),
))]
pub async fn end_other_sessions(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Ended>> {
    ops::end_other_sessions(&state, &caller).await.map(|n| Json(Ended { sessions_ended: n }))
}

/// Ends one of the caller's sessions or tokens (another user's is not found).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "auth", params(("id" = String, Path)), security(("bearer" = [])), responses(
    (status = 204, description = "Ended"), (status = 401, body = Problem), (status = 404, body = Problem),
))]
pub async fn end_session(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    ops::end_session(&state, &caller, id).await.map(|()| StatusCode::NO_CONTENT)
}

/// Everything kept about the caller, to download: account, issues raised, steps taken,
/// support, photos, sessions, what the audit trail records them doing.
#[utoipa::path(get, path = "/api/v1/me/data", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = MyData), (status = 401, body = Problem),
))]
pub async fn data(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MyData>> {
    ops::export(&state, &caller).await.map(Json)
}

/// Closes the caller's account (the password confirms it): name, login, phone and e-mail
/// go, every session ends; their issues stay under "已注销用户". Not for administrators (403).
#[utoipa::path(delete, path = "/api/v1/me", tag = "auth", request_body = CloseAccount, security(("bearer" = [])), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    (status = 429, body = Problem),
))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    ApiJson(body): ApiJson<CloseAccount>,
) -> ApiResult<StatusCode> {
    let address = crate::auth::client_address(peer);
    ops::close(&state, &caller, body.password, &address).await?;
    Ok(StatusCode::NO_CONTENT)
}
