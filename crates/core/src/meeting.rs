//! The monthly joint meeting (联席会议): held on the first Sunday of every month.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, MeetingId};
use crate::names::named_enum;

named_enum! {
    /// Where a meeting is in its life.
    pub enum MeetingStatus: "meeting status" {
        /// Scheduled; the agenda may be drafted and published.
        Planned = "planned",
        /// Skipped this month (e.g. a public holiday).
        Skipped = "skipped",
        /// Under way: attendance and outcomes are being recorded.
        Open = "open",
        /// Over; minutes follow.
        Closed = "closed",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: MeetingId,
    pub community: CommunityId,
    /// The first Sunday this meeting stands for, even if it was moved.
    pub slot: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub status: MeetingStatus,
    /// Relayed policy and announcements (the agenda's first section).
    pub announcements: String,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The first Sunday of a month (每个月第一个星期天).
pub fn first_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, 1)
}

/// The first-Sunday slot on or after `day`.
pub fn next_slot(day: NaiveDate) -> Option<NaiveDate> {
    let this = first_sunday(day.year(), day.month())?;
    if this >= day {
        return Some(this);
    }
    let next = day
        .with_day(1)?
        .checked_add_months(chrono::Months::new(1))?;
    first_sunday(next.year(), next.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sundays_match_a_brute_force_search_for_2000_to_2100() {
        for year in 2000..=2100 {
            for month in 1..=12 {
                let brute = (1..=7)
                    .map(|d| NaiveDate::from_ymd_opt(year, month, d).unwrap())
                    .find(|d| d.weekday() == Weekday::Sun)
                    .unwrap();
                assert_eq!(first_sunday(year, month), Some(brute), "{year}-{month}");
            }
        }
    }

    #[test]
    fn the_next_slot_after_26_november_2026_is_6_december() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(next_slot(d(2026, 11, 26)), Some(d(2026, 12, 6)));
        assert_eq!(next_slot(d(2026, 12, 6)), Some(d(2026, 12, 6)));
        assert_eq!(next_slot(d(2026, 12, 7)), Some(d(2027, 1, 3)));
    }
}
