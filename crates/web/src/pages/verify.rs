//! The page a one-click verification link opens: one button (mail scanners that fetch
//! links change nothing); the button posts the answer as the raiser. The link itself
//! is the credential (see `mail::links`), so no session is needed; the page speaks the
//! viewer's chosen language, else the mail's (`?lang=`).

use axum::http::StatusCode;
use axum::response::Response;
use roundtable_core::text;
use roundtable_core::{Denial, Effect, Field, Issue, IssueState, TransitionFields, TransitionRequest, Workflow, apply};
use roundtable_store::{directory, issues, settings};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiForm, ApiPath, ApiQuery};
use crate::i18n;
use crate::mail::links::{self, Answer, LinkError, LinkParts};
use crate::pages::render::{Ctx, FormErrors, Out, Page};
use crate::pages::session::LANG;

#[derive(Deserialize)]
pub struct Lang {
    pub(crate) lang: Option<String>,
}

/// The question, with its form (again with what was written, when that was refused).
#[derive(Serialize)]
struct Ask {
    title: String,
    answer: Answer,
    reason: String,
    reason_max_chars: usize,
    errors: Option<FormErrors>,
}

impl Ask {
    fn new(title: String, answer: Answer, reason: String, errors: Option<FormErrors>) -> Ask {
        Ask { title, answer, reason, reason_max_chars: TransitionFields::REASON_MAX_CHARS, errors }
    }
}

/// Either the question or what came of the answer (a `verify.*` locale key).
#[derive(Serialize)]
struct VerifyPage {
    ask: Option<Ask>,
    message: Option<&'static str>,
}

impl VerifyPage {
    fn said(message: &'static str) -> VerifyPage {
        VerifyPage { ask: None, message: Some(message) }
    }
}

impl Page for VerifyPage {
    const TEMPLATE: &'static str = "verify";
}

/// The viewer's chosen language wins; otherwise the mail's.
pub(crate) fn speak(mut ctx: Ctx, lang: Option<String>) -> Ctx {
    if ctx.viewer.jar.get(LANG).is_none()
        && let Some(l) = lang.as_deref().and_then(|l| i18n::LOCALES.iter().find(|k| **k == l))
    {
        ctx.viewer.lang = l;
    }
    ctx
}

fn refused(ctx: Ctx, e: LinkError) -> Response {
    let status = if e == LinkError::NotAwaiting { StatusCode::CONFLICT } else { StatusCode::BAD_REQUEST };
    ctx.respond(Out::status(status, VerifyPage::said(e.key())))
}

async fn checked(ctx: &Ctx, parts: &LinkParts) -> Result<(roundtable_core::IssueId, Answer), LinkError> {
    let key = ctx.state.db.run(links::key).await.map_err(|_| LinkError::Invalid)?;
    links::check(&key, parts, ctx.state.now())
}

/// The workflow step an answer takes from the issue's state, found by what it does (the
/// workflow file names it): a verification takes a satisfaction into a final state; the
/// other two record the failed verification.
fn step(wf: &Workflow, issue: &Issue, answer: Answer) -> Option<String> {
    wf.transitions
        .iter()
        .filter(|t| t.from.contains(&issue.state))
        .find(|t| match answer {
            Answer::Fixed => t.require.contains(&Field::Satisfaction) && wf.is_terminal(t.to.as_str()),
            Answer::PartlyFixed => t.effects.contains(&Effect::RecordPartlyFixed),
            Answer::NotFixed => t.effects.contains(&Effect::RecordReopen),
        })
        .map(|t| t.name.clone())
}

/// The confirmation page.
pub async fn show(ctx: Ctx, ApiPath(parts): ApiPath<LinkParts>, ApiQuery(q): ApiQuery<Lang>) -> Response {
    let ctx = speak(ctx, q.lang);
    let (id, answer) = match checked(&ctx, &parts).await {
        Ok(v) => v,
        Err(e) => return refused(ctx, e),
    };
    let Ok(issue) = ctx.state.db.run(move |conn| issues::get_issue(conn, id)).await else {
        return refused(ctx, LinkError::Invalid);
    };
    let ask = Ask::new(issue.title, answer, String::new(), None);
    ctx.respond(Out::page(VerifyPage { ask: Some(ask), message: None }))
}

/// Why an answer was not taken: the link, or what the raiser wrote (the issue's title
/// comes along to ask again).
enum NotTaken {
    Link(LinkError),
    Form(ApiError, String),
}

impl From<LinkError> for NotTaken {
    fn from(e: LinkError) -> Self {
        NotTaken::Link(e)
    }
}

#[derive(Deserialize)]
pub struct AnswerForm {
    satisfaction: Option<i64>,
    reason: Option<String>,
}

/// Acts on the answer as the raiser: verify, or reopen with the reason.
pub async fn answer(
    ctx: Ctx,
    ApiPath(parts): ApiPath<LinkParts>,
    ApiQuery(q): ApiQuery<Lang>,
    ApiForm(form): ApiForm<AnswerForm>,
) -> Response {
    let ctx = speak(ctx, q.lang);
    let now = ctx.state.now();
    let (id, answer) = match checked(&ctx, &parts).await {
        Ok(v) => v,
        Err(e) => return refused(ctx, e),
    };
    // The reason recorded when the raiser gives none.
    let by_mail = match answer {
        Answer::PartlyFixed => "verify.by_mail_partly_fixed",
        Answer::Fixed | Answer::NotFixed => "verify.by_mail_not_fixed",
    };
    let by_mail = ctx.state.pages.locales.text(ctx.viewer.lang, by_mail, &[]);
    let nonce = parts.3.clone();
    let workflows = ctx.state.workflows.clone();
    let written = form.reason.clone().unwrap_or_default();
    let result = ctx
        .state
        .db
        .write(move |conn| {
            let issue = issues::get_issue(conn, id)?;
            if issue.state != IssueState::RESOLVED {
                return Ok(Err(LinkError::NotAwaiting.into()));
            }
            let actor = directory::actor(conn, issue.raised_by)?;
            let tz = directory::get_community(conn, issue.community)?.time_zone;
            let Some(wf) = workflows.get(&issue.workflow) else { return Ok(Err(LinkError::Invalid.into())) };
            let Some(transition) = step(wf, &issue, answer) else { return Ok(Err(LinkError::NotAwaiting.into())) };
            let fields = if answer == Answer::Fixed {
                TransitionFields { satisfaction: Some(form.satisfaction.unwrap_or(5)), ..Default::default() }
            } else {
                // Blank, or only zero-width characters, is no reason given.
                let reason = form.reason.as_deref().map(text::trim).filter(|r| !r.is_empty());
                TransitionFields { reason: Some(reason.unwrap_or(&by_mail).to_owned()), ..Default::default() }
            };
            let request = TransitionRequest { transition, version: issue.version, fields };
            // What the raiser wrote (too long, a satisfaction out of range) is asked again,
            // kept; anything else the link cannot do.
            let outcome = match apply(wf, &issue, &actor, &request, now.with_timezone(&tz)) {
                Ok(outcome) => outcome,
                Err(d @ Denial::Invalid { .. }) => return Ok(Err(NotTaken::Form(d.into(), issue.title))),
                Err(_) => return Ok(Err(LinkError::Invalid.into())),
            };
            if settings::consume_link_and_record(conn, &nonce, &outcome, now)? {
                Ok(Ok(()))
            } else {
                Ok(Err(LinkError::Used.into()))
            }
        })
        .await;
    match result {
        Ok(Ok(())) => {
            ctx.respond(Out::page(VerifyPage::said(if answer == Answer::Fixed { "verified" } else { "reopened" })))
        }
        Ok(Err(NotTaken::Link(e))) => refused(ctx, e),
        Ok(Err(NotTaken::Form(e, title))) => {
            let ask = Ask::new(title, answer, written, Some(ctx.form_errors(&e)));
            ctx.respond(Out::status(StatusCode::UNPROCESSABLE_ENTITY, VerifyPage { ask: Some(ask), message: None }))
        }
        Err(e) => {
            tracing::error!(error = %e, "verification link");
            ctx.respond(Out::status(StatusCode::SERVICE_UNAVAILABLE, VerifyPage::said("unavailable")))
        }
    }
}
