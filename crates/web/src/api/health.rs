//! `/healthz`: the process answers. `/readyz`: and so does the database.

use crate::api::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` (the process) or `ready` (and the database).
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "Up", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database answers too.
#[utoipa::path(get, path = "/readyz", tag = "health", responses(
    (status = 200, description = "Ready", body = Health),
    (status = 503, description = "The database is not reachable", body = crate::error::Problem),
))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    let db = state.db.clone();
    tokio::task::spawn_blocking(move || db.ping())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|_| ApiError::Unavailable("the database is not reachable".into()))?;
    Ok(Json(Health { status: "ready" }))
}
