//! What every response gets on its way out: the security headers, and for a browser an
//! HTML page instead of whatever error a route, an extractor or the middleware produced
//! (a bad id in a path, a wrong method, a body too large, a timeout).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::pages::Ctx;
use crate::state::AppState;

/// No script, no inline style, nothing from elsewhere, and no frame either way: no page
/// shows another in a frame (the minutes are rendered into their page), so none may be
/// framed — a click on a framed form cannot be stolen. JSON gets it too: a response
/// opened as a document can then run nothing either.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Two years, as the HSTS preload list asks; sent only when cookies are marked Secure,
/// i.e. the site is served over HTTPS.
const HSTS: &str = "max-age=63072000";

/// Every response on its way out: for a browser, an error page in place of any other
/// error; then the security headers. One middleware, not one for each: every layer of
/// `from_fn` costs each request a boxed future and a clone of all it wraps (counted in
/// docs/performance.md).
pub async fn outgoing(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = error_pages(&state, req, next).await;
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // A document that brings its own (narrower) policy keeps it.
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CSP));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    if state.config.http.secure_cookies {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    response
}

async fn error_pages(state: &AppState, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let wants_page = !(path.starts_with("/api/") || path.starts_with("/open311/"))
        && req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if !wants_page {
        return next.run(req).await;
    }
    // What the page needs to know of the request (who, which language), kept aside.
    let mut head =
        Request::builder().method(Method::GET).uri(req.uri().clone()).body(()).expect("a request").into_parts().0;
    head.headers = req.headers().clone();
    let response = next.run(req).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let status = response.status();
    if is_html || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let Ok(ctx) = Ctx::from_request_parts(&mut head, state).await;
    if status == axum::http::StatusCode::UNAUTHORIZED {
        return ctx.fail(crate::error::ApiError::Unauthorized("sign in first"));
    }
    // Values refused before any page saw them (a control character in a form): the page
    // names the fields, as a form shown again would.
    if status == axum::http::StatusCode::UNPROCESSABLE_ENTITY {
        #[derive(serde::Deserialize)]
        struct Problem {
            errors: Vec<crate::error::FieldProblem>,
        }
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
        let errors = serde_json::from_slice::<Problem>(&body).map(|p| p.errors).unwrap_or_default();
        return ctx.refused_page(&errors);
    }
    let mut page = ctx.error_page(status);
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = response.headers().get(&name) {
            page.headers_mut().insert(name, v.clone());
        }
    }
    page
}
