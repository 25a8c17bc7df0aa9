//! The working-day calendar's years (`/api/v1/workdays`), the caller's community's: anyone
//! of it reads them; its administrators enter a year's holiday arrangement when the State
//! Council publishes it. The street office reads its communities' side by side and enters
//! the notice once for all of them (`/api/v1/street/workdays`).

use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use roundtable_core::Role;
use roundtable_core::workdays::Span;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::Json;
use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiResult, Problem};
use crate::ops::workdays::{self as ops, Scope, YearShown};
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
    /// Entered by the community's administrator, or by its street office for all the
    /// street's communities.
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
    let entered = ops::enter(&state, &caller, Scope::Community, year, &body.holidays, &body.workdays).await?;
    Ok(Json(YearView::new(&entered.year, true)))
}

/// A community of the street and its working-day calendar.
#[derive(Serialize, ToSchema)]
pub struct CommunityYearsView {
    pub id: Uuid,
    pub name: String,
    pub years: Vec<YearView>,
    /// This year or the year a month ahead, when its calendar holds no holidays for it.
    pub missing: Option<i32>,
}

/// The working-day calendars of the street's communities, side by side.
#[derive(Serialize, ToSchema)]
pub struct StreetWorkdaysView {
    pub street: String,
    pub communities: Vec<CommunityYearsView>,
    pub enterable_from: i32,
    pub enterable_to: i32,
}

/// A year entered for the street: as it now holds in each of the communities named.
#[derive(Serialize, ToSchema)]
pub struct StreetYearView {
    #[serde(flatten)]
    pub year: YearView,
    pub communities: Vec<CommunityRef>,
}

#[derive(Serialize, ToSchema)]
pub struct CommunityRef {
    pub id: Uuid,
    pub name: String,
}

/// The working-day calendars of the communities of the caller's street (the street
/// office): each year, where it came from and who entered it; which lack a year.
#[utoipa::path(get, path = "/api/v1/street/workdays", tag = "reference", security(("bearer" = [])), responses(
    (status = 200, body = StreetWorkdaysView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub async fn street_list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<StreetWorkdaysView>> {
    let o = ops::street_overview(&state, &caller).await?;
    Ok(Json(StreetWorkdaysView {
        street: o.street,
        communities: o
            .communities
            .iter()
            .map(|c| CommunityYearsView {
                id: c.community.id.0,
                name: c.community.name.clone(),
                years: c.years.iter().map(|y| YearView::new(y, true)).collect(),
                missing: c.missing,
            })
            .collect(),
        enterable_from: *o.enterable.start(),
        enterable_to: *o.enterable.end(),
    }))
}

/// Enters a year's holiday arrangement for every community of the caller's street (the
/// street office), in place of what each calendar held for it — the State Council's notice
/// once, not by each community. All or none: a community whose other years disagree
/// with it is named, and nothing is kept.
#[utoipa::path(put, path = "/api/v1/street/workdays/{year}", tag = "reference", params(("year" = i32, Path)), request_body = ArrangementBody, security(("bearer" = [])), responses(
    (status = 200, body = StreetYearView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
))]
pub async fn street_enter(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(year): ApiPath<i32>,
    ApiJson(body): ApiJson<ArrangementBody>,
) -> ApiResult<Json<StreetYearView>> {
    let entered = ops::enter(&state, &caller, Scope::Street, year, &body.holidays, &body.workdays).await?;
    Ok(Json(StreetYearView {
        year: YearView::new(&entered.year, true),
        communities: entered.communities.into_iter().map(|c| CommunityRef { id: c.id.0, name: c.name }).collect(),
    }))
}
