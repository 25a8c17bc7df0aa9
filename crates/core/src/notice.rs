//! In-app notices: what followers of an issue are told of each step taken on it; and
//! what an organisation is told of its issues as a whole (the weekly summary).

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, IssueId, MeetingId, UserId};
use crate::names::named_enum;

named_enum! {
    /// Which notices also come by mail.
    pub enum NoticeMail: "notice mail setting" {
        /// Each as it happens (gathered a minute at most).
        Each = "each",
        /// One mail a day with the day's notices.
        Digest = "digest",
        /// None: the bell on the pages only.
        Off = "none",
    }
}

named_enum! {
    /// What an organisation is told of its issues as a whole, kept in the outbox by name.
    pub enum OrgNotice: "organisation notice" {
        /// Monday morning, to each organisation with open issues: what awaits its
        /// commitment, what is overdue or due this week, what awaits verification.
        WeeklySummary = "weekly_summary",
    }
}

/// The local weekday the weekly summary goes out: the working week's first morning.
pub const SUMMARY_DAY: Weekday = Weekday::Mon;
/// The local hour it goes out.
pub const SUMMARY_HOUR: u32 = 8;

/// The ISO week (`2026-W50`) whose summary is due at local time `local`: in the hour
/// [`SUMMARY_HOUR`] of a [`SUMMARY_DAY`], else none (the hourly tick asks every hour).
pub fn summary_week(local: NaiveDateTime) -> Option<String> {
    let due = local.weekday() == SUMMARY_DAY && local.hour() == SUMMARY_HOUR;
    due.then(|| {
        let week = local.iso_week();
        format!("{}-W{:02}", week.year(), week.week())
    })
}

impl Default for NoticeMail {
    /// A daily digest: followers hear of their issues without a mail for every step.
    fn default() -> Self {
        NoticeMail::Digest
    }
}

named_enum! {
    /// What a joint meeting tells the followers of an issue its agenda lists.
    pub enum MeetingTold: "meeting told" {
        /// The published agenda lists the issue: it will be heard on the meeting's day.
        Listed = "listed",
        /// The minutes are published: what the meeting did with the issue (or that it
        /// was not reached and goes to the next meeting).
        Heard = "heard",
        /// The meeting whose published agenda lists the issue moved (to another day, hour
        /// or place; or was called off and is on again).
        Moved = "moved",
        /// The meeting whose published agenda lists the issue is off: the next one hears it.
        Cancelled = "cancelled",
    }
}

impl MeetingTold {
    /// What the followers are told of a change the organisations are told of (a meeting
    /// moved or off), if any.
    pub fn of_change(notice: crate::MeetingNotice) -> Option<Self> {
        match notice {
            crate::MeetingNotice::Rescheduled => Some(MeetingTold::Moved),
            crate::MeetingNotice::Cancelled => Some(MeetingTold::Cancelled),
            _ => None,
        }
    }
}

/// What a notice tells of its issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum About {
    /// A step taken on it: the step at `version` (`transition`).
    Step { version: u32, transition: String },
    /// A joint meeting whose agenda lists it.
    Meeting { meeting: MeetingId, told: MeetingTold },
    /// A reminder the workflow's timer `timer` sent: the issue has waited for someone's
    /// step (a promise due soon or broken, an issue unassigned, a fix unverified). Nobody
    /// acted: the notice's `actor` is the user told.
    Reminder { timer: String },
}

/// A notice to `user` of an issue they follow: a step `actor` took, what a meeting did
/// with it (`actor` published the agenda or the minutes), or a workflow's reminder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// UUID v7: notices sort by it.
    pub id: uuid::Uuid,
    pub community: CommunityId,
    pub user: UserId,
    pub issue: IssueId,
    pub about: About,
    pub actor: UserId,
    pub at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub mailed_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weekly_summary_is_due_in_the_monday_morning_hour_only() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(summary_week(at("2026-12-07 08:00")).as_deref(), Some("2026-W50"));
        assert_eq!(summary_week(at("2026-12-07 08:59")).as_deref(), Some("2026-W50"));
        // The ISO week of a year's first Monday may belong to the year before's last days.
        assert_eq!(summary_week(at("2027-01-04 08:30")).as_deref(), Some("2027-W01"));
        for not in ["2026-12-07 07:59", "2026-12-07 09:00", "2026-12-08 08:00", "2026-12-06 08:00"] {
            assert_eq!(summary_week(at(not)), None, "{not}");
        }
    }
}
