//! Signing in and out on the pages, and choosing the language.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use crate::api;
use crate::error::{ApiJson, ApiQuery, ApiResult};
use crate::i18n::LOCALES;
use crate::pages::device;
use crate::pages::forms::{Empty, Posted};
use crate::pages::render::{Ctx, FormErrors, Out, Page};
use crate::pages::session::{LANG, SESSION, cookie, local_path, removal};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

#[derive(Serialize)]
struct LoginPage {
    /// Where to go once signed in (a same-site path).
    next: String,
    /// What was typed, after a refusal (never the password).
    login: Option<String>,
    errors: Option<FormErrors>,
}

impl Page for LoginPage {
    const TEMPLATE: &'static str = "login";
}

pub async fn form(ctx: Ctx, ApiQuery(q): ApiQuery<Next>) -> Response {
    let next = local_path(q.next.as_deref());
    ctx.respond(Out::page(LoginPage { next, login: None, errors: None }))
}

#[derive(Deserialize)]
pub struct SignIn {
    login: String,
    password: String,
    next: Option<String>,
}

pub async fn sign_in(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Posted { ctx, form }: Posted<SignIn>,
) -> Response {
    let ttl = TimeDelta::hours(state.config.http.session_hours);
    let next = local_path(form.next.as_deref());
    let key = match state.db.run(crate::mail::links::key).await {
        Ok(key) => key,
        Err(e) => return ctx.fail(e.into()),
    };
    let now = state.now();
    let known = ctx.viewer.jar.get(device::DEVICE).and_then(|c| device::known(&key, &form.login, c.value(), now));
    let client = known.unwrap_or_else(|| crate::auth::client_address(peer));
    match api::auth::sign_in(&state, &form.login, form.password, &client, ttl).await {
        Ok((token, _)) => {
            let secure = ctx.viewer.secure;
            // The user's own language preference takes over from a pre-sign-in choice;
            // the browser is known for this login from now on (renewed at each sign-in).
            let jar = ctx.viewer.jar.add(cookie(SESSION, token, secure)).remove(removal(LANG)).add(device::cookie(
                &key,
                &form.login,
                now,
                secure,
            ));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(e) => {
            let errors = ctx.form_errors(&e);
            let status = match e {
                crate::error::ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            ctx.respond(Out::status(status, LoginPage { next, login: Some(form.login), errors: Some(errors) }))
        }
    }
}

pub async fn sign_out(State(state): State<AppState>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    if let Some(caller) = ctx.viewer.caller.clone()
        && let Err(e) = api::auth::delete_token(State(state), caller).await
    {
        return ctx.fail(e);
    }
    let jar = ctx.viewer.jar.remove(removal(SESSION));
    (jar, Redirect::to("/login")).into_response()
}

#[derive(Deserialize)]
pub struct Language {
    lang: String,
    next: Option<String>,
}

/// Switches the language: a cookie for this browser, and the user's preference (which
/// their mail follows too) when signed in.
pub async fn language(State(state): State<AppState>, Posted { ctx, form }: Posted<Language>) -> Response {
    let Some(lang) = LOCALES.iter().find(|l| **l == form.lang) else {
        return ctx.fail(crate::error::ApiError::BadRequest("unknown language".into()));
    };
    if let Some(caller) = ctx.viewer.caller.clone() {
        let prefs = api::auth::Preferences { locale: Some(Some((*lang).to_owned())) };
        let saved: ApiResult<_> = api::auth::update_me(State(state), caller, ApiJson(prefs)).await;
        if let Err(e) = saved {
            return ctx.fail(e);
        }
    }
    let jar = ctx.viewer.jar.clone().add(cookie(LANG, (*lang).to_owned(), ctx.viewer.secure));
    (jar, Redirect::to(&local_path(form.next.as_deref()))).into_response()
}
