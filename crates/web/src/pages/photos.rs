//! Photos on the pages: the images (for a signed-in viewer who may see them, as the API
//! decides) and the delete button.

use axum::extract::Path;
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

pub async fn delete(Path(id): Path<Uuid>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
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
