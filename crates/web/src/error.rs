//! Every error a client sees is `application/problem+json` (RFC 9457): a status, a short
//! title, a detail, and where it helps a field list or the current version.

use axum::Json;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roundtable_core::{Denial, FieldError};
use roundtable_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem with one field of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct FieldProblem {
    /// The field, e.g. `due_date` or `title`.
    pub field: String,
    /// A machine-readable code: `missing`, `not_accepted`, `empty`, `too_long`, `in_past`, …
    pub problem: String,
    /// A sentence for people.
    pub message: String,
    /// With `too_long` of a text: how many characters it may have (the pages say it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<u32>,
    /// With `too_short` of a text: how many characters it needs at least.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_chars: Option<u32>,
    /// With `out_of_range` of a number: the least it may be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// With `out_of_range` of a number: the most it may be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Of a field that holds several things (a line of a list): the one refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

impl FieldProblem {
    pub fn new(field: &str, problem: &str, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.into(),
            problem: problem.into(),
            message: message.into(),
            max_chars: None,
            min_chars: None,
            min: None,
            max: None,
            item: None,
        }
    }

    /// The same problem, naming the item of the field it is about (its first 100
    /// characters: enough to find the line).
    pub fn of_item(self, item: &str) -> Self {
        let mut shown: String = item.chars().take(100).collect();
        if shown.len() < item.len() {
            shown.push('…');
        }
        FieldProblem { item: Some(shown), ..self }
    }

    /// A text shorter than `min` characters.
    pub fn too_short(field: &str, min: usize) -> Self {
        FieldProblem {
            min_chars: Some(chars(min)),
            ..FieldProblem::new(field, "too_short", format!("`{field}` needs at least {min} characters"))
        }
    }

    /// A number outside `min..=max`.
    pub fn out_of_range(field: &str, min: i64, max: i64) -> Self {
        FieldProblem {
            min: Some(min),
            max: Some(max),
            ..FieldProblem::new(field, "out_of_range", format!("`{field}` must be between {min} and {max}"))
        }
    }

    /// A text longer than `max` characters.
    pub fn too_long(field: &str, max: usize) -> Self {
        FieldProblem {
            max_chars: Some(chars(max)),
            ..FieldProblem::new(field, "too_long", format!("`{field}` is longer than {max} characters"))
        }
    }
}

/// A count of characters as the field list carries it (kept small: every refusal moves
/// its problems around).
fn chars(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<&FieldError> for FieldProblem {
    fn from(e: &FieldError) -> Self {
        let code = serde_json::to_value(&e.problem)
            .ok()
            .and_then(|v| v.get("problem").and_then(|p| p.as_str()).map(str::to_owned))
            .unwrap_or_default();
        let mut problem = FieldProblem::new(&e.field.to_string(), &code, e.to_string());
        match e.problem {
            roundtable_core::FieldProblem::TooLong { max_chars } => problem.max_chars = Some(chars(max_chars)),
            roundtable_core::FieldProblem::OutOfRange { min, max } => {
                (problem.min, problem.max) = (Some(min), Some(max))
            }
            _ => {}
        }
        problem
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:roundtable:problem:<slug>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// On 409: the version the issue is at now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u32>,
    /// On a 409 of the meeting's lifecycle: why, as a stable code (`too_early`,
    /// `agenda_not_published`, `not_open`, `outside_month`, `another_open`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::views::names::RefusalName>)]
    pub code: Option<roundtable_core::Refusal>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in first: send `Authorization: Bearer <token>`")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{detail}")]
    Conflict { detail: String, current: Option<u32> },
    /// The meeting's lifecycle does not allow this step now.
    #[error("{detail}")]
    Refused { code: roundtable_core::Refusal, detail: String },
    #[error("this method is not allowed on this route")]
    MethodNotAllowed,
    #[error("the request body is larger than this server accepts")]
    TooLarge,
    #[error("send the body as JSON with `Content-Type: application/json`")]
    UnsupportedMediaType,
    /// A photo refused: 413 (too large), 415 (not an image we take) or 422.
    #[error("{0}")]
    Photo(crate::photos::PhotoError),
    /// A body of a kind this route does not take, saying which it does.
    #[error("{0}")]
    UnsupportedPart(String),
    #[error("{detail}")]
    Invalid { detail: String, errors: Vec<FieldProblem> },
    #[error("too many failed attempts; try again in {0} seconds")]
    TooManyRequests(u64),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// A refusal of the meeting's lifecycle, with its reason for people.
    pub fn refused(code: roundtable_core::Refusal, detail: impl Into<String>) -> Self {
        ApiError::Refused { code, detail: detail.into() }
    }

    pub fn invalid(errors: Vec<FieldProblem>) -> Self {
        let detail = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ");
        ApiError::Invalid { detail, errors }
    }

    pub fn field(field: &str, problem: &str, message: impl Into<String>) -> Self {
        ApiError::invalid(vec![FieldProblem::new(field, problem, message)])
    }

    /// The same refusal in the words of a caller that sent other names: each field
    /// `(ours, theirs)` is named `theirs`, in its message too.
    pub fn renamed(self, names: &[(&str, &str)]) -> Self {
        let ApiError::Invalid { errors, .. } = self else { return self };
        let errors = errors
            .into_iter()
            .map(|mut e| {
                if let Some((ours, theirs)) = names.iter().find(|(ours, _)| *ours == e.field) {
                    e.message = e.message.replace(&format!("`{ours}`"), &format!("`{theirs}`"));
                    e.field = (*theirs).to_owned();
                }
                e
            })
            .collect();
        ApiError::invalid(errors)
    }

    /// A text longer than `max` characters.
    pub fn too_long(field: &str, max: usize) -> Self {
        ApiError::invalid(vec![FieldProblem::too_long(field, max)])
    }

    /// A number outside `min..=max`.
    pub fn out_of_range(field: &str, min: i64, max: i64) -> Self {
        ApiError::invalid(vec![FieldProblem::out_of_range(field, min, max)])
    }

    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Malformed request"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", "Not signed in"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::Conflict { .. } => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::Refused { .. } => (StatusCode::CONFLICT, "refused", "Not now"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too-large", "Request body too large"),
            ApiError::Photo(p) => match p {
                crate::photos::PhotoError::TooLarge { .. } => {
                    (StatusCode::PAYLOAD_TOO_LARGE, "too-large", "Request body too large")
                }
                crate::photos::PhotoError::NotAnImage | crate::photos::PhotoError::Heic => {
                    (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type")
                }
                _ => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", "Invalid request"),
            },
            ApiError::UnsupportedMediaType | ApiError::UnsupportedPart(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type")
            }
            ApiError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", "Invalid request"),
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "too-many-requests", "Too many requests"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, slug, title) = self.parts();
        if let ApiError::Internal(cause) = &self {
            // The cause goes to the log, never to the client.
            tracing::error!(%cause, "internal error");
        }
        let problem = Problem {
            kind: format!("urn:roundtable:problem:{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: match &self {
                ApiError::Unauthorized(why) => why.to_string(),
                other => other.to_string(),
            },
            errors: match &self {
                ApiError::Invalid { errors, .. } => errors.clone(),
                ApiError::Photo(p) => vec![FieldProblem::new("photo", p.code(), p.to_string())],
                _ => Vec::new(),
            },
            current_version: match &self {
                ApiError::Conflict { current, .. } => *current,
                _ => None,
            },
            code: match &self {
                ApiError::Refused { code, .. } => Some(*code),
                _ => None,
            },
        };
        let mut response = (status, Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let ApiError::TooManyRequests(secs) = self {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<crate::photos::PhotoError> for ApiError {
    fn from(e: crate::photos::PhotoError) -> Self {
        ApiError::Photo(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("no such record".into()),
            StoreError::Conflict { current } => ApiError::Conflict {
                detail: format!("someone changed the issue first; it is now at version {current}: reload and retry"),
                current: Some(current),
            },
            StoreError::BadCursor => ApiError::field("cursor", "invalid", "the cursor is not one this list gave out"),
            StoreError::UnknownItem(_) => ApiError::field("order", "unknown", e.to_string()),
            StoreError::Protected(_) => ApiError::field("drop", "protected", e.to_string()),
            StoreError::Duplicate(what) => {
                ApiError::Conflict { detail: format!("{what} already exists"), current: None }
            }
            StoreError::InUse(what) => ApiError::Conflict { detail: format!("{what} is in use"), current: None },
            StoreError::Unanswered(n) => ApiError::refused(
                roundtable_core::Refusal::CorrectionsUnanswered,
                format!(
                    "{n} correction(s) the parties asked of the draft are unanswered: accept or decline each before publishing"
                ),
            ),
            StoreError::Settled(_) => crate::ops::meetings::refusal(roundtable_core::Refusal::OutcomeStands, 0),
            StoreError::Pool(_) | StoreError::Unavailable { .. } => {
                tracing::warn!(error = %e, "database unavailable");
                ApiError::Unavailable("the database is not reachable right now; nothing was changed".into())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<crate::jobs::agenda::AgendaError> for ApiError {
    fn from(e: crate::jobs::agenda::AgendaError) -> Self {
        use crate::jobs::agenda::AgendaError as E;
        match e {
            E::NoSuchMeeting(_) => ApiError::NotFound(e.to_string()),
            E::NotDraft => ApiError::Conflict { detail: e.to_string(), current: None },
            E::Store(store) => store.into(),
        }
    }
}

impl From<Denial> for ApiError {
    fn from(d: Denial) -> Self {
        match &d {
            Denial::OtherCommunity => ApiError::NotFound("no such issue".into()),
            Denial::UnknownTransition { .. } => ApiError::field("transition", "unknown", d.to_string()),
            Denial::Stale { current, .. } => {
                ApiError::Conflict { detail: format!("{d}: reload the issue and retry"), current: Some(*current) }
            }
            Denial::WrongState { .. } | Denial::Precondition { .. } => {
                ApiError::Conflict { detail: d.to_string(), current: None }
            }
            Denial::NotAllowed { .. } => ApiError::Forbidden(d.to_string()),
            Denial::Invalid { errors } => ApiError::invalid(errors.iter().map(FieldProblem::from).collect()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest(format!("malformed JSON: {}", source_text(&e))),
            JsonRejection::JsonDataError(e) => invalid_value(&source_text(&e), "body"),
            // axum says which by status: 413 for a body over the limit.
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            JsonRejection::BytesRejection(e) => ApiError::BadRequest(e.body_text()),
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

/// The innermost cause, which says what is wrong without axum's prefix.
fn source_text(e: &dyn std::error::Error) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::NotFound(format!("no such resource ({})", r.body_text()))
    }
}

/// A value serde refused, as a field problem: serde_path_to_error puts the path first
/// ("title: invalid type: …"); without one the problem is the whole `what`. A field left
/// out, given twice or not known is named itself ("missing field `compound`" is
/// `compound`, missing), so that a client can mark the field whatever serde's wording.
fn invalid_value(text: &str, what: &str) -> ApiError {
    let (path, rest) = match text.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => (Some(path), rest),
        _ => (None, text),
    };
    let named = |prefix: &str| rest.strip_prefix(prefix).and_then(|r| r.split_once('`')).map(|(name, _)| name);
    let under = |name: &str| path.map_or_else(|| name.to_owned(), |p| format!("{p}.{name}"));
    let (field, problem) = if let Some(name) = named("missing field `") {
        (under(name), "missing")
    } else if let Some(name) = named("duplicate field `") {
        // `?state=raised&state=assigned`, or a key twice in one JSON object.
        (under(name), "duplicate")
    } else if let Some(name) = named("unknown field `") {
        // The path of a field not known already ends in its name; a missing one's is its parent's.
        (path.unwrap_or(name).to_owned(), "unknown")
    } else if rest.starts_with("invalid value: integer `") {
        // A whole number past what its type holds (`"minutes": 5000000000`, `-1` for a count):
        // out of range, like one past the field's own limits — which the type's bounds are
        // not, so none are claimed.
        (path.unwrap_or(what).to_owned(), "out_of_range")
    } else {
        (path.unwrap_or(what).to_owned(), "invalid")
    };
    ApiError::field(&field, problem, text.to_owned())
}

/// A query parameter of the wrong type or an unknown value is 422, like a body's.
impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        let text = source_text(&r);
        // A client's array as repeated keys: say how a list is written here instead.
        let text = match text.strip_prefix("duplicate field `").and_then(|r| r.split_once('`')) {
            Some((name, _)) => {
                format!("duplicate field `{name}`: give it once; a list is comma-separated, e.g. `{name}=a,b`")
            }
            None => text,
        };
        invalid_value(&text, "query")
    }
}

impl From<FormRejection> for ApiError {
    fn from(r: FormRejection) -> Self {
        match r {
            FormRejection::InvalidFormContentType(_) => ApiError::UnsupportedMediaType,
            FormRejection::FailedToDeserializeForm(e) => invalid_value(&source_text(&e), "form"),
            FormRejection::FailedToDeserializeFormBody(e) => invalid_value(&source_text(&e), "form"),
            FormRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

/// A posted form whose rejections are problems (the pages show them as error pages): for
/// the forms a mailed link carries, which have no session and so no `Posted` token check.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Form), rejection(ApiError))]
pub struct ApiForm<T>(pub T);

/// `Json` whose rejections are problems.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `Multipart` whose rejections are problems: a body that is not `multipart/form-data`
/// (or has no boundary) is 415.
pub struct ApiMultipart(pub axum::extract::Multipart);

impl<S: Send + Sync> axum::extract::FromRequest<S> for ApiMultipart {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state).await.map(ApiMultipart).map_err(|_| {
            ApiError::UnsupportedPart("send the photos as `multipart/form-data`, each in a part named `photo`".into())
        })
    }
}

/// `Path` whose rejections are problems (an id that does not parse is simply not found).
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `Query` whose rejections are problems. The API's query structs deny unknown fields as
/// its bodies do: a typo'd filter (`?overdu=1`) would otherwise answer with everything,
/// unfiltered, and look like an answer.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_database_work_is_a_500_and_an_outage_a_503() {
        let status = |e: StoreError| ApiError::from(e).status();
        assert_eq!(status(StoreError::Panicked("a bug".into())), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(status(StoreError::Pool("timed out".into())), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn a_refused_value_names_its_field_and_what_is_wrong() {
        let named = |text: &str| match invalid_value(text, "body") {
            ApiError::Invalid { errors, .. } => (errors[0].field.clone(), errors[0].problem.clone()),
            other => panic!("{other:?}"),
        };
        let pair = |f: &str, p: &str| (f.to_owned(), p.to_owned());
        assert_eq!(named("title: invalid type: integer `5`, expected a string"), pair("title", "invalid"));
        assert_eq!(named("missing field `compound` at line 1 column 9"), pair("compound", "missing"));
        assert_eq!(named("add[0]: missing field `title` at line 1 column 30"), pair("add[0].title", "missing"));
        assert_eq!(named("unknown field `orgs`, expected one of `a`, `b`"), pair("orgs", "unknown"));
        assert_eq!(named("add[0].orgs: unknown field `orgs`, expected `a`"), pair("add[0].orgs", "unknown"));
        assert_eq!(named("duplicate field `state`"), pair("state", "duplicate"));
        assert_eq!(named("add[1]: duplicate field `title` at line 1 column 40"), pair("add[1].title", "duplicate"));
        assert_eq!(named("expected value at line 1 column 1"), pair("body", "invalid"));
        assert_eq!(
            named("add[0].minutes: invalid value: integer `5000000000`, expected u32 at line 1 column 40"),
            pair("add[0].minutes", "out_of_range")
        );
        assert_eq!(named("limit: invalid value: integer `-1`, expected u32"), pair("limit", "out_of_range"));
    }
}
