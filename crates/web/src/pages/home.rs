//! "My work": what needs the viewer, by role. A property company sees the issues
//! assigned to it (overdue first) and its items on the next agenda; the secretary the
//! unassigned issues, overdue commitments and the next meeting; the supervisory
//! committee what it raised and what awaits its verification; residents and grid
//! secretaries their compound's issues.

use axum::extract::State;
use axum::response::Response;
use roundtable_core::{OrgKind, Role};
use serde_json::{Value, json};

use crate::api;
use crate::error::ApiPath;
use crate::pages::issues::{Names, fetch};
use crate::pages::render::{Ctx, Out, PageResult};
use crate::views::ListQuery;

pub async fn show(ctx: Ctx) -> Response {
    let out = work(&ctx).await;
    ctx.respond(out)
}

fn query(state: Option<&str>, overdue: bool, order: &str) -> ListQuery {
    ListQuery {
        state: state.map(str::to_owned),
        overdue: overdue.then_some(true),
        order: Some(order.into()),
        limit: Some(50),
        ..Default::default()
    }
}

async fn work(ctx: &Ctx) -> PageResult {
    let caller = ctx.caller()?;
    let names = Names::load(ctx).await?;
    let a = &caller.actor;
    let mut sections: Vec<Value> = Vec::new();
    let mut section = |key: &str, href: String, items: Vec<Value>| {
        sections
            .push(json!({ "key": key, "href": href, "count": items.len(), "empty": items.is_empty(), "items": items }));
    };
    let property = a.memberships.iter().any(|m| matches!(m.kind, OrgKind::PropertyCompany | OrgKind::Unit));
    let manages = a.has_role(Role::Secretary) || a.has_role(Role::Admin);
    let mut ours: Vec<String> = Vec::new();

    if property {
        let (overdue, _) = fetch(ctx, query(None, true, "oldest"), &names).await?;
        let (open, _) = fetch(ctx, query(Some("assigned,committed"), false, "oldest"), &names).await?;
        let (resolved, _) = fetch(ctx, query(Some("resolved"), false, "oldest"), &names).await?;
        ours = open.iter().chain(&resolved).filter_map(|i| i["id"].as_str().map(str::to_owned)).collect();
        section("overdue_ours", "/issues?overdue=1".into(), overdue);
        section("assigned_to_us", "/issues?state=assigned,committed".into(), open);
        section("awaiting_verification_ours", "/issues?state=resolved".into(), resolved);
    }
    if manages {
        let (raised, _) = fetch(ctx, query(Some("raised"), false, "support"), &names).await?;
        let (overdue, _) = fetch(ctx, query(None, true, "oldest"), &names).await?;
        section("unassigned", "/issues?state=raised&order=support".into(), raised);
        section("overdue", "/issues?overdue=1".into(), overdue);
    }
    if a.has_role(Role::Supervisor) {
        let mine = ListQuery { raised_by: Some(caller.user.id.0), ..query(None, false, "newest") };
        let (raised, _) = fetch(ctx, mine, &names).await?;
        let (resolved, _) = fetch(ctx, query(Some("resolved"), false, "oldest"), &names).await?;
        section("awaiting_our_verification", "/issues?state=resolved".into(), resolved);
        section("raised_by_us", "/issues".into(), raised);
    }
    if a.has_role(Role::Resident) || a.has_role(Role::Grid) {
        let mine = ListQuery { raised_by: Some(caller.user.id.0), ..query(Some("resolved"), false, "oldest") };
        let (resolved, _) = fetch(ctx, mine, &names).await?;
        let (compound, _) =
            fetch(ctx, query(Some("raised,assigned,committed,resolved"), false, "support"), &names).await?;
        section("awaiting_my_verification", "/issues?state=resolved".into(), resolved);
        section("my_compound", "/issues?order=support".into(), compound);
    }

    let records = api::meetings::all(&ctx.state, &caller).await?;
    let next = api::meetings::next_of(&ctx.state, &caller, &records)?;
    let meeting = next.as_ref().map(|next| {
        let mut meeting = serde_json::to_value(next).unwrap_or_default();
        meeting["starts_local"] = json!(next.starts_at.with_timezone(&caller.tz).format("%Y-%m-%d %H:%M").to_string());
        meeting
    });
    let mut our_items = Vec::new();
    if let (Some(id), true) = (next.and_then(|n| n.id), property) {
        let detail = api::meetings::get(State(ctx.state.clone()), caller.clone(), ApiPath(id)).await?.0;
        our_items = detail
            .items
            .unwrap_or_default()
            .into_iter()
            .filter(|i| i.issue.as_ref().is_some_and(|x| ours.contains(x)))
            .map(|i| json!({ "title": i.title, "issue": i.issue, "section": i.section, "minutes": i.minutes }))
            .collect();
    }
    Ok(Out::Page(
        "home",
        json!({
            "sections": sections,
            "next_meeting": meeting,
            "our_items": our_items,
            "show_our_items": property,
            "can_raise": !property || manages,
        }),
    ))
}
