//! Photos: upload (multipart), fetch (the image or its thumbnail), delete.

use crate::api::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roundtable_core::PhotoId;
use roundtable_core::photo::Photo;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiMultipart, ApiPath, ApiResult, Problem};
use crate::ops::issues::API_PHOTOS;
use crate::ops::photos as ops;
use crate::state::AppState;
use crate::views::PhotoView;

/// `multipart/form-data` with one to six parts named `photo`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// JPEG, PNG or WebP, recognised by content; each at most `uploads.max_bytes` and
    /// `uploads.max_pixels`. Stored without its metadata (EXIF, GPS), upright, at most
    /// 2560 px a side.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

/// Uploads photos, to be attached with `photos` when raising an issue or firing a
/// transition. Until then only the uploader sees them.
#[utoipa::path(post, path = "/api/v1/photos", tag = "issues", security(("bearer" = [])),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"), responses(
    (status = 201, body = [PhotoView]), (status = 400, body = Problem), (status = 401, body = Problem),
    (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    ApiMultipart(multipart): ApiMultipart,
) -> ApiResult<(StatusCode, Json<Vec<PhotoView>>)> {
    let upload = crate::photos::read_upload(&state, multipart, |_| Ok(())).await?;
    let photos = ops::upload(&state, &caller, upload.photos()?).await?;
    Ok((StatusCode::CREATED, Json(photos.iter().map(|p| PhotoView::new(p, API_PHOTOS)).collect())))
}

/// The photo, as stored.
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, description = "The image", content(("image/jpeg"), ("image/png"))),
    (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn get(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let (photo, bytes) = ops::read(&state, &caller, PhotoId(id), false).await?;
    Ok(image(&photo, bytes, false))
}

/// A small version of the photo (JPEG, at most 320 px a side).
#[utoipa::path(get, path = "/api/v1/photos/{id}/thumbnail", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, description = "The thumbnail", content(("image/jpeg"))),
    (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let (photo, bytes) = ops::read(&state, &caller, PhotoId(id), true).await?;
    Ok(image(&photo, bytes, true))
}

/// Deletes a photo: its uploader, or the secretary (recorded in the audit trail).
#[utoipa::path(delete, path = "/api/v1/photos/{id}", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    ops::delete(&state, &caller, PhotoId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{public}`: whether the public board and Open311 show the photo.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicBody {
    pub public: bool,
}

/// Marks a photo public (the commitments board, Open311) or private again: the secretary,
/// having looked at it for faces and door numbers. Recorded in the audit trail.
#[utoipa::path(put, path = "/api/v1/photos/{id}/public", tag = "issues", params(("id" = Uuid, Path)), security(("bearer" = [])),
    request_body = PublicBody, responses(
    (status = 200, body = PhotoView), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem),
))]
pub async fn set_public(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    crate::error::ApiJson(body): crate::error::ApiJson<PublicBody>,
) -> ApiResult<Json<PhotoView>> {
    let photo = ops::set_public(&state, &caller, PhotoId(id), body.public).await?;
    Ok(Json(PhotoView::new(&photo, API_PHOTOS)))
}

/// An image response: its own type, never sniffed as anything else, cached privately
/// (the bytes behind an id never change; who may see them is checked on every request).
pub fn image(photo: &Photo, bytes: Vec<u8>, thumbnail: bool) -> Response {
    let media = if thumbnail { "image/jpeg" } else { photo.media_type.as_str() };
    let hash = if thumbnail { &photo.thumb_hash } else { &photo.content_hash };
    let mut r = Body::from(bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
    if let Ok(tag) = HeaderValue::from_str(&format!("\"{hash}\"")) {
        h.insert(header::ETAG, tag);
    }
    r
}
