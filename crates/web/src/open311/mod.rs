//! Open311 GeoReport v2 (<https://wiki.open311.org/GeoReport_v2>): the community's issues
//! for city platforms and hotlines. Services are the issue categories; a service request
//! is an issue; `jurisdiction_id` is the community's id (needed only when this server
//! serves several).
//!
//! Reading needs no key and shows what the public board may show: the issues a company is
//! answerable for (assigned or later), each with its title, compound (and building),
//! company, promise and due date — never the raiser, a unit, a description a resident
//! typed, or a photo the secretary has not marked public. A client with its `api_key` also
//! reads the requests it posted itself before anyone is assigned. Posting needs a key an
//! administrator issued; the request is raised as the key's account, its sender's name
//! and phone kept as contacts of a report on behalf of a household (seen by whoever sees
//! raisers' contacts). `email`, `device_id`, `account_id` and `media_url` are accepted
//! and not kept: nobody is mailed outside an account, and nothing is fetched from
//! elsewhere.

pub mod format;
mod requests;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::AppState;
use format::{Format, respond};

/// GeoReport v2's list of parameters, as received (a repeated name keeps its first value).
pub struct Params(Vec<(String, String)>);

impl Params {
    /// The parameters, each name and value held to the text rule every input keeps (no
    /// control characters but line breaks and tabs).
    fn parse(raw: &[u8]) -> Result<Params, Failure> {
        if let Some(refused) = crate::input::in_pairs(raw) {
            return Err(refused.into());
        }
        serde_urlencoded::from_bytes(raw)
            .map(Params)
            .map_err(|_| Failure::bad("the parameters are not application/x-www-form-urlencoded"))
    }

    /// A parameter's value, trimmed; `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| roundtable_core::text::trim(v)).filter(|v| !v.is_empty())
    }

    /// A comma-separated list parameter.
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.get(name).map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
    }
}

/// An error as GeoReport v2 writes it: the status and a list of `{code, description}`.
#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub descriptions: Vec<String>,
}

impl Failure {
    pub fn new(status: StatusCode, description: impl Into<String>) -> Failure {
        Failure { status, descriptions: vec![description.into()] }
    }

    pub fn bad(description: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, description)
    }

    fn respond(self, format: Format) -> Response {
        let code = self.status.as_u16();
        let errors: Vec<Value> = self.descriptions.iter().map(|d| json!({ "code": code, "description": d })).collect();
        respond(self.status, format, "errors", &Value::Array(errors))
    }
}

/// What the rest of the service answers, said the GeoReport way. An invalid request
/// (422 elsewhere) is the spec's 400; what is internal stays in the log.
impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        match e {
            ApiError::Invalid { errors, detail } if errors.is_empty() => Failure::bad(detail),
            ApiError::Invalid { errors, .. } => Failure {
                status: StatusCode::BAD_REQUEST,
                descriptions: errors.into_iter().map(|p| format!("{}: {}", p.field, p.message)).collect(),
            },
            ApiError::Forbidden(d) => Failure::new(StatusCode::FORBIDDEN, d),
            ApiError::NotFound(d) => Failure::new(StatusCode::NOT_FOUND, d),
            ApiError::BadRequest(d) => Failure::bad(d),
            ApiError::Unavailable(_) => {
                Failure::new(StatusCode::SERVICE_UNAVAILABLE, "the database is not reachable; try again shortly")
            }
            other => {
                tracing::error!(error = ?other, "open311 request failed");
                Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

impl From<roundtable_store::StoreError> for Failure {
    fn from(e: roundtable_store::StoreError) -> Failure {
        ApiError::from(e).into()
    }
}

type Answer = Result<(&'static str, Value), Failure>;

fn answer(format: Format, result: Answer) -> Response {
    match result {
        Ok((root, value)) => respond(StatusCode::OK, format, root, &value),
        Err(f) => f.respond(format),
    }
}

/// The answer to a path whose extension is neither: in XML, the format every GeoReport
/// client reads.
fn unknown_format() -> Response {
    Failure::bad("the format must be .json or .xml").respond(Format::Xml)
}

/// Which GET route a request came by.
#[derive(Clone, Copy)]
enum Route {
    /// `/open311/v2/{discovery,services,requests}.{fmt}`
    Top,
    /// `/open311/v2/services/{code}.{fmt}`
    Service,
    /// `/open311/v2/requests/{id}.{fmt}`
    Request,
}

async fn read(state: &AppState, route: Route, file: &str, query: Option<String>) -> Response {
    let Some((name, format)) = Format::split(file) else { return unknown_format() };
    let result = async {
        if !state.config.public.enabled {
            return Err(Failure::new(StatusCode::NOT_FOUND, "Open311 is not offered here"));
        }
        let params = Params::parse(query.unwrap_or_default().as_bytes())?;
        match (route, name) {
            (Route::Top, "discovery") => Ok(("discovery", requests::discovery(state))),
            (Route::Top, "services") => requests::services(state, &params).await.map(|v| ("services", v)),
            (Route::Top, "requests") => requests::list(state, &params).await.map(|v| ("service_requests", v)),
            (Route::Top, _) => Err(Failure::new(StatusCode::NOT_FOUND, "no such resource")),
            (Route::Service, code) => {
                requests::definition(state, &params, code).await.map(|v| ("service_definition", v))
            }
            (Route::Request, id) => requests::one(state, &params, id).await.map(|v| ("service_requests", v)),
        }
    }
    .await;
    answer(format, result)
}

async fn top(State(state): State<AppState>, Path(file): Path<String>, RawQuery(query): RawQuery) -> Response {
    read(&state, Route::Top, &file, query).await
}

async fn service(State(state): State<AppState>, Path(file): Path<String>, RawQuery(query): RawQuery) -> Response {
    read(&state, Route::Service, &file, query).await
}

async fn request(State(state): State<AppState>, Path(file): Path<String>, RawQuery(query): RawQuery) -> Response {
    read(&state, Route::Request, &file, query).await
}

async fn post(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let Some((name, format)) = Format::split(&file) else { return unknown_format() };
    let result = async {
        if !state.config.public.enabled || name != "requests" {
            return Err(Failure::new(StatusCode::NOT_FOUND, "no such resource"));
        }
        let form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        if !form {
            return Err(Failure::bad("send the parameters as application/x-www-form-urlencoded"));
        }
        let params = Params::parse(&body)?;
        let retry = crate::api::issues::idempotency_key(&headers)?;
        requests::create(&state, &params, retry.as_deref()).await
    }
    .await;
    let again = matches!(result, Ok((_, true)));
    let mut response = answer(format, result.map(|(value, _)| ("service_requests", value)));
    if again {
        response.headers_mut().insert(crate::api::issues::REPLAYED, header::HeaderValue::from_static("true"));
    }
    response
}

/// `/open311/v2/…`: discovery, services, service definitions, requests (GET and POST).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(top).post(post))
        .route("/open311/v2/services/{file}", get(service))
        .route("/open311/v2/requests/{file}", get(request))
}
