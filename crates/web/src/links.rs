//! One-click verification links in "is it fixed?" mail: `/v/{issue}/{answer}/{expires}/{nonce}/{sig}`
//! with an HMAC-SHA256 signature over everything before it, under a key the deployment
//! keeps in its database. A link expires, works once, and only for its issue and answer.
//! Opening it shows a one-button page (mail scanners that fetch links change nothing);
//! the button posts the answer as the raiser.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use roundtable_core::{IssueId, IssueState, TransitionFields, TransitionRequest, apply};
use roundtable_store::{Db, directory, issues, settings};
use serde::Deserialize;
use sha2::Sha256;

use crate::state::AppState;

const KEY: &str = "verification_link_key";
/// How long a link works.
pub const LIFETIME: TimeDelta = TimeDelta::days(30);

fn mac(key: &str, issue: &str, answer: &str, expires: i64, nonce: &str) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    m.update(format!("{issue}/{answer}/{expires}/{nonce}").as_bytes());
    m
}

/// The deployment's signing key (made once, kept in the database).
pub fn key(conn: &mut roundtable_store::DbConn) -> Result<String, roundtable_store::StoreError> {
    settings::get_or_create(conn, KEY, || {
        let (token, _) = crate::auth::new_token();
        token
    })
}

/// The two links of an "is it fixed?" mail: (fixed, not fixed).
pub fn verification_links(key: &str, base_url: &str, issue: IssueId, now: DateTime<Utc>) -> (String, String) {
    let expires = (now + LIFETIME).timestamp();
    let link = |answer: &str| {
        let nonce = uuid::Uuid::now_v7().simple().to_string();
        let sig = hex::encode(mac(key, &issue.to_string(), answer, expires, &nonce).finalize().into_bytes());
        format!("{base_url}/v/{issue}/{answer}/{expires}/{nonce}/{sig}")
    };
    (link("fixed"), link("not-fixed"))
}

#[derive(Debug, PartialEq, Eq)]
pub enum LinkError {
    Invalid,
    Expired,
    Used,
    NotAwaiting,
}

impl LinkError {
    fn page(&self) -> Response {
        let (status, zh, en) = match self {
            LinkError::Invalid => (StatusCode::BAD_REQUEST, "链接无效。", "This link is not valid."),
            LinkError::Expired => (
                StatusCode::BAD_REQUEST,
                "链接已过期，请登录后验收。",
                "This link has expired; please sign in to verify.",
            ),
            LinkError::Used => (StatusCode::BAD_REQUEST, "此链接已经使用过。", "This link has been used already."),
            LinkError::NotAwaiting => (
                StatusCode::CONFLICT,
                "该问题当前不在待验收状态。",
                "This issue is not waiting for verification any more.",
            ),
        };
        (status, page(&format!("<p>{zh}</p><p>{en}</p>"))).into_response()
    }
}

fn page(body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>验收 Verification</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><section class=\"card narrow\">{body}</section></main></body></html>"
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

type LinkPath = Path<(String, String, i64, String, String)>;

/// Checks the signature and expiry; returns the issue and whether it is "fixed".
async fn check(
    db: &Db,
    (issue, answer, expires, nonce, sig): &(String, String, i64, String, String),
    now: DateTime<Utc>,
) -> Result<(IssueId, bool), LinkError> {
    let fixed = match answer.as_str() {
        "fixed" => true,
        "not-fixed" => false,
        _ => return Err(LinkError::Invalid),
    };
    let id: IssueId = issue.parse().map_err(|_| LinkError::Invalid)?;
    let given = hex::decode(sig).map_err(|_| LinkError::Invalid)?;
    let key = db.run(key).await.map_err(|_| LinkError::Invalid)?;
    mac(&key, issue, answer, *expires, nonce).verify_slice(&given).map_err(|_| LinkError::Invalid)?;
    if now.timestamp() > *expires {
        return Err(LinkError::Expired);
    }
    Ok((id, fixed))
}

/// The confirmation page.
pub async fn show(State(state): State<AppState>, Path(parts): LinkPath) -> Response {
    let (id, fixed) = match check(&state.db, &parts, state.now()).await {
        Ok(v) => v,
        Err(e) => return e.page(),
    };
    let Ok(issue) = state.db.run(move |conn| issues::get_issue(conn, id)).await else {
        return LinkError::Invalid.page();
    };
    let title = escape(&issue.title);
    let form = if fixed {
        "<p>问题已解决吗？请打分后确认。 Fixed? Rate it and confirm.</p><form method=\"post\"><label>满意度 Satisfaction <select name=\"satisfaction\"><option>5</option><option>4</option><option>3</option><option>2</option><option>1</option></select></label> <button type=\"submit\">确认已解决 Confirm</button></form>".to_owned()
    } else {
        "<form method=\"post\"><label>还有什么问题？ What is still wrong?<br><textarea name=\"reason\" rows=\"4\" cols=\"40\" required></textarea></label><br><button type=\"submit\">未解决，重新打开 Not fixed: reopen</button></form>".to_owned()
    };
    page(&format!("<h1>{title}</h1>{form}")).into_response()
}

#[derive(Deserialize)]
pub struct Answer {
    satisfaction: Option<i64>,
    reason: Option<String>,
}

/// Acts on the answer as the raiser: verify, or reopen with the reason.
pub async fn answer(State(state): State<AppState>, Path(parts): LinkPath, Form(form): Form<Answer>) -> Response {
    let now = state.now();
    let (id, fixed) = match check(&state.db, &parts, now).await {
        Ok(v) => v,
        Err(e) => return e.page(),
    };
    let nonce = parts.3.clone();
    let workflows = state.workflows.clone();
    let result = state
        .db
        .write(move |conn| {
            let issue = issues::get_issue(conn, id)?;
            if issue.state != IssueState::RESOLVED {
                return Ok(Err(LinkError::NotAwaiting));
            }
            let actor = directory::actor(conn, issue.raised_by)?;
            let tz = directory::get_community(conn, issue.community)?.time_zone;
            let fields = if fixed {
                TransitionFields { satisfaction: Some(form.satisfaction.unwrap_or(5)), ..Default::default() }
            } else {
                let reason =
                    form.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).unwrap_or("通过邮件反馈：未解决");
                TransitionFields { reason: Some(reason.to_owned()), ..Default::default() }
            };
            let request = TransitionRequest {
                transition: if fixed { "verify" } else { "reopen" }.into(),
                version: issue.version,
                fields,
            };
            let Some(wf) = workflows.get(&issue.workflow) else { return Ok(Err(LinkError::Invalid)) };
            let Ok(outcome) = apply(wf, &issue, &actor, &request, now.with_timezone(&tz)) else {
                return Ok(Err(LinkError::Invalid));
            };
            if settings::consume_link_and_record(conn, &nonce, &outcome, now)? {
                Ok(Ok(()))
            } else {
                Ok(Err(LinkError::Used))
            }
        })
        .await;
    match result {
        Ok(Ok(())) if fixed => page("<p>谢谢，已确认解决。</p><p>Thank you: recorded as fixed.</p>").into_response(),
        Ok(Ok(())) => {
            page("<p>已重新打开，责任单位会收到通知。</p><p>Reopened; the responsible party will be told.</p>")
                .into_response()
        }
        Ok(Err(e)) => e.page(),
        Err(e) => {
            tracing::error!(error = %e, "verification link");
            (StatusCode::SERVICE_UNAVAILABLE, page("<p>暂时无法处理，请稍后再试。 Please try again later.</p>"))
                .into_response()
        }
    }
}
