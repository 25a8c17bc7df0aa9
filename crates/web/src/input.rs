//! What people send, checked once before any handler reads it: a query string, a form or
//! a JSON body holding a control character other than a line break or a tab is refused
//! with 422 naming the field. The rule is core's (`text::forbidden_char`) and the same
//! on both databases: PostgreSQL cannot store NUL, and SQLite would store what no page
//! can show.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::future::{BoxFuture, Either};
use roundtable_core::text::forbidden_char;
use serde_json::Value;
use tower::{Layer, Service};

use crate::error::ApiError;

enum Kind {
    Json,
    Form,
}

fn kind(req: &Request) -> Option<Kind> {
    let ct = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Some(Kind::Json)
    } else if essence == "application/x-www-form-urlencoded" {
        Some(Kind::Form)
    } else {
        None
    }
}

/// The check as a layer; `limit` is `http.body_limit_bytes` (a longer body is 413 here,
/// as it would be in the handler). A tower service rather than `from_fn`: most requests
/// carry no body, and those pass straight to the router with no boxed future and no
/// clone of it (`from_fn` cost reading one issue 5,000 instructions, docs/performance.md).
#[derive(Clone, Copy)]
pub struct RefuseControlCharactersLayer {
    pub limit: usize,
}

impl<S> Layer<S> for RefuseControlCharactersLayer {
    type Service = RefuseControlCharacters<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RefuseControlCharacters { inner, limit: self.limit }
    }
}

#[derive(Clone)]
pub struct RefuseControlCharacters<S> {
    inner: S,
    limit: usize,
}

type Answer = Result<Response, Infallible>;

impl<S> Service<Request> for RefuseControlCharacters<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, BoxFuture<'static, Answer>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // Open311 answers in the spec's own error format: `open311::Params` applies this rule.
        if req.uri().path().starts_with("/open311/") {
            return Either::Left(self.inner.call(req));
        }
        if let Some(problem) = req.uri().query().and_then(|q| in_pairs(q.as_bytes())) {
            return Either::Right(Box::pin(std::future::ready(Ok(problem.into_response()))));
        }
        let Some(kind) = kind(&req) else { return Either::Left(self.inner.call(req)) };
        // The body is read before the router is called: the service made ready stays
        // for this request, a clone for the next (tower's rule for `poll_ready`).
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let limit = self.limit;
        Either::Right(Box::pin(async move {
            let (parts, body) = req.into_parts();
            let bytes = match to_bytes(body, limit).await {
                Ok(b) => b,
                Err(_) => return Ok(ApiError::TooLarge.into_response()),
            };
            let problem = match kind {
                Kind::Form => in_pairs(&bytes),
                // A body that is not JSON is left to the handler, which says what is wrong with it.
                Kind::Json => {
                    serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| in_json(&v, &mut String::new()))
                }
            };
            match problem {
                Some(problem) => Ok(problem.into_response()),
                None => inner.call(Request::from_parts(parts, Body::from(bytes))).await,
            }
        }))
    }
}

pub(crate) fn refusal(field: &str, c: char) -> ApiError {
    // The field's own name may be what holds the character.
    let field: String = field.chars().flat_map(char::escape_debug).collect();
    let field = if field.is_empty() { "body".to_owned() } else { field };
    ApiError::field(
        &field,
        "control_character",
        format!("`{field}` contains a control character (U+{:04X}); only line breaks and tabs are allowed", c as u32),
    )
}

pub(crate) fn in_pairs(bytes: &[u8]) -> Option<ApiError> {
    // Undecodable input is left to the handler's own parsing.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    pairs.iter().find_map(|(k, v)| forbidden_char(k).or_else(|| forbidden_char(v)).map(|c| refusal(k, c)))
}

/// The first string (or key) with a forbidden character, named by its path (`add[0].title`).
fn in_json(v: &Value, path: &mut String) -> Option<ApiError> {
    match v {
        Value::String(s) => forbidden_char(s).map(|c| refusal(path, c)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = in_json(item, path);
            path.truncate(len);
            found
        }),
        Value::Object(map) => map.iter().find_map(|(k, item)| {
            if let Some(c) = forbidden_char(k) {
                return Some(refusal(k, c));
            }
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
            let found = in_json(item, path);
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: Option<ApiError>) -> Option<String> {
        match e? {
            ApiError::Invalid { errors, .. } => Some(errors[0].field.clone()),
            _ => None,
        }
    }

    #[test]
    fn the_offending_field_is_named() {
        let v: Value = serde_json::from_str(r#"{"a":"ok\n","add":[{"title":"x"},{"title":"y\u0000"}]}"#).unwrap();
        assert_eq!(field_of(in_json(&v, &mut String::new())).as_deref(), Some("add[1].title"));
        assert_eq!(field_of(in_pairs(b"q=%00&x=1")).as_deref(), Some("q"));
        assert_eq!(field_of(in_pairs(b"note=line%0D%0Aline%09tab")), None);
        let key: Value = serde_json::from_str(r#"{"ti\u0007tle":"x"}"#).unwrap();
        assert_eq!(field_of(in_json(&key, &mut String::new())).as_deref(), Some("ti\\u{7}tle"));
    }
}
