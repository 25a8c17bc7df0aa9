//! Which of a workflow's timers are due for an issue at a given moment.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::vocab::Anchor;
use super::{TimerDef, TimerOffset, Workflow};
use crate::issue::Issue;
use crate::workdays::WorkCalendar;

/// A timer that has come due. `fire_at` identifies the occurrence: the same timer
/// fires again only after the issue re-enters the state or the due date moves, so
/// callers record `(issue, timer, fire_at)` to act exactly once.
#[derive(Clone, Debug)]
pub struct DueTimer<'a> {
    pub timer: &'a TimerDef,
    pub fire_at: DateTime<Utc>,
}

impl TimerDef {
    /// When this timer fires for `issue`, if it applies at all (right state and urgency,
    /// anchor known). Working days are counted by `calendar` in the community's zone.
    pub fn fire_at(&self, issue: &Issue, tz: Tz, calendar: &WorkCalendar) -> Option<DateTime<Utc>> {
        if issue.state != self.state || !(self.urgency.is_empty() || self.urgency.contains(&issue.urgency)) {
            return None;
        }
        let local_day = |at: DateTime<Utc>| at.with_timezone(&tz).date_naive();
        match self.offset {
            TimerOffset::Clock(offset) => {
                let anchor = match self.anchor {
                    Anchor::Entered => issue.state_entered_at,
                    Anchor::Raised => issue.created_at,
                    // A promise "by the 10th" holds until the 10th ends in the community's zone.
                    Anchor::Due => end_of(issue.commitment.as_ref()?.due_date, tz)?,
                };
                anchor.checked_add_signed(offset)
            }
            TimerOffset::WorkingDays(n) => {
                let day = match self.anchor {
                    Anchor::Entered => local_day(issue.state_entered_at),
                    Anchor::Raised => local_day(issue.created_at),
                    Anchor::Due => issue.commitment.as_ref()?.due_date,
                };
                end_of(calendar.add_working_days(day, n)?, tz)
            }
        }
    }
}

/// The first moment after `day` ends in `tz`.
fn end_of(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let midnight = day.checked_add_days(Days::new(1))?.and_hms_opt(0, 0, 0)?;
    Some(tz.from_local_datetime(&midnight).earliest()?.with_timezone(&Utc))
}

impl Workflow {
    /// The timers due for `issue` at `now`, earliest first.
    pub fn due_timers(&self, issue: &Issue, now: DateTime<Tz>, calendar: &WorkCalendar) -> Vec<DueTimer<'_>> {
        let at = now.with_timezone(&Utc);
        let mut due: Vec<DueTimer<'_>> =
            self.occurrences(issue, now.timezone(), calendar).into_iter().filter(|d| d.fire_at <= at).collect();
        due.sort_by_key(|d| d.fire_at);
        due
    }

    /// The timer that comes due next for `issue` after `now`, if any: what the issue
    /// page announces — an urgent issue's deadline in working days, a promise's last day.
    pub fn next_timer(&self, issue: &Issue, now: DateTime<Tz>, calendar: &WorkCalendar) -> Option<DueTimer<'_>> {
        let at = now.with_timezone(&Utc);
        self.occurrences(issue, now.timezone(), calendar)
            .into_iter()
            .filter(|d| d.fire_at > at)
            .min_by_key(|d| d.fire_at)
    }

    /// Every timer that applies to `issue` as it stands, with when it fires.
    fn occurrences(&self, issue: &Issue, tz: Tz, calendar: &WorkCalendar) -> Vec<DueTimer<'_>> {
        self.timers
            .iter()
            .filter_map(|timer| Some(DueTimer { timer, fire_at: timer.fire_at(issue, tz, calendar)? }))
            .collect()
    }
}
