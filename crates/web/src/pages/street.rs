//! `/street`: the street office's comparison of its communities and companies.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use roundtable_core::CommunityId;
use roundtable_core::scorecard::Rate;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{ApiError, FieldProblem};
use crate::ops::issues::{CATEGORIES, wording_problems};
use crate::ops::street::{self as ops, Rates};
use crate::pages::forms::{Posted, chosen, filled};
use crate::pages::issues::Row;
use crate::pages::render::{Choice, Ctx, FormErrors, Out, Page, PageResult};

/// A rate as the page shows it: "3/4 · 75%", or a dash with nothing to count.
fn shown(r: Rate) -> String {
    r.percent().map_or_else(|| "—".to_owned(), |p| format!("{}/{} · {p}%", r.n, r.m))
}

#[derive(Serialize)]
struct RatesShown {
    received: u32,
    response: String,
    resolution: String,
    satisfaction: String,
    overdue: u32,
    extended: u32,
    reopened: u32,
    returns_refused: u32,
}

impl From<Rates> for RatesShown {
    fn from(r: Rates) -> Self {
        RatesShown {
            received: r.received,
            response: shown(r.response),
            resolution: shown(r.resolution),
            satisfaction: shown(r.satisfaction),
            overdue: r.overdue,
            extended: r.extended,
            reopened: r.reopened,
            returns_refused: r.returns_refused,
        }
    }
}

/// A community's next meeting as the street's page says it.
#[derive(Serialize)]
struct NextShown {
    /// "2027-01-03 09:00", in the community's time.
    at: String,
    place: String,
    open: bool,
    /// Its hour has come and it is not open: the cadre on the way learns it has not begun.
    late: bool,
    agenda_published: bool,
    agenda: Option<String>,
    /// Its day is a public holiday or worked in place of one (调休), by the community's
    /// working-day calendar.
    clash: Option<roundtable_core::workdays::DayKind>,
}

#[derive(Serialize)]
struct CommunityRow {
    id: String,
    name: String,
    next_meeting: Option<NextShown>,
    /// The month of the agenda its rates come from.
    rates_of: Option<String>,
    open: i64,
    overdue: i64,
    rates: RatesShown,
}

#[derive(Serialize)]
struct CompanyRow {
    name: String,
    communities: String,
    rates: RatesShown,
}

#[derive(Serialize)]
struct StreetPage {
    street: String,
    communities: Vec<CommunityRow>,
    companies: Vec<CompanyRow>,
    /// Where the street office may call a community in: "community · compound".
    places: Vec<Choice>,
    categories: Vec<Choice>,
    urgencies: Vec<Choice>,
    values: BTreeMap<String, String>,
    errors: Option<FormErrors>,
    /// This showing's key: the whistle sent twice raises one issue.
    submission: String,
    /// What the street office called its communities in for, as it stands.
    called_in: Vec<Row>,
    /// The years the communities' working-day calendars lack (this year, or the next a
    /// month ahead), each with the communities lacking it: entered once on the street's
    /// calendar.
    missing: Vec<Missing>,
}

#[derive(Serialize)]
struct Missing {
    year: i32,
    communities: String,
}

impl Page for StreetPage {
    const TEMPLATE: &'static str = "street";
}

/// The street office's calls as issue rows: each named by its community and compound,
/// linked to the issue as the street office reads it.
pub(crate) fn called_in_rows(called: Vec<ops::CalledIn>, now: chrono::DateTime<chrono::Utc>) -> Vec<Row> {
    called
        .into_iter()
        .map(|c| {
            let href = format!("/street/communities/{}/issues/{}", c.community, c.issue.id);
            let place = Some(match c.compound_name {
                Some(compound) => format!("{} · {compound}", c.community_name),
                None => c.community_name,
            });
            let progress = c.progress.map(|p| crate::pages::issues::RowProgress::new(p, c.time_zone));
            Row { progress, ..Row::timed(c.issue, href, place, c.org_name, c.time_zone, now) }
        })
        .collect()
}

async fn street_page(
    ctx: &Ctx,
    status: StatusCode,
    values: BTreeMap<String, String>,
    errors: Option<FormErrors>,
) -> PageResult {
    let caller = ctx.caller()?;
    let street = ops::comparison(&ctx.state, &caller).await?;
    let chosen = values.get("place").cloned().unwrap_or_default();
    let places = ops::places(&ctx.state, &caller)
        .await?
        .into_iter()
        .map(|p| {
            let value = format!("{}:{}", p.community, p.compound);
            let selected = value == chosen;
            Choice::new(value, format!("{} · {}", p.community_name, p.compound_name), selected)
        })
        .collect();
    let category = values.get("category").cloned().unwrap_or_default();
    let categories = CATEGORIES.iter().map(|c| Choice::new(c, *c, *c == category)).collect();
    let urgencies = Choice::urgencies(values.get("urgency").map(String::as_str));
    let today = caller.now(&ctx.state).date_naive();
    let mut missing: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
    for c in &street.communities {
        if let Some(year) = ctx.state.calendar_of(c.id).missing_year(today) {
            missing.entry(year).or_default().push(&c.name);
        }
    }
    let missing = missing.into_iter().map(|(year, names)| Missing { year, communities: names.join("、") }).collect();
    let called_in = called_in_rows(street.called_in, ctx.state.now());
    let page = StreetPage {
        called_in,
        missing,
        street: street.name,
        communities: street
            .communities
            .into_iter()
            .map(|c| CommunityRow {
                next_meeting: c.next_meeting.map(|m| NextShown {
                    clash: crate::pages::meetings::clash(
                        &ctx.state.calendar_of(c.id),
                        m.starts_at.with_timezone(&c.time_zone).date_naive(),
                        roundtable_core::MeetingStatus::Planned,
                    ),
                    at: m.starts_at.with_timezone(&c.time_zone).format("%Y-%m-%d %H:%M").to_string(),
                    place: m.place,
                    late: !m.open && m.starts_at <= ctx.state.now(),
                    open: m.open,
                    agenda_published: m.agenda_published,
                    agenda: m.agenda,
                }),
                id: c.id.to_string(),
                name: c.name,
                rates_of: c.rates_of.map(|d| d.format("%Y-%m").to_string()),
                open: c.open,
                overdue: c.overdue,
                rates: c.rates.into(),
            })
            .collect(),
        companies: street
            .companies
            .into_iter()
            .map(|c| CompanyRow { name: c.name, communities: c.communities.join("、"), rates: c.rates.into() })
            .collect(),
        places,
        categories,
        urgencies,
        values,
        errors,
        submission: uuid::Uuid::now_v7().to_string(),
    };
    Out::status(status, page)
}

pub async fn show(ctx: Ctx) -> Response {
    let out = street_page(&ctx, StatusCode::OK, BTreeMap::new(), None).await;
    ctx.respond(out)
}

fn field(form: &[(String, String)], name: &str) -> Option<String> {
    filled(&form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

/// The whistle (吹哨) from the street page: an issue raised in one of the street's
/// communities; back to the page with what was typed when something is missing.
pub async fn whistle(Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        let place = field(&form, "place").unwrap_or_default();
        let mut urgency_problems = Vec::new();
        let parsed = place.split_once(':').and_then(|(c, k)| Some((c.parse::<Uuid>().ok()?, k.parse::<Uuid>().ok()?)));
        let body = crate::views::NewIssueBody {
            title: field(&form, "title").unwrap_or_default(),
            description: field(&form, "description").unwrap_or_default(),
            category: field(&form, "category").unwrap_or_default(),
            urgency: chosen("urgency", &field(&form, "urgency"), &mut urgency_problems),
            compound: parsed.map(|(_, compound)| compound).unwrap_or_default(),
            building: None,
            unit: None,
            photos: Vec::new(),
            on_behalf: None,
        };
        let Some((community, _)) = parsed else {
            // Every problem of the form at once, not the place alone and the rest after.
            let mut errors = wording_problems(&body);
            errors.append(&mut urgency_problems);
            let problem = if place.is_empty() { "missing" } else { "invalid" };
            errors.insert(0, FieldProblem::new("compound", problem, "choose the community and compound"));
            return Err(ApiError::invalid(errors));
        };
        if !urgency_problems.is_empty() {
            let mut errors = wording_problems(&body);
            errors.append(&mut urgency_problems);
            return Err(ApiError::invalid(errors));
        }
        let submission = field(&form, "submission");
        let (state, caller) = (&ctx.state, &caller);
        let whistle = |key| ops::whistle(state, caller, CommunityId(community), body.clone(), key);
        crate::ops::issues::once_per_form(submission.as_deref(), whistle).await?;
        Ok(Out::Done("/street".into(), "whistle_raised"))
    }
    .await;
    let out = match out {
        Err(e @ ApiError::Invalid { .. }) => {
            let values = form.iter().filter(|(k, _)| k != "_csrf").map(|(k, v)| (k.clone(), v.clone())).collect();
            street_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, values, Some(ctx.form_errors(&e))).await
        }
        other => other,
    };
    ctx.respond(out)
}
