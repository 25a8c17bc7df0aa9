//! The working-day calendar's years (工作日历): what each holds and where it came from, and
//! a community's administrator entering a year's arrangement when the State Council
//! publishes it (each November) — in place of the configuration's days for that year, with
//! no technician and no restart. Per community: holidays are national, but a community's
//! deadlines are its own, and another community's administrator cannot move them.

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::workdays::{Arrangement, ArrangementProblem, Span};
use roundtable_core::{Calendars, CommunityId, WorkCalendar};
use roundtable_store::calendar::{self as store, EnteredYear};
use roundtable_store::{Db, directory};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::state::AppState;

use super::admin::require_admin;

/// A year of the calendar as it is in force.
pub struct YearShown {
    pub year: i32,
    pub holidays: Vec<Span>,
    pub workdays: Vec<Span>,
    /// Days off and make-up days, counted.
    pub holiday_days: usize,
    pub workday_days: usize,
    /// Who entered it (unnamed: an account since closed) and when; `None`: it comes from
    /// the configuration.
    pub entered: Option<(Option<String>, DateTime<Utc>)>,
}

/// The calendar's years, and what may be entered.
pub struct Overview {
    pub years: Vec<YearShown>,
    /// The first of this year and the year a month ahead that holds no holidays.
    pub missing: Option<i32>,
    /// The years an administrator may enter: last year's (a correction), this year's and
    /// next year's (the notice comes out in November).
    pub enterable: RangeInclusive<i32>,
}

pub fn enterable(today: NaiveDate) -> RangeInclusive<i32> {
    today.year() - 1..=today.year() + 1
}

fn lines(spans: &[Span]) -> String {
    spans.iter().map(Span::to_string).collect::<Vec<_>>().join("\n")
}

fn read(y: &EnteredYear) -> Result<Arrangement, Vec<ArrangementProblem>> {
    Arrangement::read(y.year, std::slice::from_ref(&y.holidays), std::slice::from_ref(&y.workdays))
}

/// `base` with one community's entered years in place. An entered year that no longer
/// reads (it passed the checks when entered) is left out, and said in the log.
fn arranged(base: &WorkCalendar, entered: &[&EnteredYear]) -> Result<WorkCalendar, String> {
    let arrangements: Vec<Arrangement> = entered
        .iter()
        .filter_map(|y| {
            read(y)
                .map_err(|p| tracing::warn!(year = y.year, problems = ?p, "an entered holiday arrangement is left out"))
                .ok()
        })
        .collect();
    base.arranged(&arrangements)
}

/// Each community's calendar: the configuration's with its entered years in place.
pub fn effective(base: &WorkCalendar, entered: &[EnteredYear]) -> Calendars {
    let mut by_community: std::collections::BTreeMap<CommunityId, Vec<&EnteredYear>> = Default::default();
    for y in entered {
        by_community.entry(y.community).or_default().push(y);
    }
    by_community.into_iter().fold(Calendars::new(base.clone()), |calendars, (community, years)| {
        match arranged(base, &years) {
            Ok(calendar) => calendars.with(community, calendar),
            Err(e) => {
                tracing::warn!(%community, error = %e, "entered holiday arrangements disagree; the configuration's calendar is used");
                calendars
            }
        }
    })
}

/// The calendars as the database and configuration give them, read at start (blocking:
/// the server is not serving yet). An unreadable database leaves the configuration's.
pub fn load(db: &Db, base: &WorkCalendar) -> Calendars {
    match db.conn().and_then(|mut c| store::entered(&mut c, None)) {
        Ok(entered) => effective(base, &entered),
        Err(e) => {
            tracing::warn!(error = %e, "the entered holiday arrangements could not be read");
            Calendars::new(base.clone())
        }
    }
}

/// Reads the entered years again (each scheduler tick: another instance may have entered
/// one).
pub async fn reload(state: &AppState) -> ApiResult<()> {
    let entered = state.db.run(|conn| store::entered(conn, None)).await?;
    state.set_calendars(effective(&state.config.calendar, &entered));
    Ok(())
}

/// The years the caller's community's calendar holds, with who entered each (anyone of
/// the community may read them: they are the State Council's).
pub async fn overview(state: &AppState, caller: &Caller) -> ApiResult<Overview> {
    let community = caller.actor.community;
    let entered = state
        .db
        .run(move |conn| {
            let entered = store::entered(conn, Some(community))?;
            let who: Vec<_> = entered.iter().map(|y| y.entered_by).collect();
            let names = directory::display_names(conn, &who)?;
            Ok(entered.into_iter().map(|y| (names.get(&y.entered_by).cloned(), y)).collect::<Vec<_>>())
        })
        .await?;
    let calendar = state.calendar_of(community);
    let today = state.now().with_timezone(&caller.tz()).date_naive();
    let mut years: Vec<i32> = calendar.years();
    years.extend(entered.iter().map(|(_, y)| y.year));
    years.sort_unstable();
    years.dedup();
    let years = years
        .into_iter()
        .map(|year| {
            let mine = entered.iter().find(|(_, y)| y.year == year);
            let arranged = mine.and_then(|(_, y)| read(y).ok());
            let (holidays, workdays) = match arranged {
                Some(a) => (a.holidays, a.workdays),
                None => calendar.spans_of(year),
            };
            shown(year, holidays, workdays, mine.map(|(name, y)| (name.clone(), y.entered_at)))
        })
        .collect();
    Ok(Overview { years, missing: calendar.missing_year(today), enterable: enterable(today) })
}

fn shown(
    year: i32,
    holidays: Vec<Span>,
    workdays: Vec<Span>,
    entered: Option<(Option<String>, DateTime<Utc>)>,
) -> YearShown {
    let a = Arrangement { year, holidays, workdays };
    let (holiday_days, workday_days) = a.day_counts();
    YearShown { year, holidays: a.holidays, workdays: a.workdays, holiday_days, workday_days, entered }
}

fn problem(p: ArrangementProblem) -> FieldProblem {
    FieldProblem { item: p.item, max_chars: p.max_chars, ..FieldProblem::new(p.field, p.code, p.message) }
}

/// Enters `year`'s arrangement for the caller's community (administrators), in place of
/// what its calendar held for it; timers, the meeting calendar's marks and the pages count
/// by it at once. Every
/// problem is said by list and line, and nothing is kept unless all is well.
pub async fn enter(
    state: &AppState,
    caller: &Caller,
    year: i32,
    holidays: &[String],
    workdays: &[String],
) -> ApiResult<YearShown> {
    require_admin(caller)?;
    let today = state.now().with_timezone(&caller.tz()).date_naive();
    let open = enterable(today);
    if !open.contains(&year) {
        let message = format!("only {} to {} may be entered", open.start(), open.end());
        let p = FieldProblem::new("year", "out_of_range", message);
        return Err(ApiError::invalid(vec![FieldProblem {
            min: Some((*open.start()).into()),
            max: Some((*open.end()).into()),
            ..p
        }]));
    }
    let arrangement = Arrangement::read(year, holidays, workdays)
        .map_err(|problems| ApiError::invalid(problems.into_iter().map(problem).collect()))?;
    let row = EnteredYear {
        community: caller.actor.community,
        year,
        holidays: lines(&arrangement.holidays),
        workdays: lines(&arrangement.workdays),
        entered_by: caller.user.id,
        entered_at: state.now(),
    };
    // With its neighbours: a make-up day of this year's notice must not be a holiday the
    // next year's notice gave to the same December, and the like.
    let community = caller.actor.community;
    let mut entered = state.db.run(move |conn| store::entered(conn, Some(community))).await?;
    entered.retain(|y| y.year != year);
    entered.push(row.clone());
    let calendar = arranged(&state.config.calendar, &entered.iter().collect::<Vec<_>>())
        .map_err(|e| ApiError::field("workdays", "both", format!("with the other years: {e}")))?;
    let (holiday_days, workday_days) = arrangement.day_counts();
    let entry = super::audit(state, caller, AuditAction::HolidaysEntered, AuditSubject::Calendar, year)
        .with("holidays", row.holidays.replace('\n', "; "))
        .with("workdays", if row.workdays.is_empty() { "—".to_owned() } else { row.workdays.replace('\n', "; ") });
    let stored = row.clone();
    state
        .db
        .write(move |conn| {
            store::put(conn, &stored)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await?;
    state.set_calendar(community, calendar);
    tracing::info!(year, holiday_days, workday_days, "holiday arrangement entered");
    Ok(shown(
        year,
        arrangement.holidays,
        arrangement.workdays,
        Some((Some(caller.user.display_name.clone()), row.entered_at)),
    ))
}
