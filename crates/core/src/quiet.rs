//! Quiet hours (夜间免打扰): the part of the night in which group robots are not sent to.
//! A company's WeCom or DingTalk group is the staff's own chat on their own phones; a
//! reminder that fell due at midnight (the working-day deadlines end then) waits for the
//! morning there, while mail, which nobody hears arrive, goes at once.

use std::fmt;

use chrono::{NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// A daily window `[start, end)` of local time; it may span midnight (`22:00-07:30`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QuietHours {
    start: NaiveTime,
    end: NaiveTime,
}

impl QuietHours {
    /// `start` to `end`, which must differ (a window of nothing or of the whole day is a
    /// mistake, not a setting).
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<QuietHours, String> {
        if start == end {
            return Err(format!(
                "quiet hours from {} to {} are no window: give two different times",
                hm(start),
                hm(end)
            ));
        }
        Ok(QuietHours { start, end })
    }

    pub fn start(self) -> NaiveTime {
        self.start
    }

    pub fn end(self) -> NaiveTime {
        self.end
    }

    /// Whether `time` is inside the window.
    pub fn contains(self, time: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }

    /// When the window around `local` ends (the next `end` after it); `None` outside it.
    pub fn ends_after(self, local: NaiveDateTime) -> Option<NaiveDateTime> {
        if !self.contains(local.time()) {
            return None;
        }
        let today = local.date().and_time(self.end);
        Some(if today > local { today } else { today + TimeDelta::days(1) })
    }
}

fn hm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", hm(self.start), hm(self.end))
    }
}

impl From<QuietHours> for String {
    fn from(q: QuietHours) -> String {
        q.to_string()
    }
}

impl TryFrom<String> for QuietHours {
    type Error = String;

    /// `HH:MM-HH:MM`, local time.
    fn try_from(text: String) -> Result<QuietHours, String> {
        let shown: String = text.chars().take(40).collect();
        let bad = || format!("quiet hours are written like 22:00-07:30, not `{shown}`");
        let (a, b) = text.split_once('-').ok_or_else(bad)?;
        let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad());
        QuietHours::new(time(a)?, time(b)?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    fn night() -> QuietHours {
        QuietHours::try_from("22:00-07:30".to_owned()).unwrap()
    }

    #[test]
    fn a_window_across_midnight_holds_the_night_and_ends_in_the_morning() {
        let q = night();
        for (h, m, held) in
            [(21, 59, false), (22, 0, true), (23, 59, true), (0, 0, true), (7, 29, true), (7, 30, false)]
        {
            assert_eq!(q.contains(NaiveTime::from_hms_opt(h, m, 0).unwrap()), held, "{h}:{m}");
        }
        assert_eq!(q.ends_after(at(7, 23, 0)), Some(at(8, 7, 30)), "late in the evening: the next morning");
        assert_eq!(q.ends_after(at(8, 0, 0)), Some(at(8, 7, 30)), "at midnight: this morning");
        assert_eq!(q.ends_after(at(8, 12, 0)), None);
        assert_eq!(q.to_string(), "22:00-07:30");
    }

    #[test]
    fn a_window_within_a_day_ends_the_same_day() {
        let q = QuietHours::try_from("12:00-14:00".to_owned()).unwrap();
        assert!(q.contains(NaiveTime::from_hms_opt(13, 0, 0).unwrap()));
        assert!(!q.contains(NaiveTime::from_hms_opt(14, 0, 0).unwrap()) && !q.contains(NaiveTime::MIN));
        assert_eq!(q.ends_after(at(8, 12, 0)), Some(at(8, 14, 0)));
    }

    #[test]
    fn only_two_different_times_are_a_window() {
        for bad in ["", "22:00", "22:00-", "22-07", "25:00-07:00", "22:00-07:30-08:00", "晚上十点-早上七点"] {
            let e = QuietHours::try_from(bad.to_owned()).unwrap_err();
            assert!(e.contains("22:00-07:30"), "{bad}: {e}");
        }
        let e = QuietHours::try_from("07:00-07:00".to_owned()).unwrap_err();
        assert!(e.contains("no window"), "{e}");
        assert_eq!(QuietHours::try_from(" 22:00 - 07:30 ".to_owned()).map(String::from).unwrap(), "22:00-07:30");
        let long = format!("{}-07:00", "9".repeat(5000));
        assert!(QuietHours::try_from(long).unwrap_err().chars().count() < 100, "a long value is cut");
    }
}
