//! Posted forms: the body is read only after the CSRF token in it matches the viewer's;
//! a form without it (or with another session's) is refused with a 403 page.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::Response;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::pages::render::Ctx;
use crate::pages::session::same;
use crate::state::AppState;

pub const CSRF_FIELD: &str = "_csrf";

/// A form posted from one of our pages, with the page context it was posted in.
pub struct Posted<T> {
    pub ctx: Ctx,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Ok(ctx) = Ctx::from_request_parts(&mut parts, state).await;
        let bytes = match Bytes::from_request(Request::from_parts(parts, body), state).await {
            Ok(b) => b,
            Err(_) => return Err(ctx.fail(ApiError::TooLarge)),
        };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let token = pairs.iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.as_str()).unwrap_or("");
        if !same(token, &ctx.viewer.csrf) {
            tracing::info!(path = %ctx.viewer.here, "form refused: missing or wrong CSRF token");
            return Err(ctx.error_page_for(axum::http::StatusCode::FORBIDDEN, "csrf"));
        }
        match serde_urlencoded::from_bytes::<T>(&bytes) {
            Ok(form) => Ok(Posted { ctx, form }),
            Err(e) => Err(ctx.fail(ApiError::BadRequest(format!("the form could not be read: {e}")))),
        }
    }
}

/// A form field that may be left empty: `""` is `None`.
pub fn filled(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A form that carries nothing but its CSRF token (a button).
#[derive(serde::Deserialize)]
pub struct Empty {}
