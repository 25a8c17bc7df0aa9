//! The meeting's pages: the calendar, a meeting with its agenda (the secretary edits and
//! publishes the draft), the meeting-day screen (attendance, one quick form per item),
//! the minutes (print view; draft, publish, addenda) and the company comparison.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use roundtable_core::{MeetingId, OrgKind};
use roundtable_store::minutes as store_minutes;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api;
use crate::api::meetings::{
    AgendaEdit, AttendanceBody, MeetingDetail, MeetingView, NewItem, OutcomeBody, ScheduleBody,
};
use crate::api::minutes::{FormatQuery, MinutesText};
use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, FieldProblem};
use crate::pages::forms::{Empty, Posted, filled};
use crate::pages::issues::Names;
use crate::pages::render::{Ctx, Out, PageResult, refusal};

fn local(c: &Caller, at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&c.tz).format("%Y-%m-%d %H:%M").to_string()
}

fn meeting_json(c: &Caller, m: &MeetingView) -> Value {
    let mut v = serde_json::to_value(m).unwrap_or_default();
    v["starts_local"] = json!(local(c, m.starts_at));
    v
}

pub async fn list(ctx: Ctx) -> Response {
    let out = list_page(&ctx, StatusCode::OK, Value::Null).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    slot: String,
    starts_at: Option<String>,
    place: Option<String>,
    skip: Option<String>,
    reason: Option<String>,
}

/// Moves or skips a month's meeting (the secretary's calendar form).
pub async fn schedule(Posted { ctx, form }: Posted<ScheduleForm>) -> Response {
    let out = async {
        let slot = NaiveDate::parse_from_str(form.slot.trim(), "%Y-%m-%d")
            .map_err(|_| ApiError::field("slot", "invalid", "choose a month"))?;
        let starts_at = match filled(&form.starts_at) {
            None => None,
            Some(t) => Some(
                crate::views::local_time::parse(&t)
                    .ok_or_else(|| ApiError::field("starts_at", "invalid", "a date and time"))?,
            ),
        };
        let skip = filled(&form.skip).is_some();
        let body = ScheduleBody { starts_at, place: filled(&form.place), skip, reason: filled(&form.reason) };
        let _ = api::meetings::schedule(State(ctx.state.clone()), ctx.caller()?, ApiPath(slot), ApiJson(body)).await?;
        Ok(Out::Done("/meetings".into(), if skip { "meeting_skipped" } else { "meeting_moved" }))
    }
    .await;
    let out = match out {
        Err(e) => match refusal(&e) {
            Some(status) => list_page(&ctx, status, ctx.form_errors(&e)).await,
            None => Err(e),
        },
        ok => ok,
    };
    ctx.respond(out)
}

/// The year around today: each month's first Sunday, as held, moved, skipped or planned.
async fn list_page(ctx: &Ctx, status: StatusCode, errors: Value) -> PageResult {
    let caller = ctx.caller()?;
    let state = ctx.state.clone();
    // The community's meetings, read once for the list, the next meeting and the calendar.
    let records = api::meetings::all(&state, &caller).await?;
    let meetings: Vec<_> = records.iter().map(api::meetings::view).collect();
    let next = api::meetings::next_of(&state, &caller, &records)?;
    let rules = api::meetings::rules(&state, &caller)?;
    let rows: Vec<_> = records.into_iter().map(|r| r.meeting).collect();
    let overrides = crate::meetings::overrides(&rules, &rows);
    let today = caller.now(&state).date_naive();
    let mut calendar = Vec::new();
    let start = today.with_day(1).and_then(|d| d.checked_sub_months(chrono::Months::new(5)));
    for k in 0..12 {
        let Some(month) = start.and_then(|d| d.checked_add_months(chrono::Months::new(k))) else { continue };
        let Some(slot) = roundtable_core::meeting::first_sunday(month.year(), month.month()) else { continue };
        let held = meetings.iter().find(|m| m.slot == slot);
        let planned = rules.occurrence(&overrides, slot);
        let starts = held
            .map(|m| local(&caller, m.starts_at))
            .or_else(|| planned.as_ref().map(|o| o.starts_at.format("%Y-%m-%d %H:%M").to_string()));
        calendar.push(json!({
            "month": format!("{}-{:02}", month.year(), month.month()),
            "slot": slot,
            "starts_local": starts,
            "place": held.map(|m| m.place.clone()).or_else(|| planned.map(|o| o.place)),
            "status": held.map_or("planned", |m| m.status.as_str()),
            "agenda_status": held.map_or("none", |m| m.agenda_status.as_str()),
            "id": held.and_then(|m| m.id),
            "past": slot < today,
            "is_next": next.as_ref().is_some_and(|n| n.slot == slot),
            "note": held.filter(|m| m.status == "skipped").map(|m| m.announcements.clone()),
        }));
    }
    let movable: Vec<Value> = calendar
        .iter()
        .filter(|m| !m["past"].as_bool().unwrap_or(true) && matches!(m["status"].as_str(), Some("planned" | "skipped")))
        .map(|m| json!({ "value": m["slot"], "label": m["month"] }))
        .collect();
    Ok(Out::Status(
        status,
        "meetings",
        json!({
            "next": next.as_ref().map(|n| meeting_json(&caller, n)),
            "errors": errors,
            "movable": movable,
            "calendar": calendar,
            "meetings": meetings.iter().map(|m| meeting_json(&caller, m)).collect::<Vec<_>>(),
        }),
    ))
}

pub async fn build(ApiPath(slot): ApiPath<NaiveDate>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        let (_, view) = api::meetings::build(State(ctx.state.clone()), ctx.caller()?, ApiPath(slot)).await?;
        let id = view.0.id.ok_or_else(|| ApiError::Internal("a built meeting has an id".into()))?;
        Ok(Out::Done(format!("/meetings/{id}"), "agenda_built"))
    }
    .await;
    ctx.respond(out)
}

/// A meeting's agenda items with names, for the meeting page and the day screen.
fn items_json(detail: &MeetingDetail, assigned: &[String]) -> Vec<Value> {
    detail
        .items
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|i| {
            let mut v = serde_json::to_value(i).unwrap_or_default();
            // A commitment is made on an assigned issue (the workflow's `commit`).
            v["committable"] = json!(i.issue.as_ref().is_some_and(|x| assigned.contains(x)));
            v
        })
        .collect()
}

/// The comparison, ranked companies first (best first), then the unranked by name.
fn scorecard_rows(names: &Names, scorecard: Option<&Value>) -> Vec<Value> {
    let mut rows: Vec<Value> = scorecard
        .and_then(Value::as_array)
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let mut r = r.clone();
                    let org = r["org"].as_str().and_then(|s| s.parse().ok());
                    r["org_name"] = json!(names.org(org));
                    if let Some(s) = r["average_satisfaction"].as_f64() {
                        r["satisfaction"] = json!(format!("{s:.1}"));
                    }
                    r
                })
                .collect()
        })
        .unwrap_or_default();
    rows.sort_by_key(|r| (r["rank"].as_u64().unwrap_or(u64::MAX), r["org_name"].as_str().unwrap_or("").to_owned()));
    rows
}

async fn detail(ctx: &Ctx, id: Uuid) -> Result<(Caller, MeetingDetail, Names), ApiError> {
    let caller = ctx.caller()?;
    let detail = api::meetings::get(State(ctx.state.clone()), caller.clone(), ApiPath(id)).await?.0;
    Ok((caller, detail, Names::load(ctx).await?))
}

fn attendance_json(names: &Names, detail: &MeetingDetail) -> Vec<Value> {
    names
        .orgs
        .iter()
        .filter(|(_, _, k)| !matches!(k, OrgKind::Unit))
        .map(|(id, name, _)| {
            let came = detail.attendance.iter().find(|a| a.org == *id).map(|a| a.attendees.clone());
            json!({ "org": id, "name": name, "attendees": came })
        })
        .collect()
}

async fn meeting_page(ctx: &Ctx, id: Uuid, status: StatusCode, errors: Value) -> PageResult {
    let (caller, detail, names) = detail(ctx, id).await?;
    Ok(Out::Status(
        status,
        "meeting",
        json!({
            "meeting": meeting_json(&caller, &detail.meeting),
            "items": items_json(&detail, &[]),
            "has_agenda": detail.items.is_some(),
            "draft": detail.meeting.agenda_status == "draft",
            "scorecard": scorecard_rows(&names, detail.scorecard.as_ref()),
            "attendance": attendance_json(&names, &detail).into_iter().filter(|a| !a["attendees"].is_null()).collect::<Vec<_>>(),
            "sections": ["follow_up", "new_issues", "other_business"],
            "errors": errors,
        }),
    ))
}

pub async fn show(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = meeting_page(&ctx, id, StatusCode::OK, Value::Null).await;
    ctx.respond(out)
}

/// Passes a form's result on; a refused form (422, 409) shows its page again with the
/// errors, anything else fails.
async fn again(ctx: &Ctx, id: Uuid, out: PageResult, day_screen: bool) -> PageResult {
    let Err(e) = out else { return out };
    let Some(status) = refusal(&e) else { return Err(e) };
    let errors = ctx.form_errors(&e);
    if day_screen { day_page(ctx, id, status, errors).await } else { meeting_page(ctx, id, status, errors).await }
}

/// The agenda editor: announcements, which items stay (`keep_<id>`) in which order
/// (`pos_<id>`), and one new item.
pub async fn edit(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
        let mut kept: Vec<(f64, usize, String)> = Vec::new();
        for (n, (k, _)) in form.iter().enumerate() {
            if let Some(item) = k.strip_prefix("keep_") {
                let pos = field(&format!("pos_{item}")).and_then(|p| p.parse().ok()).unwrap_or(f64::MAX);
                kept.push((pos, n, item.to_owned()));
            }
        }
        kept.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut add = Vec::new();
        if let Some(title) = field("new_title").filter(|t| !t.is_empty()) {
            let minutes = match field("new_minutes").filter(|m| !m.is_empty()) {
                None => 5,
                Some(m) => m.parse().map_err(|_| ApiError::field("add[0].minutes", "out_of_range", "1 to 120"))?,
            };
            add.push(NewItem { title, section: field("new_section").unwrap_or_default(), minutes });
        }
        let body = AgendaEdit {
            announcements: field("announcements"),
            order: Some(kept.into_iter().map(|(_, _, id)| id).collect()),
            add,
        };
        let _ = api::meetings::edit(State(ctx.state.clone()), caller, ApiPath(id), ApiJson(body)).await?;
        Ok(Out::Done(format!("/meetings/{id}"), "agenda_saved"))
    }
    .await;
    let out = again(&ctx, id, out, false).await;
    ctx.respond(out)
}

/// The secretary's one-button actions on a meeting.
macro_rules! action {
    ($name:ident, $api:path, $done:literal, $to:literal) => {
        pub async fn $name(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
            let out = async {
                let _ = $api(State(ctx.state.clone()), ctx.caller()?, ApiPath(id)).await?;
                Ok(Out::Done(format!($to, id = id), $done))
            }
            .await;
            let out = again(&ctx, id, out, false).await;
            ctx.respond(out)
        }
    };
}

action!(publish, api::meetings::publish, "agenda_published", "/meetings/{id}");
action!(rebuild, api::meetings::rebuild, "agenda_rebuilt", "/meetings/{id}");
action!(open, api::meetings::open, "meeting_opened", "/meetings/{id}/day");
action!(close, api::meetings::close, "meeting_closed", "/meetings/{id}/minutes");
action!(publish_minutes, api::minutes::publish, "minutes_published", "/meetings/{id}/minutes");

/// The agenda and minutes documents, as the API renders them for print.
pub async fn agenda_print(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = async {
        let q = FormatQuery { format: None };
        Ok(Out::Raw(api::minutes::agenda(State(ctx.state.clone()), ctx.caller()?, ApiPath(id), ApiQuery(q)).await?))
    }
    .await;
    ctx.respond(out)
}

pub async fn minutes_print(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = async {
        let q = FormatQuery { format: None };
        Ok(Out::Raw(api::minutes::get(State(ctx.state.clone()), ctx.caller()?, ApiPath(id), ApiQuery(q)).await?))
    }
    .await;
    ctx.respond(out)
}

async fn day_page(ctx: &Ctx, id: Uuid, status: StatusCode, errors: Value) -> PageResult {
    let (caller, detail, names) = detail(ctx, id).await?;
    api::meetings::manage(&caller)?;
    let today = caller.now(&ctx.state).date_naive();
    let ids: Vec<_> = detail.items.iter().flatten().filter_map(|i| i.issue.as_deref()?.parse().ok()).collect();
    let assigned = ctx
        .state
        .db
        .run(move |conn| {
            let mut out = Vec::new();
            for id in ids {
                let issue = roundtable_store::issues::get_issue(conn, id)?;
                if issue.state == roundtable_core::IssueState::ASSIGNED {
                    out.push(issue.id.to_string());
                }
            }
            Ok(out)
        })
        .await?;
    Ok(Out::Status(
        status,
        "day",
        json!({
            "meeting": meeting_json(&caller, &detail.meeting),
            "open": detail.meeting.status == "open",
            "items": items_json(&detail, &assigned),
            "attendance": attendance_json(&names, &detail),
            "today": today,
            "errors": errors,
        }),
    ))
}

pub async fn day(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = day_page(&ctx, id, StatusCode::OK, Value::Null).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct AttendanceForm {
    org: String,
    #[serde(default)]
    attendees: String,
}

pub async fn attendance(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<AttendanceForm>) -> Response {
    let out = async {
        let org = form.org.parse().map_err(|_| ApiError::field("org", "invalid", "choose an organisation"))?;
        let body = AttendanceBody { org, attendees: form.attendees };
        let _ = api::meetings::attendance(State(ctx.state.clone()), ctx.caller()?, ApiPath(id), ApiJson(body)).await?;
        Ok(Out::Done(format!("/meetings/{id}/day"), "attendance_saved"))
    }
    .await;
    let out = again(&ctx, id, out, true).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    outcome: String,
    note: Option<String>,
    commitment_text: Option<String>,
    due_date: Option<String>,
}

pub async fn outcome(
    ApiPath((id, item)): ApiPath<(Uuid, String)>,
    Posted { ctx, form }: Posted<OutcomeForm>,
) -> Response {
    let out = async {
        let due_date = match filled(&form.due_date) {
            None => None,
            Some(d) => Some(
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| ApiError::invalid(vec![FieldProblem::new("due_date", "invalid", "YYYY-MM-DD")]))?,
            ),
        };
        let body = OutcomeBody {
            outcome: form.outcome,
            note: filled(&form.note),
            commitment_text: filled(&form.commitment_text),
            due_date,
        };
        let _ =
            api::meetings::outcome(State(ctx.state.clone()), ctx.caller()?, ApiPath((id, item)), ApiJson(body)).await?;
        Ok(Out::Done(format!("/meetings/{id}/day"), "outcome_recorded"))
    }
    .await;
    let out = again(&ctx, id, out, true).await;
    ctx.respond(out)
}

async fn minutes_page(ctx: &Ctx, id: Uuid, status: StatusCode, errors: Value) -> PageResult {
    let (caller, detail, _) = detail(ctx, id).await?;
    let manages = api::meetings::manage(&caller).is_ok();
    let revisions = ctx.state.db.run(move |conn| store_minutes::revisions(conn, MeetingId(id))).await?;
    let published = revisions.iter().any(|r| r.status == "published");
    let draft = revisions.iter().rev().find(|r| r.status == "draft").map(|r| r.body.clone());
    let closed = detail.meeting.status == "closed";
    Ok(Out::Status(
        status,
        "minutes",
        json!({
            "meeting": meeting_json(&caller, &detail.meeting),
            "closed": closed,
            "readable": closed && (published || manages),
            "published": published,
            "remarks": draft,
            "revisions": revisions.iter().map(|r| json!({
                "revision": r.revision, "status": r.status, "at": local(&caller, r.created_at),
            })).collect::<Vec<_>>(),
            "errors": errors,
        }),
    ))
}

pub async fn minutes(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = minutes_page(&ctx, id, StatusCode::OK, Value::Null).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

async fn write_minutes(ctx: &Ctx, id: Uuid, text: String, addendum: bool) -> PageResult {
    let caller = ctx.caller()?;
    let (state, body) = (State(ctx.state.clone()), ApiJson(MinutesText { text }));
    let saved = if addendum {
        api::minutes::addendum(state, caller, ApiPath(id), body).await
    } else {
        api::minutes::amend(state, caller, ApiPath(id), body).await
    };
    match saved {
        Ok(_) => {
            Ok(Out::Done(format!("/meetings/{id}/minutes"), if addendum { "addendum_added" } else { "minutes_saved" }))
        }
        Err(e) => match refusal(&e) {
            Some(status) => minutes_page(ctx, id, status, ctx.form_errors(&e)).await,
            None => Err(e),
        },
    }
}

pub async fn amend_minutes(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<TextForm>) -> Response {
    let out = write_minutes(&ctx, id, form.text, false).await;
    ctx.respond(out)
}

pub async fn addendum(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<TextForm>) -> Response {
    let out = write_minutes(&ctx, id, form.text, true).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct MonthQuery {
    meeting: Option<String>,
}

/// The property companies compared: so far this month (what the next agenda would
/// show if it were built now), and each past month as its published agenda computed it.
pub async fn scorecard(ctx: Ctx, Query(q): Query<MonthQuery>) -> Response {
    let out = scorecard_page(&ctx, q).await;
    ctx.respond(out)
}

async fn scorecard_page(ctx: &Ctx, q: MonthQuery) -> PageResult {
    let caller = ctx.caller()?;
    let names = Names::load(ctx).await?;
    let records = api::meetings::all(&ctx.state, &caller).await?;
    let next = api::meetings::next_of(&ctx.state, &caller, &records)?;
    let (community, config, now) = (caller.actor.community, (*ctx.state.config).clone(), ctx.state.now());
    let until = next.map(|n| n.slot);
    let live = match until {
        Some(slot) => {
            ctx.state
                .db
                .run(move |conn| {
                    let plan = crate::meetings::AgendaError::in_write(crate::meetings::plan_agenda(
                        conn,
                        &config,
                        community,
                        Some(slot),
                        now,
                    ))?;
                    Ok(plan.map(|plan| plan.map(|(_, agenda)| agenda.scorecard)))
                })
                .await??
        }
        None => None,
    };
    let published: BTreeMap<NaiveDate, _> = records
        .into_iter()
        .filter(|r| r.agenda_status == "published" && r.scorecard.is_some())
        .map(|r| (r.meeting.slot, r))
        .collect();
    let chosen = filled(&q.meeting).and_then(|m| published.values().find(|r| r.meeting.id.to_string() == m));
    let rows = match chosen {
        Some(r) => r.scorecard.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()),
        None => live.and_then(|rows| serde_json::to_value(rows).ok()),
    };
    let mut months = vec![json!({ "id": "", "live": true, "selected": chosen.is_none() })];
    months.extend(published.values().rev().map(|r| {
        json!({
            "id": r.meeting.id.0, "month": r.meeting.slot.format("%Y-%m").to_string(),
            "selected": chosen.is_some_and(|c| c.meeting.id == r.meeting.id),
        })
    }));
    Ok(Out::Page(
        "scorecard",
        json!({
            "rows": scorecard_rows(&names, rows.as_ref()),
            "months": months,
            "month": chosen.map(|c| c.meeting.slot.format("%Y-%m").to_string()),
            "live": chosen.is_none(),
            "until": until,
        }),
    ))
}
