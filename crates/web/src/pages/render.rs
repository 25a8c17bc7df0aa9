//! Rendering a page: the compiled templates, the typed context every page shares
//! (language, CSRF token, who is signed in), the [`Page`] trait each page's data
//! implements, and the error pages.

use std::collections::BTreeMap;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use handlebars::Handlebars;
use roundtable_core::{OrgKind, Role};
use serde::Serialize;
use serde_json::Value;

use crate::error::{ApiError, FieldProblem};
use crate::i18n::{Locales, TranslateHelper};
use crate::pages::session::Viewer;
use crate::state::AppState;

/// (name, template)
const TEMPLATES: [(&str, &str); 39] = [
    ("layout", include_str!("../../templates/pages/layout.hbs")),
    ("error", include_str!("../../templates/pages/error.hbs")),
    ("login", include_str!("../../templates/pages/login.hbs")),
    ("home", include_str!("../../templates/pages/home.hbs")),
    ("issue_rows", include_str!("../../templates/pages/issue_rows.hbs")),
    ("urgency_choice", include_str!("../../templates/pages/urgency_choice.hbs")),
    ("urgency_badge", include_str!("../../templates/pages/urgency_badge.hbs")),
    ("minutes_stage", include_str!("../../templates/pages/minutes_stage.hbs")),
    ("item_outcome", include_str!("../../templates/pages/item_outcome.hbs")),
    ("agenda_standing", include_str!("../../templates/pages/agenda_standing.hbs")),
    ("issues", include_str!("../../templates/pages/issues.hbs")),
    ("issue", include_str!("../../templates/pages/issue.hbs")),
    ("raise", include_str!("../../templates/pages/raise.hbs")),
    ("day_clash", include_str!("../../templates/pages/day_clash.hbs")),
    ("meetings", include_str!("../../templates/pages/meetings.hbs")),
    ("meeting", include_str!("../../templates/pages/meeting.hbs")),
    ("day", include_str!("../../templates/pages/day.hbs")),
    ("minutes", include_str!("../../templates/pages/minutes.hbs")),
    ("scorecard", include_str!("../../templates/pages/scorecard.hbs")),
    ("scorecard_table", include_str!("../../templates/pages/scorecard_table.hbs")),
    ("trends", include_str!("../../templates/pages/trends.hbs")),
    // Shared with the documents: one table and one explanation of the comparison.
    ("score_rows", include_str!("../../templates/scorecard/rows.html.hbs")),
    ("formula", include_str!("../../templates/scorecard/formula.hbs")),
    ("admin", include_str!("../../templates/pages/admin.hbs")),
    ("account", include_str!("../../templates/pages/account.hbs")),
    ("forgot", include_str!("../../templates/pages/forgot.hbs")),
    ("reset", include_str!("../../templates/pages/reset.hbs")),
    ("history", include_str!("../../templates/pages/history.hbs")),
    ("verify", include_str!("../../templates/pages/verify.hbs")),
    ("invitations", include_str!("../../templates/pages/invitations.hbs")),
    ("workdays", include_str!("../../templates/pages/workdays.hbs")),
    ("channels", include_str!("../../templates/pages/channels.hbs")),
    ("street", include_str!("../../templates/pages/street.hbs")),
    ("invitation", include_str!("../../templates/pages/invitation.hbs")),
    ("join", include_str!("../../templates/pages/join.hbs")),
    ("notices", include_str!("../../templates/pages/notices.hbs")),
    ("notice_details", include_str!("../../templates/pages/notice_details.hbs")),
    ("stop_mail", include_str!("../../templates/pages/stop_mail.hbs")),
    ("board", include_str!("../../templates/pages/board.hbs")),
];

/// The compiled page templates and the strings they speak.
pub struct Pages {
    hbs: Handlebars<'static>,
    pub locales: &'static Locales,
}

impl Pages {
    pub fn new() -> Result<Self, String> {
        let locales = crate::i18n::strings();
        let mut hbs = Handlebars::new();
        hbs.register_helper("t", Box::new(TranslateHelper(locales)));
        hbs.register_helper("eq", Box::new(eq));
        hbs.register_helper("inc", Box::new(inc));
        for (name, text) in TEMPLATES {
            hbs.register_template_string(name, text).map_err(|e| format!("page template {name}: {e}"))?;
            // Every template is also a partial, so `layout` and `issue_rows` can be included.
            hbs.register_partial(name, text).map_err(|e| format!("page partial {name}: {e}"))?;
        }
        Ok(Pages { hbs, locales })
    }

    pub fn render(&self, name: &str, data: &impl Serialize) -> Result<String, String> {
        self.hbs.render(name, data).map_err(|e| format!("page {name}: {e}"))
    }

    pub fn template_names() -> impl Iterator<Item = (&'static str, &'static str)> {
        TEMPLATES.into_iter()
    }
}

handlebars::handlebars_helper!(eq: |a: Value, b: Value| a == b);
// Counting from one, as people do ("Photo 1").
handlebars::handlebars_helper!(inc: |n: u64| n + 1);

/// Secretaries, administrators and the supervisory committee see the whole community.
pub fn community_wide(c: &crate::auth::Caller) -> bool {
    [Role::Admin, Role::Secretary, Role::Supervisor].iter().any(|r| c.actor.has_role(*r))
}

/// What a page handler works with: the application and who is looking.
pub struct Ctx {
    pub state: AppState,
    pub viewer: Viewer,
}

impl Ctx {
    /// The viewer opened what `seen` names: its notices are read, and the bell on this
    /// page already says so (counted again: a meeting's notices count once, however many
    /// of them were read). A failure to mark them costs the page nothing (logged).
    pub async fn seen(&mut self, seen: roundtable_store::notices::Seen) {
        let Some(caller) = self.viewer.caller.as_ref().filter(|_| self.viewer.unread > 0) else { return };
        let counted = match crate::ops::notices::seen(&self.state, caller, seen).await {
            Ok(0) => return,
            Ok(_) => crate::ops::notices::unread(&self.state, caller).await,
            Err(e) => Err(e),
        };
        match counted {
            Ok(n) => self.viewer.unread = n,
            Err(e) => tracing::warn!(error = ?e, "marking notices read failed"),
        }
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        Ok(Ctx { state: state.clone(), viewer })
    }
}

/// A page's data, typed: a struct the page's template renders (with the shared
/// context beside it). Handlers build these; only the renderer sees JSON.
pub trait Page: Serialize {
    const TEMPLATE: &'static str;
}

/// A choice in a `<select>`.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl ToString, label: impl Into<String>, selected: bool) -> Choice {
        Choice { value: value.to_string(), label: label.into(), selected }
    }

    /// The urgencies to raise an issue with (the `urgency_choice` partial), `chosen` or
    /// else routine selected.
    pub fn urgencies(chosen: Option<&str>) -> Vec<Choice> {
        use roundtable_core::Urgency;
        let chosen = chosen.filter(|c| !c.is_empty()).unwrap_or(Urgency::Routine.as_str());
        Urgency::ALL.iter().map(|u| Choice::new(u, u.as_str(), u.as_str() == chosen)).collect()
    }
}

#[derive(Serialize)]
struct ErrorPage {
    error: &'static str,
    status: u16,
    errors: Vec<ShownProblem>,
    /// The page without the query it could not read (a link cut short or edited by hand).
    without_query: Option<String>,
}

/// One problem of a refused form, in the viewer's language.
#[derive(Serialize, Clone, Debug)]
pub struct ShownProblem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The field's label ("Due date"); empty for a problem of the whole form.
    pub label: String,
    pub text: String,
}

/// The errors of a refused form, for the template: a list, and the text by field.
#[derive(Serialize, Clone, Debug, Default)]
pub struct FormErrors {
    pub list: Vec<ShownProblem>,
    pub field: BTreeMap<String, String>,
}

impl FormErrors {
    /// Names the problems of `fields` by `label`: a form that asks for a field under its
    /// own words ("改派理由") says them, not the shared label ("原因").
    pub fn relabel(&mut self, fields: &[&str], label: &str) {
        for p in self.list.iter_mut().filter(|p| p.field.as_deref().is_some_and(|f| fields.contains(&f))) {
            p.label = label.to_owned();
        }
    }
}

/// Who is signed in, as the layout and the templates' menus need it.
#[derive(Serialize)]
struct Me<'a> {
    name: &'a str,
    /// The viewer's community, named at the foot of every page.
    community: &'a str,
    login: &'a str,
    roles: Vec<&'static str>,
    manages: bool,
    admin: bool,
    secretary: bool,
    supervisor: bool,
    property: bool,
    resident: bool,
    community_wide: bool,
    /// May make invitations: the secretary, administrators, building leaders.
    invites: bool,
    /// The street office's people (the comparison of its communities).
    street: bool,
    /// Unread notices.
    unread: u32,
}

/// What every page's template can use beside the page's own data.
#[derive(Serialize)]
struct Shared<'a, P: Serialize> {
    lang: &'static str,
    csrf: &'a str,
    here: String,
    me: Option<Me<'a>>,
    flash: Option<&'a str>,
    #[serde(flatten)]
    page: P,
}

/// What a page's work ends in.
pub enum Out {
    /// A page's data with its template and status (200, or 422/409 for a form shown
    /// again with its errors).
    Page(StatusCode, &'static str, Value),
    /// Post/redirect/get: go to the path, with a short note (a locale key) of what was done.
    Done(String, &'static str),
    Raw(Response),
}

impl Out {
    pub fn page<P: Page>(page: P) -> PageResult {
        Out::status(StatusCode::OK, page)
    }

    pub fn status<P: Page>(status: StatusCode, page: P) -> PageResult {
        let data = serde_json::to_value(&page).map_err(|e| ApiError::Internal(format!("page {}: {e}", P::TEMPLATE)))?;
        Ok(Out::Page(status, P::TEMPLATE, data))
    }
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
    /// A form whose labels are its own (`labels.{field}`) names its fields as it shows
    /// them; every other form by the shared `field.{field}`.
    fn problem(&self, p: &FieldProblem, labels: Option<&str>) -> ShownProblem {
        // `add[0].minutes` is labelled as `minutes`.
        let name = p.field.rsplit('.').next().unwrap_or(&p.field);
        let locales = &self.state.pages.locales;
        let own = labels.and_then(|l| locales.lookup(self.viewer.lang, &format!("{l}.{name}")));
        // A field without a label (a hidden one sent back tampered) is not named by its key.
        let shared = || locales.lookup(self.viewer.lang, &format!("field.{name}")).unwrap_or_default().to_owned();
        let label = own.map_or_else(shared, str::to_owned);
        // The limit a refusal carries, said: "太长了（最多 2000 字）", "太短了（至少 8 个字符）",
        // "超出范围（须在 1 到 120 之间）".
        let say = |key: &str, args: &[(&str, String)]| locales.text(self.viewer.lang, key, args);
        let text = match (p.max_chars, p.min_chars, p.min.zip(p.max)) {
            (Some(max), ..) => say("problem.too_long_at_most", &[("max", max.to_string())]),
            (None, Some(min), _) => say("problem.too_short_at_least", &[("min", min.to_string())]),
            (None, None, Some((min, max))) => {
                say("problem.out_of_range_between", &[("min", min.to_string()), ("max", max.to_string())])
            }
            (None, None, None) => locales
                .lookup(self.viewer.lang, &format!("problem.{}", p.problem))
                .map_or_else(|| p.message.clone(), str::to_owned),
        };
        // Which line of a list: "格式不正确：“li at anshang”".
        let text = match &p.item {
            Some(item) => say("problem.of_item", &[("text", text), ("item", item.clone())]),
            None => text,
        };
        ShownProblem { field: Some(p.field.clone()), label, text }
    }

    /// The errors of a refused form, in the viewer's language.
    pub fn form_errors(&self, e: &ApiError) -> FormErrors {
        self.form_errors_in(e, None)
    }

    /// The errors of a refused form that labels its fields with the strings of `labels`
    /// (`channels.url` …), falling back to the shared `field.*`.
    pub fn form_errors_in(&self, e: &ApiError, labels: Option<&str>) -> FormErrors {
        let whole = |text: String| vec![ShownProblem { field: None, label: String::new(), text }];
        let list = match e {
            ApiError::Invalid { errors, .. } => errors.iter().map(|p| self.problem(p, labels)).collect(),
            ApiError::Photo(p) => vec![self.problem(&FieldProblem::new("photo", p.code(), p.to_string()), labels)],
            ApiError::Conflict { .. } => whole(self.t("form.conflict")),
            ApiError::Refused { code, .. } => whole(self.t(&format!("refused.{code}"))),
            ApiError::Forbidden(_) => whole(self.t("form.forbidden")),
            ApiError::Unauthorized(_) => whole(self.t("login.wrong")),
            ApiError::TooManyRequests(secs) => {
                whole(self.state.pages.locales.text(self.viewer.lang, "form.throttled", &[("secs", secs.to_string())]))
            }
            other => whole(other.to_string()),
        };
        let field = list.iter().filter_map(|p| Some((p.field.clone()?, p.text.clone()))).collect();
        FormErrors { list, field }
    }

    fn me(&self) -> Option<Me<'_>> {
        let c = self.viewer.caller.as_ref()?;
        let a = &c.actor;
        let property = a.memberships.iter().any(|m| matches!(m.kind, OrgKind::PropertyCompany | OrgKind::Unit));
        Some(Me {
            name: &c.user.display_name,
            community: &c.community.name,
            login: &c.user.login,
            roles: c.user.roles.iter().map(|r| r.as_str()).collect(),
            manages: a.has_role(Role::Secretary) || a.has_role(Role::Admin),
            admin: a.has_role(Role::Admin),
            secretary: a.has_role(Role::Secretary),
            supervisor: a.has_role(Role::Supervisor),
            property,
            resident: [Role::Resident, Role::Grid, Role::BuildingLeader].iter().any(|r| a.has_role(*r)),
            community_wide: community_wide(c),
            invites: [Role::Secretary, Role::Admin, Role::BuildingLeader].iter().any(|r| a.has_role(*r)),
            street: a.has_role(Role::Street),
            unread: self.viewer.unread,
        })
    }

    /// Renders `template` with `page` beside the shared context.
    pub fn render(self, status: StatusCode, template: &str, page: impl Serialize) -> Response {
        let here = &self.viewer.here;
        let flash = here
            .split_once('?')
            .and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("done=")))
            .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        // Where the language switch comes back to: this page, without its one-time note.
        let back = match here.split_once('?') {
            Some((path, query)) => {
                let rest: Vec<&str> = query.split('&').filter(|kv| !kv.starts_with("done=")).collect();
                if rest.is_empty() { path.to_owned() } else { format!("{path}?{}", rest.join("&")) }
            }
            None => here.clone(),
        };
        let context =
            Shared { lang: self.viewer.lang, csrf: &self.viewer.csrf, here: back, me: self.me(), flash, page };
        let rendered = self.state.pages.render(template, &context);
        match rendered {
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
            Ok(Out::Page(status, template, data)) => self.render(status, template, data),
            Ok(Out::Done(to, what)) => {
                // The note goes in the query, before a fragment (`/admin#orgs`).
                let (path, fragment) = to.split_once('#').map_or((to.as_str(), ""), |(p, f)| (p, f));
                let sep = if path.contains('?') { '&' } else { '?' };
                let hash = if fragment.is_empty() { String::new() } else { format!("#{fragment}") };
                (self.viewer.jar, Redirect::to(&format!("{path}{sep}done={what}{hash}"))).into_response()
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
            // An address whose filters name what is wrong (`?month=2026-13`), with a way
            // to the page without them.
            ApiError::Invalid { errors, .. } if !errors.is_empty() && self.viewer.here.contains('?') => {
                let errors = errors.iter().map(|p| self.problem(p, None)).collect();
                let without_query = self.viewer.here.split('?').next().map(str::to_owned);
                let status = StatusCode::BAD_REQUEST;
                let page = ErrorPage { error: "bad_query", status: status.as_u16(), errors, without_query };
                return self.render(status, "error", page);
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
            // An address a form posts to, opened (a reload after the form, a link kept).
            StatusCode::METHOD_NOT_ALLOWED => "form_only",
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            StatusCode::TOO_MANY_REQUESTS => "busy",
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => "unavailable",
            s if s.is_server_error() => "internal",
            _ => "bad_request",
        };
        self.error_page_for(status, key)
    }

    /// The error page with the text of `error.<key>`.
    pub fn error_page_for(self, status: StatusCode, key: &'static str) -> Response {
        self.render(
            status,
            "error",
            ErrorPage { error: key, status: status.as_u16(), errors: Vec::new(), without_query: None },
        )
    }

    /// The 422 page for values refused before a form's own page could show them again: what
    /// was wrong with which field, and back to the form (where the browser kept the text).
    pub fn refused_page(self, problems: &[crate::error::FieldProblem]) -> Response {
        let errors = problems.iter().map(|p| self.problem(p, None)).collect();
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        self.render(
            status,
            "error",
            ErrorPage { error: "invalid", status: status.as_u16(), errors, without_query: None },
        )
    }
}

/// The status a refused form is shown again with — 422 for values the API refused, 409
/// when someone else changed the thing first, 429 for a password tried too often — or
/// `None` for errors that get a page of their own.
pub fn refusal(e: &ApiError) -> Option<StatusCode> {
    match e {
        ApiError::Invalid { .. } => Some(StatusCode::UNPROCESSABLE_ENTITY),
        ApiError::Conflict { .. } | ApiError::Refused { .. } => Some(StatusCode::CONFLICT),
        ApiError::TooManyRequests(_) => Some(StatusCode::TOO_MANY_REQUESTS),
        _ => None,
    }
}

/// Percent-encodes a value for a query string (`/` kept, for readable `next=` paths).
pub fn urlencode(s: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');
    utf8_percent_encode(s, VALUE).to_string()
}
