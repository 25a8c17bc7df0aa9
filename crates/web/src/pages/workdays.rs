//! The working-day calendar on the pages (`/admin/workdays`): each year as it is in force,
//! day by day as the notice reads, and the form an administrator enters a year with.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use roundtable_core::Role;
use roundtable_core::workdays::{Span, read_notice};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiPath, ApiQuery, FieldProblem};
use crate::ops::workdays::{self as ops, YearShown};
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

#[derive(Serialize)]
struct WorkdaysPage {
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

async fn workdays_page(
    ctx: &Ctx,
    status: StatusCode,
    year: Option<i32>,
    typed: Option<&ArrangementForm>,
    read: Option<Read>,
    errors: Option<FormErrors>,
) -> PageResult {
    let caller = ctx.caller()?;
    if !caller.actor.has_role(Role::Admin) {
        return Err(ApiError::Forbidden("administration is for administrators".into()));
    }
    let o = ops::overview(&ctx.state, &caller).await?;
    // The year that needs entering first, else next year's (the one entered in November).
    let year = year.or(o.missing).unwrap_or(*o.enterable.end());
    let mut years: Vec<i32> = o.years.iter().map(|y| y.year).chain(o.enterable.clone()).collect();
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
    let held = shown.map(|y| Held {
        holidays: y.holidays.iter().map(SpanRow::from).collect(),
        workdays: y.workdays.iter().map(SpanRow::from).collect(),
        holiday_days: y.holiday_days,
        workday_days: y.workday_days,
        entered_by: y.entered.as_ref().and_then(|(name, _)| name.clone()),
        entered_at: y
            .entered
            .as_ref()
            .map(|(_, at)| at.with_timezone(&caller.tz()).format("%Y-%m-%d %H:%M").to_string()),
    });
    let page = WorkdaysPage {
        tabs,
        missing: o.missing,
        year,
        held,
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
    let out = workdays_page(&ctx, StatusCode::OK, q.year, None, None, None).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct ArrangementForm {
    #[serde(default)]
    holidays: String,
    #[serde(default)]
    workdays: String,
}

pub async fn enter(ApiPath(year): ApiPath<i32>, Posted { ctx, form }: Posted<ArrangementForm>) -> Response {
    let out = async {
        let caller = ctx.caller()?;
        match ops::enter(
            &ctx.state,
            &caller,
            year,
            std::slice::from_ref(&form.holidays),
            std::slice::from_ref(&form.workdays),
        )
        .await
        {
            Ok(_) => Ok(Out::Done(format!("/admin/workdays?year={year}"), "holidays_entered")),
            Err(e @ ApiError::Invalid { .. }) => {
                let errors = Some(ctx.form_errors(&e));
                workdays_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(year), Some(&form), None, errors).await
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
pub async fn read(ApiPath(year): ApiPath<i32>, Posted { ctx, form }: Posted<NoticeForm>) -> Response {
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
            return workdays_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(year), None, None, errors).await;
        }
        let typed = ArrangementForm { holidays: text(&holidays), workdays: text(&workdays) };
        let read = Some(Read { holidays: holidays.len(), workdays: workdays.len() });
        workdays_page(&ctx, StatusCode::OK, Some(year), Some(&typed), read, None).await
    }
    .await;
    ctx.respond(out)
}
