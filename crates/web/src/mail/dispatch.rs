//! Draining the outbox: claim due rows, work out recipients and words, send, record.
//! Failures retry with exponential backoff and jitter; after `mail.max_attempts` a row is
//! dead and stays visible until retried by hand.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use roundtable_core::{
    AccountNotice, Community, CommunityId, Effect, Event, Issue, IssueId, MeetingId, MeetingNotice, OrgId, OrgKind,
    Role, Urgency, UserId, notice::OrgNotice,
};
use std::collections::HashMap;

use roundtable_core::notice::About;
use roundtable_store::channels::{self, Channel};
use roundtable_store::notices::Told;
use roundtable_store::outbox::{self, Pending};
use roundtable_store::{Db, DbConn, StoreError, directory, issues, meetings};
use serde_json::{Value, json};

use super::channels::Answer;
use super::{Email, Mailer, Templates};
use crate::config::MailConfig;

/// What one dispatch round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DispatchReport {
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
    /// Effects that need no mail (e.g. `flag_overdue`), and copies for removed channels.
    pub skipped: usize,
    /// Robot messages held back by a rate limit, to go in a later round (not an attempt).
    pub deferred: usize,
    /// Robot messages held until their community's quiet hours end (not an attempt).
    pub quiet: usize,
}

/// A composed notification: who, which template, in which language, with what.
/// The kinds of mail, each a template directory (`templates/email/<locale>/<name>/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Template {
    MeetingNotice,
    IssueAssigned,
    IssueUpdate,
    VerificationRequest,
    Reminder,
    Escalation,
    PasswordReset,
    Notices,
    WeeklySummary,
}

impl Template {
    fn name(self) -> &'static str {
        match self {
            Template::MeetingNotice => "meeting_notice",
            Template::IssueAssigned => "issue_assigned",
            Template::IssueUpdate => "issue_update",
            Template::VerificationRequest => "verification_request",
            Template::Reminder => "reminder",
            Template::Escalation => "escalation",
            Template::PasswordReset => "password_reset",
            Template::Notices => "notices",
            Template::WeeklySummary => "weekly_summary",
        }
    }
}

struct Plan {
    to: Vec<String>,
    /// Further audiences of the same notice, each sent its own copy (an organisation never
    /// sees another's addresses).
    also: Vec<Vec<String>>,
    template: Template,
    locale: String,
    context: Value,
    /// The page where the reader stops this mail, for mail they chose (`List-Unsubscribe`).
    unsubscribe: Option<String>,
}

/// The addresses of each organisation `filter` picks (those with any), one list each.
fn org_audiences(
    conn: &mut DbConn,
    community: &Community,
    filter: impl Fn(&roundtable_core::Organisation) -> bool,
) -> Result<Vec<Vec<String>>, StoreError> {
    Ok(directory::organisations(conn, community.id)?
        .into_iter()
        .filter(|o| filter(o) && !o.contact_emails.is_empty())
        .map(|o| o.contact_emails)
        .collect())
}

/// What a meeting's notice to `org` lists of its agenda. The agenda published: every
/// item, the organisation's own first and marked. The minutes published, or their draft
/// out for the review of those present: what the meeting did with each of its own (the
/// outcome, a request it turned down, the day it hears the item again, the decision's
/// words, the promise and its date) — what the company is held to until the next meeting
/// checks it, and what it may still ask to correct.
fn agenda_lines(
    conn: &mut DbConn,
    meeting: &roundtable_core::Meeting,
    notice: Option<MeetingNotice>,
    org: Option<OrgId>,
    locale: &str,
) -> Result<(Vec<Value>, Vec<Value>), StoreError> {
    let minutes = matches!(notice, Some(MeetingNotice::MinutesPublished | MeetingNotice::MinutesForReview));
    if !minutes && notice != Some(MeetingNotice::AgendaPublished) {
        return Ok(Default::default());
    }
    let agenda = roundtable_store::agenda::agenda_items(conn, meeting.id)?;
    // The items' issues in one query: whose they are decides what is said.
    let theirs: HashMap<IssueId, Issue> = issues::get_issues(conn, &roundtable_store::agenda::issue_ids(&agenda))?
        .into_iter()
        .filter(|i| org.is_some() && i.responsible_org == org)
        .map(|i| (i.id, i))
        .collect();
    if minutes {
        let decided = agenda
            .into_iter()
            .filter_map(|item| {
                let issue = theirs.get(&item.issue_id?)?;
                let heard = crate::steps::Heard {
                    told: roundtable_core::notice::MeetingTold::Heard,
                    slot: meeting.slot,
                    reason: item.reason,
                    outcome: item.outcome,
                    review_on: item.review_on,
                    refused_due_date: item.refused_due_date,
                    refused_return: item.refused_return,
                    in_appendix: item.in_appendix,
                    now_at: None,
                };
                let promise = issue
                    .commitment
                    .as_ref()
                    .filter(|_| item.outcome == Some(roundtable_core::ItemOutcome::Commitment))
                    .map(|c| json!({"text": c.text, "due_date": c.due_date.to_string()}));
                let outcome = heard.lines(crate::i18n::strings(), locale).own;
                Some(json!({"title": item.title, "outcome": outcome, "note": item.outcome_note, "promise": promise}))
            })
            .collect();
        return Ok((Vec::new(), decided));
    }
    let mut lines: Vec<(bool, String)> = agenda
        .into_iter()
        .filter(|item| !roundtable_core::text::is_blank(&item.title))
        .map(|item| (item.issue_id.is_some_and(|i| theirs.contains_key(&i)), item.title))
        .collect();
    // An organisation's own items first, marked; then the rest of the agenda.
    lines.sort_by_key(|(mine, _)| !*mine);
    Ok((lines.into_iter().map(|(mine, title)| json!({ "title": title, "mine": mine })).collect(), Vec::new()))
}

/// The first audience and the rest.
fn first_and_rest(mut audiences: Vec<Vec<String>>) -> (Vec<String>, Vec<Vec<String>>) {
    if audiences.is_empty() {
        return (Vec::new(), audiences);
    }
    let first = audiences.remove(0);
    (first, audiences)
}

fn role_emails(conn: &mut DbConn, community: &Community, role: Role) -> Result<Vec<String>, StoreError> {
    Ok(directory::list_users(conn, community.id)?
        .into_iter()
        .filter(|u| u.roles.contains(&role) && !u.disabled)
        .filter_map(|u| u.email)
        .collect())
}

fn issue_context(conn: &mut DbConn, issue: &Issue, base_url: &str) -> Result<Value, StoreError> {
    let compound = directory::compounds(conn, issue.community)?
        .into_iter()
        .find(|c| c.id == issue.compound)
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(json!({
        "title": issue.title,
        "description": issue.description,
        "compound": compound,
        "url": format!("{base_url}/issues/{}", issue.id),
        "commitment": issue.commitment.as_ref().map(|c| c.text.clone()),
        "due_date": issue.commitment.as_ref().map(|c| c.due_date.to_string()),
    }))
}

fn compose(conn: &mut DbConn, row: &Pending, base_url: &str, now: DateTime<Utc>) -> Result<Option<Plan>, StoreError> {
    let community: roundtable_core::CommunityId =
        row.community_id.parse().map_err(|_| StoreError::Corrupt(format!("outbox community {}", row.community_id)))?;
    let community = directory::get_community(conn, community)?;
    let default_locale = community.default_locale.clone();
    let payload: Value = serde_json::from_str(&row.payload).unwrap_or(Value::Null);

    // A forgotten password: the link is made now (a retry makes a new one), never stored.
    if let Ok(AccountNotice::PasswordReset) = row.effect.parse::<AccountNotice>() {
        let Some(user) = payload.get("user").and_then(|u| u.as_str()).and_then(|u| u.parse::<UserId>().ok()) else {
            return Ok(None);
        };
        let user = directory::get_user(conn, user)?;
        let locale = user.locale.clone().unwrap_or_else(|| default_locale.clone());
        let key = super::links::key(conn)?;
        let context = json!({
            "community": community.name,
            "login": user.login,
            "link": super::links::reset_link(&key, base_url, user.id, &locale, now),
            "minutes": super::links::RESET_LIFETIME.num_minutes(),
        });
        let to = user.email.into_iter().collect();
        return Ok(Some(Plan {
            to,
            also: Vec::new(),
            template: Template::PasswordReset,
            locale,
            context,
            unsubscribe: None,
        }));
    }

    // Notices of followed issues: one mail for one user, listing each step.
    if let Ok(AccountNotice::Notices) = row.effect.parse::<AccountNotice>() {
        let Some(user) = payload.get("user").and_then(|u| u.as_str()).and_then(|u| u.parse::<UserId>().ok()) else {
            return Ok(None);
        };
        let ids: Vec<uuid::Uuid> = payload
            .get("notices")
            .and_then(|n| n.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
            .unwrap_or_default();
        let (user, actor) = directory::user_with_actor(conn, user)?;
        let locale = user.locale.clone().unwrap_or_else(|| default_locale.clone());
        let notices = roundtable_store::notices::get_many(conn, &ids)?;
        let issue_ids: Vec<_> = notices.iter().map(|(n, _)| n.issue).collect();
        let issues = roundtable_store::issues::get_issues(conn, &issue_ids)?;
        let actors: Vec<_> = notices.iter().map(|(n, _)| n.actor).collect();
        // What each step carried, named as on the pages.
        let orgs = directory::organisations(conn, community.id)?;
        let org_name = |id| orgs.iter().find(|o| o.id == id).map(|o| o.name.clone());
        let held = meetings::meetings(conn, community.id)?;
        let names = directory::display_names(conn, &actors)?;
        let tz = community.time_zone;
        let lines: Vec<NoticeLine> = notices
            .iter()
            .filter_map(|(n, told)| {
                // As on the notices page: not a line of an issue the reader may no longer
                // see (a company's follower once the issue went to another company).
                let issue = issues.iter().find(|i| i.id == n.issue)?;
                if !crate::access::can_see(&user, &actor, issue) {
                    return None;
                }
                let locales = crate::i18n::strings();
                let (key, step, head, own, details) = match (&n.about, told) {
                    (About::Step { transition, .. }, Told::Step(step)) => {
                        let details = crate::steps::details(org_name, &held, &step.fields);
                        (None, locales.step(&locale, transition), String::new(), String::new(), details)
                    }
                    (About::Meeting { meeting, told }, Told::Item(item)) => {
                        let m = held.iter().find(|m| m.id == *meeting)?;
                        let heard = crate::steps::Heard {
                            told: *told,
                            slot: m.slot,
                            reason: item.reason,
                            outcome: item.outcome,
                            review_on: item.review_on,
                            refused_due_date: item.refused_due_date,
                            refused_return: item.refused_return,
                            in_appendix: item.in_appendix,
                            now_at: (m.status != roundtable_core::MeetingStatus::Skipped).then(|| {
                                (m.starts_at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(), &*m.place)
                            }),
                        };
                        let said = heard.lines(locales, &locale);
                        let note = crate::ops::notices::told_note(*told, item.outcome_note.clone(), m);
                        (
                            Some((*meeting, *told, n.at)),
                            said.line,
                            said.head,
                            said.own,
                            note.into_iter().map(crate::steps::told_detail(*told)).collect(),
                        )
                    }
                    _ => return None,
                };
                Some(NoticeLine {
                    key,
                    at: n.at.with_timezone(&tz).format("%m-%d %H:%M").to_string(),
                    who: names.get(&n.actor).cloned().unwrap_or_default(),
                    step,
                    head,
                    own,
                    title: issue.title.clone(),
                    details,
                    url: format!("{base_url}/issues/{}", issue.id),
                })
            })
            .collect();
        let count = lines.len();
        // As on the notices page: what a meeting told at once is one entry.
        let lines: Vec<Value> = crate::steps::gather(lines, |l| l.key).into_iter().map(NoticeLine::entry).collect();
        if lines.is_empty() || user.disabled {
            return Ok(None);
        }
        let settings = format!("{base_url}/account");
        // One click stops them, from the mail or the mail program (RFC 8058).
        let stop = super::links::stop_link(&super::links::key(conn)?, base_url, user.id, &locale);
        let context =
            json!({"community": community.name, "count": count, "lines": lines, "settings": settings, "stop": stop});
        let to = user.email.into_iter().collect();
        let unsubscribe = Some(stop);
        return Ok(Some(Plan { to, also: Vec::new(), template: Template::Notices, locale, context, unsubscribe }));
    }

    if let Ok(OrgNotice::WeeklySummary) = row.effect.parse::<OrgNotice>() {
        let Some(org) = payload.get("org").and_then(|o| o.as_str()).and_then(|o| o.parse::<OrgId>().ok()) else {
            return Ok(None);
        };
        let Some(context) = super::summary::context(conn, &community, org, base_url, now)? else { return Ok(None) };
        let to = directory::get_organisation(conn, org)?.contact_emails;
        let (template, locale) = (Template::WeeklySummary, default_locale);
        return Ok(Some(Plan { to, also: Vec::new(), template, locale, context, unsubscribe: None }));
    }

    if let Some(meeting) = payload.get("meeting").and_then(|m| m.as_str()).and_then(|m| m.parse::<MeetingId>().ok()) {
        let record = meetings::get_meeting(conn, meeting)?;
        let tz = community.time_zone;
        // A move's notice says where it was moved to, whatever came after.
        let starts_at = payload
            .get("starts_at")
            .and_then(|s| serde_json::from_value::<chrono::DateTime<chrono::Utc>>(s.clone()).ok())
            .unwrap_or(record.meeting.starts_at);
        let place = payload.get("place").and_then(|p| p.as_str()).unwrap_or(&record.meeting.place).to_owned();
        let local = starts_at.with_timezone(&tz);
        let org = payload.get("org").and_then(|o| o.as_str()).and_then(|o| o.parse::<roundtable_core::OrgId>().ok());
        let notice: Option<MeetingNotice> = row.effect.parse().ok();
        let (to, also) = match (notice, org) {
            (Some(n), _) if n.audiences() == [roundtable_core::Audience::Secretaries] => {
                (role_emails(conn, &community, Role::Secretary)?, Vec::new())
            }
            (_, Some(org)) => (directory::get_organisation(conn, org)?.contact_emails, Vec::new()),
            // A row queued before notices went to each organisation: a copy each still.
            _ => first_and_rest(org_audiences(conn, &community, |_| true)?),
        };
        let (items, decided) = agenda_lines(conn, &record.meeting, notice, org, &default_locale)?;
        // An answered correction: the organisation's own words, the answer in the reader's.
        let correction = payload.get("correction").filter(|c| c.is_object()).map(|c| {
            let answer = c["answer"].as_str().unwrap_or_default();
            let mut c = c.clone();
            c["answer_text"] =
                crate::i18n::strings().text(&default_locale, &format!("correction_answer.{answer}"), &[]).into();
            c
        });
        let context = json!({
            "community": community.name,
            "items": items,
            "decided": decided,
            "correction": correction,
            "what": crate::i18n::strings().step(&default_locale, &row.effect),
            "left_open": notice == Some(MeetingNotice::LeftOpen),
            "last_day": payload.get("last_day"),
            // Minutes left unpublished: when the review ended, and what still waits.
            "minutes_due": notice == Some(MeetingNotice::MinutesDue),
            "review_ended": payload.get("review_ended"),
            "unanswered": payload.get("unanswered"),
            "meeting": {
                "date": local.format("%Y-%m-%d").to_string(),
                "time": local.format("%H:%M").to_string(),
                "place": place,
                // Left open: straight to the day's page, where "close" is.
                "url": match notice {
                    Some(MeetingNotice::LeftOpen) => format!("{base_url}/meetings/{meeting}/day"),
                    // To review: straight to the draft and its corrections.
                    Some(MeetingNotice::MinutesForReview | MeetingNotice::MinutesDue) => {
                        format!("{base_url}/meetings/{meeting}/minutes")
                    }
                    Some(MeetingNotice::CorrectionAsked | MeetingNotice::CorrectionAnswered) => {
                        format!("{base_url}/meetings/{meeting}/minutes#review")
                    }
                    _ => format!("{base_url}/meetings/{meeting}"),
                },
            },
        });
        return Ok(Some(Plan {
            to,
            also,
            template: Template::MeetingNotice,
            locale: default_locale,
            context,
            unsubscribe: None,
        }));
    }

    let Some(issue_id) = row.issue_id.as_deref().and_then(|i| i.parse::<IssueId>().ok()) else {
        return Ok(None);
    };
    let issue = issues::get_issue(conn, issue_id)?;
    let timeline = issues::timeline(conn, issue.id)?;
    let event: Option<&Event> = row.event_id.as_deref().and_then(|id| timeline.iter().find(|e| e.id.to_string() == id));
    let transition = event.map(|e| e.transition.clone()).unwrap_or_default();
    let note = event.and_then(|e| {
        e.fields.reason.clone().or_else(|| e.fields.resolution_note.clone()).or_else(|| e.fields.note.clone())
    });
    let raiser = directory::person(conn, issue.raised_by)?;
    let raiser_locale = directory::get_user(conn, issue.raised_by)?.locale.unwrap_or_else(|| default_locale.clone());
    // Who was responsible when the event happened: mail composed later (after a
    // reassignment, say) must still go to the party the event was about.
    let responsible_then = match event {
        Some(ev) => timeline.iter().filter(|e| e.version <= ev.version).rev().find_map(|e| e.fields.responsible_org),
        None => issue.responsible_org,
    };
    let responsible = match responsible_then {
        Some(org) => Some(directory::get_organisation(conn, org)?),
        None => None,
    };
    let responsible_name = responsible.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let supervisors = |conn: &mut DbConn| org_audiences(conn, &community, |o| o.kind == OrgKind::SupervisoryCommittee);
    // Audiences beyond `to`, each sent its own copy.
    let mut also: Vec<Vec<String>> = Vec::new();

    // An effect this build does not know (a newer instance's) is left for that instance.
    let Ok(effect) = row.effect.parse::<Effect>() else { return Ok(None) };
    // A reminder says what it is about — to commit, a due date, to verify — by the timer
    // that fired it, when the strings name that timer; else by its effect.
    let timer = payload.get("timer").and_then(Value::as_str);
    let reminder = timer
        .filter(|t| crate::i18n::strings().lookup("en", &format!("step.{t}")).is_some())
        .map_or_else(|| row.effect.clone(), str::to_owned);
    let (to, template, locale, step_key): (Vec<String>, Template, String, String) = match effect {
        Effect::NotifyResponsible => {
            let to = responsible.as_ref().map(|o| o.contact_emails.clone()).unwrap_or_default();
            // Newly responsible (assigned, reassigned or resumed) gets the full issue with
            // the raiser; a step that leaves it assigned to the same party (its request to
            // hand the issue back refused) is news on an issue it has.
            let assigned = event.is_some_and(|e| {
                e.to == roundtable_core::IssueState::ASSIGNED
                    && roundtable_core::issue::hands_over(e.from.as_ref(), &e.to, &e.fields)
            });
            let template = if assigned { Template::IssueAssigned } else { Template::IssueUpdate };
            (to, template, default_locale.clone(), transition.clone())
        }
        Effect::NotifyPreviousResponsible => {
            // The organisation named by the assignment before this event's.
            let version = event.map_or(u32::MAX, |e| e.version);
            let before = roundtable_core::issue::responsible_before(&timeline, version);
            let to = match before {
                Some(org) => directory::get_organisation(conn, org)?.contact_emails,
                None => Vec::new(),
            };
            (to, Template::IssueUpdate, default_locale.clone(), "previous".into())
        }
        Effect::NotifyRaiser => (
            raiser.email.clone().into_iter().collect(),
            Template::IssueUpdate,
            raiser_locale.clone(),
            transition.clone(),
        ),
        Effect::RequestVerification => (
            raiser.email.clone().into_iter().collect(),
            Template::VerificationRequest,
            raiser_locale.clone(),
            transition.clone(),
        ),
        Effect::RemindRaiser => {
            (raiser.email.clone().into_iter().collect(), Template::Reminder, raiser_locale.clone(), reminder)
        }
        Effect::NotifySecretary => (
            role_emails(conn, &community, Role::Secretary)?,
            Template::IssueUpdate,
            default_locale.clone(),
            transition.clone(),
        ),
        Effect::RemindSecretary => {
            (role_emails(conn, &community, Role::Secretary)?, Template::Reminder, default_locale.clone(), reminder)
        }
        Effect::NotifySupervisors => {
            let (to, rest) = first_and_rest(supervisors(conn)?);
            also = rest;
            (to, Template::IssueUpdate, default_locale.clone(), transition.clone())
        }
        Effect::RemindResponsible => (
            responsible.as_ref().map(|o| o.contact_emails.clone()).unwrap_or_default(),
            Template::Reminder,
            default_locale.clone(),
            reminder,
        ),
        Effect::Escalate => {
            // The company that broke its promise hears it too, with those who hold it to it
            // — each in a copy of its own.
            let to = responsible.as_ref().map(|o| o.contact_emails.clone()).unwrap_or_default();
            also = std::iter::once(role_emails(conn, &community, Role::Secretary)?)
                .chain(supervisors(conn)?)
                .filter(|a| !a.is_empty())
                .collect();
            (to, Template::Escalation, default_locale.clone(), row.effect.clone())
        }
        // Effects that change the issue itself or its flags: no mail.
        Effect::FlagOverdue
        | Effect::RecordReopen
        | Effect::RecordPartlyFixed
        | Effect::ClearCommitment
        | Effect::RequestExtension
        | Effect::RecordExtension
        | Effect::ClearExtensionRequest
        | Effect::RecordProgress
        | Effect::RequestReturn
        | Effect::ClearReturnRequest => return Ok(None),
    };
    // A company the issue has gone from (told of the reassignment, or mail about a step
    // of its time composed after the issue moved on) reads nothing of what came after:
    // not the next company's promise, as its pages would not show it.
    let former = match effect {
        Effect::NotifyPreviousResponsible => true,
        Effect::NotifyResponsible | Effect::RemindResponsible | Effect::Escalate => {
            responsible_then != issue.responsible_org
        }
        _ => false,
    };
    let mut issue_json = issue_context(conn, &issue, base_url)?;
    if former {
        issue_json["commitment"] = Value::Null;
        issue_json["due_date"] = Value::Null;
    }
    // Raisers' contact data goes only to the responsible organisation.
    let show_raiser = template == Template::IssueAssigned;
    // The one-click answers go with the request to verify and with its reminder.
    let links = if template == Template::VerificationRequest || effect == Effect::RemindRaiser {
        let key = super::links::key(conn)?;
        json!(super::links::verification_links(&key, base_url, issue.id, &locale, now))
    } else {
        Value::Null
    };
    let context = json!({
        "community": community.name,
        "org": responsible_name,
        "issue": issue_json,
        "step": crate::i18n::strings().step(&locale, &step_key),
        "note": note,
        // What a paused issue waits for, in the reader's words.
        "waiting": event
            .and_then(|e| e.fields.waiting_for)
            .map(|w| crate::i18n::strings().text(&locale, &format!("waiting_for.{w}"), &[])),
        "links": links,
        "raiser": show_raiser.then(|| json!({
            "name": raiser.display_name,
            "email": raiser.email.clone().unwrap_or_default(),
            "phone": raiser.phone.clone().unwrap_or_default(),
        })),
    });
    Ok(Some(Plan { to, also, template, locale, context, unsubscribe: None }))
}

/// Backoff before attempt `attempts + 1`: 30 s doubling, at most 6 h, plus up to 20 % jitter.
fn backoff(attempts: i32, jitter: f64) -> TimeDelta {
    let base = 30i64.saturating_mul(1i64 << attempts.clamp(0, 20)).min(6 * 3600);
    TimeDelta::seconds(base + (base as f64 * 0.2 * jitter) as i64)
}

/// One round with the application's own mailer, templates, settings and clock.
pub async fn dispatch_due(state: &crate::state::AppState, limit: i64) -> Result<DispatchReport, String> {
    dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, state.now(), limit).await
}

/// One round: claims up to `limit` due rows and delivers them.
pub async fn dispatch_once(
    db: &Db,
    mailer: &Mailer,
    templates: &Templates,
    cfg: &MailConfig,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<DispatchReport, String> {
    let lease = TimeDelta::seconds(i64::from(cfg.claim_lease_seconds.max(1)));
    let claimed = db.write(move |conn| outbox::claim_due(conn, now, lease, limit)).await.map_err(|e| e.to_string())?;
    let ids: Vec<String> = claimed.iter().filter_map(|r| r.channel_id.clone()).collect();
    let channels: HashMap<String, Channel> = if ids.is_empty() {
        HashMap::new()
    } else {
        db.run(move |conn| channels::many(conn, &ids))
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect()
    };
    let round = Round { db, channels: &channels, cfg, now };
    let (claimed, quiet) = round.hold_for_the_night(claimed).await?;
    let (claimed, held) = round.rate_limit(claimed).await?;
    let mut report = DispatchReport { deferred: held, quiet, ..DispatchReport::default() };
    // Sends overlap: an SMTP exchange is mostly waiting (lettre writes a message and its
    // final dot separately, so each send can wait for a delayed ACK), and the pool keeps
    // that many connections open.
    for chunk in claimed.chunks(cfg.smtp_connections.max(1)) {
        let rows = chunk.to_vec();
        let marked = db.write(move |conn| outbox::mark_sending(conn, &rows, now)).await.map_err(|e| e.to_string())?;
        // What another dispatcher claimed after this claim's lease ran out is its to send.
        let chunk: Vec<&Pending> = chunk.iter().filter(|row| marked.contains(&row.id)).collect();
        for row in chunk.iter().filter(|row| row.interrupted > 0) {
            tracing::warn!(outbox = %row.id, message_id = %row.message_id, interrupted = row.interrupted,
                "sending again a notification whose earlier attempt was cut off: the recipient may get it twice");
        }
        let results = futures_util::future::join_all(chunk.iter().map(|row| {
            let channel = row.channel_id.as_ref().and_then(|c| channels.get(c));
            deliver(db, mailer, templates, cfg, now, row, channel)
        }))
        .await;
        let mut done = Vec::new();
        for (row, result) in chunk.iter().zip(results) {
            match result {
                Delivery::Sent => {
                    report.sent += 1;
                    done.push(row.id.clone());
                }
                Delivery::Skipped => {
                    report.skipped += 1;
                    done.push(row.id.clone());
                }
                Delivery::Busy => {
                    report.deferred += 1;
                    let id = [row.id.clone()];
                    db.write(move |conn| outbox::defer(conn, &id, now + MINUTE)).await.map_err(|e| e.to_string())?;
                }
                Delivery::Failed(error) => {
                    let dead = row.attempts >= cfg.max_attempts;
                    let jitter = (uuid::Uuid::now_v7().as_u128() % 1000) as f64 / 1000.0;
                    let retry_at = (!dead).then(|| now + backoff(row.attempts, jitter));
                    if dead {
                        report.dead += 1
                    } else {
                        report.retried += 1
                    }
                    tracing::warn!(outbox = %row.id, effect = %row.effect, attempts = row.attempts, %error, dead, "notification not sent");
                    let id = row.id.clone();
                    db.write(move |conn| outbox::mark_failed(conn, &id, &error, retry_at))
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        if !done.is_empty() {
            db.write(move |conn| outbox::mark_sent_many(conn, &done, now)).await.map_err(|e| e.to_string())?;
        }
    }
    Ok(report)
}

enum Delivery {
    Sent,
    Skipped,
    /// A robot asked us to slow down: again in a minute, not counted as an attempt.
    Busy,
    Failed(String),
}

const MINUTE: TimeDelta = TimeDelta::minutes(1);

/// What holding robot rows back reads in a dispatch round: the claimed rows' channels,
/// the settings and the time.
struct Round<'a> {
    db: &'a Db,
    channels: &'a HashMap<String, Channel>,
    cfg: &'a MailConfig,
    now: DateTime<Utc>,
}

impl Round<'_> {
    /// Holds back the robot messages that fall inside `mail.robot_quiet_hours` in their
    /// community's zone until the window ends, except those about a red (urgent) issue — a
    /// burst pipe at night is what a company's group is woken for; returns the rows to send
    /// now and how many wait.
    async fn hold_for_the_night(&self, claimed: Vec<Pending>) -> Result<(Vec<Pending>, usize), String> {
        let Round { db, channels, cfg, now } = *self;
        let robot = |row: &Pending| row.channel_id.as_ref().and_then(|c| channels.get(c)).filter(|c| c.kind.is_robot());
        let Some(window) = cfg.robot_quiet_hours else { return Ok((claimed, 0)) };
        let places: Vec<CommunityId> = claimed.iter().filter_map(|r| robot(r).map(|c| c.community)).collect();
        if places.is_empty() {
            return Ok((claimed, 0));
        }
        // Each robot row's community's zone, and — only where it is night — which of their
        // issues are red (by day, one read of the communities and nothing more).
        let (zones, urgent) = {
            let rows: Vec<(CommunityId, Option<IssueId>)> =
                claimed.iter().filter_map(|r| robot(r).map(|c| (c.community, issue_of(r)))).collect();
            db.run(move |conn| {
                let mut zones = HashMap::new();
                for id in places {
                    if let std::collections::hash_map::Entry::Vacant(e) = zones.entry(id) {
                        e.insert(directory::get_community(conn, id)?.time_zone);
                    }
                }
                let night = |c: &CommunityId| {
                    zones.get(c).is_some_and(|tz: &chrono_tz::Tz| window.contains(now.with_timezone(tz).time()))
                };
                let wanted: Vec<IssueId> = rows.iter().filter(|(c, _)| night(c)).filter_map(|(_, i)| *i).collect();
                let urgent: Vec<IssueId> = if wanted.is_empty() {
                    Vec::new()
                } else {
                    let found = issues::get_issues(conn, &wanted)?;
                    found.into_iter().filter(|i| i.urgency == Urgency::Red).map(|i| i.id).collect()
                };
                Ok((zones, urgent))
            })
            .await
            .map_err(|e| e.to_string())?
        };
        let mut held: HashMap<DateTime<Utc>, Vec<String>> = HashMap::new();
        let mut now_rows = Vec::with_capacity(claimed.len());
        for row in claimed {
            let resumes = robot(&row)
                .filter(|_| issue_of(&row).is_none_or(|i| !urgent.contains(&i)))
                .and_then(|c| zones.get(&c.community))
                .and_then(|tz| {
                    let end = window.ends_after(now.with_timezone(tz).naive_local())?;
                    // A morning that does not exist locally (a clock change) resumes an hour on.
                    Some(tz.from_local_datetime(&end).earliest().map_or(now + TimeDelta::hours(1), |t| t.to_utc()))
                });
            match resumes {
                Some(at) => held.entry(at).or_default().push(row.id),
                None => now_rows.push(row),
            }
        }
        Ok((now_rows, self.defer(held).await?))
    }

    /// Puts held rows back until their times, without counting an attempt; returns how many.
    async fn defer(&self, held: HashMap<DateTime<Utc>, Vec<String>>) -> Result<usize, String> {
        let mut waiting = 0;
        for (until, ids) in held {
            waiting += ids.len();
            self.db.write(move |conn| outbox::defer(conn, &ids, until)).await.map_err(|e| e.to_string())?;
        }
        Ok(waiting)
    }

    /// Holds back the robot messages beyond `mail.robot_rate_per_minute` for their robot
    /// (counting what was sent to it in the last minute, by any instance) until a place
    /// frees up; returns the rows to send now and how many wait.
    async fn rate_limit(&self, claimed: Vec<Pending>) -> Result<(Vec<Pending>, usize), String> {
        let Round { db, channels, cfg, now } = *self;
        let robots: Vec<String> = channels.values().filter(|c| c.kind.is_robot()).map(|c| c.id.clone()).collect();
        if robots.is_empty() {
            return Ok((claimed, 0));
        }
        let sent = db
            .run(move |conn| outbox::sent_to_channels_since(conn, &robots, now - MINUTE))
            .await
            .map_err(|e| e.to_string())?;
        let rate = cfg.robot_rate_per_minute.max(1) as usize;
        let mut used: HashMap<&str, usize> = HashMap::new();
        for (channel, _) in &sent {
            *used.entry(channel.as_str()).or_default() += 1;
        }
        let (mut now_rows, mut held): (Vec<Pending>, HashMap<String, Vec<String>>) = (Vec::new(), HashMap::new());
        for row in claimed {
            let robot = row.channel_id.as_deref().filter(|c| channels.get(*c).is_some_and(|c| c.kind.is_robot()));
            match robot {
                Some(c) if used.get(c).copied().unwrap_or(0) >= rate => {
                    held.entry(c.to_owned()).or_default().push(row.id);
                }
                Some(c) => {
                    *used.entry(channels[c].id.as_str()).or_default() += 1;
                    now_rows.push(row);
                }
                None => now_rows.push(row),
            }
        }
        let mut until: HashMap<DateTime<Utc>, Vec<String>> = HashMap::new();
        for (channel, ids) in held {
            // A place frees up a minute after the oldest send in the window.
            let oldest = sent.iter().find(|(c, _)| *c == channel).map_or(now, |(_, at)| *at);
            until.entry(oldest.max(now - MINUTE) + MINUTE).or_default().extend(ids);
        }
        Ok((now_rows, self.defer(until).await?))
    }
}

fn issue_of(row: &Pending) -> Option<IssueId> {
    row.issue_id.as_deref().and_then(|i| i.parse::<uuid::Uuid>().ok()).map(IssueId)
}

async fn deliver(
    db: &Db,
    mailer: &Mailer,
    templates: &Templates,
    cfg: &MailConfig,
    now: DateTime<Utc>,
    row: &Pending,
    channel: Option<&Channel>,
) -> Delivery {
    // A copy for a channel removed since (or never found) goes nowhere.
    if row.channel_id.is_some() && channel.is_none_or(|c| c.removed_at.is_some()) {
        return Delivery::Skipped;
    }
    let base_url = cfg.base_url.trim_end_matches('/').to_owned();
    let r = row.clone();
    let plan = match db.run(move |conn| compose(conn, &r, &base_url, now)).await {
        Ok(None) => return Delivery::Skipped,
        Ok(Some(plan)) => plan,
        Err(e) => return Delivery::Failed(e.to_string()),
    };
    if let Some(channel) = channel {
        let message = super::channels::message(&plan.locale, &row.effect, &plan.context);
        return match super::channels::send(channel, &message, &row.id, cfg, now).await {
            Answer::Delivered => Delivery::Sent,
            Answer::Busy => Delivery::Busy,
            Answer::Failed(e) => Delivery::Failed(e),
        };
    }
    let audiences: Vec<Vec<String>> = std::iter::once(plan.to).chain(plan.also).filter(|a| !a.is_empty()).collect();
    if audiences.is_empty() {
        return Delivery::Failed(format!("no address to send `{}` to", row.effect));
    }
    let email = match templates.render(&plan.locale, plan.template.name(), &plan.context) {
        Ok(email) => Email { unsubscribe: plan.unsubscribe, ..email },
        Err(e) => return Delivery::Failed(format!("template {}: {e}", plan.template.name())),
    };
    // A copy per audience, each with a Message-ID of its own that a retry repeats: after a
    // failure part-way, the copies already sent go again and are recognisable as such.
    for (n, to) in audiences.iter().enumerate() {
        if let Err(e) = mailer.send(&cfg.from, to, &copy_id(&row.message_id, n), &email).await {
            return Delivery::Failed(e);
        }
    }
    Delivery::Sent
}

/// The Message-ID of the `n`th copy of a row's mail: the row's own for the first,
/// `<id.n@host>` for the others.
fn copy_id(message_id: &str, n: usize) -> String {
    match (n, message_id.split_once('@')) {
        (0, _) | (_, None) => message_id.to_owned(),
        (n, Some((local, host))) => format!("{local}.{n}@{host}"),
    }
}

/// One notice in a notices mail.
struct NoticeLine {
    /// A meeting's notice: which meeting, telling what (gathered with the others it gave).
    key: Option<crate::steps::ToldAt>,
    at: String,
    who: String,
    /// The whole line; in a group, `head` once and each issue's `own`.
    step: String,
    head: String,
    own: String,
    title: String,
    details: Vec<crate::steps::Detail>,
    url: String,
}

impl NoticeLine {
    /// The template's entry: a notice alone, or a meeting's notices under one head.
    fn entry(mut group: Vec<NoticeLine>) -> Value {
        if let [one] = &group[..] {
            return json!({"at": one.at, "who": one.who, "step": one.step, "title": one.title,
                "details": one.details, "url": one.url});
        }
        let details = crate::steps::said_of_all(group.iter_mut().map(|l| &mut l.details));
        let items: Vec<Value> = group
            .iter()
            .map(|l| json!({"title": l.title, "step": l.own, "details": l.details, "url": l.url}))
            .collect();
        let first = &group[0];
        json!({"at": first.at, "who": first.who, "step": first.head, "count": group.len(),
            "details": details, "items": items})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_copy_of_a_rows_mail_has_its_own_stable_message_id() {
        assert_eq!(copy_id("<0190@roundtable>", 0), "<0190@roundtable>");
        assert_eq!(copy_id("<0190@roundtable>", 2), "<0190.2@roundtable>");
        assert_eq!(copy_id("odd", 1), "odd");
    }

    #[test]
    fn backoff_doubles_with_jitter_and_a_ceiling() {
        assert_eq!(backoff(0, 0.0), TimeDelta::seconds(30));
        assert_eq!(backoff(1, 0.0), TimeDelta::seconds(60));
        assert_eq!(backoff(3, 1.0), TimeDelta::seconds(240 + 48));
        assert_eq!(backoff(30, 0.0), TimeDelta::hours(6));
    }
}
