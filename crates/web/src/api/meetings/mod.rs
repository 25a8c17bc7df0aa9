//! The monthly joint meeting's routes, by sub-resource: the calendar, the agenda, the
//! meeting day and the minutes. Each handler reads the request and answers with what
//! `ops::meetings` did.

pub mod agenda;
pub mod calendar;
pub mod day;
pub mod minutes;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::views::meetings::DocumentFormat;

/// A rendered document with its content type.
pub fn document(body: String, format: DocumentFormat) -> Response {
    let kind = match format {
        DocumentFormat::Html => "text/html; charset=utf-8",
        DocumentFormat::Md => "text/markdown; charset=utf-8",
    };
    // A document styles itself (it is printed and saved on its own): its style sheet is
    // allowed by its hash, and nothing else inline.
    let csp = match format {
        DocumentFormat::Html => style_hash(&body).map(|h| {
            format!("default-src 'none'; style-src 'sha256-{h}'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")
        }),
        DocumentFormat::Md => None,
    };
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Some(v) = csp.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}

/// The base64 SHA-256 of a document's `<style>` element's content, as CSP writes hashes.
fn style_hash(html: &str) -> Option<String> {
    use base64::Engine;
    use sha2::Digest;
    let start = html.find("<style>")? + "<style>".len();
    let end = start + html[start..].find("</style>")?;
    Some(base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&html.as_bytes()[start..end])))
}
