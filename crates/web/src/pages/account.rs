//! "My account": change one's name, the password and how one is reached, see and end one's
//! sessions — through `ops::account`, as the API does it.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiPath};
use crate::ops::account as ops;
use crate::pages::forms::{Empty, Posted};
use crate::pages::render::{Ctx, FormErrors, Out, Page, PageResult, refusal};

#[derive(Serialize)]
struct SessionShown {
    id: String,
    created: String,
    expires: String,
    last_used: Option<String>,
    current: bool,
}

/// The e-mail address and phone number in the contact form: the account's, or what was
/// typed into a form refused.
#[derive(Serialize, Deserialize, Default)]
pub struct Contact {
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

#[derive(Serialize)]
struct AccountPage {
    login: String,
    /// The name shown, or what was typed into the name form refused.
    name: String,
    name_errors: Option<FormErrors>,
    sessions: Vec<SessionShown>,
    min_chars: usize,
    errors: Option<FormErrors>,
    /// Administrators close accounts from the administration page, not their own here.
    admin: bool,
    close_errors: Option<FormErrors>,
    contact: Contact,
    contact_errors: Option<FormErrors>,
    /// Which notices also come by mail.
    mail_choices: Vec<crate::pages::render::Choice>,
}

impl Page for AccountPage {
    const TEMPLATE: &'static str = "account";
}

/// A form of the page refused, with its messages (and what was typed into the contact or
/// the name form).
struct Refused {
    form: Form,
    errors: FormErrors,
    contact: Option<Contact>,
    name: Option<String>,
}

async fn account_page(ctx: &Ctx, status: StatusCode, refused: Option<Refused>) -> PageResult {
    let caller = ctx.caller()?;
    let (mut errors, mut close_errors, mut contact_errors, mut name_errors) = (None, None, None, None);
    let (mut typed, mut typed_name) = (None, None);
    if let Some(r) = refused {
        (typed, typed_name) = (r.contact, r.name);
        *match r.form {
            Form::Password => &mut errors,
            Form::Close => &mut close_errors,
            Form::Contact => &mut contact_errors,
            Form::Name => &mut name_errors,
        } = Some(r.errors);
    }
    let contact = typed.unwrap_or_else(|| Contact {
        email: caller.user.email.clone().unwrap_or_default(),
        phone: caller.user.phone.clone().unwrap_or_default(),
    });
    let local = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&caller.tz()).format("%Y-%m-%d %H:%M").to_string();
    let sessions = ops::sessions(&ctx.state, &caller)
        .await?
        .into_iter()
        .map(|s| SessionShown {
            created: local(s.created_at),
            expires: local(s.expires_at),
            last_used: s.last_used_at.map(local),
            current: s.current,
            id: s.id,
        })
        .collect();
    let page = AccountPage {
        login: caller.user.login.clone(),
        name: typed_name.unwrap_or_else(|| caller.user.display_name.clone()),
        name_errors,
        sessions,
        min_chars: ops::PASSWORD_MIN_CHARS,
        errors,
        admin: caller.actor.has_role(roundtable_core::Role::Admin),
        close_errors,
        contact,
        contact_errors,
        mail_choices: {
            let chosen = crate::ops::notices::mail_setting(&ctx.state, &caller).await?;
            roundtable_core::notice::NoticeMail::ALL
                .iter()
                .map(|m| crate::pages::render::Choice::new(m.as_str(), m.as_str(), *m == chosen))
                .collect()
        },
    };
    Out::status(status, page)
}

pub async fn show(ctx: Ctx) -> Response {
    let out = account_page(&ctx, StatusCode::OK, None).await;
    ctx.respond(out)
}

/// Which of the page's password-confirmed forms was sent.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    Password,
    Close,
    Contact,
    Name,
}

/// A refused form (a wrong password, or one tried too often) shows the page again with the
/// messages under that form — never the passwords typed; the contact and name forms keep
/// what was typed in them.
async fn again(ctx: &Ctx, out: PageResult, form: Form, contact: Option<Contact>, name: Option<String>) -> PageResult {
    match out {
        Err(e @ (ApiError::Invalid { .. } | ApiError::TooManyRequests(_))) => {
            let status = refusal(&e).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let errors = ctx.form_errors(&e);
            account_page(ctx, status, Some(Refused { form, errors, contact, name })).await
        }
        other => other,
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

pub async fn change_password(
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Posted { ctx, form }: Posted<PasswordForm>,
) -> Response {
    let address = crate::auth::client_address(peer);
    let out = async {
        if form.new_password != form.repeat_password {
            return Err(ApiError::field("repeat_password", "mismatch", "the two new passwords differ"));
        }
        let caller = ctx.caller()?;
        ops::change_password(&ctx.state, &caller, form.current_password.into(), form.new_password.into(), &address)
            .await?;
        Ok(Out::Done("/account".into(), "password_changed"))
    }
    .await;
    let out = again(&ctx, out, Form::Password, None, None).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(flatten)]
    contact: Contact,
    #[serde(default)]
    current_password: String,
}

pub async fn change_contact(
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Posted { ctx, form }: Posted<ContactForm>,
) -> Response {
    let address = crate::auth::client_address(peer);
    let ContactForm { contact, current_password } = form;
    let out = async {
        let (email, phone) = (Some(contact.email.as_str()), Some(contact.phone.as_str()));
        ops::change_contact(&ctx.state, &ctx.caller()?, current_password.into(), email, phone, &address).await?;
        Ok(Out::Done("/account#contact".into(), "contact_changed"))
    }
    .await;
    let out = again(&ctx, out, Form::Contact, Some(contact), None).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

pub async fn change_name(Posted { ctx, form }: Posted<NameForm>) -> Response {
    let out = async {
        ops::change_name(&ctx.state, &ctx.caller()?, &form.name).await?;
        Ok(Out::Done("/account#name".into(), "name_changed"))
    }
    .await;
    let out = again(&ctx, out, Form::Name, None, Some(form.name)).await;
    ctx.respond(out)
}

pub async fn end_session(ApiPath(id): ApiPath<String>, Posted { ctx, .. }: Posted<Empty>) -> Response {
    let out = async {
        ops::end_session(&ctx.state, &ctx.caller()?, id).await?;
        Ok(Out::Done("/account".into(), "session_ended"))
    }
    .await;
    ctx.respond(out)
}

pub async fn end_others(Posted { ctx, .. }: Posted<Empty>) -> Response {
    let out = async {
        ops::end_other_sessions(&ctx.state, &ctx.caller()?).await?;
        Ok(Out::Done("/account".into(), "sessions_ended"))
    }
    .await;
    ctx.respond(out)
}

/// Everything kept about the viewer, as a JSON file to keep.
pub async fn data(ctx: Ctx) -> Response {
    let out = async {
        let data = ops::export(&ctx.state, &ctx.caller()?).await?;
        let body = serde_json::to_vec_pretty(&data).map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut r = axum::response::IntoResponse::into_response(body);
        let h = r.headers_mut();
        h.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
        h.insert(
            axum::http::header::CONTENT_DISPOSITION,
            axum::http::HeaderValue::from_static("attachment; filename=\"roundtable-my-data.json\""),
        );
        Ok(Out::Raw(r))
    }
    .await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    password: String,
}

/// Closes the viewer's account; they are signed out and shown the sign-in page.
pub async fn close(
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Posted { ctx, form }: Posted<CloseForm>,
) -> Response {
    let address = crate::auth::client_address(peer);
    let out = async {
        ops::close(&ctx.state, &ctx.caller()?, form.password.into(), &address).await?;
        Ok(Out::Done("/login".into(), "account_closed"))
    }
    .await;
    let out = again(&ctx, out, Form::Close, None, None).await;
    ctx.respond(out)
}
