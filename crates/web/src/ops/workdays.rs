//! The working-day calendar's years (工作日历): what each holds and where it came from, and
//! a community's administrator entering a year's arrangement when the State Council
//! publishes it (each November) — in place of the configuration's days for that year, with
//! no technician and no restart. Per community: holidays are national, but a community's
//! deadlines are its own, and another community's administrator cannot move them. The
//! street office enters the notice once for all the communities of its street.

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::workdays::{Arrangement, ArrangementProblem, Span};
use roundtable_core::{Calendars, Community, CommunityId, Role, WorkCalendar};
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

/// Whom a year's arrangement is entered for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The caller's community, by its administrators (`/admin/workdays`).
    Community,
    /// Every community of the caller's street, by the street office (`/street/workdays`):
    /// the State Council's notice is one for them all, entered once.
    Street,
}

/// The communities `scope` reaches, and the street's name for [`Scope::Street`]; refused
/// unless the caller may enter for them.
async fn reached(state: &AppState, caller: &Caller, scope: Scope) -> ApiResult<(Option<String>, Vec<Community>)> {
    match scope {
        Scope::Community => {
            require_admin(caller)?;
            Ok((None, vec![(*caller.community).clone()]))
        }
        Scope::Street => {
            if !caller.actor.has_role(Role::Street) {
                return Err(ApiError::Forbidden("the street's working-day calendar is for the street office".into()));
            }
            let home = caller.actor.community;
            let found = state
                .db
                .run(move |conn| {
                    let Some(street) = directory::street_of(conn, home)? else { return Ok(None) };
                    let communities = directory::street_communities(conn, &street)?;
                    Ok::<_, roundtable_store::StoreError>(Some((street, communities)))
                })
                .await?;
            let (street, communities) =
                found.ok_or_else(|| ApiError::NotFound("your community belongs to no street office".into()))?;
            Ok((Some(street), communities))
        }
    }
}

/// The years each of `communities` holds, with who entered each: one read of the entered
/// years and their enterers' names.
async fn years_of(state: &AppState, communities: &[Community]) -> ApiResult<Vec<Vec<YearShown>>> {
    let ids: Vec<CommunityId> = communities.iter().map(|c| c.id).collect();
    let (entered, names) = state
        .db
        .run(move |conn| {
            // One community's rows, or every community's (a handful of years each).
            let one = match ids[..] {
                [id] => Some(id),
                _ => None,
            };
            let mut entered = store::entered(conn, one)?;
            entered.retain(|y| ids.contains(&y.community));
            let who: Vec<_> = entered.iter().map(|y| y.entered_by).collect();
            Ok::<_, roundtable_store::StoreError>((entered, directory::display_names(conn, &who)?))
        })
        .await?;
    Ok(communities
        .iter()
        .map(|c| {
            let calendar = state.calendar_of(c.id);
            let mine: Vec<&EnteredYear> = entered.iter().filter(|y| y.community == c.id).collect();
            let mut years: Vec<i32> = calendar.years();
            years.extend(mine.iter().map(|y| y.year));
            years.sort_unstable();
            years.dedup();
            years
                .into_iter()
                .map(|year| {
                    let entry = mine.iter().find(|y| y.year == year);
                    let (holidays, workdays) = match entry.and_then(|y| read(y).ok()) {
                        Some(a) => (a.holidays, a.workdays),
                        None => calendar.spans_of(year),
                    };
                    let by = entry.map(|y| (names.get(&y.entered_by).cloned(), y.entered_at));
                    shown(year, holidays, workdays, by)
                })
                .collect()
        })
        .collect())
}

/// The years the caller's community's calendar holds, with who entered each (anyone of
/// the community may read them: they are the State Council's).
pub async fn overview(state: &AppState, caller: &Caller) -> ApiResult<Overview> {
    let years = years_of(state, std::slice::from_ref(&caller.community)).await?.pop().unwrap_or_default();
    let today = state.now().with_timezone(&caller.tz()).date_naive();
    let missing = state.calendar_of(caller.actor.community).missing_year(today);
    Ok(Overview { years, missing, enterable: enterable(today) })
}

/// A community of the street and the years its calendar holds.
pub struct CommunityYears {
    pub community: Community,
    pub years: Vec<YearShown>,
    /// This year or the year a month ahead, when its calendar holds no holidays for it.
    pub missing: Option<i32>,
}

/// The street's communities' calendars side by side, for the street office to see which
/// lack a year and to enter it once for all.
pub struct StreetOverview {
    pub street: String,
    pub communities: Vec<CommunityYears>,
    pub enterable: RangeInclusive<i32>,
}

pub async fn street_overview(state: &AppState, caller: &Caller) -> ApiResult<StreetOverview> {
    let (street, communities) = reached(state, caller, Scope::Street).await?;
    let years = years_of(state, &communities).await?;
    let today = state.now().with_timezone(&caller.tz()).date_naive();
    let communities = communities
        .into_iter()
        .zip(years)
        .map(|(community, years)| {
            let missing = state.calendar_of(community.id).missing_year(today);
            CommunityYears { community, years, missing }
        })
        .collect();
    Ok(StreetOverview { street: street.unwrap_or_default(), communities, enterable: enterable(today) })
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

/// A year entered, and the communities it now holds for.
pub struct Entered {
    pub year: YearShown,
    pub communities: Vec<Community>,
}

/// Enters `year`'s arrangement for the communities `scope` reaches (the caller's, by its
/// administrators; the street's, by the street office), in place of what each calendar
/// held for it; timers, the meeting calendar's marks and the pages count by it at once.
/// Every problem is said by list and line — and by community, where one's other years
/// disagree with it — and nothing is kept for any unless all is well. Each community's
/// audit trail records it, by whom (and for the street, which street).
pub async fn enter(
    state: &AppState,
    caller: &Caller,
    scope: Scope,
    year: i32,
    holidays: &[String],
    workdays: &[String],
) -> ApiResult<Entered> {
    let (street, communities) = reached(state, caller, scope).await?;
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
    let (holidays, workdays) = (lines(&arrangement.holidays), lines(&arrangement.workdays));
    let now = state.now();
    let entered = state.db.run(move |conn| store::entered(conn, None)).await?;
    let mut rows = Vec::with_capacity(communities.len());
    let mut trail = Vec::with_capacity(communities.len());
    let mut calendars = Vec::with_capacity(communities.len());
    for c in &communities {
        let row = EnteredYear {
            community: c.id,
            year,
            holidays: holidays.clone(),
            workdays: workdays.clone(),
            entered_by: caller.user.id,
            entered_at: now,
        };
        // With its neighbours: a make-up day of this year's notice must not be a holiday
        // the next year's notice gave to the same December, and the like.
        let mut theirs: Vec<&EnteredYear> = entered.iter().filter(|y| y.community == c.id && y.year != year).collect();
        theirs.push(&row);
        let calendar = arranged(&state.config.calendar, &theirs).map_err(|e| {
            let whose = if street.is_some() { format!(" of {}", c.name) } else { String::new() };
            ApiError::field("workdays", "both", format!("with the other years{whose}: {e}"))
        })?;
        let mut entry = super::audit_entry(
            c.id,
            Some(caller.user.id),
            AuditAction::HolidaysEntered,
            AuditSubject::Calendar,
            year,
            now,
        )
        .with("holidays", holidays.replace('\n', "; "))
        .with("workdays", if workdays.is_empty() { "—".to_owned() } else { workdays.replace('\n', "; ") });
        if let Some(street) = &street {
            entry = entry.with("street", street.clone());
        }
        calendars.push((c.id, calendar));
        rows.push(row);
        trail.push(entry);
    }
    state
        .db
        .write(move |conn| {
            for (row, entry) in rows.iter().zip(&trail) {
                store::put(conn, row)?;
                roundtable_store::audit::record(conn, entry)?;
            }
            Ok(())
        })
        .await?;
    for (community, calendar) in calendars {
        state.set_calendar(community, calendar);
    }
    let (holiday_days, workday_days) = arrangement.day_counts();
    tracing::info!(year, holiday_days, workday_days, communities = communities.len(), "holiday arrangement entered");
    let by = Some((Some(caller.user.display_name.clone()), now));
    Ok(Entered { year: shown(year, arrangement.holidays, arrangement.workdays, by), communities })
}
