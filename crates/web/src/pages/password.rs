//! A forgotten password: ask for a link by mail (`/password/forgot`), then set a new
//! password through it (`/password/reset/...`). Both pages work without a session; the
//! signed, expiring, one-time link is the credential (`mail::links`).

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiForm, ApiPath, ApiQuery};
use crate::mail::links::{self, LinkError, ResetParts};
use crate::ops::account as ops;
use crate::pages::forms::Posted;
use crate::pages::render::{Ctx, FormErrors, Out, Page, refusal};
use crate::pages::verify::{Lang, speak};

#[derive(Serialize)]
struct ForgotPage {
    /// The request was taken (the same answer whether or not the account exists).
    sent: bool,
    errors: Option<FormErrors>,
}

impl Page for ForgotPage {
    const TEMPLATE: &'static str = "forgot";
}

pub async fn forgot(ctx: Ctx) -> Response {
    ctx.respond(Out::page(ForgotPage { sent: false, errors: None }))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    login: String,
}

pub async fn ask(
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Posted { ctx, form }: Posted<ForgotForm>,
) -> Response {
    let address = crate::auth::client_address(peer);
    match ops::request_reset(&ctx.state, &form.login, &address).await {
        Ok(()) => ctx.respond(Out::page(ForgotPage { sent: true, errors: None })),
        Err(e @ (ApiError::Invalid { .. } | ApiError::TooManyRequests(_))) => {
            let status = refusal(&e).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let errors = Some(ctx.form_errors(&e));
            ctx.respond(Out::status(status, ForgotPage { sent: false, errors }))
        }
        Err(e) => ctx.fail(e),
    }
}

/// The reset form, or why the link does not work (a `password.*` message key).
#[derive(Serialize)]
struct ResetPage {
    ok: bool,
    message: Option<&'static str>,
    min_chars: usize,
    errors: Option<FormErrors>,
}

impl Page for ResetPage {
    const TEMPLATE: &'static str = "reset";
}

fn said(message: &'static str) -> ResetPage {
    ResetPage { ok: false, message: Some(message), min_chars: ops::PASSWORD_MIN_CHARS, errors: None }
}

fn refused(ctx: Ctx, e: LinkError) -> Response {
    ctx.respond(Out::status(StatusCode::BAD_REQUEST, said(e.key())))
}

async fn checked(ctx: &Ctx, parts: &ResetParts) -> Result<roundtable_core::UserId, LinkError> {
    let key = ctx.state.db.run(links::key).await.map_err(|_| LinkError::Invalid)?;
    links::check_reset(&key, parts, ctx.state.now())
}

pub async fn show(ctx: Ctx, ApiPath(parts): ApiPath<ResetParts>, ApiQuery(q): ApiQuery<Lang>) -> Response {
    let ctx = speak(ctx, q.lang);
    match checked(&ctx, &parts).await {
        Ok(_) => {
            let page = ResetPage { ok: true, message: None, min_chars: ops::PASSWORD_MIN_CHARS, errors: None };
            ctx.respond(Out::page(page))
        }
        Err(e) => refused(ctx, e),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

/// Sets the new password; no CSRF token (there is no session): the link is the credential.
pub async fn set(
    ctx: Ctx,
    ApiPath(parts): ApiPath<ResetParts>,
    ApiQuery(q): ApiQuery<Lang>,
    ApiForm(form): ApiForm<ResetForm>,
) -> Response {
    let ctx = speak(ctx, q.lang);
    let user = match checked(&ctx, &parts).await {
        Ok(user) => user,
        Err(e) => return refused(ctx, e),
    };
    let result = if form.new_password != form.repeat_password {
        Err(ApiError::field("repeat_password", "mismatch", "the two new passwords differ"))
    } else {
        ops::reset_password(&ctx.state, user, parts.2.clone(), form.new_password.into()).await
    };
    match result {
        Ok(true) => ctx.respond(Out::page(said("password_set"))),
        Ok(false) => refused(ctx, LinkError::Used),
        Err(e @ ApiError::Invalid { .. }) => {
            let errors = Some(ctx.form_errors(&e));
            let page = ResetPage { ok: true, message: None, min_chars: ops::PASSWORD_MIN_CHARS, errors };
            ctx.respond(Out::status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(e) => ctx.fail(e),
    }
}
