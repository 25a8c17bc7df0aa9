//! The tracker's routes: list, raise, read, transition, timeline, support. Each handler
//! reads the request and answers with what `ops::issues` did.

use crate::api::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use roundtable_core::IssueId;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use crate::ops::issues as ops;
use crate::ops::ledger::Form;
use crate::state::AppState;
use crate::views::meetings::IssueMeetingView;
use crate::views::{
    CommitmentRecordView, EventView, IssueList, IssueSummary, IssueView, ListQuery, NewIssueBody, SimilarQuery,
    SupportView, TransitionBody,
};

/// Lists the issues the caller may see, filtered, one page at a time.
#[utoipa::path(get, path = "/api/v1/issues", tag = "issues", params(ListQuery), security(("bearer" = [])), responses(
    (status = 200, body = IssueList), (status = 400, body = Problem), (status = 401, body = Problem),
    (status = 403, body = Problem), (status = 422, body = Problem),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<IssueList>> {
    ops::list(&state, &caller, q).await.map(Json)
}

/// Raises a new issue in a compound of the caller's community.
///
/// With an `Idempotency-Key` the raise happens at most once: sent again with the same key and the same content (a
/// retry after a lost answer), it answers as the first did, with `Idempotent-Replayed: true`
/// and nothing new stored; the same key with other content is a 422.
#[utoipa::path(post, path = "/api/v1/issues", tag = "issues", request_body = NewIssueBody, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters (a UUID, say), plain or as a quoted string: the raise happens once")),
    responses(
    (status = 201, body = IssueView, headers(("Location" = String), ("Idempotent-Replayed" = String, description = "`true` when a raise with this key had made the issue before"))),
    (status = 400, body = Problem), (status = 401, body = Problem),
    (status = 403, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    request: HeaderMap,
    ApiJson(body): ApiJson<NewIssueBody>,
) -> ApiResult<(StatusCode, HeaderMap, Json<IssueView>)> {
    let raised = ops::raise_once(&state, &caller, body, idempotency_key(&request)?).await?;
    let (view, mut headers) = raised_reply(raised)?;
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/issues/{}", view.id)) {
        headers.insert(header::LOCATION, location);
    }
    Ok((StatusCode::CREATED, headers, Json(view)))
}

/// The `Idempotency-Key` a request was sent with, if any.
pub(crate) fn idempotency_key(request: &HeaderMap) -> ApiResult<Option<String>> {
    request.get(ops::KEY_HEADER).map(|v| ops::raise_key(v.to_str().unwrap_or_default())).transpose()
}

/// A keyed raise's issue and the headers that say whether it was made before (a key sent
/// with other content is refused).
pub(crate) fn raised_reply(raised: ops::Raised) -> ApiResult<(IssueView, HeaderMap)> {
    let (view, again) = raised.issue()?;
    Ok((view, replay_headers(again)))
}

/// `Idempotent-Replayed: true` when a keyed request was answered before.
fn replay_headers(again: bool) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if again {
        headers.insert(REPLAYED, HeaderValue::from_static("true"));
    }
    headers
}

/// The header that says a keyed request was answered before (the IETF draft's).
pub(crate) const REPLAYED: &str = "idempotent-replayed";

/// One issue, with its version and the transitions the caller may fire now.
#[utoipa::path(get, path = "/api/v1/issues/{id}", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = IssueView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<IssueView>> {
    ops::get(&state, &caller, IssueId(id)).await.map(Json)
}

/// Fires a transition (`assign`, `commit`, `resolve`, `verify`, `reopen`, …) on an issue
/// seen at `version`.
///
/// With an `Idempotency-Key` the transition fires at most once: sent again with the same key and the same request (a
/// retry after a lost answer, its version stale by then), it answers the issue as it is now, with
/// `Idempotent-Replayed: true` and nothing done; the same key with another request is a 422.
#[utoipa::path(post, path = "/api/v1/issues/{id}/transitions", tag = "issues",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters (a UUID, say), plain or as a quoted string: the transition fires once")),
    request_body = TransitionBody, security(("bearer" = [])), responses(
    (status = 200, body = IssueView, headers(("Idempotent-Replayed" = String, description = "`true` when a transition with this key had fired before"))),
    (status = 400, body = Problem), (status = 401, body = Problem),
    (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
    (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
))]
pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    request: HeaderMap,
    ApiJson(body): ApiJson<TransitionBody>,
) -> ApiResult<(HeaderMap, Json<IssueView>)> {
    let key = idempotency_key(&request)?;
    let (view, again) = ops::transition_once(&state, &caller, IssueId(id), body, key).await?;
    Ok((replay_headers(again), Json(view)))
}

/// The issue's timeline, oldest first: who did what, when, with which values.
#[utoipa::path(get, path = "/api/v1/issues/{id}/events", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = [EventView]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<EventView>>> {
    ops::events(&state, &caller, IssueId(id)).await.map(Json)
}

/// Open issues like one about to be raised ("support this one instead?"): at most five
/// sharing at least a quarter of the title's words or character pairs, the compound's first.
#[utoipa::path(get, path = "/api/v1/issues/similar", tag = "issues", params(SimilarQuery), security(("bearer" = [])), responses(
    (status = 200, body = [IssueSummary]), (status = 401, body = Problem), (status = 422, body = Problem),
))]
pub async fn similar(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SimilarQuery>,
) -> ApiResult<Json<Vec<IssueSummary>>> {
    ops::similar(&state, &caller, &q.title, q.compound.map(roundtable_core::CompoundId)).await.map(Json)
}

/// The issue's commitment history, oldest first: each promise and each extension (延期)
/// with the date it moved from, the reason, who granted it and at which meeting.
#[utoipa::path(get, path = "/api/v1/issues/{id}/commitments", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = [CommitmentRecordView]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn commitments(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<CommitmentRecordView>>> {
    ops::commitments(&state, &caller, IssueId(id)).await.map(Json)
}

/// The meetings whose agendas listed the issue, oldest first, and what each did with it:
/// why it was listed, the outcome (a commitment on the spot, a decision and the day it is
/// heard again, a deferral; none at a closed meeting: not reached, carried on), and the
/// outcome's words once the minutes are published. Agendas still in draft only for
/// secretaries and administrators; an upcoming agenda that lists it says when it comes up.
#[utoipa::path(get, path = "/api/v1/issues/{id}/meetings", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = [IssueMeetingView]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn meetings(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<IssueMeetingView>>> {
    crate::ops::meetings::of_issue(&state, &caller, IssueId(id)).await.map(Json)
}

/// Adds the caller's support ("me too"); supporting twice counts once. Not for one's own
/// issue, one the caller's organisation is responsible for, nor a closed one (409).
#[utoipa::path(put, path = "/api/v1/issues/{id}/support", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = SupportView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 409, body = Problem),
))]
pub async fn support(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SupportView>> {
    ops::support(&state, &caller, IssueId(id), true).await.map(Json)
}

/// Withdraws the caller's support.
#[utoipa::path(delete, path = "/api/v1/issues/{id}/support", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = SupportView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn withdraw_support(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SupportView>> {
    ops::support(&state, &caller, IssueId(id), false).await.map(Json)
}

/// The issue ledger (台账) as CSV (UTF-8 with a byte-order mark), filtered like the list,
/// oldest first, in the caller's language; streamed, so any number of rows.
#[utoipa::path(get, path = "/api/v1/issues/ledger", tag = "issues", params(ListQuery), security(("bearer" = [])), responses(
    (status = 200, description = "The ledger", content(("text/csv"))),
    (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
))]
pub async fn ledger(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<axum::response::Response> {
    ledger_response(&state, &caller, q, caller.lang(), Form::Csv).await
}

/// The issue ledger (台账) as an Excel workbook: the same rows and columns as the CSV.
#[utoipa::path(get, path = "/api/v1/issues/ledger.xlsx", tag = "issues", params(ListQuery), security(("bearer" = [])), responses(
    (status = 200, description = "The ledger", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
))]
pub async fn ledger_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<axum::response::Response> {
    ledger_response(&state, &caller, q, caller.lang(), Form::Xlsx).await
}

/// The ledger of what `q` lists for `caller`, downloaded in `form` (the API's and the
/// pages' downloads, the street office's too).
pub async fn ledger_response(
    state: &AppState,
    caller: &Caller,
    q: ListQuery,
    lang: &'static str,
    form: Form,
) -> ApiResult<axum::response::Response> {
    let name = download_name(state, caller, lang, form);
    Ok(match form {
        Form::Csv => csv_response(crate::ops::ledger::csv(state, caller, q, lang).await?, name),
        Form::Xlsx => xlsx_response(crate::ops::ledger::xlsx(state, caller, q, lang).await?, name),
    })
}

/// The ledger's file name: the community's and today's (a secretary downloads one a month,
/// and "ledger (3).csv" says neither), in the reader's language as RFC 6266's `filename*`,
/// with an ASCII `filename` for clients that read only that.
fn download_name(state: &AppState, caller: &Caller, lang: &str, form: Form) -> HeaderValue {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    let date = state.now().with_timezone(&caller.tz()).format("%Y-%m-%d").to_string();
    let ext = match form {
        Form::Csv => "csv",
        Form::Xlsx => "xlsx",
    };
    let community = caller.community.name.clone();
    let named = state.pages.locales.text(lang, "ledger.file_name", &[("community", community), ("date", date.clone())]);
    // A name is no path: separators and quotes out, whatever a community is called.
    let named: String = named.chars().map(|c| if c.is_control() || "/\\\"".contains(c) { '_' } else { c }).collect();
    let value = format!(
        "attachment; filename=\"ledger-{date}.{ext}\"; filename*=UTF-8''{}.{ext}",
        utf8_percent_encode(&named, ATTR_CHAR)
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A workbook download.
pub fn xlsx_response(workbook: Vec<u8>, name: HeaderValue) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut r = workbook.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    h.insert(header::CONTENT_DISPOSITION, name);
    r
}

/// A streamed CSV download.
pub fn csv_response(
    stream: impl futures_util::Stream<Item = Result<axum::body::Bytes, String>> + Send + 'static,
    name: HeaderValue,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body =
        axum::body::Body::from_stream(futures_util::StreamExt::map(stream, |r| r.map_err(std::io::Error::other)));
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, name);
    r
}
