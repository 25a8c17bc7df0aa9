//! The working-day calendar's years (`/api/v1/workdays`), the caller's community's: anyone
//! of it reads them; its administrators enter a year's holiday arrangement when the State
//! Council publishes it.

use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use roundtable_core::Role;
use roundtable_core::workdays::Span;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Json;
use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiResult, Problem};
use crate::ops::workdays::{self as ops, YearShown};
use crate::state::AppState;

/// A day or a run of days, and what the notice calls it.
#[derive(Serialize, ToSchema)]
pub struct SpanView {
    pub first: NaiveDate,
    /// The same as `first` for a single day.
    pub last: NaiveDate,
    /// `春节`; empty when the entry was given without one.
    pub name: String,
}

impl From<&Span> for SpanView {
    fn from(s: &Span) -> SpanView {
        SpanView { first: s.first, last: s.last, name: s.note.clone() }
    }
}

/// Where a year of the calendar came from.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum YearSource {
    /// Entered by the community's administrator.
    Entered,
    /// The deployment's configuration (`[calendar]`).
    Configuration,
}

/// A year of the calendar as it is in force.
#[derive(Serialize, ToSchema)]
pub struct YearView {
    pub year: i32,
    /// The public holidays (法定节假日), weekdays or not.
    pub holidays: Vec<SpanView>,
    /// The Saturdays and Sundays worked in their place (调休上班).
    pub workdays: Vec<SpanView>,
    pub holiday_days: usize,
    pub workday_days: usize,
    pub source: YearSource,
    pub entered_at: Option<DateTime<Utc>>,
    /// Who entered it: shown to administrators only.
    pub entered_by: Option<String>,
}

impl YearView {
    fn new(y: &YearShown, admin: bool) -> YearView {
        YearView {
            year: y.year,
            holidays: y.holidays.iter().map(SpanView::from).collect(),
            workdays: y.workdays.iter().map(SpanView::from).collect(),
            holiday_days: y.holiday_days,
            workday_days: y.workday_days,
            source: if y.entered.is_some() { YearSource::Entered } else { YearSource::Configuration },
            entered_at: y.entered.as_ref().map(|(_, at)| *at),
            entered_by: y.entered.as_ref().filter(|_| admin).and_then(|(name, _)| name.clone()),
        }
    }
}

/// The calendar's years, the year it lacks, and the years that may be entered.
#[derive(Serialize, ToSchema)]
pub struct WorkdaysView {
    pub years: Vec<YearView>,
    /// This year or the year a month ahead, when the calendar holds no holidays for it:
    /// working days in it are counted as weekdays only until it is entered.
    pub missing: Option<i32>,
    pub enterable_from: i32,
    pub enterable_to: i32,
}

/// `{holidays, workdays}`: a year's arrangement as the notice gives it, each entry a day
/// (`2027-01-01`) or a run of days (`2027-02-06/2027-02-14`), optionally followed by its
/// name (`2027-02-06/2027-02-14 春节`). Make-up working days are Saturdays and Sundays.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArrangementBody {
    pub holidays: Vec<String>,
    #[serde(default)]
    pub workdays: Vec<String>,
}

/// The community's working-day calendar: each year's holidays and make-up working days,
/// and where they came from.
#[utoipa::path(get, path = "/api/v1/workdays", tag = "reference", security(("bearer" = [])), responses(
    (status = 200, body = WorkdaysView), (status = 401, body = Problem),
))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<WorkdaysView>> {
    let o = ops::overview(&state, &caller).await?;
    let admin = caller.actor.has_role(Role::Admin);
    Ok(Json(WorkdaysView {
        years: o.years.iter().map(|y| YearView::new(y, admin)).collect(),
        missing: o.missing,
        enterable_from: *o.enterable.start(),
        enterable_to: *o.enterable.end(),
    }))
}

/// Enters a year's holiday arrangement for the community (administrators) in place of what
/// its calendar held for it: yellow issues' working days, the reminders and the meeting
/// calendar count by it at once. Last year, this year and next year may be entered.
#[utoipa::path(put, path = "/api/v1/workdays/{year}", tag = "reference", params(("year" = i32, Path)), request_body = ArrangementBody, security(("bearer" = [])), responses(
    (status = 200, body = YearView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
))]
pub async fn enter(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(year): ApiPath<i32>,
    ApiJson(body): ApiJson<ArrangementBody>,
) -> ApiResult<Json<YearView>> {
    let entered = ops::enter(&state, &caller, year, &body.holidays, &body.workdays).await?;
    Ok(Json(YearView::new(&entered, true)))
}
