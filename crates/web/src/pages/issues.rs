//! The tracker's pages: the list, an issue with its timeline and the transitions the
//! viewer may fire, raising an issue, supporting one.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use roundtable_core::{CompoundId, IssueId, OrgKind};
use roundtable_store::{directory, issues as store};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, FieldProblem};
use crate::pages::forms::{Posted, filled};
use crate::pages::i18n::value_text;
use crate::pages::render::{Ctx, Out, PageResult, refusal, urlencode};
use crate::state::AppState;
use crate::views::{ListQuery, NewIssueBody, TransitionBody};

/// The community's names, to show ids as people read them.
pub struct Names {
    pub compounds: Vec<(Uuid, String)>,
    pub buildings: Vec<(Uuid, Uuid, String)>,
    /// (id, name, kind)
    pub orgs: Vec<(Uuid, String, OrgKind)>,
}

impl Names {
    pub async fn load(ctx: &Ctx) -> Result<Names, ApiError> {
        let community = ctx.caller()?.actor.community;
        let (compounds, buildings, orgs) = ctx
            .state
            .db
            .run(move |conn| {
                Ok((
                    directory::compounds(conn, community)?,
                    directory::community_buildings(conn, community)?,
                    directory::organisations(conn, community)?,
                ))
            })
            .await?;
        Ok(Names {
            compounds: compounds.into_iter().map(|c| (c.id.0, c.name)).collect(),
            buildings: buildings.into_iter().map(|b| (b.id.0, b.compound.0, b.name)).collect(),
            orgs: orgs.into_iter().map(|o| (o.id.0, o.name, o.kind)).collect(),
        })
    }

    pub fn compound(&self, id: Option<Uuid>) -> Option<String> {
        self.compounds.iter().find(|(c, _)| Some(*c) == id).map(|(_, n)| n.clone())
    }

    pub fn org(&self, id: Option<Uuid>) -> Option<String> {
        self.orgs.iter().find(|(o, ..)| Some(*o) == id).map(|(_, n, _)| n.clone())
    }

    /// The organisations an issue can be assigned to.
    pub fn responsible(&self) -> Vec<Value> {
        self.orgs
            .iter()
            .filter(|(.., k)| matches!(k, OrgKind::PropertyCompany | OrgKind::Unit))
            .map(|(id, name, _)| json!({ "value": id, "label": name }))
            .collect()
    }

    fn compound_options(&self, selected: Option<Uuid>) -> Vec<Value> {
        self.compounds
            .iter()
            .map(|(id, name)| json!({ "value": id, "label": name, "selected": Some(*id) == selected }))
            .collect()
    }
}

/// An issue summary (from the API) with names for its ids.
pub fn row(names: &Names, mut summary: Value) -> Value {
    let compound = summary.get("compound").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
    let org = summary.get("responsible_org").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
    if let Some(map) = summary.as_object_mut() {
        map.insert("compound_name".into(), json!(names.compound(compound)));
        map.insert("org_name".into(), json!(names.org(org)));
    }
    summary
}

/// The list's filters as the page's query string carries them (empty means "any").
#[derive(Deserialize, Default)]
pub struct Filters {
    state: Option<String>,
    compound: Option<String>,
    responsible_org: Option<String>,
    overdue: Option<String>,
    mine: Option<String>,
    q: Option<String>,
    order: Option<String>,
    cursor: Option<String>,
}

fn uuid_field(field: &str, v: &Option<String>, errors: &mut Vec<FieldProblem>) -> Option<Uuid> {
    let text = filled(v)?;
    match text.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldProblem::new(field, "invalid", format!("`{field}` is not an id")));
            None
        }
    }
}

/// Lists issues through the API, with names; `None` when the query itself is refused.
pub async fn fetch(ctx: &Ctx, query: ListQuery, names: &Names) -> Result<(Vec<Value>, Option<String>), ApiError> {
    let list = api::issues::list(State(ctx.state.clone()), ctx.caller()?, ApiQuery(query)).await?.0;
    let items = list.items.into_iter().map(|s| row(names, serde_json::to_value(s).unwrap_or_default())).collect();
    Ok((items, list.next_cursor))
}

pub async fn list(ctx: Ctx, Query(f): Query<Filters>) -> Response {
    let out = list_page(&ctx, f).await;
    ctx.respond(out)
}

async fn list_page(ctx: &Ctx, f: Filters) -> PageResult {
    let caller = ctx.caller()?;
    let names = Names::load(ctx).await?;
    let mut errors = Vec::new();
    let query = ListQuery {
        state: filled(&f.state),
        compound: uuid_field("compound", &f.compound, &mut errors),
        responsible_org: uuid_field("responsible_org", &f.responsible_org, &mut errors),
        raised_by: filled(&f.mine).map(|_| caller.user.id.0),
        overdue: filled(&f.overdue).map(|_| true),
        q: filled(&f.q),
        order: filled(&f.order),
        limit: Some(25),
        cursor: filled(&f.cursor),
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let keep = |name: &str, v: &Option<String>| filled(v).map(|v| format!("{name}={}", urlencode(&v)));
    let base: Vec<String> = [
        keep("state", &f.state),
        keep("compound", &f.compound),
        keep("responsible_org", &f.responsible_org),
        keep("overdue", &f.overdue),
        keep("mine", &f.mine),
        keep("q", &f.q),
    ]
    .into_iter()
    .flatten()
    .collect();
    let (items, next) = fetch(ctx, query, &names).await?;
    let link = |extra: Option<String>| {
        let mut parts = base.clone();
        parts.extend(extra);
        format!("/issues?{}", parts.join("&"))
    };
    let order = filled(&f.order).unwrap_or_else(|| "newest".into());
    let wf = ctx.state.workflows.get(roundtable_core::workflow::DEFAULT_WORKFLOW);
    let states: Vec<Value> = wf
        .map(|w| {
            w.states
                .iter()
                .map(
                    |s| json!({ "value": s.name.to_string(), "selected": f.state.as_deref() == Some(s.name.as_str()) }),
                )
                .collect()
        })
        .unwrap_or_default();
    let community_wide = super::render::community_wide(&caller);
    let compounds =
        community_wide.then(|| names.compound_options(uuid_field("compound", &f.compound, &mut Vec::new())));
    let chosen_org = uuid_field("responsible_org", &f.responsible_org, &mut Vec::new());
    let orgs = community_wide.then(|| {
        names
            .responsible()
            .into_iter()
            .map(|mut o| {
                o["selected"] = json!(o["value"].as_str().and_then(|v| v.parse::<Uuid>().ok()) == chosen_org);
                o
            })
            .collect::<Vec<_>>()
    });
    let sort: Vec<Value> = ["newest", "oldest", "support"]
        .iter()
        .map(|o| json!({ "value": o, "href": link(Some(format!("order={o}"))), "current": *o == order }))
        .collect();
    let next = next.map(|c| link(Some(format!("order={order}&cursor={}", urlencode(&c)))));
    let first = filled(&f.cursor).map(|_| link(Some(format!("order={order}"))));
    Ok(Out::Page(
        "issues",
        json!({
            "items": items,
            "filters": {
                "q": f.q, "overdue": filled(&f.overdue).is_some(), "mine": filled(&f.mine).is_some(), "order": order,
                "states": states, "compounds": compounds, "orgs": orgs,
            },
            "sort": sort,
            "next": next,
            "first": first,
        }),
    ))
}

/// The raise form's choices and what was typed.
async fn raise_page(ctx: &Ctx, status: StatusCode, values: Value, errors: Value) -> PageResult {
    let caller = ctx.caller()?;
    let names = Names::load(ctx).await?;
    let own = caller.user.compound.map(|c| c.0);
    let community_wide = super::render::community_wide(&caller);
    let chosen = values.get("compound").and_then(|v| v.as_str()).and_then(|s| s.parse().ok()).or(own);
    let compounds: Vec<Value> = names
        .compound_options(chosen)
        .into_iter()
        .filter(|c| community_wide || c["value"].as_str().and_then(|v| v.parse::<Uuid>().ok()) == own)
        .collect();
    let building = values.get("building").and_then(|v| v.as_str()).unwrap_or("").to_owned();
    let buildings: Vec<Value> = names
        .buildings
        .iter()
        .filter(|(_, c, _)| compounds.iter().any(|x| x["value"].as_str() == Some(&c.to_string())))
        .map(|(id, c, name)| {
            let label = format!("{} · {name}", names.compound(Some(*c)).unwrap_or_default());
            json!({ "value": id, "label": label, "selected": id.to_string() == building })
        })
        .collect();
    let category = values.get("category").and_then(|v| v.as_str()).unwrap_or("").to_owned();
    let categories: Vec<Value> =
        api::issues::CATEGORIES.iter().map(|c| json!({ "value": c, "selected": *c == category })).collect();
    Ok(Out::Status(
        status,
        "raise",
        json!({ "compounds": compounds, "buildings": buildings, "categories": categories, "values": values, "errors": errors }),
    ))
}

pub async fn new(ctx: Ctx) -> Response {
    let out = raise_page(&ctx, StatusCode::OK, json!({}), Value::Null).await;
    ctx.respond(out)
}

#[derive(Deserialize, serde::Serialize)]
pub struct RaiseForm {
    #[serde(default)]
    compound: String,
    building: Option<String>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    unit: Option<String>,
}

pub async fn raise(Posted { ctx, form }: Posted<RaiseForm>) -> Response {
    let out = raise_work(&ctx, form).await;
    ctx.respond(out)
}

async fn raise_work(ctx: &Ctx, form: RaiseForm) -> PageResult {
    let caller = ctx.caller()?;
    let mut errors = Vec::new();
    let compound = uuid_field("compound", &Some(form.compound.clone()), &mut errors);
    if compound.is_none() && errors.is_empty() {
        errors.push(FieldProblem::new("compound", "missing", "choose a compound"));
    }
    let building = uuid_field("building", &form.building, &mut errors);
    let result = match (compound, errors.is_empty()) {
        (Some(compound), true) => {
            let body = NewIssueBody {
                title: form.title.clone(),
                description: form.description.clone(),
                category: form.category.clone(),
                compound,
                building,
                unit: filled(&form.unit),
            };
            api::issues::create(State(ctx.state.clone()), caller, ApiJson(body)).await.map(|(_, _, view)| view.0)
        }
        _ => Err(ApiError::invalid(errors)),
    };
    match result {
        Ok(view) => Ok(Out::Done(format!("/issues/{}", view.id), "raised")),
        Err(e @ (ApiError::Invalid { .. } | ApiError::Forbidden(_))) => {
            let values = serde_json::to_value(&form).unwrap_or_default();
            raise_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, values, ctx.form_errors(&e)).await
        }
        Err(e) => Err(e),
    }
}

pub async fn show(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = issue_page(&ctx, id, StatusCode::OK, None).await;
    ctx.respond(out)
}

/// What a transition form was sent with, to show again after a refusal.
struct Refused<'a> {
    transition: &'a str,
    values: &'a TransitionForm,
    errors: Value,
}

/// How each transition field is asked for.
fn field_kind(field: &str) -> &'static str {
    match field {
        "responsible_org" | "satisfaction" | "meeting" => "select",
        "due_date" => "date",
        "duplicate_of" => "text",
        _ => "textarea",
    }
}

async fn issue_page(ctx: &Ctx, id: Uuid, status: StatusCode, refused: Option<Refused<'_>>) -> PageResult {
    let caller = ctx.caller()?;
    let state = ctx.state.clone();
    let view = api::issues::get(State(state.clone()), caller.clone(), ApiPath(id)).await?.0;
    let events = api::issues::events(State(state.clone()), caller.clone(), ApiPath(id)).await?.0;
    let names = Names::load(ctx).await?;
    let (user, community) = (caller.user.id, caller.actor.community);
    let (supported, meetings) = state
        .db
        .run(move |conn| {
            let supported = store::supports(conn, IssueId(id), user)?;
            Ok((supported, roundtable_store::meetings::meetings(conn, community)?))
        })
        .await?;
    let today = caller.now(&state).date_naive();
    let meeting_options: Vec<Value> = meetings
        .iter()
        .filter(|m| m.slot >= today - chrono::TimeDelta::days(40))
        .map(|m| json!({ "value": m.id.0, "label": m.slot.to_string() }))
        .collect();
    let transitions: Vec<Value> = view
        .transitions
        .iter()
        .map(|t| {
            let mine = refused.as_ref().filter(|r| r.transition == t.name);
            let fields: Vec<Value> = t
                .required
                .iter()
                .map(|f| (f, true))
                .chain(t.optional.iter().map(|f| (f, false)))
                .map(|(f, required)| {
                    let value = mine.and_then(|r| r.values.get(f)).unwrap_or_default();
                    let options = match f.as_str() {
                        "responsible_org" => names.responsible(),
                        "satisfaction" => (1..=5).map(|n| json!({ "value": n, "label": n })).collect(),
                        "meeting" => meeting_options.clone(),
                        _ => Vec::new(),
                    };
                    let options: Vec<Value> = options
                        .into_iter()
                        .map(|mut o| {
                            o["selected"] = json!(value_text(&o["value"]) == value);
                            o
                        })
                        .collect();
                    json!({
                        "name": f, "kind": field_kind(f), "required": required, "value": value,
                        "options": options, "min": (f == "due_date").then(|| today.to_string()),
                        "error": mine.and_then(|r| r.errors["field"].get(f.as_str()).cloned()),
                    })
                })
                .collect();
            json!({
                "name": t.name, "to": t.to, "fields": fields, "open": mine.is_some(),
                "errors": mine.map(|r| r.errors["list"].clone()),
            })
        })
        .collect();
    let timeline: Vec<Value> = events
        .into_iter()
        .map(|e| {
            let mut v = serde_json::to_value(&e).unwrap_or_default();
            v["at_local"] = json!(e.at.with_timezone(&caller.tz).format("%Y-%m-%d %H:%M").to_string());
            v["org_name"] = json!(names.org(e.actor_org));
            v["details"] = json!(
                e.fields
                    .as_object()
                    .map(|m| m
                        .iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, v)| {
                            let shown = match k.as_str() {
                                "responsible_org" => {
                                    names.org(v.as_str().and_then(|s| s.parse().ok())).unwrap_or_default()
                                }
                                _ => value_text(v),
                            };
                            json!({ "field": k, "value": shown })
                        })
                        .collect::<Vec<_>>())
                    .unwrap_or_default()
            );
            v
        })
        .collect();
    let compound = Some(view.compound);
    let org = view.responsible_org;
    let building = names.buildings.iter().find(|(b, ..)| Some(*b) == view.building).map(|(.., n)| n.clone());
    let mut issue = serde_json::to_value(&view).unwrap_or_default();
    issue["compound_name"] = json!(names.compound(compound));
    issue["org_name"] = json!(names.org(org));
    issue["building_name"] = json!(building);
    issue["created_local"] = json!(view.created_at.with_timezone(&caller.tz).format("%Y-%m-%d %H:%M").to_string());
    Ok(Out::Status(
        status,
        "issue",
        json!({ "issue": issue, "timeline": timeline, "transitions": transitions, "supported": supported }),
    ))
}

#[derive(Deserialize, Default)]
pub struct TransitionForm {
    #[serde(default)]
    transition: String,
    #[serde(default)]
    version: String,
    responsible_org: Option<String>,
    commitment_text: Option<String>,
    due_date: Option<String>,
    meeting: Option<String>,
    resolution_note: Option<String>,
    satisfaction: Option<String>,
    note: Option<String>,
    reason: Option<String>,
    duplicate_of: Option<String>,
}

impl TransitionForm {
    fn get(&self, field: &str) -> Option<String> {
        let v = match field {
            "responsible_org" => &self.responsible_org,
            "commitment_text" => &self.commitment_text,
            "due_date" => &self.due_date,
            "meeting" => &self.meeting,
            "resolution_note" => &self.resolution_note,
            "satisfaction" => &self.satisfaction,
            "note" => &self.note,
            "reason" => &self.reason,
            "duplicate_of" => &self.duplicate_of,
            _ => return None,
        };
        v.clone()
    }

    /// The API body; fields a browser sent in the wrong shape are reported like the API's own.
    fn body(&self) -> Result<TransitionBody, ApiError> {
        let mut errors = Vec::new();
        let version = self.version.trim().parse().unwrap_or_else(|_| {
            errors.push(FieldProblem::new("version", "invalid", "reload the page"));
            0
        });
        let due_date = filled(&self.due_date).and_then(|d| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| errors.push(FieldProblem::new("due_date", "invalid", "a date, YYYY-MM-DD")))
                .ok()
        });
        let satisfaction = filled(&self.satisfaction).and_then(|s| {
            s.parse()
                .map_err(|_| errors.push(FieldProblem::new("satisfaction", "invalid", "a number from 1 to 5")))
                .ok()
        });
        let body = TransitionBody {
            transition: self.transition.trim().to_owned(),
            version,
            responsible_org: uuid_field("responsible_org", &self.responsible_org, &mut errors),
            commitment_text: filled(&self.commitment_text),
            due_date,
            meeting: uuid_field("meeting", &self.meeting, &mut errors),
            resolution_note: filled(&self.resolution_note),
            satisfaction,
            note: filled(&self.note),
            reason: filled(&self.reason),
            duplicate_of: uuid_field("duplicate_of", &self.duplicate_of, &mut errors),
        };
        if errors.is_empty() { Ok(body) } else { Err(ApiError::invalid(errors)) }
    }
}

pub async fn transition(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<TransitionForm>) -> Response {
    let out = transition_work(&ctx, id, &form).await;
    ctx.respond(out)
}

async fn transition_work(ctx: &Ctx, id: Uuid, form: &TransitionForm) -> PageResult {
    let caller = ctx.caller()?;
    let fired = match form.body() {
        Ok(body) => api::issues::transition(State(ctx.state.clone()), caller, ApiPath(id), ApiJson(body)).await,
        Err(e) => Err(e),
    };
    match fired {
        Ok(_) => Ok(Out::Done(format!("/issues/{id}"), "transition_done")),
        Err(e) => match refusal(&e) {
            Some(status) => {
                let refused = Refused { transition: &form.transition, values: form, errors: ctx.form_errors(&e) };
                issue_page(ctx, id, status, Some(refused)).await
            }
            None => Err(e),
        },
    }
}

#[derive(Deserialize)]
pub struct SupportForm {
    action: String,
}

pub async fn support(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    Posted { ctx, form }: Posted<SupportForm>,
) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        let _ = match form.action.as_str() {
            "add" => api::issues::support(State(state), caller, ApiPath(id)).await?,
            _ => api::issues::withdraw_support(State(state), caller, ApiPath(id)).await?,
        };
        Ok(Out::Done(format!("/issues/{id}"), if form.action == "add" { "supported" } else { "support_withdrawn" }))
    }
    .await;
    ctx.respond(out)
}

/// The compound a resident or grid secretary belongs to, if any.
pub fn own_compound(ctx: &Ctx) -> Option<CompoundId> {
    ctx.viewer.caller.as_ref().and_then(|c| c.user.compound)
}
