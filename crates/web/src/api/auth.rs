//! Signing in for a bearer token, signing out, and who am I.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::api::Json;
use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use chrono::TimeDelta;
use roundtable_store::{directory, tokens};

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiJson, ApiResult, Problem};
use crate::state::AppState;
use crate::views::{CommunityView, MeView, OrganisationView, TokenRequest, TokenResponse, UserView};

const WRONG: &str = "wrong login or password";

/// Exchanges a login and password for a bearer token.
///
/// An unknown login and a wrong password get the same answer. Repeated failures of one
/// login from one address are refused for the rest of the window; failures of a login
/// from anywhere, or from one address for any login, slow further attempts down (429
/// with Retry-After), except from an address the login has signed in from before.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest, responses(
    (status = 201, body = TokenResponse),
    (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem),
))]
pub async fn create_token(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<TokenResponse>)> {
    let address = crate::auth::client_address(peer);
    let ttl = TimeDelta::hours(state.config.auth.token_ttl_hours);
    let (token, expires_at) = sign_in(&state, &req.login, req.password, &address, ttl).await?;
    Ok((StatusCode::CREATED, Json(TokenResponse { token, token_type: "Bearer".into(), expires_at })))
}

/// Checks a login and password and issues a token valid for `ttl` (the API's bearer
/// tokens and the pages' sessions alike).
pub async fn sign_in(
    state: &AppState,
    login: &str,
    password: String,
    client: &crate::auth::Client,
    ttl: TimeDelta,
) -> ApiResult<(String, chrono::DateTime<chrono::Utc>)> {
    let login = login.trim().to_owned();
    if login.is_empty() {
        return Err(ApiError::field("login", "empty", "`login` must not be empty"));
    }
    // Refused before anything is hashed, counted or kept in memory.
    if login.chars().count() > auth::LOGIN_MAX_CHARS {
        return Err(ApiError::too_long("login", auth::LOGIN_MAX_CHARS));
    }
    if password.chars().count() > auth::PASSWORD_MAX_CHARS {
        return Err(ApiError::too_long("password", auth::PASSWORD_MAX_CHARS));
    }
    if let Some(wait) = state.throttle.check(&login, client) {
        return Err(ApiError::TooManyRequests(wait));
    }
    let (lookup, phone) = (login.clone(), roundtable_core::text::phone(&login));
    let found = state.db.run(move |conn| directory::user_for_sign_in(conn, &lookup, phone.as_deref())).await?;
    let (user, hash) = match found {
        Some((user, hash)) if !user.disabled => (Some(user), hash),
        _ => (None, auth::dummy_hash().to_owned()),
    };
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(user) = user.filter(|_| ok) else {
        state.throttle.record_failure(&login, client);
        tracing::info!(%login, %client, "failed sign-in");
        return Err(ApiError::Unauthorized(WRONG));
    };
    state.throttle.record_success(&login, client);
    let (token, hash) = auth::new_token();
    let now = state.now();
    let expires_at = now + ttl;
    let id = uuid::Uuid::now_v7().to_string();
    state
        .db
        .write(move |conn| tokens::insert_token(conn, &id, user.id, user.community, &hash, now, expires_at))
        .await?;
    Ok((token, expires_at))
}

/// Revokes the token used for this request.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "Revoked"), (status = 401, body = Problem),
))]
pub async fn delete_token(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    let now = state.now();
    state.auth_cache.evict(&caller);
    state.db.write(move |conn| tokens::revoke_token(conn, &caller.token_id, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user, their community and organisations.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = MeView), (status = 401, body = Problem),
))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MeView>> {
    let user = caller.user.clone();
    let (community, orgs) = state
        .db
        .run(move |conn| {
            let community = directory::get_community(conn, user.community)?;
            let orgs = directory::organisations(conn, user.community)?;
            Ok((community, orgs))
        })
        .await?;
    let organisations =
        orgs.iter().filter(|o| caller.user.organisations.contains(&o.id)).map(OrganisationView::from).collect();
    Ok(Json(MeView {
        user: UserView::from(&*caller.user),
        community: CommunityView {
            id: community.id.0,
            name: community.name,
            time_zone: community.time_zone.name().into(),
            default_locale: community.default_locale,
        },
        organisations,
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// `zh-CN` or `en`; `null` follows the community's language; left out, unchanged.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<crate::views::names::Locale>)]
    pub locale: Option<Option<String>>,
}

/// A field that is there, even as `null` (`Some(None)`), apart from one left out (`None`,
/// by `serde(default)`): a PATCH changes only what it names.
fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// Sets the signed-in user's language for mail and pages.
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth", request_body = Preferences, security(("bearer" = [])), responses(
    (status = 200, body = MeView), (status = 401, body = Problem), (status = 422, body = Problem),
))]
pub async fn update_me(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(prefs): ApiJson<Preferences>,
) -> ApiResult<Json<MeView>> {
    let Some(locale) = prefs.locale else { return me(State(state), caller).await };
    if let Some(l) = locale.as_deref().filter(|l| !crate::i18n::LOCALES.contains(l)) {
        return Err(ApiError::field("locale", "invalid", format!("`locale` is zh-CN or en, not `{l}`")));
    }
    let user = caller.user.id;
    state.db.write(move |conn| directory::set_locale(conn, user, locale.as_deref())).await?;
    state.auth_cache.evict(&caller);
    me_again(state, caller).await
}

/// The caller as just changed: read again, not as the request found them.
pub async fn me_again(state: AppState, mut caller: Caller) -> ApiResult<Json<MeView>> {
    let user = caller.user.id;
    caller.user = Arc::new(state.db.run(move |conn| directory::get_user(conn, user)).await?);
    me(State(state), caller).await
}
