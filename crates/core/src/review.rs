//! The parties' review of draft minutes (会议纪要征求意见). Minutes record what each
//! company promised; a company that finds its promise written down wrongly must be able to
//! say so before the record is locked, not after. So for a few days after the meeting
//! closes, the organisations that attended read the draft and may ask for corrections; the
//! secretary answers each (accepted, declined), and publishes only when every one is
//! answered. Publication ends the review: later corrections are the secretary's addenda.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::meeting::{Meeting, MeetingStatus, Refusal};
use crate::names::named_enum;

named_enum! {
    /// How the secretary answered a correction.
    pub enum CorrectionAnswer: "correction answer" {
        /// The draft was (or will be) changed as asked.
        Accepted = "accepted",
        /// The draft stands; the reply says why.
        Declined = "declined",
    }
}

named_enum! {
    /// Where a meeting's minutes stand, as the calendar tells everyone: the parties ask
    /// the secretary "are the minutes out?" more than anything else about a past meeting.
    pub enum MinutesStage: "minutes stage" {
        /// The meeting has not closed: no minutes yet.
        NotYet = "none",
        /// A draft the parties that attended may still ask corrections of.
        InReview = "in_review",
        /// A draft with the secretary (the review is over, or the community has none).
        Draft = "draft",
        Published = "published",
    }
}

/// Where a meeting's minutes stand at `now`, with the review's last day while the
/// parties may still ask (the same rule that lets them: [`may_correct`]).
pub fn stage(
    meeting: &Meeting,
    published: bool,
    days: u32,
    tz: Tz,
    now: DateTime<Utc>,
) -> (MinutesStage, Option<NaiveDate>) {
    match may_correct(meeting, published, days, tz, now) {
        Ok(last) => (MinutesStage::InReview, Some(last)),
        Err(Refusal::NotClosed) => (MinutesStage::NotYet, None),
        Err(Refusal::MinutesPublished) => (MinutesStage::Published, None),
        Err(_) => (MinutesStage::Draft, None),
    }
}

/// How long after its close an unpublished draft is still worth a reminder: a deployment
/// upgraded onto old unpublished drafts must not mail the secretaries about last year's.
pub const MINUTES_DUE_WITHIN_DAYS: i64 = 31;

/// Whether a closed meeting's minutes are overdue at `now`: still a draft on the morning
/// ([`crate::meeting::LEFT_OPEN_FROM`]) after the review's last day — or, where drafts are
/// not reviewed, after the day of the close — and closed within
/// [`MINUTES_DUE_WITHIN_DAYS`]. The parties were promised the minutes once the review
/// ended; a draft nobody publishes holds every promise in it unrecorded.
pub fn minutes_due(meeting: &Meeting, published: bool, days: u32, tz: Tz, now: DateTime<Utc>) -> bool {
    let Some(closed) = meeting.closed_at.filter(|_| meeting.status == MeetingStatus::Closed && !published) else {
        return false;
    };
    let last = last_day(meeting, days, tz).unwrap_or_else(|| closed.with_timezone(&tz).date_naive());
    let recent = now - closed <= TimeDelta::days(MINUTES_DUE_WITHIN_DAYS);
    recent && crate::meeting::morning_after(last, tz).is_some_and(|from| now >= from)
}

/// The last local day on which a closed meeting's parties may ask for corrections: the
/// day of the close and `days` more (a meeting closed on Sunday with three days is
/// reviewed until Wednesday's end). `None` when the meeting has not closed or `days` is 0.
pub fn last_day(meeting: &Meeting, days: u32, tz: Tz) -> Option<NaiveDate> {
    let closed = meeting.closed_at.filter(|_| meeting.status == MeetingStatus::Closed)?;
    if days == 0 {
        return None;
    }
    let day = closed.with_timezone(&tz).date_naive();
    Some(day.checked_add_signed(TimeDelta::days(i64::from(days))).unwrap_or(NaiveDate::MAX))
}

/// Whether a correction may be asked at `now`; the review's last day when it may.
pub fn may_correct(
    meeting: &Meeting,
    published: bool,
    days: u32,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<NaiveDate, Refusal> {
    if meeting.status != MeetingStatus::Closed {
        return Err(Refusal::NotClosed);
    }
    if published {
        return Err(Refusal::MinutesPublished);
    }
    let last = last_day(meeting, days, tz).ok_or(Refusal::ReviewOff)?;
    if now.with_timezone(&tz).date_naive() > last {
        return Err(Refusal::ReviewOver);
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::{CommunityId, MeetingId};

    fn meeting(status: MeetingStatus, closed_at: Option<DateTime<Utc>>) -> Meeting {
        let starts_at = Utc.with_ymd_and_hms(2026, 12, 6, 1, 0, 0).unwrap();
        Meeting {
            id: MeetingId(uuid::Uuid::nil()),
            community: CommunityId(uuid::Uuid::nil()),
            slot: NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
            starts_at,
            place: String::new(),
            status,
            announcements: String::new(),
            skip_reason: None,
            opened_at: Some(starts_at),
            closed_at,
            created_at: starts_at,
        }
    }

    const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn the_review_lasts_the_day_of_the_close_and_the_days_after_in_local_time() {
        // Closed at 23:30 on Sunday in Jincheng (15:30 UTC): Sunday counts, by local day.
        let closed = meeting(MeetingStatus::Closed, Some(Utc.with_ymd_and_hms(2026, 12, 6, 15, 30, 0).unwrap()));
        let wednesday = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
        assert_eq!(last_day(&closed, 3, SHANGHAI), Some(wednesday));
        let at = |d, h, m| SHANGHAI.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap().with_timezone(&Utc);
        assert_eq!(may_correct(&closed, false, 3, SHANGHAI, at(9, 23, 59)), Ok(wednesday));
        assert_eq!(may_correct(&closed, false, 3, SHANGHAI, at(10, 0, 0)), Err(Refusal::ReviewOver));
        // In UTC the close was still Sunday too, but a close at 01:00 Monday local is Monday's.
        let late = meeting(MeetingStatus::Closed, Some(Utc.with_ymd_and_hms(2026, 12, 6, 17, 0, 0).unwrap()));
        assert_eq!(last_day(&late, 1, SHANGHAI), NaiveDate::from_ymd_opt(2026, 12, 8));
    }

    #[test]
    fn no_review_before_the_close_after_publication_or_when_it_is_off() {
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 4, 0, 0).unwrap();
        let closed = meeting(MeetingStatus::Closed, Some(now));
        assert_eq!(may_correct(&meeting(MeetingStatus::Open, None), false, 3, SHANGHAI, now), Err(Refusal::NotClosed));
        assert_eq!(last_day(&meeting(MeetingStatus::Open, None), 3, SHANGHAI), None);
        assert_eq!(may_correct(&closed, true, 3, SHANGHAI, now), Err(Refusal::MinutesPublished));
        assert_eq!(may_correct(&closed, false, 0, SHANGHAI, now), Err(Refusal::ReviewOff));
        assert_eq!(last_day(&closed, 0, SHANGHAI), None);
        // A huge setting is a long review, not an overflow.
        assert_eq!(last_day(&closed, u32::MAX, SHANGHAI), Some(NaiveDate::MAX));
        assert_eq!(may_correct(&closed, false, u32::MAX, SHANGHAI, now), Ok(NaiveDate::MAX));
    }

    #[test]
    fn the_minutes_stage_follows_the_close_the_review_and_the_publication() {
        let now = |d, h| SHANGHAI.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap().with_timezone(&Utc);
        let open = meeting(MeetingStatus::Open, None);
        let closed = meeting(MeetingStatus::Closed, Some(now(6, 12)));
        let wednesday = NaiveDate::from_ymd_opt(2026, 12, 9);
        assert_eq!(stage(&open, false, 3, SHANGHAI, now(6, 12)), (MinutesStage::NotYet, None));
        assert_eq!(
            stage(&meeting(MeetingStatus::Skipped, None), false, 3, SHANGHAI, now(6, 12)).0,
            MinutesStage::NotYet
        );
        assert_eq!(stage(&closed, false, 3, SHANGHAI, now(9, 23)), (MinutesStage::InReview, wednesday));
        assert_eq!(stage(&closed, false, 3, SHANGHAI, now(10, 0)), (MinutesStage::Draft, None));
        assert_eq!(stage(&closed, false, 0, SHANGHAI, now(6, 13)), (MinutesStage::Draft, None));
        assert_eq!(stage(&closed, true, 3, SHANGHAI, now(7, 9)), (MinutesStage::Published, None));
    }

    #[test]
    fn unpublished_minutes_are_due_the_morning_after_the_review_and_for_a_month() {
        let at = |d, h| SHANGHAI.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap().with_timezone(&Utc);
        let closed = meeting(MeetingStatus::Closed, Some(at(6, 12)));
        // Reviewed until Wednesday: due from Thursday 08:00 local.
        assert!(!minutes_due(&closed, false, 3, SHANGHAI, at(10, 7)));
        assert!(minutes_due(&closed, false, 3, SHANGHAI, at(10, 8)));
        assert!(!minutes_due(&closed, true, 3, SHANGHAI, at(10, 8)), "published");
        assert!(!minutes_due(&meeting(MeetingStatus::Open, None), false, 3, SHANGHAI, at(10, 8)));
        // Without a review: the morning after the close.
        assert!(!minutes_due(&closed, false, 0, SHANGHAI, at(7, 7)));
        assert!(minutes_due(&closed, false, 0, SHANGHAI, at(7, 8)));
        // Not for a draft closed more than a month ago, nor with a review that never ends.
        let january = SHANGHAI.with_ymd_and_hms(2027, 1, 7, 9, 0, 0).unwrap().with_timezone(&Utc);
        assert!(!minutes_due(&closed, false, 3, SHANGHAI, january));
        assert!(!minutes_due(&closed, false, u32::MAX, SHANGHAI, at(30, 9)));
    }
}
