//! The working-day calendar (工作日历): Monday to Friday, less the public holidays, plus
//! the weekend days worked in their place (调休上班). China moves whole weeks around its
//! long holidays — 2026's National Day holiday runs from Thursday 1 October to Wednesday
//! the 7th, and Sunday 20 September and Saturday 10 October are worked — so "within five
//! working days" cannot be counted from the weekday alone. The State Council publishes
//! each year's arrangement in November; the deployment lists it (`[calendar]`).

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// How far ahead [`WorkCalendar::missing_year`] looks: a month, so a deployment is told in
/// December that January's holidays are not in it yet.
pub const LOOK_AHEAD_DAYS: u64 = 31;

/// Working days a timer may count; a year of them is more than any reminder needs, and
/// the bound keeps the day-by-day walk short.
pub const MAX_WORKING_DAYS: u32 = 250;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawCalendar", into = "RawCalendar")]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

/// As written in configuration: each entry a day (`2026-10-01`) or an inclusive range of
/// days (`2026-10-01/2026-10-07`, ISO 8601's interval notation).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    #[serde(default)]
    pub holidays: Vec<Entry>,
    #[serde(default)]
    pub workdays: Vec<Entry>,
}

/// A day as a string, or as TOML's own date (`2027-01-01` unquoted), which is as natural
/// to write in a configuration file.
#[derive(Clone, Debug, Serialize)]
#[serde(into = "String")]
pub struct Entry(String);

impl From<Entry> for String {
    fn from(e: Entry) -> String {
        e.0
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        match toml::Value::deserialize(d)? {
            toml::Value::String(text) => Ok(Entry(text)),
            toml::Value::Datetime(day) => Ok(Entry(day.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "a calendar entry is a day like \"2026-10-01\" or a range like \"2026-10-01/2026-10-07\", found {}",
                other.type_str()
            ))),
        }
    }
}

/// What a day is, by the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Monday to Friday, no holiday.
    Working,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A public holiday (法定节假日), a weekday or not.
    Holiday,
    /// A Saturday or Sunday worked in place of a holiday (调休上班).
    MakeUpWorkday,
}

impl WorkCalendar {
    /// A calendar with these holidays and make-up working days. A make-up day must be a
    /// Saturday or Sunday (a weekday is a working day already: listing one is a mistake
    /// in copying the notice) and no day may be both.
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<WorkCalendar, String> {
        let holidays: BTreeSet<NaiveDate> = holidays.into_iter().collect();
        let workdays: BTreeSet<NaiveDate> = workdays.into_iter().collect();
        if let Some(day) = workdays.iter().find(|d| !is_weekend(**d)) {
            return Err(format!(
                "calendar.workdays: {day} is a {}, a working day already; list only the Saturdays and Sundays worked (调休上班)",
                day.format("%A")
            ));
        }
        if let Some(day) = holidays.intersection(&workdays).next() {
            return Err(format!("calendar: {day} is listed both as a holiday and as a working day"));
        }
        Ok(WorkCalendar { holidays, workdays })
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        matches!(self.kind(day), DayKind::Working | DayKind::MakeUpWorkday)
    }

    pub fn kind(&self, day: NaiveDate) -> DayKind {
        if self.workdays.contains(&day) {
            DayKind::MakeUpWorkday
        } else if self.holidays.contains(&day) {
            DayKind::Holiday
        } else if is_weekend(day) {
            DayKind::Weekend
        } else {
            DayKind::Working
        }
    }

    /// The working day `n` working days after `day` (before it when `n` is negative);
    /// `day` itself never counts, so one working day after a Friday is the Monday. Zero
    /// is `day`. `None` past the bound or the end of the calendar type.
    pub fn add_working_days(&self, day: NaiveDate, n: i32) -> Option<NaiveDate> {
        if n.unsigned_abs() > MAX_WORKING_DAYS {
            return None;
        }
        let mut day = day;
        let mut left = n.unsigned_abs();
        while left > 0 {
            day = if n > 0 { day.checked_add_days(Days::new(1))? } else { day.checked_sub_days(Days::new(1))? };
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        Some(day)
    }

    /// Whether the calendar holds the holidays of `year` (every year in China has some):
    /// without them, working days in that year are counted as if none were holidays.
    pub fn covers(&self, year: i32) -> bool {
        self.holidays.iter().any(|d| d.year() == year)
    }

    /// The first of today's year and the year a month ahead that the calendar holds no
    /// holidays for: working days in it would be counted as weekdays only.
    pub fn missing_year(&self, today: NaiveDate) -> Option<i32> {
        let ahead = today.checked_add_days(Days::new(LOOK_AHEAD_DAYS)).unwrap_or(today);
        [today.year(), ahead.year()].into_iter().find(|y| !self.covers(*y))
    }

    /// The years the calendar holds holidays for, in order.
    pub fn years(&self) -> Vec<i32> {
        let years: BTreeSet<i32> = self.holidays.iter().map(|d| d.year()).collect();
        years.into_iter().collect()
    }
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Reads `2026-10-01` or `2026-10-01/2026-10-07` into its days.
fn days_of(list: &str, entry: &str) -> Result<Vec<NaiveDate>, String> {
    let shown = crate::names::excerpt(entry);
    let date = |s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            format!("calendar.{list}: `{shown}` is not a day like 2026-10-01 or a range like 2026-10-01/2026-10-07")
        })
    };
    let (first, last) = match entry.split_once('/') {
        Some((a, b)) => (date(a)?, date(b)?),
        None => (date(entry)?, date(entry)?),
    };
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).take(367).collect();
    if days.is_empty() || days.last() != Some(&last) {
        return Err(format!("calendar.{list}: `{shown}` must run forwards and span at most a year"));
    }
    Ok(days)
}

impl TryFrom<RawCalendar> for WorkCalendar {
    type Error = String;

    fn try_from(raw: RawCalendar) -> Result<Self, String> {
        let read = |list: &str, entries: &[Entry]| -> Result<Vec<NaiveDate>, String> {
            let mut out = Vec::new();
            for entry in entries {
                out.extend(days_of(list, &entry.0)?);
            }
            Ok(out)
        };
        WorkCalendar::new(read("holidays", &raw.holidays)?, read("workdays", &raw.workdays)?)
    }
}

impl From<WorkCalendar> for RawCalendar {
    fn from(c: WorkCalendar) -> RawCalendar {
        RawCalendar {
            holidays: c.holidays.iter().map(|d| Entry(d.to_string())).collect(),
            workdays: c.workdays.iter().map(|d| Entry(d.to_string())).collect(),
        }
    }
}
