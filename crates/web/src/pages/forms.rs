//! Posted forms: the body is read only after the CSRF token in it matches the viewer's;
//! a form without it (or with another session's) is refused with a 403 page.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::Response;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldProblem};
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
    v.as_deref().map(roundtable_core::text::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A date field (`YYYY-MM-DD`, as a date input sends it) that may be left empty; another
/// shape is noted in `errors` under the field's name.
pub fn dated(field: &str, v: &Option<String>, errors: &mut Vec<FieldProblem>) -> Option<chrono::NaiveDate> {
    filled(v).and_then(|d| {
        chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|_| errors.push(FieldProblem::new(field, "invalid", "a date, YYYY-MM-DD")))
            .ok()
    })
}

/// One of a closed set of names chosen in a form (`""` is `None`); another value, which
/// only a hand-made post sends, is reported like the API's own field problem.
pub fn chosen<T: std::str::FromStr<Err = roundtable_core::UnknownName>>(
    field: &str,
    v: &Option<String>,
    errors: &mut Vec<FieldProblem>,
) -> Option<T> {
    let text = filled(v)?;
    text.parse()
        .map_err(|e: roundtable_core::UnknownName| errors.push(FieldProblem::new(field, "invalid", e.to_string())))
        .ok()
}

/// A count typed into a form: a number too big for one is passed on as the most there
/// is, so the operation says its range ("须在 1 到 500 之间") rather than "not a number".
pub fn whole_number(field: &str, text: &str, errors: &mut Vec<FieldProblem>) -> Option<u32> {
    match text.trim().parse::<u32>() {
        Ok(n) => Some(n),
        Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => Some(u32::MAX),
        Err(_) => {
            errors.push(FieldProblem::new(field, "invalid", "a whole number"));
            None
        }
    }
}

/// A form that carries nothing but its CSRF token (a button).
#[derive(serde::Deserialize)]
pub struct Empty {}

/// The name of the hidden fields that carry photos uploaded with an earlier showing of a
/// form (a form shown again keeps them: a browser cannot keep a chosen file).
pub const UPLOADED_FIELD: &str = "photos";

/// A form that may carry photos: `multipart/form-data` (read by `photos::read_upload`,
/// its CSRF token checked before the first photo is read), or a plain posted form.
pub struct WithPhotos<T> {
    pub ctx: Ctx,
    pub form: T,
    /// Photos uploaded with an earlier showing of the form.
    pub uploaded: Vec<uuid::Uuid>,
    /// The photos of this post, cleaned; or why one was refused.
    pub photos: Result<Vec<crate::photos::Cleaned>, ApiError>,
}

impl<T: DeserializeOwned> FromRequest<AppState> for WithPhotos<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
        if !multipart {
            let Posted { ctx, form } = Posted::from_request(req, state).await?;
            return Ok(WithPhotos { ctx, form, uploaded: Vec::new(), photos: Ok(Vec::new()) });
        }
        let (mut parts, body) = req.into_parts();
        let Ok(ctx) = Ctx::from_request_parts(&mut parts, state).await;
        let body = match axum::extract::Multipart::from_request(Request::from_parts(parts, body), state).await {
            Ok(m) => m,
            Err(e) => return Err(ctx.fail(ApiError::BadRequest(format!("the form could not be read: {e}")))),
        };
        let csrf = ctx.viewer.csrf.clone();
        let gate = |fields: &[(String, String)]| {
            let token = fields.iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.as_str()).unwrap_or("");
            if same(token, &csrf) { Ok(()) } else { Err(ApiError::Forbidden(CSRF_FIELD.into())) }
        };
        let upload = match crate::photos::read_upload(state, body, gate).await {
            Ok(u) => u,
            Err(ApiError::Forbidden(_)) => {
                tracing::info!(path = %ctx.viewer.here, "form refused: missing or wrong CSRF token");
                return Err(ctx.error_page_for(axum::http::StatusCode::FORBIDDEN, "csrf"));
            }
            // A control character in a text field: named, as the other forms' are.
            Err(ApiError::Invalid { errors, .. }) => return Err(ctx.refused_page(&errors)),
            Err(e) => return Err(ctx.fail(e)),
        };
        let (uploaded, plain): (Vec<_>, Vec<_>) = upload.fields.iter().partition(|(k, _)| k == UPLOADED_FIELD);
        // A kept photo's id that is not one was tampered with: refused by name, since
        // dropping it would raise the issue without a photo its raiser saw on the form.
        let uploaded = match uploaded.iter().map(|(_, v)| v.parse()).collect::<Result<Vec<uuid::Uuid>, _>>() {
            Ok(ids) => ids,
            Err(_) => {
                let problem =
                    FieldProblem::new(UPLOADED_FIELD, "unknown", "a photo of this form is not one you uploaded");
                return Err(ctx.refused_page(&[problem]));
            }
        };
        let form = serde_urlencoded::to_string(&plain)
            .map_err(|e| e.to_string())
            .and_then(|encoded| serde_urlencoded::from_str::<T>(&encoded).map_err(|e| e.to_string()));
        match form {
            Ok(form) => Ok(WithPhotos { ctx, form, uploaded, photos: upload.photos() }),
            Err(e) => Err(ctx.fail(ApiError::BadRequest(format!("the form could not be read: {e}")))),
        }
    }
}
