//! Minutes of a closed meeting: the document, amending the draft, publishing, addenda.

use crate::api::Json;
use axum::extract::State;
use axum::response::Response;
use roundtable_core::MeetingId;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use crate::ops::meetings::minutes as ops;
use crate::state::AppState;
use crate::views::meetings::{FormatQuery, MinutesText, Rendering, RevisionView};

/// The minutes as HTML (with print CSS) or Markdown. Drafts are for secretaries and
/// administrators; everyone in the community reads published minutes.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/minutes", tag = "meetings", params(("id" = Uuid, Path), FormatQuery),
    security(("bearer" = [])), responses(
    (status = 200, description = "The minutes", content((String = "text/html"), (String = "text/markdown"))),
    (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let format = q.format.unwrap_or_default();
    Ok(super::document(
        ops::document(&state, &caller, MeetingId(id), Rendering { format, lang: caller.lang() }).await?,
        format,
    ))
}

/// Amends the draft: the secretary's remarks, as a new revision.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/minutes", tag = "meetings", params(("id" = Uuid, Path)), request_body = MinutesText,
    security(("bearer" = [])), responses(
    (status = 200, body = RevisionView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
))]
pub async fn amend(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<MinutesText>,
) -> ApiResult<Json<RevisionView>> {
    ops::amend(&state, &caller, MeetingId(id), &body.text).await.map(Json)
}

/// Publishes the minutes (locking them) and notifies every participating organisation.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes/publish", tag = "meetings", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses(
    (status = 200, body = RevisionView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem),
))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RevisionView>> {
    ops::publish(&state, &caller, MeetingId(id)).await.map(Json)
}

/// Adds a dated correction to published minutes.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes/addenda", tag = "meetings", params(("id" = Uuid, Path)), request_body = MinutesText,
    security(("bearer" = [])), responses(
    (status = 200, body = RevisionView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
))]
pub async fn addendum(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<MinutesText>,
) -> ApiResult<Json<RevisionView>> {
    ops::addendum(&state, &caller, MeetingId(id), &body.text).await.map(Json)
}
