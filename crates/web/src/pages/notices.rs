//! The notices page (the bell's), following an issue, and the mail setting for notices.

use axum::http::StatusCode;
use axum::response::Response;
use roundtable_core::notice::{MeetingTold, NoticeMail};
use roundtable_core::{IssueId, MeetingId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ApiError, ApiPath, ApiQuery};
use crate::ops::notices as ops;
use crate::pages::forms::{Empty, Posted};
use crate::pages::render::{Ctx, Out, Page};
use crate::pages::verify::{Lang, speak};
use crate::steps::{Detail, Heard, details, gather, said_of_all, told_detail};
use crate::views::{NoticeQuery, NoticeView};

#[derive(Serialize)]
struct Shown {
    #[serde(flatten)]
    view: NoticeView,
    at_local: String,
    /// What happened, in the past: "assigned", not the button's "Assign".
    step: String,
    /// A meeting's notice in a group: what the meeting did with this issue alone.
    own: String,
    /// What the step carried: the company, the commitment and its date, a note.
    details: Vec<Detail>,
    /// A meeting's notice: where to read its agenda, or its minutes (`heard`).
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<Link>,
    /// What the meeting did, said once above the group.
    #[serde(skip)]
    head: String,
}

#[derive(Serialize)]
struct Link {
    href: String,
    /// The link's locale key.
    label: &'static str,
}

/// One entry of the list: a notice alone, or the notices a meeting gave at once.
#[derive(Serialize)]
struct Entry {
    #[serde(skip_serializing_if = "Option::is_none")]
    one: Option<Shown>,
    #[serde(skip_serializing_if = "Option::is_none")]
    told: Option<ToldGroup>,
}

/// "2026-12-06 联席会议纪要已发布 · 您关注的 10 项议题", then each issue and what the
/// meeting did with it.
#[derive(Serialize)]
struct ToldGroup {
    head: String,
    at_local: String,
    actor: String,
    link: Option<Link>,
    /// Words said of them all (why the meeting is off).
    details: Vec<Detail>,
    unread: bool,
    count: usize,
    items: Vec<Shown>,
}

impl Entry {
    fn new(mut group: Vec<Shown>) -> Self {
        if group.len() == 1 {
            return Entry { one: group.pop(), told: None };
        }
        let details = said_of_all(group.iter_mut().map(|s| &mut s.details));
        let first = &mut group[0];
        let told = ToldGroup {
            head: std::mem::take(&mut first.head),
            at_local: first.at_local.clone(),
            actor: first.view.actor.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
            link: first.link.take(),
            details,
            unread: group.iter().any(|s| !s.view.read),
            count: group.len(),
            items: group,
        };
        Entry { one: None, told: Some(told) }
    }
}

#[derive(Serialize)]
struct NoticesPage {
    entries: Vec<Entry>,
    unread: u32,
    /// Where the next, older page starts.
    older: Option<Uuid>,
    /// This is an older page (the newest is one link away).
    paged: bool,
}

impl Page for NoticesPage {
    const TEMPLATE: &'static str = "notices";
}

pub async fn list(ctx: Ctx, ApiQuery(q): ApiQuery<NoticeQuery>) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        let list = ops::list(&ctx.state, &caller, q.unread.unwrap_or(false), q.before).await?;
        let names = crate::ops::reference::names(&ctx.state, &caller).await?;
        let meetings: Vec<_> =
            crate::ops::meetings::all(&ctx.state, &caller).await?.into_iter().map(|r| r.meeting).collect();
        let (locales, lang) = (ctx.state.pages.locales, ctx.viewer.lang);
        let shown = list
            .items
            .into_iter()
            .map(|view| {
                let link = view.meeting.as_ref().map(|m| match m.told {
                    MeetingTold::Heard => {
                        Link { href: format!("/meetings/{}/minutes", m.meeting), label: "notices.minutes" }
                    }
                    _ => Link { href: format!("/meetings/{}", m.meeting), label: "notices.agenda" },
                });
                let (step, head, own, details) = match (&view.meeting, &view.transition, &view.fields) {
                    // What the reminder says (its words for a page, else its mail's).
                    _ if view.reminder.is_some() => {
                        let timer = view.reminder.as_deref().unwrap_or_default();
                        let due = view.due_date.map(crate::steps::Detail::due_date);
                        (locales.reminder(lang, timer), String::new(), String::new(), due.into_iter().collect())
                    }
                    (Some(m), ..) => {
                        let i = &m.item;
                        let heard = Heard {
                            told: m.told,
                            slot: m.slot,
                            reason: i.reason,
                            outcome: i.outcome,
                            review_on: i.review_on,
                            refused_due_date: i.refused_due_date,
                            refused_return: i.refused_return,
                            in_appendix: i.in_appendix,
                            now_at: m.on.then(|| {
                                (
                                    m.starts_at.with_timezone(&caller.tz()).format("%Y-%m-%d %H:%M").to_string(),
                                    &*m.place,
                                )
                            }),
                        };
                        let said = heard.lines(locales, lang);
                        (said.line, said.head, said.own, m.note.iter().cloned().map(told_detail(m.told)).collect())
                    }
                    (None, Some(transition), Some(fields)) => (
                        locales.step(lang, transition),
                        String::new(),
                        String::new(),
                        details(|o| names.org(o).map(str::to_owned), &meetings, fields),
                    ),
                    _ => Default::default(),
                };
                Shown {
                    step,
                    own,
                    head,
                    details,
                    link,
                    at_local: view.at.with_timezone(&caller.tz()).format("%Y-%m-%d %H:%M").to_string(),
                    view,
                }
            })
            .collect();
        let key = |s: &Shown| s.view.meeting.as_ref().map(|m| (MeetingId(m.meeting), m.told, s.view.at));
        let entries = gather(shown, key).into_iter().map(Entry::new).collect();
        Out::page(NoticesPage { entries, unread: list.unread, older: list.older, paged: q.before.is_some() })
    }
    .await;
    ctx.respond(out)
}

pub async fn mark_read(Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        ops::mark_read(&ctx.state, &ctx.caller()?, None).await?;
        Ok(Out::Done("/notices".into(), "notices_read"))
    }
    .await;
    ctx.respond(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowAction {
    Follow,
    Unfollow,
}

#[derive(Deserialize)]
pub struct FollowForm {
    action: FollowAction,
}

pub async fn follow(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<FollowForm>) -> Response {
    let out = async {
        let on = matches!(form.action, FollowAction::Follow);
        ops::follow(&ctx.state, &ctx.caller()?, IssueId(id), on).await?;
        Ok(Out::Done(format!("/issues/{id}"), if on { "followed" } else { "unfollowed" }))
    }
    .await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct MailForm {
    #[serde(default)]
    mail: String,
}

pub async fn mail_setting(Posted { ctx, form }: Posted<MailForm>) -> Response {
    let out = async {
        let mail: NoticeMail = form
            .mail
            .parse()
            .map_err(|e: roundtable_core::UnknownName| ApiError::field("mail", "invalid", e.to_string()))?;
        ops::set_mail_setting(&ctx.state, &ctx.caller()?, mail).await?;
        Ok(Out::Done("/account".into(), "notice_mail_saved"))
    }
    .await;
    let out = out.map_err(|e| match e {
        ApiError::Invalid { .. } => ApiError::BadRequest("choose each, digest or none".into()),
        other => other,
    });
    ctx.respond(out)
}

/// The page a notices mail's stop link opens, or what came of it.
#[derive(Serialize)]
struct StopPage {
    done: bool,
    invalid: bool,
}

impl Page for StopPage {
    const TEMPLATE: &'static str = "stop_mail";
}

/// The reader a stop link is for, or the page saying it is not valid (400).
async fn stop_link_reader(ctx: &Ctx, user: &str, sig: &str) -> Result<roundtable_core::UserId, ()> {
    let key = ctx.state.db.run(crate::mail::links::key).await.map_err(|_| ())?;
    crate::mail::links::check_stop(&key, user, sig).map_err(|_| ())
}

fn invalid_stop_link(ctx: Ctx) -> Response {
    ctx.respond(Out::status(StatusCode::BAD_REQUEST, StopPage { done: false, invalid: true }))
}

/// A notices mail's stop link: one button (a mail scanner that fetches links stops
/// nothing). No session is needed: the link is the credential (`mail::links::stop_link`).
pub async fn stop_page(
    ctx: Ctx,
    ApiPath((user, sig)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<Lang>,
) -> Response {
    let ctx = speak(ctx, q.lang);
    match stop_link_reader(&ctx, &user, &sig).await {
        Ok(_) => ctx.respond(Out::page(StopPage { done: false, invalid: false })),
        Err(()) => invalid_stop_link(ctx),
    }
}

/// Stops the reader's notice mail: the page's button, or the mail program's one-click
/// POST (RFC 8058: no session, no form token, a body we need not read).
pub async fn stop(ctx: Ctx, ApiPath((user, sig)): ApiPath<(String, String)>, ApiQuery(q): ApiQuery<Lang>) -> Response {
    let ctx = speak(ctx, q.lang);
    let Ok(user) = stop_link_reader(&ctx, &user, &sig).await else { return invalid_stop_link(ctx) };
    let stopped = ctx
        .state
        .db
        .write(move |conn| {
            let community = roundtable_store::directory::get_user(conn, user)?.community;
            roundtable_store::notices::set_mail_setting(conn, user, community, NoticeMail::Off)
        })
        .await;
    match stopped {
        Ok(()) => ctx.respond(Out::page(StopPage { done: true, invalid: false })),
        // A closed account's old mail: nothing to stop.
        Err(roundtable_store::StoreError::NotFound) => invalid_stop_link(ctx),
        Err(e) => ctx.respond(Err(e.into())),
    }
}
