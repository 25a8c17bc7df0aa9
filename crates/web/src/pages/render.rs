//! Rendering a page: the compiled templates, the context every page shares (language,
//! CSRF token, who is signed in), and the error pages.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use handlebars::Handlebars;
use roundtable_core::{OrgKind, Role};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, FieldProblem};
use crate::pages::i18n::{Locales, TranslateHelper};
use crate::pages::session::Viewer;
use crate::state::AppState;

/// (name, template)
const TEMPLATES: [(&str, &str); 15] = [
    ("layout", include_str!("../../templates/pages/layout.hbs")),
    ("error", include_str!("../../templates/pages/error.hbs")),
    ("login", include_str!("../../templates/pages/login.hbs")),
    ("home", include_str!("../../templates/pages/home.hbs")),
    ("issue_rows", include_str!("../../templates/pages/issue_rows.hbs")),
    ("issues", include_str!("../../templates/pages/issues.hbs")),
    ("issue", include_str!("../../templates/pages/issue.hbs")),
    ("raise", include_str!("../../templates/pages/raise.hbs")),
    ("meetings", include_str!("../../templates/pages/meetings.hbs")),
    ("meeting", include_str!("../../templates/pages/meeting.hbs")),
    ("day", include_str!("../../templates/pages/day.hbs")),
    ("minutes", include_str!("../../templates/pages/minutes.hbs")),
    ("scorecard", include_str!("../../templates/pages/scorecard.hbs")),
    ("scorecard_table", include_str!("../../templates/pages/scorecard_table.hbs")),
    ("admin", include_str!("../../templates/pages/admin.hbs")),
];

/// The compiled page templates and the strings they speak.
pub struct Pages {
    hbs: Handlebars<'static>,
    pub locales: Arc<Locales>,
}

impl Pages {
    pub fn new() -> Result<Self, String> {
        let locales = Arc::new(Locales::embedded()?);
        let mut hbs = Handlebars::new();
        hbs.register_helper("t", Box::new(TranslateHelper(locales.clone())));
        hbs.register_helper("eq", Box::new(eq));
        for (name, text) in TEMPLATES {
            hbs.register_template_string(name, text).map_err(|e| format!("page template {name}: {e}"))?;
            // Every template is also a partial, so `layout` and `issue_rows` can be included.
            hbs.register_partial(name, text).map_err(|e| format!("page partial {name}: {e}"))?;
        }
        Ok(Pages { hbs, locales })
    }

    pub fn render(&self, name: &str, data: &Value) -> Result<String, String> {
        self.hbs.render(name, data).map_err(|e| format!("page {name}: {e}"))
    }

    pub fn template_names() -> impl Iterator<Item = (&'static str, &'static str)> {
        TEMPLATES.into_iter()
    }
}

handlebars::handlebars_helper!(eq: |a: Value, b: Value| a == b);

/// Secretaries, administrators and the supervisory committee see the whole community.
pub fn community_wide(c: &crate::auth::Caller) -> bool {
    [Role::Admin, Role::Secretary, Role::Supervisor].iter().any(|r| c.actor.has_role(*r))
}

/// What a page handler works with: the application and who is looking.
pub struct Ctx {
    pub state: AppState,
    pub viewer: Viewer,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        Ok(Ctx { state: state.clone(), viewer })
    }
}

/// What a page's work ends in.
pub enum Out {
    Page(&'static str, Value),
    /// A page with another status: a form shown again with its errors (422, 409).
    Status(StatusCode, &'static str, Value),
    /// Post/redirect/get: go to the path, with a short note (a locale key) of what was done.
    Done(String, &'static str),
    Raw(Response),
}

pub type PageResult = Result<Out, ApiError>;

impl Ctx {
    /// The signed-in caller, or 401 (which the error handler turns into the sign-in page).
    pub fn caller(&self) -> Result<crate::auth::Caller, ApiError> {
        self.viewer.caller.clone().ok_or(ApiError::Unauthorized("sign in first"))
    }

    pub fn t(&self, key: &str) -> String {
        self.state.pages.locales.text(self.viewer.lang, key, &[])
    }

    /// A field problem in the viewer's language: "Due date: must not be in the past".
    pub fn problem(&self, p: &FieldProblem) -> Value {
        // `add[0].minutes` is labelled as `minutes`.
        let name = p.field.rsplit('.').next().unwrap_or(&p.field);
        let label = self.t(&format!("field.{name}"));
        let key = format!("problem.{}", p.problem);
        let text = match self.state.pages.locales.lookup(self.viewer.lang, &key) {
            Some(t) => t.to_owned(),
            None => p.message.clone(),
        };
        json!({ "field": p.field, "label": label, "text": text })
    }

    /// The errors of a refused form, for the template: a list, and a map by field.
    pub fn form_errors(&self, e: &ApiError) -> Value {
        let list: Vec<Value> = match e {
            ApiError::Invalid { errors, .. } => errors.iter().map(|p| self.problem(p)).collect(),
            ApiError::Conflict { .. } => vec![json!({ "label": "", "text": self.t("form.conflict") })],
            ApiError::Forbidden(_) => vec![json!({ "label": "", "text": self.t("form.forbidden") })],
            ApiError::Unauthorized(_) => vec![json!({ "label": "", "text": self.t("login.wrong") })],
            ApiError::TooManyRequests(secs) => vec![json!({
                "label": "",
                "text": self.state.pages.locales.text(self.viewer.lang, "form.throttled", &[("secs", secs.to_string())]),
            })],
            other => vec![json!({ "label": "", "text": other.to_string() })],
        };
        let by_field: Map<String, Value> =
            list.iter().filter_map(|v| Some((v.get("field")?.as_str()?.to_owned(), v.get("text")?.clone()))).collect();
        json!({ "list": list, "field": by_field })
    }

    fn me(&self) -> Value {
        let Some(c) = &self.viewer.caller else { return Value::Null };
        let a = &c.actor;
        let property = a.memberships.iter().any(|m| matches!(m.kind, OrgKind::PropertyCompany | OrgKind::Unit));
        json!({
            "name": c.user.display_name,
            "login": c.user.login,
            "roles": c.user.roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "manages": a.has_role(Role::Secretary) || a.has_role(Role::Admin),
            "admin": a.has_role(Role::Admin),
            "secretary": a.has_role(Role::Secretary),
            "supervisor": a.has_role(Role::Supervisor),
            "property": property,
            "resident": a.has_role(Role::Resident) || a.has_role(Role::Grid),
            "community_wide": community_wide(c),
        })
    }

    /// Renders `template` with `data` merged into the shared context.
    pub fn render(self, status: StatusCode, template: &str, data: Value) -> Response {
        let flash = self
            .viewer
            .here
            .split_once('?')
            .and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("done=")))
            .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            .map(str::to_owned);
        // Where the language switch comes back to: this page, without its one-time note.
        let back = match self.viewer.here.split_once('?') {
            Some((path, query)) => {
                let rest: Vec<&str> = query.split('&').filter(|kv| !kv.starts_with("done=")).collect();
                if rest.is_empty() { path.to_owned() } else { format!("{path}?{}", rest.join("&")) }
            }
            None => self.viewer.here.clone(),
        };
        let mut context = json!({
            "lang": self.viewer.lang,
            "csrf": self.viewer.csrf,
            "here": back,
            "me": self.me(),
            "flash": flash,
        });
        if let (Some(base), Value::Object(extra)) = (context.as_object_mut(), data) {
            base.extend(extra);
        }
        match self.state.pages.render(template, &context) {
            Ok(html) => (status, self.viewer.jar, Html(html)).into_response(),
            Err(cause) => {
                tracing::error!(%cause, "page failed to render");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }

    /// Sends what a page's work produced, or the page for its error.
    pub fn respond(self, out: Result<Out, ApiError>) -> Response {
        match out {
            Ok(Out::Page(template, data)) => self.render(StatusCode::OK, template, data),
            Ok(Out::Status(status, template, data)) => self.render(status, template, data),
            Ok(Out::Done(to, what)) => {
                let sep = if to.contains('?') { '&' } else { '?' };
                (self.viewer.jar, Redirect::to(&format!("{to}{sep}done={what}"))).into_response()
            }
            Ok(Out::Raw(response)) => response,
            Err(e) => self.fail(e),
        }
    }

    /// The page for an error: sign in for 401, otherwise a page with the status.
    pub fn fail(self, e: ApiError) -> Response {
        if let ApiError::Unauthorized(_) = e {
            let next = urlencode(&self.viewer.here);
            return (self.viewer.jar, Redirect::to(&format!("/login?next={next}"))).into_response();
        }
        let status = match &e {
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error on a page");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            // What a browser can send wrong is one page: "could not be read".
            ApiError::Invalid { .. } | ApiError::UnsupportedMediaType | ApiError::Unauthorized(_) => {
                StatusCode::BAD_REQUEST
            }
            other => other.status(),
        };
        self.error_page(status)
    }

    /// The error page for a status, in the viewer's language.
    pub fn error_page(self, status: StatusCode) -> Response {
        let key = match status {
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::CONFLICT => "conflict",
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            StatusCode::TOO_MANY_REQUESTS => "busy",
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => "unavailable",
            s if s.is_server_error() => "internal",
            _ => "bad_request",
        };
        self.render(status, "error", json!({ "error": key, "status": status.as_u16() }))
    }
}

/// The status a refused form is shown again with — 422 for values the API refused, 409
/// when someone else changed the thing first — or `None` for errors that get a page of
/// their own.
pub fn refusal(e: &ApiError) -> Option<StatusCode> {
    match e {
        ApiError::Invalid { .. } => Some(StatusCode::UNPROCESSABLE_ENTITY),
        ApiError::Conflict { .. } => Some(StatusCode::CONFLICT),
        _ => None,
    }
}

/// Percent-encodes a value for a query string (`/` kept, for readable `next=` paths).
pub fn urlencode(s: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');
    utf8_percent_encode(s, VALUE).to_string()
}
