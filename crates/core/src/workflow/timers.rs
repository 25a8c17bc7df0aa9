//! Which of a workflow's timers are due for an issue at a given moment.

use chrono::{DateTime, Days, TimeZone, Utc};
use chrono_tz::Tz;

use super::vocab::Anchor;
use super::{TimerDef, Workflow};
use crate::issue::Issue;

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
    /// anchor known).
    pub fn fire_at(&self, issue: &Issue, tz: Tz) -> Option<DateTime<Utc>> {
        if issue.state != self.state || !(self.urgency.is_empty() || self.urgency.contains(&issue.urgency)) {
            return None;
        }
        let anchor = match self.anchor {
            Anchor::Entered => issue.state_entered_at,
            Anchor::Raised => issue.created_at,
            Anchor::Due => {
                // A promise "by the 10th" holds until the 10th ends in the community's zone.
                let day_after = issue.commitment.as_ref()?.due_date.checked_add_days(Days::new(1))?;
                let midnight = day_after.and_hms_opt(0, 0, 0)?;
                tz.from_local_datetime(&midnight).earliest()?.with_timezone(&Utc)
            }
        };
        anchor.checked_add_signed(self.offset)
    }
}

impl Workflow {
    /// The timers due for `issue` at `now`, earliest first.
    pub fn due_timers(&self, issue: &Issue, now: DateTime<Tz>) -> Vec<DueTimer<'_>> {
        let tz = now.timezone();
        let now = now.with_timezone(&Utc);
        let mut due: Vec<DueTimer<'_>> = self
            .timers
            .iter()
            .filter_map(|timer| Some(DueTimer { timer, fire_at: timer.fire_at(issue, tz)? }))
            .filter(|d| d.fire_at <= now)
            .collect();
        due.sort_by_key(|d| d.fire_at);
        due
    }
}
