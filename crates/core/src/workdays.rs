//! The working-day calendar (工作日历): Monday to Friday, less the public holidays, plus
//! the weekend days worked in their place (调休上班). China moves whole weeks around its
//! long holidays — 2026's National Day holiday runs from Thursday 1 October to Wednesday
//! the 7th, and Sunday 20 September and Saturday 10 October are worked — so "within five
//! working days" cannot be counted from the weekday alone. The State Council publishes
//! each year's arrangement in November; the deployment lists it (`[calendar]`).

use std::collections::{BTreeMap, BTreeSet};

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

    /// This calendar with each arrangement in place of what it held for that year: the
    /// year's own days go, the arrangement's come (with the last days of December before
    /// it, where its New Year's holiday begins). Arrangements are laid in year order, so
    /// a year's December stays as the next year's notice gives it.
    pub fn arranged(&self, arrangements: &[Arrangement]) -> Result<WorkCalendar, String> {
        let mut sorted: Vec<&Arrangement> = arrangements.iter().collect();
        sorted.sort_by_key(|a| a.year);
        let (mut holidays, mut workdays) = (self.holidays.clone(), self.workdays.clone());
        for a in sorted {
            holidays.retain(|d| d.year() != a.year);
            workdays.retain(|d| d.year() != a.year);
            holidays.extend(a.holidays.iter().flat_map(Span::days));
            workdays.extend(a.workdays.iter().flat_map(Span::days));
        }
        WorkCalendar::new(holidays, workdays)
    }

    /// The holidays and make-up working days of `year` as an arrangement would list them:
    /// each run of consecutive days one entry (`2026-10-01/2026-10-07`), so a year that
    /// came from the configuration can be shown and edited as a notice reads.
    pub fn spans_of(&self, year: i32) -> (Vec<Span>, Vec<Span>) {
        let runs = |days: &BTreeSet<NaiveDate>| {
            let mut spans: Vec<Span> = Vec::new();
            for day in days.iter().filter(|d| d.year() == year) {
                match spans.last_mut() {
                    Some(last) if last.last.succ_opt() == Some(*day) => last.last = *day,
                    _ => spans.push(Span { first: *day, last: *day, note: String::new() }),
                }
            }
            spans
        };
        (runs(&self.holidays), runs(&self.workdays))
    }
}

/// Each community's working-day calendar: the deployment's, with the years that
/// community's administrator entered in place (a community's deadlines are its own
/// business: another community's administrator cannot move them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendars {
    base: WorkCalendar,
    own: BTreeMap<crate::CommunityId, WorkCalendar>,
}

impl Calendars {
    pub fn new(base: WorkCalendar) -> Calendars {
        Calendars { base, own: BTreeMap::new() }
    }

    /// The calendar `community` counts working days by.
    pub fn of(&self, community: crate::CommunityId) -> &WorkCalendar {
        self.own.get(&community).unwrap_or(&self.base)
    }

    /// The deployment's calendar, before any community's entries.
    pub fn base(&self) -> &WorkCalendar {
        &self.base
    }

    /// These calendars with `community`'s in place.
    pub fn with(mut self, community: crate::CommunityId, calendar: WorkCalendar) -> Calendars {
        self.own.insert(community, calendar);
        self
    }
}

/// The longest run of holidays an arrangement may give: the Spring Festival's, the
/// longest, has been nine days; a longer run is a slip of the pen (`2027-02-06/2027-12-14`).
pub const MAX_HOLIDAY_SPAN_DAYS: i64 = 14;

/// The most entries an arrangement's list may hold (a year has seven holidays and a
/// handful of make-up days).
pub const MAX_ENTRIES: usize = 40;

/// The longest name an entry may carry after its days (`春节`, `Spring Festival`).
pub const MAX_NOTE_CHARS: usize = 40;

/// One year's holidays and make-up working days as the State Council's notice gives them,
/// entered by an administrator when it comes out (each November), in place of what the
/// configuration holds for that year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrangement {
    pub year: i32,
    pub holidays: Vec<Span>,
    pub workdays: Vec<Span>,
}

/// An entry of an arrangement: a day or an inclusive run of days, and what the notice
/// calls it. Written `2027-02-06/2027-02-14 春节` (`至` or `~` may stand for the slash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub note: String,
}

impl Span {
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.first.iter_days().take_while(|d| *d <= self.last)
    }

    pub fn len(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    pub fn is_empty(&self) -> bool {
        self.last < self.first
    }

    /// Reads one line: a day, optionally a separator and a last day, then the name.
    fn read(line: &str) -> Result<Span, LineError> {
        let (first, rest) = NaiveDate::parse_and_remainder(line, "%Y-%m-%d").map_err(|_| LineError::NotADay)?;
        let (last, rest) = match rest.trim_start().strip_prefix(['/', '~', '～', '至', '–', '—']) {
            Some(after) => {
                NaiveDate::parse_and_remainder(after.trim_start(), "%Y-%m-%d").map_err(|_| LineError::NotADay)?
            }
            None => (first, rest),
        };
        // A name must stand apart from the day: `2027-01-011` is a typing slip, not day 1 named "1".
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) && !rest.starts_with([',', '，', '、', '(', '（'])
        {
            return Err(LineError::NotADay);
        }
        let note = crate::text::one_line(rest.trim_start_matches([',', '，', '、']));
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(LineError::NoteTooLong);
        }
        Ok(Span { first, last, note })
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first)?;
        if self.last != self.first {
            write!(f, "/{}", self.last)?;
        }
        if !self.note.is_empty() {
            write!(f, " {}", self.note)?;
        }
        Ok(())
    }
}

/// Reads the State Council's notice as published (国务院办公厅关于…部分节假日安排的通知),
/// pasted whole: each holiday's line, `二、春节：2月15日（农历腊月二十八、周日）至23日（…）放假调休，
/// 共9天。2月14日（周六）、2月28日（周六）上班。`, gives its run of days off named by the
/// holiday and its make-up working days. A date may carry its year (`2022年12月31日至2023年1月2日`);
/// otherwise it is in `year`. Lines without a holiday's days (the preamble) are passed over.
/// What it reads is shown to the administrator to check before it is saved: a notice worded
/// unusually gives fewer entries, never invented ones.
pub fn read_notice(year: i32, notice: &str) -> (Vec<Span>, Vec<Span>) {
    let (mut holidays, mut workdays) = (Vec::new(), Vec::new());
    for line in notice.lines() {
        // The asides in brackets (the weekday, the lunar date) would read as dates' noise.
        let line = without_brackets(line);
        let Some((head, body)) = line.split_once('：').or_else(|| line.split_once(':')) else { continue };
        let name = head.trim_start_matches(|c: char| !c.is_alphabetic() || "一二三四五六七八九十、".contains(c)).trim();
        let name = crate::text::one_line(name);
        for sentence in body.split(['。', '；', ';']) {
            if sentence.contains("放假") {
                let dates = dates_in(year, sentence);
                if let Some(&first) = dates.first() {
                    let last = *dates.get(1).unwrap_or(&first);
                    holidays.push(Span { first, last, note: name.clone() });
                }
            } else if sentence.contains("上班") {
                for day in dates_in(year, sentence) {
                    workdays.push(Span { first: day, last: day, note: name.clone() });
                }
            }
        }
    }
    workdays.sort_by_key(|s| s.first);
    (holidays, workdays)
}

fn without_brackets(line: &str) -> String {
    let mut depth = 0usize;
    line.chars()
        .filter(|c| match c {
            '（' | '(' => {
                depth += 1;
                false
            }
            '）' | ')' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect()
}

/// The dates of a sentence in order: `M月D日`, `YYYY年M月D日`, and a bare `D日` after
/// one of them (`2月15日至23日`: the same month).
fn dates_in(year: i32, sentence: &str) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let (mut y, mut m) = (year, None::<u32>);
    let mut number = String::new();
    for c in sentence.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: Option<u32> = number.parse().ok();
        number.clear();
        match (c, n) {
            ('年', Some(n)) => y = n as i32,
            ('月', Some(n)) => m = Some(n),
            ('日' | '号', Some(n)) => {
                if let Some(day) = m.and_then(|m| NaiveDate::from_ymd_opt(y, m, n)) {
                    out.push(day);
                }
            }
            _ => {}
        }
    }
    out
}

/// Why a line is not an entry.
enum LineError {
    NotADay,
    NoteTooLong,
}

/// An arrangement's two lists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum List {
    Holidays,
    Workdays,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Holidays => "holidays",
            List::Workdays => "workdays",
        }
    }
}

/// What is wrong with an arrangement, by list (`holidays`, `workdays`) and line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArrangementProblem {
    pub field: &'static str,
    pub code: &'static str,
    /// The line it is about, cut short (none: the list as a whole).
    pub item: Option<String>,
    /// With `too_long` (a name): how many characters it may have.
    pub max_chars: Option<u32>,
    pub message: String,
}

impl Arrangement {
    /// Reads a year's arrangement from its lines, one entry each (blank lines skipped),
    /// and checks it as a careful reader of the notice would: every day in the year (or
    /// the December before, where New Year's Day's holiday may begin), runs forwards and
    /// at most [`MAX_HOLIDAY_SPAN_DAYS`] long, make-up days on Saturdays and Sundays only,
    /// no day both, and some holiday (every year has them). Every problem is said, by line.
    pub fn read(year: i32, holidays: &[String], workdays: &[String]) -> Result<Arrangement, Vec<ArrangementProblem>> {
        let mut problems = Vec::new();
        let (Some(earliest), Some(latest)) =
            (NaiveDate::from_ymd_opt(year - 1, 12, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            let message = format!("{year} is not a year of the calendar");
            return Err(vec![ArrangementProblem {
                field: "year",
                code: "out_of_range",
                item: None,
                max_chars: None,
                message,
            }]);
        };
        // Each list's entries, and whether any of its lines was refused.
        let mut list = |list: List, lines: &[String]| -> (Vec<Span>, bool) {
            let field = list.name();
            let before = problems.len();
            let mut say = |code: &'static str, item: Option<String>, message: String, max_chars: Option<u32>| {
                problems.push(ArrangementProblem { field, code, item, max_chars, message })
            };
            let lines: Vec<&str> =
                lines.iter().flat_map(|l| l.lines()).map(str::trim).filter(|l| !crate::text::is_blank(l)).collect();
            if lines.len() > MAX_ENTRIES {
                say("too_many_entries", None, format!("{field}: at most {MAX_ENTRIES} entries"), None);
                return (Vec::new(), true);
            }
            let mut spans = Vec::new();
            for line in lines {
                let shown = crate::names::excerpt(line);
                let item = Some(shown.clone());
                if crate::text::forbidden_char(line).is_some() {
                    say(
                        "control_character",
                        item,
                        format!("{field}: `{}` holds a control character", shown.escape_debug()),
                        None,
                    );
                    continue;
                }
                let span = match Span::read(line) {
                    Ok(span) => span,
                    Err(LineError::NoteTooLong) => {
                        let message = format!(
                            "{field}: the name after the days of `{shown}` is longer than {MAX_NOTE_CHARS} characters"
                        );
                        say("too_long", item, message, Some(MAX_NOTE_CHARS as u32));
                        continue;
                    }
                    Err(LineError::NotADay) => {
                        let message = format!(
                            "{field}: `{shown}` is not a day like {year}-10-01 or a range like {year}-10-01/{year}-10-07, \
                             optionally followed by its name"
                        );
                        say("not_a_day", item, message, None);
                        continue;
                    }
                };
                if span.is_empty() {
                    say("backwards", item, format!("{field}: `{shown}` ends before it begins"), None);
                } else if span.first < earliest || span.last > latest {
                    let message = format!(
                        "{field}: `{shown}` is not in {year} (only New Year's Day's holiday may begin in the December before)"
                    );
                    say("outside_year", item, message, None);
                } else if list == List::Holidays && span.len() > MAX_HOLIDAY_SPAN_DAYS {
                    let message = format!(
                        "{field}: `{shown}` runs {} days; no holiday runs more than {MAX_HOLIDAY_SPAN_DAYS}",
                        span.len()
                    );
                    say("span_too_long", item, message, None);
                } else if let Some(day) = span.days().find(|d| list == List::Workdays && !is_weekend(*d)) {
                    let message = format!(
                        "{field}: {day} is a {}, a working day already; list only the Saturdays and Sundays worked (调休上班)",
                        day.format("%A")
                    );
                    say("not_a_weekend", item, message, None);
                } else {
                    spans.push(span);
                }
            }
            (spans, problems.len() > before)
        };
        let (holiday_spans, holidays_refused) = list(List::Holidays, holidays);
        let (workday_spans, _) = list(List::Workdays, workdays);
        let off: BTreeSet<NaiveDate> = holiday_spans.iter().flat_map(Span::days).collect();
        if let Some(day) = workday_spans.iter().flat_map(Span::days).find(|d| off.contains(d)) {
            let message = format!("workdays: {day} is listed both as a holiday and as a working day");
            let item = Some(day.to_string());
            problems.push(ArrangementProblem { field: "workdays", code: "both", item, max_chars: None, message });
        }
        if holiday_spans.is_empty() && !holidays_refused {
            let message = format!("holidays: list {year}'s public holidays (every year has some)");
            problems.push(ArrangementProblem {
                field: "holidays",
                code: "missing",
                item: None,
                max_chars: None,
                message,
            });
        }
        if problems.is_empty() {
            Ok(Arrangement { year, holidays: holiday_spans, workdays: workday_spans })
        } else {
            Err(problems)
        }
    }

    /// How many days off and make-up days it gives.
    pub fn day_counts(&self) -> (usize, usize) {
        let count = |spans: &[Span]| spans.iter().flat_map(Span::days).collect::<BTreeSet<_>>().len();
        (count(&self.holidays), count(&self.workdays))
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
