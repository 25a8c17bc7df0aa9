//! The monthly joint meeting (联席会议): held on the first Sunday of every month.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
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

named_enum! {
    /// What the meeting itself tells people (beside the workflow's effects, which concern
    /// one issue): kept in the outbox by name.
    pub enum MeetingNotice: "meeting notice" {
        /// To the secretaries: the draft is ready to edit.
        AgendaDrafted = "agenda_drafted",
        /// To every organisation with an address, its own items first.
        AgendaPublished = "agenda_published",
        /// To every organisation with an address.
        MinutesPublished = "minutes_published",
        /// To each organisation that attended, as the meeting closes: the draft minutes
        /// are theirs to review until the review's last day.
        MinutesForReview = "minutes_for_review",
        /// To the secretaries, once per correction: a party asked for one (publication
        /// waits for the answer).
        CorrectionAsked = "minutes_correction_asked",
        /// To the organisation that asked, once per answer (and again when the answer
        /// changes before publication): accepted or declined, with the secretary's reply.
        CorrectionAnswered = "minutes_correction_answered",
        /// To every organisation, once the agenda was out: the meeting is at another time
        /// or place, or on again after a skip.
        Rescheduled = "meeting_rescheduled",
        /// To every organisation, once the agenda was out: this month's meeting is off.
        Cancelled = "meeting_cancelled",
        /// To the secretaries, once: a meeting was left open the morning after its day.
        LeftOpen = "meeting_left_open",
        /// To the secretaries, once: the minutes are still a draft the morning after the
        /// parties' review ended (`review::minutes_due`).
        MinutesDue = "minutes_due",
    }
}

named_enum! {
    /// Where a meeting's agenda is: not built, a draft the secretary edits, or published
    /// (fixed, sent to the participants).
    pub enum AgendaStatus: "agenda status" {
        None = "none",
        Draft = "draft",
        Published = "published",
    }
}

named_enum! {
    /// What the meeting did with an agenda item.
    pub enum ItemOutcome: "item outcome" {
        /// The responsible organisation committed on the spot (the issue's `commit`).
        Commitment = "commitment",
        Decision = "decision",
        /// Put off: carried to the next agenda.
        Deferred = "deferred",
    }
}

/// Whether an item's recorded outcome stands, no other to be recorded over it: it took
/// its issue's steps — a promise made on the spot, or a company's request turned down —
/// which are in the timeline and were told. A decision or a deferral that took
/// none may be recorded again while the meeting is open (the chair pressed the wrong
/// button); what stands is mended on the page or in the minutes' review.
pub fn outcome_stands(outcome: Option<ItemOutcome>, turned_down_request: bool) -> bool {
    outcome == Some(ItemOutcome::Commitment) || turned_down_request
}

named_enum! {
    /// A revision of a meeting's minutes.
    pub enum RevisionStatus: "minutes revision status" {
        /// The secretary's remarks before publication (each amendment a new draft).
        Draft = "draft",
        /// Locked and sent; exactly once.
        Published = "published",
        /// A dated correction after publication.
        Addendum = "addendum",
    }
}

named_enum! {
    /// Why the meeting's lifecycle refuses a step (planned → agenda drafted → agenda
    /// published → open → closed): stable codes, each a 409 with its reason.
    pub enum Refusal: "meeting refusal" {
        /// Opening before `open_hours_before` ahead of the start.
        TooEarly = "too_early",
        /// Opening after the meeting's local day is over.
        DayOver = "day_over",
        /// Opening with the agenda still a draft (or not built).
        AgendaNotPublished = "agenda_not_published",
        /// Opening, moving or skipping a meeting that has begun or ended.
        NotPlanned = "not_planned",
        /// Opening a meeting that is skipped this month.
        Skipped = "skipped",
        /// Closing, or recording at, a meeting that is not open.
        NotOpen = "not_open",
        /// Moving a meeting out of its month (it must stay before the next month's).
        OutsideMonth = "outside_month",
        /// Opening a meeting while another (last month's, never closed) is still open.
        AnotherOpen = "another_open",
        /// Asking a correction of the minutes of a meeting that has not closed.
        NotClosed = "not_closed",
        /// Asking or answering a correction once the minutes are published (locked).
        MinutesPublished = "minutes_published",
        /// Asking a correction where drafts are not reviewed (`minutes_review_days = 0`).
        ReviewOff = "review_off",
        /// Asking a correction after the review's last day.
        ReviewOver = "review_over",
        /// Publishing minutes while a correction the parties asked is unanswered.
        CorrectionsUnanswered = "corrections_unanswered",
        /// Asking more corrections of one draft than one organisation may.
        TooManyCorrections = "too_many_corrections",
        /// Recording an item's outcome again where the one recorded took the issue's
        /// steps ([`outcome_stands`]).
        OutcomeStands = "outcome_stands",
    }
}

/// Whether `meeting`, with its agenda in `agenda`, may be opened at `now`: only a planned
/// meeting with a published agenda, on its local day, from `hours_before` ahead of its
/// start.
pub fn may_open(
    meeting: &Meeting,
    agenda: AgendaStatus,
    now: DateTime<Utc>,
    tz: Tz,
    hours_before: u32,
) -> Result<(), Refusal> {
    match meeting.status {
        MeetingStatus::Planned => {}
        MeetingStatus::Skipped => return Err(Refusal::Skipped),
        MeetingStatus::Open | MeetingStatus::Closed => return Err(Refusal::NotPlanned),
    }
    if agenda != AgendaStatus::Published {
        return Err(Refusal::AgendaNotPublished);
    }
    if now < opens_from(meeting, hours_before) {
        return Err(Refusal::TooEarly);
    }
    if now.with_timezone(&tz).date_naive() > meeting.starts_at.with_timezone(&tz).date_naive() {
        return Err(Refusal::DayOver);
    }
    Ok(())
}

/// The earliest moment a meeting may be opened.
pub fn opens_from(meeting: &Meeting, hours_before: u32) -> DateTime<Utc> {
    meeting.starts_at - TimeDelta::hours(i64::from(hours_before))
}

/// The local hour of the morning after its day at which a meeting still open counts as
/// left open: one running late into its evening is not.
pub const LEFT_OPEN_FROM: u32 = 8;

/// Whether `meeting` was left open at `now`: open still, and its day over since the
/// morning after ([`LEFT_OPEN_FROM`]). Until the secretary closes it, its unreached items
/// are not carried over, its minutes are not drafted and next month's cannot open.
pub fn left_open(meeting: &Meeting, now: DateTime<Utc>, tz: Tz) -> bool {
    let from = morning_after(meeting.starts_at.with_timezone(&tz).date_naive(), tz);
    meeting.status == MeetingStatus::Open && from.is_some_and(|from| now >= from)
}

/// [`LEFT_OPEN_FROM`] on the local day after `day`: when the secretaries hear of what was
/// left undone on it (at their desk, not in the night).
pub(crate) fn morning_after(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let morning = day.succ_opt()?.and_hms_opt(LEFT_OPEN_FROM, 0, 0)?;
    // A morning lost to a clock change (none is at 08:00 in practice) is the UTC hour's.
    Some(tz.from_local_datetime(&morning).earliest().map_or(morning.and_utc(), |l| l.with_timezone(&Utc)))
}

/// Whether the meeting of `slot` may be held at local `to`: within the slot's month (so
/// before the next month's meeting and after the last).
pub fn may_move(slot: NaiveDate, to: NaiveDateTime) -> Result<(), Refusal> {
    let same_month = to.date().year() == slot.year() && to.date().month() == slot.month();
    if same_month { Ok(()) } else { Err(Refusal::OutsideMonth) }
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
    /// Why this month's meeting is skipped (shown on the calendar).
    pub skip_reason: Option<String>,
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
    let next = day.with_day(1)?.checked_add_months(chrono::Months::new(1))?;
    first_sunday(next.year(), next.month())
}

/// When and where a community meets unless told otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingRules {
    /// Local time of day, e.g. 09:00.
    pub time: NaiveTime,
    pub place: String,
    pub tz: Tz,
}

/// A secretary's change to one month's meeting; it wins over the rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Override {
    /// Held at another local date and time (public holidays, 调休), maybe elsewhere.
    Moved { to: NaiveDateTime, place: Option<String> },
    /// Not held this month.
    Skipped { reason: String },
}

/// One meeting as the calendar has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The first Sunday it stands for.
    pub slot: NaiveDate,
    pub starts_at: DateTime<Tz>,
    pub place: String,
}

impl MeetingRules {
    fn local(&self, at: NaiveDateTime) -> Option<DateTime<Tz>> {
        self.tz.from_local_datetime(&at).earliest()
    }

    /// The meeting of `slot` (a first Sunday of the years people plan for), or `None` if
    /// skipped, not a first Sunday, or outside [`crate::text::date_in_range`].
    pub fn occurrence(&self, overrides: &BTreeMap<NaiveDate, Override>, slot: NaiveDate) -> Option<Occurrence> {
        if !crate::text::date_in_range(slot) || first_sunday(slot.year(), slot.month()) != Some(slot) {
            return None;
        }
        match overrides.get(&slot) {
            Some(Override::Skipped { .. }) => None,
            Some(Override::Moved { to, place }) => Some(Occurrence {
                slot,
                starts_at: self.local(*to)?,
                place: place.clone().unwrap_or_else(|| self.place.clone()),
            }),
            None => {
                Some(Occurrence { slot, starts_at: self.local(slot.and_time(self.time))?, place: self.place.clone() })
            }
        }
    }

    /// The first meeting that has not started at `now` (skipped months are passed over).
    pub fn next_after(&self, overrides: &BTreeMap<NaiveDate, Override>, now: DateTime<Utc>) -> Option<Occurrence> {
        // A moved meeting may fall before its slot, so start a month back.
        let mut month =
            now.with_timezone(&self.tz).date_naive().with_day(1)?.checked_sub_months(chrono::Months::new(1))?;
        for _ in 0..36 {
            if let Some(o) = first_sunday(month.year(), month.month()).and_then(|s| self.occurrence(overrides, s))
                && o.starts_at.with_timezone(&Utc) > now
            {
                return Some(o);
            }
            month = month.checked_add_months(chrono::Months::new(1))?;
        }
        None
    }

    /// The meeting still to be held at `now`: today's, all day long — it may be opened
    /// late on its day (`may_open`), and a secretary arriving at 09:05 is not sent on to
    /// next month's — else the first that has not started.
    pub fn still_to_hold(&self, overrides: &BTreeMap<NaiveDate, Override>, now: DateTime<Utc>) -> Option<Occurrence> {
        let today = now.with_timezone(&self.tz).date_naive();
        let midnight = self.local(today.and_time(NaiveTime::MIN)).map_or(now, |m| m.with_timezone(&Utc));
        self.next_after(overrides, midnight - TimeDelta::nanoseconds(1))
    }

    /// The meeting whose draft agenda is due at `now`: its build time (`lead_days` before
    /// it starts) has come and its day is not over. A server that was down at the build
    /// time finds it here when it comes back — on the meeting's morning too, so that the
    /// meeting can still be held.
    pub fn agenda_due(
        &self,
        overrides: &BTreeMap<NaiveDate, Override>,
        lead_days: u32,
        now: DateTime<Utc>,
    ) -> Option<Occurrence> {
        let next = self.still_to_hold(overrides, now)?;
        let build_at = next.starts_at.with_timezone(&Utc) - TimeDelta::days(i64::from(lead_days));
        (build_at <= now).then_some(next)
    }
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

    fn rules() -> MeetingRules {
        MeetingRules {
            time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            place: "东圣社区党群服务中心".into(),
            tz: chrono_tz::Asia::Shanghai,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_meeting_is_left_open_from_the_morning_after_its_day() {
        let at = utc("2026-12-06T01:00:00Z");
        let mut m = Meeting {
            id: MeetingId(uuid::Uuid::nil()),
            community: CommunityId(uuid::Uuid::nil()),
            slot: at.date_naive(),
            starts_at: at,
            place: String::new(),
            status: MeetingStatus::Open,
            announcements: String::new(),
            skip_reason: None,
            opened_at: Some(at),
            closed_at: None,
            created_at: at,
        };
        let tz = chrono_tz::Asia::Shanghai;
        // Running late into Sunday night, and through Monday's small hours: not yet.
        for not_yet in ["2026-12-06T14:00:00Z", "2026-12-06T16:30:00Z", "2026-12-06T23:59:59Z"] {
            assert!(!left_open(&m, utc(not_yet), tz), "{not_yet}");
        }
        // Monday 08:00 in Shanghai, and ever after.
        for left in ["2026-12-07T00:00:00Z", "2027-01-02T00:00:00Z"] {
            assert!(left_open(&m, utc(left), tz), "{left}");
        }
        for status in [MeetingStatus::Planned, MeetingStatus::Closed, MeetingStatus::Skipped] {
            m.status = status;
            assert!(!left_open(&m, utc("2026-12-08T00:00:00Z"), tz), "{status}");
        }
    }

    #[test]
    fn meetings_are_at_nine_on_the_first_sunday_in_shanghai() {
        let r = rules();
        let none = BTreeMap::new();
        let next = r.next_after(&none, utc("2026-11-26T00:00:00Z")).unwrap();
        assert_eq!(next.slot, NaiveDate::from_ymd_opt(2026, 12, 6).unwrap());
        assert_eq!(next.starts_at.with_timezone(&Utc), utc("2026-12-06T01:00:00Z"));
        // Sunday 00:30 in Shanghai is Saturday 16:30 in UTC: still before the meeting.
        let sunday_early = utc("2026-12-05T16:30:00Z");
        assert_eq!(sunday_early.with_timezone(&r.tz).weekday(), Weekday::Sun);
        assert_eq!(sunday_early.weekday(), Weekday::Sat);
        assert_eq!(r.next_after(&none, sunday_early).unwrap().slot, next.slot);
        // Once it has started, the next one is January's.
        let after = r.next_after(&none, utc("2026-12-06T01:00:01Z")).unwrap();
        assert_eq!(after.slot, NaiveDate::from_ymd_opt(2027, 1, 3).unwrap());
        // But it is still to be held (and its agenda due) until its day is over in Shanghai.
        for late in ["2026-12-06T01:05:00Z", "2026-12-06T15:59:59Z"] {
            assert_eq!(r.still_to_hold(&none, utc(late)).unwrap().slot, next.slot, "{late}");
            assert_eq!(r.agenda_due(&none, 5, utc(late)).unwrap().slot, next.slot, "{late}");
        }
        assert_eq!(r.still_to_hold(&none, utc("2026-12-06T16:00:00Z")).unwrap().slot, after.slot);
        assert_eq!(r.still_to_hold(&none, sunday_early).unwrap().slot, next.slot);
        assert_eq!(r.still_to_hold(&none, utc("2026-11-26T00:00:00Z")).unwrap().slot, next.slot);
    }

    #[test]
    fn a_moved_or_skipped_meeting_wins_over_the_rule() {
        let r = rules();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mut overrides = BTreeMap::new();
        // October's first Sunday is in the National Day holiday: moved to the 11th.
        overrides.insert(
            d(2027, 10, 3),
            Override::Moved { to: d(2027, 10, 11).and_hms_opt(14, 30, 0).unwrap(), place: None },
        );
        overrides.insert(d(2027, 2, 7), Override::Skipped { reason: "春节".into() });
        let oct = r.occurrence(&overrides, d(2027, 10, 3)).unwrap();
        assert_eq!(oct.starts_at.naive_local(), d(2027, 10, 11).and_hms_opt(14, 30, 0).unwrap());
        assert_eq!(r.occurrence(&overrides, d(2027, 2, 7)), None);
        let after_january = r.next_after(&overrides, utc("2027-01-04T00:00:00Z")).unwrap();
        assert_eq!(after_january.slot, d(2027, 3, 7), "February is skipped");
        assert_eq!(r.occurrence(&overrides, d(2027, 10, 10)), None, "not a first Sunday");
        assert_eq!(r.occurrence(&overrides, d(50, 12, 4)), None, "the year 50 is no one's meeting");
        assert_eq!(r.occurrence(&overrides, d(7673, 1, 1)), None, "nor is 7673");
        // The agenda of the moved meeting is due five days before the new date.
        assert!(r.agenda_due(&overrides, 5, utc("2027-10-05T23:00:00Z")).is_none());
        assert_eq!(r.agenda_due(&overrides, 5, utc("2027-10-06T07:00:00Z")).unwrap().slot, d(2027, 10, 3));
    }

    #[test]
    fn the_next_slot_after_26_november_2026_is_6_december() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(next_slot(d(2026, 11, 26)), Some(d(2026, 12, 6)));
        assert_eq!(next_slot(d(2026, 12, 6)), Some(d(2026, 12, 6)));
        assert_eq!(next_slot(d(2026, 12, 7)), Some(d(2027, 1, 3)));
    }
}
