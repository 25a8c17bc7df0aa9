//! Photos on the pages: the images (for a signed-in viewer who may see them, as the API
//! decides) and the delete button.

use axum::http::{HeaderValue, header};
use axum::response::Response;
use roundtable_core::PhotoId;
use uuid::Uuid;

use crate::error::ApiPath;
use crate::ops::photos as ops;
use crate::pages::forms::{Empty, Posted};
use crate::pages::render::{Ctx, Out, PageResult};

async fn image(ctx: &Ctx, id: Uuid, thumbnail: bool) -> PageResult {
    let caller = ctx.caller()?;
    let (photo, bytes) = ops::read(&ctx.state, &caller, PhotoId(id), thumbnail).await?;
    Ok(Out::Raw(crate::api::photos::image(&photo, bytes, thumbnail)))
}

pub async fn show(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = image(&ctx, id, false).await;
    ctx.respond(out)
}

pub async fn thumbnail(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = image(&ctx, id, true).await;
    ctx.respond(out)
}

/// A photo the secretary made public, for anyone (the board links to it).
pub async fn public(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = public_image(id, &ctx, false).await;
    ctx.respond(out)
}

pub async fn public_thumbnail(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = public_image(id, &ctx, true).await;
    ctx.respond(out)
}

async fn public_image(id: Uuid, ctx: &Ctx, thumbnail: bool) -> PageResult {
    let (photo, bytes) = ops::read_public(&ctx.state, PhotoId(id), thumbnail).await?;
    let mut r = crate::api::photos::image(&photo, bytes, thumbnail);
    // Shared caches may keep it a while; unpublishing takes effect within five minutes.
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    Ok(Out::Raw(r))
}

/// `public=true|false`: the secretary shows a photo to the public or hides it again.
#[derive(serde::Deserialize)]
pub struct PublicForm {
    public: bool,
}

pub async fn set_public(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<PublicForm>) -> Response {
    let out = async {
        let photo = ops::set_public(&ctx.state, &ctx.caller()?, PhotoId(id), form.public).await?;
        let back = photo.issue.map(|i| format!("/issues/{i}")).unwrap_or_else(|| "/".into());
        Ok(Out::Done(back, if form.public { "photo_published" } else { "photo_unpublished" }))
    }
    .await;
    ctx.respond(out)
}

pub async fn delete(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        let photo = PhotoId(id);
        let issue = ctx.state.db.run(move |conn| roundtable_store::photos::get(conn, photo)).await.ok();
        ops::delete(&ctx.state, &caller, photo).await?;
        let back = issue.and_then(|p| p.issue).map(|i| format!("/issues/{i}")).unwrap_or_else(|| "/".into());
        Ok(Out::Done(back, "photo_deleted"))
    }
    .await;
    ctx.respond(out)
}
