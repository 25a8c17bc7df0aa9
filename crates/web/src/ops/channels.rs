//! Notice channels besides mail: secretaries and administrators add a WeCom or DingTalk
//! group robot, or a signed webhook, for an organisation or a person; list, test and
//! remove them; and see, on an issue, which notices went out which way.
//!
//! A channel's URL (a robot's holds its key) and secret are never shown again: listings
//! give the host only. A webhook's signing secret is made here and shown once.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDateTime, Utc};
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::{ChannelKind, IssueId, OrgId, Role, UserId, text};
use roundtable_store::channels::{self, Channel};
use roundtable_store::{StoreError, directory, outbox};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::mail::channels::{self as send, Answer};
use crate::mail::outbound;
use crate::state::AppState;

/// Whom a channel reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Org(OrgId),
    User(UserId),
}

/// A channel to add, as typed.
pub struct NewChannel {
    pub kind: ChannelKind,
    pub name: String,
    pub owner: Owner,
    pub url: String,
    /// DingTalk's signing secret (`SEC…`), if the robot has one.
    pub secret: Option<String>,
}

/// What is shown of a channel: never its URL or secret.
pub struct ChannelShown {
    pub channel: Channel,
    pub owner_name: String,
    /// Where it goes, as far as that is not secret.
    pub host: String,
}

/// A channel just added, with the webhook's signing secret (shown this once).
pub struct Added {
    pub shown: ChannelShown,
    pub secret: Option<String>,
}

fn require_chair(caller: &Caller) -> ApiResult<()> {
    if [Role::Secretary, Role::Admin].iter().any(|r| caller.actor.has_role(*r)) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("notice channels are for secretaries and administrators".into()))
    }
}

/// The robots' own hosts and the path each posts to.
fn official(kind: ChannelKind) -> Option<(&'static str, &'static str, &'static str)> {
    match kind {
        ChannelKind::WeCom => Some(("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key")),
        ChannelKind::DingTalk => Some(("oapi.dingtalk.com", "/robot/send", "access_token")),
        ChannelKind::Webhook => None,
    }
}

/// Checks a channel's URL: the robot's own endpoint (or a host in `mail.channel_hosts`),
/// a public https host for a webhook; never credentials in it. Returns its host.
fn check_url(state: &AppState, kind: ChannelKind, raw: &str) -> Result<String, Box<FieldProblem>> {
    // Each refusal has its own code, so that the pages can say what the address must be.
    let bad = |code: &str, why: &str| Box::new(FieldProblem::new("url", code, why));
    if raw.len() > 500 || text::forbidden_char(raw).is_some() {
        return Err(bad("invalid", "a URL of at most 500 characters"));
    }
    let url = reqwest::Url::parse(raw).map_err(|_| bad("invalid", "not a URL"))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials_in_url", "no user name or password in the URL"));
    }
    let listed = state.config.mail.channel_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host));
    let scheme_ok = url.scheme() == "https" || (listed && url.scheme() == "http");
    if host.is_empty() || !scheme_ok {
        return Err(bad("not_https", "an https:// URL"));
    }
    if listed {
        return Ok(host);
    }
    match official(kind) {
        Some((official_host, path, key)) => {
            let has_key = url.query_pairs().any(|(k, v)| k == key && !v.is_empty());
            if host != official_host || url.path() != path || !has_key {
                let code = format!("{kind}_address");
                return Err(bad(&code, &format!("the robot's webhook address: https://{official_host}{path}?{key}=…")));
            }
        }
        None => {
            let bracketless = host.trim_start_matches('[').trim_end_matches(']');
            // A name may end in the root's dot (`localhost.`): the same host.
            let name = host.trim_end_matches('.');
            let internal = name == "localhost" || name.ends_with(".localhost") || name.ends_with(".local");
            if internal || bracketless.parse::<IpAddr>().is_ok_and(outbound::internal) {
                return Err(bad("internal_address", outbound::REFUSED));
            }
        }
    }
    Ok(host)
}

/// Adds a channel. A webhook gets a signing secret made here; a DingTalk robot may bring
/// the secret DingTalk showed (`SEC…`); a WeCom robot's key is in its URL.
pub async fn add(state: &AppState, caller: &Caller, new: NewChannel) -> ApiResult<Added> {
    require_chair(caller)?;
    let community = caller.actor.community;
    let name = text::one_line(&new.name);
    let mut errors = Vec::new();
    // Which group or system this is: said, within a line.
    crate::ops::check_text(&mut errors, "name", &name, 1, 100);
    if text::forbidden_char(&name).is_some() {
        errors.push(FieldProblem::new("name", "invalid", "1–100 characters: which group or system this is"));
    }
    let url = text::trim(&new.url).to_owned();
    let host = check_url(state, new.kind, &url).map_err(|p| errors.push(*p)).ok();
    // A name that resolves to this machine or the private network now is refused here
    // already (each call checks again: names move).
    let unlisted =
        host.as_deref().filter(|h| !state.config.mail.channel_hosts.iter().any(|l| l.eq_ignore_ascii_case(h)));
    if let Some(h) = unlisted
        && outbound::resolves_inside(h).await == Some(true)
    {
        errors.push(FieldProblem::new("url", "internal_address", outbound::REFUSED));
    }
    let given = new.secret.as_deref().map(text::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let secret = match new.kind {
        ChannelKind::DingTalk => {
            if given.as_ref().is_some_and(|s| s.len() > 200 || !s.chars().all(|c| c.is_ascii_graphic())) {
                errors.push(FieldProblem::new("secret", "invalid", "the robot's signing secret as DingTalk shows it"));
            }
            given
        }
        ChannelKind::WeCom if given.is_some() => {
            errors.push(FieldProblem::new(
                "secret",
                "not_allowed",
                "a WeCom robot has no secret: its key is in its URL",
            ));
            None
        }
        ChannelKind::WeCom => None,
        // Made here, so that it is strong and nobody typed it into a chat.
        ChannelKind::Webhook => Some(crate::auth::new_secret("whsec_").0),
    };
    let owner = new.owner;
    let owner_name = state
        .db
        .run(move |conn| match owner {
            Owner::Org(o) => directory::get_organisation(conn, o).map(|o| (o.community == community).then_some(o.name)),
            Owner::User(u) => {
                directory::get_user(conn, u).map(|u| (u.community == community).then_some(u.display_name))
            }
        })
        .await;
    let owner_name = match owner_name {
        Ok(Some(n)) => Some(n),
        Ok(None) | Err(StoreError::NotFound) => {
            errors.push(FieldProblem::new("owner", "unknown", "no such organisation or person in this community"));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let (Some(host), Some(owner_name), true) = (host, owner_name, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let (org, user) = match owner {
        Owner::Org(o) => (Some(o), None),
        Owner::User(u) => (None, Some(u)),
    };
    let channel = Channel {
        id: uuid::Uuid::now_v7().to_string(),
        community,
        kind: new.kind,
        name,
        org,
        user,
        url,
        secret: secret.clone(),
        created_by: caller.user.id,
        created_at: state.now(),
        removed_at: None,
    };
    let entry = super::audit(state, caller, AuditAction::ChannelAdded, AuditSubject::Channel, &channel.id)
        .with("name", &channel.name)
        .with("kind", channel.kind.as_str());
    let stored = channel.clone();
    state
        .db
        .write(move |conn| {
            channels::insert(conn, &stored)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await?;
    tracing::info!(channel = %channel.id, kind = %channel.kind, "notice channel added");
    // Only a secret made here is shown back; a DingTalk secret was typed by the caller.
    let shown_secret = if channel.kind == ChannelKind::Webhook { secret } else { None };
    Ok(Added { shown: ChannelShown { channel, owner_name, host }, secret: shown_secret })
}

/// The community's channels in use, oldest first.
pub async fn list(state: &AppState, caller: &Caller) -> ApiResult<Vec<ChannelShown>> {
    require_chair(caller)?;
    let community = caller.actor.community;
    let (list, orgs, users) = state
        .db
        .run(move |conn| {
            let list = channels::live(conn, community)?;
            let users: Vec<UserId> = list.iter().filter_map(|c| c.user).collect();
            Ok((list, directory::organisations(conn, community)?, directory::display_names(conn, &users)?))
        })
        .await?;
    Ok(list
        .into_iter()
        .map(|channel| {
            let owner_name = match (channel.org, channel.user) {
                (Some(o), _) => orgs.iter().find(|x| x.id == o).map(|x| x.name.clone()),
                (_, Some(u)) => users.get(&u).cloned(),
                _ => None,
            }
            .unwrap_or_default();
            let host = reqwest::Url::parse(&channel.url).ok().and_then(|u| u.host_str().map(str::to_owned));
            ChannelShown { host: host.unwrap_or_default(), owner_name, channel }
        })
        .collect())
}

/// The people a channel may be for: those who act for the community or a company (a
/// resident's notices stay in the app and their mail).
pub async fn people(state: &AppState, caller: &Caller) -> ApiResult<Vec<(UserId, String)>> {
    require_chair(caller)?;
    let community = caller.actor.community;
    let users = state.db.run(move |conn| directory::list_users(conn, community)).await?;
    Ok(users
        .into_iter()
        .filter(|u| !u.disabled && u.roles.iter().any(|r| *r != Role::Resident))
        .map(|u| (u.id, format!("{} ({})", u.display_name, u.login)))
        .collect())
}

/// Removes a channel: nothing more goes to it, and what waits for it is dropped.
pub async fn remove(state: &AppState, caller: &Caller, id: &str) -> ApiResult<()> {
    require_chair(caller)?;
    let (community, now) = (caller.actor.community, state.now());
    let entry = super::audit(state, caller, AuditAction::ChannelRemoved, AuditSubject::Channel, id);
    let id = id.to_owned();
    state
        .db
        .write(move |conn| {
            channels::remove(conn, community, &id, now)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::NotFound("no such channel".into()),
            other => other.into(),
        })
}

/// Sends a sample notice to a channel now, outside the outbox; says whether it arrived.
pub async fn test(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Result<(), String>> {
    require_chair(caller)?;
    let community = caller.actor.community;
    let id = id.to_owned();
    let found = state.db.run(move |conn| channels::get(conn, &id)).await;
    let channel = match found {
        Ok(c) if c.community == community && c.removed_at.is_none() => c,
        Ok(_) | Err(StoreError::NotFound) => return Err(ApiError::NotFound("no such channel".into())),
        Err(e) => return Err(e.into()),
    };
    let base_url = state.config.mail.base_url.trim_end_matches('/');
    let message = send::sample(&caller.community.default_locale, &caller.community.name, base_url);
    let delivery = format!("test-{}", uuid::Uuid::now_v7());
    Ok(match send::send(&channel, &message, &delivery, &state.config.mail, state.now()).await {
        Answer::Delivered => Ok(()),
        Answer::Busy => Err("the robot is rate-limited: try again in a minute".into()),
        Answer::Failed(e) => Err(e),
    })
}

/// A notice of an issue as it went out: by mail or through a channel, and how far it got.
pub struct DeliveryShown {
    pub effect: String,
    /// `None`: by mail.
    pub channel: Option<(ChannelKind, String)>,
    pub status: roundtable_core::DeliveryStatus,
    pub attempts: i32,
    pub error: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When a pending notice is tried next: a robot's quiet hours or rate limit, or a
    /// failure's backoff, say why it has not gone yet.
    pub next_try_at: Option<DateTime<Utc>>,
}

/// Which notices of an issue went out which way (secretaries and administrators).
pub async fn deliveries(state: &AppState, caller: &Caller, issue: IssueId) -> ApiResult<Vec<DeliveryShown>> {
    require_chair(caller)?;
    let community = caller.actor.community;
    let rows = state
        .db
        .run(move |conn| {
            let found = roundtable_store::issues::get_issue(conn, issue)?;
            if found.community != community {
                return Err(StoreError::NotFound);
            }
            let rows = outbox::for_issue(conn, &issue.to_string())?;
            let ids: Vec<String> = rows.iter().filter_map(|r| r.channel_id.clone()).collect();
            Ok((rows, channels::names(conn, &ids)?))
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::NotFound("no such issue".into()),
            other => other.into(),
        })?;
    let (rows, names) = rows;
    let utc = |t: NaiveDateTime| t.and_utc();
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = r.status.parse().unwrap_or(roundtable_core::DeliveryStatus::Pending);
            DeliveryShown {
                next_try_at: (status == roundtable_core::DeliveryStatus::Pending).then(|| utc(r.next_attempt_at)),
                channel: r.channel_id.as_ref().and_then(|c| names.get(c).cloned()),
                status,
                attempts: r.attempts,
                error: r.last_error,
                queued_at: utc(r.created_at),
                sent_at: r.sent_at.map(utc),
                effect: r.effect,
            }
        })
        .collect())
}
