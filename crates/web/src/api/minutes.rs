//! Minutes of a closed meeting: read as HTML or Markdown, amended as drafts by the
//! secretary, published (locked, participants notified), corrected by dated addenda.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use roundtable_core::{MeetingId, MeetingStatus};
use roundtable_store::{StoreError, meetings, minutes};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use crate::state::AppState;

/// The formats documents come in, as `format=` names them.
pub const FORMATS: [&str; 2] = ["html", "md"];

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `html` (default, print-ready) or `md`.
    #[param(value_type = Option<crate::views::names::DocumentFormat>)]
    pub format: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesText {
    /// The secretary's remarks (drafts) or the correction (addenda); up to 10,000 characters.
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct RevisionView {
    pub revision: i32,
    /// draft, published or addendum
    pub status: String,
}

fn manages(caller: &Caller) -> bool {
    super::meetings::manage(caller).is_ok()
}

async fn closed_meeting(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<meetings::MeetingRecord> {
    let record = super::meetings::record(state, caller, id).await?;
    if record.meeting.status != MeetingStatus::Closed {
        return Err(ApiError::Conflict { detail: "minutes come after the meeting is closed".into(), current: None });
    }
    Ok(record)
}

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
    let markdown = q.markdown()?;
    let record = closed_meeting(&state, &caller, id).await?;
    let tz = caller.tz;
    let doc = state.db.run(move |conn| crate::documents::assemble(conn, &record, tz)).await?;
    if !doc.published && !manages(&caller) {
        return Err(ApiError::NotFound("these minutes are not published yet".into()));
    }
    document(&state, "minutes", markdown, &doc)
}

impl FormatQuery {
    fn markdown(&self) -> ApiResult<bool> {
        match self.format.as_deref() {
            None | Some("html") => Ok(false),
            Some("md") => Ok(true),
            Some(other) => Err(ApiError::field("format", "invalid", format!("`format` is html or md, not `{other}`"))),
        }
    }
}

/// A rendered document with its content type.
fn document(state: &AppState, name: &str, markdown: bool, doc: &impl Serialize) -> ApiResult<Response> {
    let body = state.minutes.render(name, markdown, doc).map_err(ApiError::Internal)?;
    let kind = if markdown { "text/markdown; charset=utf-8" } else { "text/html; charset=utf-8" };
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    Ok(response)
}

/// The agenda as HTML (with print CSS) or Markdown: drafts for secretaries and
/// administrators, published agendas for everyone in the community.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/agenda", tag = "meetings", params(("id" = Uuid, Path), FormatQuery),
    security(("bearer" = [])), responses(
    (status = 200, description = "The agenda", content((String = "text/html"), (String = "text/markdown"))),
    (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
))]
pub async fn agenda(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let markdown = q.markdown()?;
    let record = super::meetings::record(&state, &caller, id).await?;
    let visible = record.agenda_status == "published" || (record.agenda_status == "draft" && manages(&caller));
    if !visible {
        return Err(ApiError::NotFound("this meeting has no agenda you can see yet".into()));
    }
    let tz = caller.tz;
    let doc = state.db.run(move |conn| crate::documents::assemble_agenda(conn, &record, tz)).await?;
    document(&state, "agenda", markdown, &doc)
}

async fn add(
    state: AppState,
    caller: Caller,
    id: Uuid,
    status: &'static str,
    text: String,
) -> ApiResult<Json<RevisionView>> {
    if !manages(&caller) {
        return Err(ApiError::Forbidden("only secretaries and administrators write minutes".into()));
    }
    let text = roundtable_core::text::trim(&text).to_owned();
    if text.chars().count() > 10_000 || (status == "addendum" && text.is_empty()) {
        return Err(ApiError::field("text", "invalid", "1–10,000 characters"));
    }
    let record = closed_meeting(&state, &caller, id).await?;
    let (by, now) = (caller.user.id, state.now());
    let revision = state
        .db
        .write(move |conn| minutes::add_revision(conn, &record.meeting, status, &text, by, now))
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } if status == "addendum" => ApiError::Conflict {
                detail: "addenda follow publication; amend the draft instead".into(),
                current: None,
            },
            StoreError::Conflict { .. } => ApiError::Conflict {
                detail: "published minutes are locked; add a dated addendum".into(),
                current: None,
            },
            other => other.into(),
        })?;
    Ok(Json(RevisionView { revision, status: status.into() }))
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
    add(state, caller, id, "draft", body.text).await
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
    let last_remarks = {
        let meeting = MeetingId(id);
        state
            .db
            .run(move |conn| minutes::revisions(conn, meeting))
            .await?
            .into_iter()
            .rev()
            .find(|r| r.status == "draft")
            .map(|r| r.body)
    };
    add(state, caller, id, "published", last_remarks.unwrap_or_default()).await
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
    add(state, caller, id, "addendum", body.text).await
}
