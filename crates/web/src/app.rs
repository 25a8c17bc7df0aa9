//! The router with its middleware: request ids, request logs, security headers, error
//! pages for browsers, timeout, panics caught as 500 problems, body limit, the check for
//! control characters, and problem+json for unknown routes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::{Router, middleware};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    let http = state.config.http.clone();
    let upload_limit = crate::photos::body_limit(state.config.uploads.max_bytes);
    let routes = crate::api::router(&state.workflows, upload_limit)
        .merge(crate::pages::router(upload_limit))
        .merge(crate::open311::router())
        .fallback(crate::pages::fallback)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed.into_response() })
        .with_state(state.clone());
    // The middleware wraps the router once, outermost first. Layered onto the router
    // (`Router::layer`) it wrapped each route, boxed layer by layer, and each request
    // cloned the whole boxed stack of its route: a tenth of reading one issue
    // (callgrind, docs/performance.md).
    let edge = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(RequestIds::new()))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
        }))
        .map_response(IntoResponse::into_response)
        .layer(middleware::from_fn_with_state(state, crate::pages::edge::outgoing))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(http.request_timeout_secs),
        ))
        .map_response(IntoResponse::into_response)
        .layer(CatchPanicLayer::custom(|_| ApiError::Internal("a handler panicked".into()).into_response()))
        .map_response(IntoResponse::into_response)
        .layer(DefaultBodyLimit::max(http.body_limit_bytes))
        .layer(crate::input::RefuseControlCharactersLayer { limit: http.body_limit_bytes })
        .service(routes);
    Router::new().fallback_service(edge)
}

/// Request ids: a prefix drawn when the process starts and a count, e.g. `9f3a61c2-1b`
/// (a client's own `x-request-id` is kept). A UUID v4 for each request read the system's
/// random source (a system call) and wrote 36 characters: 2 % of reading one issue
/// (docs/performance.md). Unique within the process by the count, across instances by
/// the prefix.
#[derive(Clone)]
struct RequestIds(Arc<(String, AtomicU64)>);

impl RequestIds {
    fn new() -> Self {
        RequestIds(Arc::new((crate::auth::random_hex(4), AtomicU64::new(1))))
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let (prefix, count) = &*self.0;
        let id = format!("{prefix}-{:x}", count.fetch_add(1, Ordering::Relaxed));
        axum::http::HeaderValue::try_from(id).ok().map(RequestId::new)
    }
}
