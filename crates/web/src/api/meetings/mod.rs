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
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    response
}
