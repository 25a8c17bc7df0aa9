//! Signed durations written as in workflow files: `3d`, `-2d`, `12h`, `1d12h`, `30m`, `1w`,
//! and for timers also working days: `5wd`.

use std::fmt;

use chrono::TimeDelta;

use crate::workdays::MAX_WORKING_DAYS;

/// Why a duration did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad duration `{0}`: expected a signed number of w/d/h/m, e.g. `3d`, `-2d`, `12h`, `1d12h`, or of working days, `5wd`"
)]
pub struct BadDuration(pub String);

/// How far from its anchor a timer fires: clock time, or working days by the calendar —
/// `5wd` is the end of the fifth working day after the anchor's day (the anchor's own day
/// does not count: raised on a Friday, one working day is the Monday, or the Saturday
/// worked in place of a holiday).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerOffset {
    Clock(TimeDelta),
    WorkingDays(i32),
}

impl TimerOffset {
    pub fn parse(text: &str) -> Result<TimerOffset, BadDuration> {
        let Some(count) = text.strip_suffix("wd") else {
            return parse_offset(text).map(TimerOffset::Clock);
        };
        let digits = count.strip_prefix(['-', '+']).unwrap_or(count);
        let n: i32 = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| count.parse().ok())
            .flatten()
            .filter(|n: &i32| n.unsigned_abs() <= MAX_WORKING_DAYS)
            .ok_or_else(|| BadDuration(text.to_owned()))?;
        Ok(TimerOffset::WorkingDays(n))
    }
}

impl fmt::Display for TimerOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimerOffset::Clock(d) => f.write_str(&format_offset(*d)),
            TimerOffset::WorkingDays(n) => write!(f, "{n}wd"),
        }
    }
}

pub fn parse_offset(text: &str) -> Result<TimeDelta, BadDuration> {
    let bad = || BadDuration(text.to_owned());
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest.is_empty() {
        return Err(bad());
    }
    let mut minutes: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let unit = rest[digits..].chars().next().ok_or_else(bad)?;
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        let per = match unit {
            'w' => 7 * 24 * 60,
            'd' => 24 * 60,
            'h' => 60,
            'm' => 1,
            _ => return Err(bad()),
        };
        // A year is plenty for any reminder; the cap also keeps arithmetic far from overflow.
        minutes =
            minutes.checked_add(n.checked_mul(per).ok_or_else(bad)?).filter(|m| *m <= 366 * 24 * 60).ok_or_else(bad)?;
        rest = &rest[digits + unit.len_utf8()..];
    }
    Ok(TimeDelta::minutes(if negative { -minutes } else { minutes }))
}

/// The inverse of `parse_offset`, for printing a workflow back.
pub fn format_offset(d: TimeDelta) -> String {
    let total = d.num_minutes();
    let mut m = total.abs();
    let mut out = String::from(if total < 0 { "-" } else { "" });
    for (unit, per) in [('d', 24 * 60), ('h', 60), ('m', 1)] {
        if m >= per {
            out.push_str(&format!("{}{unit}", m / per));
            m %= per;
        }
    }
    if out.is_empty() || out == "-" {
        out = "0m".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_used_in_workflow_files() {
        assert_eq!(parse_offset("3d").unwrap(), TimeDelta::days(3));
        assert_eq!(parse_offset("-2d").unwrap(), TimeDelta::days(-2));
        assert_eq!(parse_offset("1d12h").unwrap(), TimeDelta::hours(36));
        assert_eq!(parse_offset("1w").unwrap(), TimeDelta::days(7));
        assert_eq!(parse_offset("0m").unwrap(), TimeDelta::zero());
        assert_eq!(format_offset(TimeDelta::hours(-36)), "-1d12h");
    }

    #[test]
    fn working_days_are_whole_and_bounded() {
        assert_eq!(TimerOffset::parse("5wd").unwrap(), TimerOffset::WorkingDays(5));
        assert_eq!(TimerOffset::parse("-2wd").unwrap(), TimerOffset::WorkingDays(-2));
        assert_eq!(TimerOffset::parse("0wd").unwrap().to_string(), "0wd");
        assert_eq!(TimerOffset::parse("1d12h").unwrap(), TimerOffset::Clock(TimeDelta::hours(36)));
        for bad in ["wd", "-wd", "1d2wd", "2.5wd", "+-3wd", "251wd", "99999999999wd", "3 wd", "1wdd"] {
            assert!(TimerOffset::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in ["", "-", "3", "d", "3x", "3 d", "2.5d", "99999999999999999999d", "400d"] {
            assert!(parse_offset(bad).is_err(), "{bad:?} parsed");
        }
    }
}
