//! The working-day calendar on the pages (`/admin/workdays`): each year as it is in force,
//! day by day as the notice reads, and the form an administrator enters a year with. The
//! street office's (`/street/workdays`) is the same page for all its communities: where
//! each community's year came from, and the form that enters it for them all.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use roundtable_core::workdays::{Span, read_notice};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiPath, ApiQuery, FieldProblem};
use crate::ops::workdays::{self as ops, Scope, YearShown};
use crate::pages::forms::Posted;
use crate::pages::render::{Ctx, FormErrors, Out, Page, PageResult};

/// A tab: a year the calendar holds or that may be entered.
#[derive(Serialize)]
struct Tab {
    year: i32,
    chosen: bool,
    held: bool,
}

/// An entry as the page lists it: its days with their weekdays, and how many.
#[derive(Serialize)]
struct SpanRow {
    first: String,
    first_weekday: u32,
    /// `None`: a single day.
    last: Option<String>,
    last_weekday: u32,
    name: String,
    days: i64,
}

impl From<&Span> for SpanRow {
    fn from(s: &Span) -> SpanRow {
        let wd = |d: NaiveDate| d.weekday().num_days_from_monday();
        SpanRow {
            first: s.first.to_string(),
            first_weekday: wd(s.first),
            last: (s.last != s.first).then(|| s.last.to_string()),
            last_weekday: wd(s.last),
            name: s.note.clone(),
            days: s.len(),
        }
    }
}

#[derive(Serialize)]
struct Held {
    holidays: Vec<SpanRow>,
    workdays: Vec<SpanRow>,
    holiday_days: usize,
    workday_days: usize,
    entered_by: Option<String>,
    entered_at: Option<String>,
}

/// How many entries a pasted notice gave.
#[derive(Serialize)]
struct Read {
    holidays: usize,
    workdays: usize,
}

/// A community of the street, for the year chosen: where its arrangement came from.
#[derive(Serialize)]
struct Reached {
    name: String,
    /// `None`: its calendar holds nothing for the year.
    held: Option<Held>,
}

/// The street's part of its page: its name and its communities.
#[derive(Serialize)]
struct StreetPart {
    name: String,
    count: usize,
    communities: Vec<Reached>,
}

#[derive(Serialize)]
struct WorkdaysPage {
    /// Where the page and its forms are: `/admin/workdays` or `/street/workdays`.
    base: &'static str,
    /// The title's locale key.
    title: &'static str,
    street: Option<StreetPart>,
    tabs: Vec<Tab>,
    missing: Option<i32>,
    year: i32,
    /// What the calendar holds for the chosen year; `None`: nothing yet.
    held: Option<Held>,
    /// Whether the chosen year may be entered (last year to next year).
    open: bool,
    /// What was read from a pasted notice: holidays and make-up days, to check and save.
    read: Option<Read>,
    /// The form's lists: what was typed into a refused form (or read from a notice), else
    /// the year as in force.
    holidays_text: String,
    workdays_text: String,
    errors: Option<FormErrors>,
}

impl Page for WorkdaysPage {
    const TEMPLATE: &'static str = "workdays";
}

fn text(spans: &[Span]) -> String {
    spans.iter().map(|s| format!("{s}\n")).collect()
}

/// The page's place (`base`): the community's calendar or the street's.
fn base(scope: Scope) -> &'static str {
    match scope {
        Scope::Community => "/admin/workdays",
        Scope::Street => "/street/workdays",
    }
}

async fn workdays_page(
    ctx: &Ctx,
    scope: Scope,
    status: StatusCode,
    year: Option<i32>,
    typed: Option<&ArrangementForm>,
    read: Option<Read>,
    errors: Option<FormErrors>,
) -> PageResult {
    let caller = ctx.caller()?;
    let tz = caller.tz();
    let held_of = |y: &YearShown| Held {
        holidays: y.holidays.iter().map(SpanRow::from).collect(),
        workdays: y.workdays.iter().map(SpanRow::from).collect(),
        holiday_days: y.holiday_days,
        workday_days: y.workday_days,
        entered_by: y.entered.as_ref().and_then(|(name, _)| name.clone()),
        entered_at: y.entered.as_ref().map(|(_, at)| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()),
    };
    // The calendar shown day by day: the community's; for the street, its own community's
    // (the others listed by where their year came from), the first year any lacks.
    let (o, street) = match scope {
        Scope::Community => {
            if !caller.actor.has_role(roundtable_core::Role::Admin) {
                return Err(ApiError::Forbidden("administration is for administrators".into()));
            }
            (ops::overview(&ctx.state, &caller).await?, None)
        }
        Scope::Street => {
            let mut s = ops::street_overview(&ctx.state, &caller).await?;
            let missing = s.communities.iter().filter_map(|c| c.missing).min();
            let all: Vec<i32> = s.communities.iter().flat_map(|c| c.years.iter().map(|y| y.year)).collect();
            let home = s.communities.iter().position(|c| c.community.id == caller.actor.community).unwrap_or(0);
            let years = s.communities.get_mut(home).map(|c| std::mem::take(&mut c.years)).unwrap_or_default();
            let o = ops::Overview { years, missing, enterable: s.enterable.clone() };
            (o, Some((s, home, all)))
        }
    };
    // The year that needs entering first, else next year's (the one entered in November).
    let year = year.or(o.missing).unwrap_or(*o.enterable.end());
    let mut years: Vec<i32> = o.years.iter().map(|y| y.year).chain(o.enterable.clone()).collect();
    years.extend(street.iter().flat_map(|(_, _, all)| all.iter().copied()));
    years.sort_unstable();
    years.dedup();
    let tabs = years
        .iter()
        .map(|y| Tab { year: *y, chosen: *y == year, held: o.years.iter().any(|h| h.year == *y) })
        .collect();
    let shown: Option<&YearShown> = o.years.iter().find(|y| y.year == year);
    let (holidays_text, workdays_text) = match (typed, shown) {
        (Some(f), _) => (f.holidays.clone(), f.workdays.clone()),
        (None, Some(y)) => (text(&y.holidays), text(&y.workdays)),
        (None, None) => Default::default(),
    };
    let street = street.map(|(s, home, _)| StreetPart {
        name: s.street,
        count: s.communities.len(),
        communities: s
            .communities
            .iter()
            .enumerate()
            .map(|(i, c)| Reached {
                name: c.community.name.clone(),
                held: if i == home { shown.map(held_of) } else { c.years.iter().find(|y| y.year == year).map(held_of) },
            })
            .collect(),
    });
    let page = WorkdaysPage {
        base: base(scope),
        title: if street.is_some() { "workdays.street_title" } else { "workdays.title" },
        street,
        held: shown.map(held_of),
        tabs,
        missing: o.missing,
        year,
        open: o.enterable.contains(&year),
        read,
        holidays_text,
        workdays_text,
        errors,
    };
    Out::status(status, page)
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

pub async fn show(ctx: Ctx, ApiQuery(q): ApiQuery<YearQuery>) -> Response {
    let out = workdays_page(&ctx, Scope::Community, StatusCode::OK, q.year, None, None, None).await;
    ctx.respond(out)
}

pub async fn street_show(ctx: Ctx, ApiQuery(q): ApiQuery<YearQuery>) -> Response {
    let out = workdays_page(&ctx, Scope::Street, StatusCode::OK, q.year, None, None, None).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct ArrangementForm {
    #[serde(default)]
    holidays: String,
    #[serde(default)]
    workdays: String,
}

pub async fn enter(ApiPath(year): ApiPath<i32>, posted: Posted<ArrangementForm>) -> Response {
    enter_for(Scope::Community, year, posted).await
}

pub async fn street_enter(ApiPath(year): ApiPath<i32>, posted: Posted<ArrangementForm>) -> Response {
    enter_for(Scope::Street, year, posted).await
}

async fn enter_for(scope: Scope, year: i32, Posted { ctx, form }: Posted<ArrangementForm>) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        let (holidays, workdays) = (std::slice::from_ref(&form.holidays), std::slice::from_ref(&form.workdays));
        match ops::enter(&ctx.state, &caller, scope, year, holidays, workdays).await {
            Ok(entered) => {
                let done = match scope {
                    Scope::Community => "holidays_entered",
                    Scope::Street if entered.communities.len() == 1 => "holidays_entered",
                    Scope::Street => "holidays_entered_street",
                };
                Ok(Out::Done(format!("{}?year={year}", base(scope)), done))
            }
            Err(e @ ApiError::Invalid { .. }) => {
                let errors = Some(ctx.form_errors(&e));
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                workdays_page(&ctx, scope, status, Some(year), Some(&form), None, errors).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    ctx.respond(out)
}

/// The longest notice read: the State Council's runs to some 1,500 characters.
const MAX_NOTICE_CHARS: usize = 20_000;

#[derive(Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    notice: String,
}

/// Reads a pasted notice into the form's lists, for the administrator to check and save:
/// nothing is kept here.
pub async fn read(ApiPath(year): ApiPath<i32>, posted: Posted<NoticeForm>) -> Response {
    read_for(Scope::Community, year, posted).await
}

pub async fn street_read(ApiPath(year): ApiPath<i32>, posted: Posted<NoticeForm>) -> Response {
    read_for(Scope::Street, year, posted).await
}

async fn read_for(scope: Scope, year: i32, Posted { ctx, form }: Posted<NoticeForm>) -> Response {
    let out = async {
        let too_long = form.notice.chars().count() > MAX_NOTICE_CHARS;
        let (holidays, workdays) = if too_long { Default::default() } else { read_notice(year, &form.notice) };
        if holidays.is_empty() {
            let problem = if too_long {
                let p = FieldProblem::new("notice", "too_long", format!("at most {MAX_NOTICE_CHARS} characters"));
                FieldProblem { max_chars: Some(MAX_NOTICE_CHARS as u32), ..p }
            } else {
                FieldProblem::new("notice", "no_dates", "no holiday's days were found in it")
            };
            let errors = Some(ctx.form_errors(&ApiError::invalid(vec![problem])));
            return workdays_page(&ctx, scope, StatusCode::UNPROCESSABLE_ENTITY, Some(year), None, None, errors).await;
        }
        let typed = ArrangementForm { holidays: text(&holidays), workdays: text(&workdays) };
        let read = Some(Read { holidays: holidays.len(), workdays: workdays.len() });
        workdays_page(&ctx, scope, StatusCode::OK, Some(year), Some(&typed), read, None).await
    }
    .await;
    ctx.respond(out)
}
