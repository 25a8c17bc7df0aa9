//! Notice channels on the pages (`/channels`, secretaries and administrators): the group
//! robots and webhooks notices go to besides mail, adding one (a webhook's secret shown on
//! the answering page once), sending it a test, removing it.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use roundtable_core::{ChannelKind, OrgId, UserId};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{ApiError, ApiPath};
use crate::ops::channels::{self as ops, NewChannel, Owner};
use crate::pages::forms::{Empty, Posted, filled};
use crate::pages::render::{Choice, Ctx, FormErrors, Out, Page, PageResult};

#[derive(Serialize)]
struct Row {
    id: String,
    kind: ChannelKind,
    name: String,
    owner: String,
    host: String,
    created: String,
}

/// What a test send came to.
#[derive(Serialize)]
struct Tested {
    name: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct ChannelsPage {
    items: Vec<Row>,
    kinds: &'static [ChannelKind],
    owners: Vec<Choice>,
    values: BTreeMap<String, String>,
    errors: Option<FormErrors>,
    /// A webhook's secret, just made: shown on this page once.
    new_secret: Option<String>,
    tested: Option<Tested>,
    /// The robots' quiet hours (`mail.robot_quiet_hours`), so the secretary knows why a
    /// group heard nothing at night.
    quiet: Option<Quiet>,
}

#[derive(Serialize)]
struct Quiet {
    start: String,
    end: String,
}

impl Page for ChannelsPage {
    const TEMPLATE: &'static str = "channels";
}

async fn channels_page(
    ctx: &Ctx,
    status: StatusCode,
    values: BTreeMap<String, String>,
    errors: Option<FormErrors>,
    new_secret: Option<String>,
    tested: Option<Tested>,
) -> PageResult {
    let caller = ctx.caller()?;
    let list = ops::list(&ctx.state, &caller).await?;
    let names = crate::ops::reference::names(&ctx.state, &caller).await?;
    let people = ops::people(&ctx.state, &caller).await?;
    let chosen = values.get("owner").cloned().unwrap_or_default();
    let owners = names
        .orgs
        .iter()
        .map(|(id, n, _)| (format!("org:{id}"), n.clone()))
        .chain(people.into_iter().map(|(id, n)| (format!("user:{id}"), n)))
        .map(|(value, label)| {
            let selected = value == chosen;
            Choice::new(value, label, selected)
        })
        .collect();
    let day = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&caller.tz()).format("%Y-%m-%d").to_string();
    let items = list
        .into_iter()
        .map(|c| Row {
            id: c.channel.id.clone(),
            kind: c.channel.kind,
            name: c.channel.name.clone(),
            owner: c.owner_name,
            host: c.host,
            created: day(c.channel.created_at),
        })
        .collect();
    let quiet = ctx
        .state
        .config
        .mail
        .robot_quiet_hours
        .map(|q| Quiet { start: q.start().format("%H:%M").to_string(), end: q.end().format("%H:%M").to_string() });
    let page = ChannelsPage { items, kinds: ChannelKind::ALL, owners, values, errors, new_secret, tested, quiet };
    Out::status(status, page)
}

pub async fn show(ctx: Ctx) -> Response {
    let out = channels_page(&ctx, StatusCode::OK, BTreeMap::new(), None, None, None).await;
    ctx.respond(out)
}

fn field(form: &[(String, String)], name: &str) -> Option<String> {
    filled(&form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

/// `org:<id>` or `user:<id>`, as the owner list offers them.
fn owner(value: &str) -> Option<Owner> {
    let (kind, id) = value.split_once(':')?;
    let id: Uuid = id.parse().ok()?;
    match kind {
        "org" => Some(Owner::Org(OrgId(id))),
        "user" => Some(Owner::User(UserId(id))),
        _ => None,
    }
}

/// Adds a channel; a webhook's secret is shown on the answering page (no redirect: it is
/// in no URL and no later page).
pub async fn add(Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        let kind = field(&form, "kind").and_then(|k| k.parse::<ChannelKind>().ok());
        let owner = field(&form, "owner").as_deref().and_then(owner);
        let (Some(kind), Some(owner)) = (kind, owner) else {
            return Err(ApiError::field("owner", "invalid", "choose a kind and whose channel it is"));
        };
        let new = NewChannel {
            kind,
            name: field(&form, "name").unwrap_or_default(),
            owner,
            url: field(&form, "url").unwrap_or_default(),
            secret: field(&form, "secret"),
        };
        let added = ops::add(&ctx.state, &caller, new).await?;
        match added.secret {
            Some(secret) => channels_page(&ctx, StatusCode::OK, BTreeMap::new(), None, Some(secret), None).await,
            None => Ok(Out::Done("/channels".into(), "channel_added")),
        }
    }
    .await;
    let out = match out {
        Err(e @ ApiError::Invalid { .. }) => {
            // What was typed comes back, but never the URL or the secret.
            let values = form
                .iter()
                .filter(|(k, _)| k == "name" || k == "kind" || k == "owner")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            channels_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                values,
                Some(ctx.form_errors_in(&e, Some("channels"))),
                None,
                None,
            )
            .await
        }
        other => other,
    };
    ctx.respond(out)
}

pub async fn remove(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        ops::remove(&ctx.state, &ctx.caller()?, &id.to_string()).await?;
        Ok(Out::Done("/channels".into(), "channel_removed"))
    }
    .await;
    ctx.respond(out)
}

/// Sends the sample notice and shows the page with what came of it.
pub async fn test(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        let result = ops::test(&ctx.state, &caller, &id.to_string()).await?;
        let list = ops::list(&ctx.state, &caller).await?;
        let name = list.iter().find(|c| c.channel.id == id.to_string()).map(|c| c.channel.name.clone());
        let tested = Tested { name: name.unwrap_or_default(), error: result.err() };
        channels_page(&ctx, StatusCode::OK, BTreeMap::new(), None, None, Some(tested)).await
    }
    .await;
    ctx.respond(out)
}
