//! `GET /api/v1/audit`: the trail of meetings, accounts, organisations and support.

use crate::api::Json;
use axum::extract::State;

use crate::auth::Caller;
use crate::error::{ApiQuery, ApiResult, Problem};
use crate::ops::audit as ops;
use crate::state::AppState;
use crate::views::audit::{AuditList, AuditQuery};

/// What changed outside the issues' own timelines — meeting actions, accounts and
/// organisations, support — with who and when, newest first (secretaries, administrators).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), security(("bearer" = [])), responses(
    (status = 200, body = AuditList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditList>> {
    ops::list(&state, &caller, q).await.map(Json)
}
