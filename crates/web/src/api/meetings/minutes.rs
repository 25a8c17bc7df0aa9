//! Minutes of a closed meeting: the document, amending the draft, publishing, addenda.

use crate::api::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use roundtable_core::MeetingId;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use crate::ops::meetings::minutes as ops;
use crate::ops::meetings::review;
use crate::state::AppState;
use crate::views::meetings::{
    AnswerBody, CorrectionBody, CorrectionView, FormatQuery, MinutesText, Rendering, ReviewView, RevisionView,
};

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

/// Publishes the minutes (locking them) and notifies every participating organisation;
/// refused (409) while a correction the parties asked is unanswered.
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

/// The parties' review of the draft: its last day, whether the caller may ask for a
/// correction now, and every correction asked with its answer. For secretaries,
/// administrators and the members of the organisations that attended.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/minutes/corrections", tag = "meetings", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses(
    (status = 200, body = ReviewView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem),
))]
pub async fn corrections(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ReviewView>> {
    review::review(&state, &caller, MeetingId(id)).await.map(Json)
}

/// Asks for a correction of the draft minutes, for the caller's organisation that
/// attended, until the review's last day (`meeting.minutes_review_days` after the close).
/// The same text sent again by the same person is the first correction.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes/corrections", tag = "meetings", params(("id" = Uuid, Path)),
    request_body = CorrectionBody, security(("bearer" = [])), responses(
    (status = 201, body = CorrectionView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
))]
pub async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CorrectionBody>,
) -> ApiResult<(StatusCode, Json<CorrectionView>)> {
    Ok((StatusCode::CREATED, Json(review::ask(&state, &caller, MeetingId(id), body).await?)))
}

/// Answers a correction (secretaries and administrators): `accepted` or `declined`, with
/// a reply; it may be answered again until the minutes are published, which needs every
/// correction answered.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/minutes/corrections/{correction}", tag = "meetings",
    params(("id" = Uuid, Path), ("correction" = Uuid, Path)), request_body = AnswerBody, security(("bearer" = [])), responses(
    (status = 200, body = CorrectionView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, correction)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> ApiResult<Json<CorrectionView>> {
    review::answer(&state, &caller, MeetingId(id), correction, body).await.map(Json)
}
