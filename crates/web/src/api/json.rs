//! The API's JSON answers.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::ApiError;

/// A JSON answer, written into a `Vec`. axum's own `Json` writes through a `BytesMut`
/// writer, whose every write is a call through `BufMut`; serde_json writes each key and
/// string in three pieces, which made the writer a visible share of a list's instructions
/// (callgrind, docs/performance.md). A `Vec`'s write is a copy.
pub struct Json<T>(pub T);

/// Room for a small answer without growing; a page of issues grows a few times.
const START: usize = 1024;

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(START);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response(),
            Err(e) => ApiError::Internal(format!("an answer could not be written as JSON: {e}")).into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_json_as_axum_does() {
        let value = serde_json::json!({"title": "地下室漏水 \"B1\"\n", "n": [1, 2.5, null], "ok": true});
        let ours = Json(&value).into_response();
        let theirs = axum::Json(&value).into_response();
        assert_eq!(ours.status(), theirs.status());
        assert_eq!(ours.headers()[header::CONTENT_TYPE], theirs.headers()[header::CONTENT_TYPE]);
        let bytes = |r: Response| axum::body::to_bytes(r.into_body(), usize::MAX);
        assert_eq!(bytes(ours).await.unwrap(), bytes(theirs).await.unwrap());
    }

    #[tokio::test]
    async fn a_value_json_cannot_hold_is_a_problem() {
        let mut map = std::collections::HashMap::new();
        map.insert((1, 2), "a key that is not a string");
        let r = Json(map).into_response();
        assert_eq!(r.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/problem+json");
    }
}
