//! Open311 keys (`/api/v1/open311/keys`): administrators issue, list and revoke them.

use crate::api::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use roundtable_core::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiResult, Problem};
use crate::ops::keys::{self as ops, KeyShown};
use crate::state::AppState;

/// `{name, account}`: whose client it is (1–100 characters), and the account its requests
/// are raised as (a secretary's or an administrator's).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyBody {
    pub name: String,
    pub account: Uuid,
}

/// A key; `key` itself only in the answer that issued it.
#[derive(Serialize, ToSchema)]
pub struct KeyView {
    pub id: String,
    pub name: String,
    pub account: Uuid,
    pub account_name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// The `api_key` for the client: shown once, never stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl KeyView {
    pub fn new(k: &KeyShown, secret: Option<String>) -> KeyView {
        KeyView {
            id: k.key.id.clone(),
            name: k.key.name.clone(),
            account: k.key.user.0,
            account_name: k.account_name.clone(),
            created_at: k.key.created_at,
            revoked_at: k.key.revoked_at,
            last_used_at: k.key.last_used_at,
            key: secret,
        }
    }
}

/// Issues an Open311 key (administrators). The answer holds the key; it is not shown again.
#[utoipa::path(post, path = "/api/v1/open311/keys", tag = "auth", request_body = KeyBody, security(("bearer" = [])), responses(
    (status = 201, body = KeyView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<KeyBody>,
) -> ApiResult<(StatusCode, Json<KeyView>)> {
    let issued = ops::issue(&state, &caller, &body.name, UserId(body.account)).await?;
    Ok((StatusCode::CREATED, Json(KeyView::new(&issued.shown, Some(issued.secret)))))
}

/// The community's Open311 keys, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/open311/keys", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = [KeyView]), (status = 401, body = Problem), (status = 403, body = Problem),
))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<KeyView>>> {
    Ok(Json(ops::list(&state, &caller).await?.iter().map(|k| KeyView::new(k, None)).collect()))
}

/// Revokes an Open311 key: its requests are refused (403) at once.
#[utoipa::path(delete, path = "/api/v1/open311/keys/{id}", tag = "auth", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    ops::revoke(&state, &caller, &id.to_string()).await?;
    Ok(StatusCode::NO_CONTENT)
}
