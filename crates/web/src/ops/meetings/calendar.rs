//! The calendar: the community's meetings, the next one, moving and skipping a month.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::text;
use roundtable_core::{
    AgendaStatus, Meeting, MeetingId, MeetingNotice, MeetingStatus, MinutesStage, Refusal, may_move,
};
use roundtable_store::meetings::{self, MeetingRecord};

use super::{Viewer, all, manage, record, refusal, rules, view};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::meetings::{MeetingView, ScheduleBody};

/// The community's meetings, latest first.
pub async fn list(state: &AppState, caller: &Caller) -> ApiResult<Vec<MeetingView>> {
    let viewer = Viewer::of(state, caller);
    Ok(all(state, caller).await?.iter().map(|r| viewer.view(r)).collect())
}

/// The next meeting by the calendar; `None` when every month ahead is skipped.
pub async fn next(state: &AppState, caller: &Caller) -> ApiResult<Option<MeetingView>> {
    let records = all(state, caller).await?;
    Ok(next_of(state, caller, &records))
}

/// The next meeting among `records` (the community's meetings): one under way, else the
/// first by the calendar that is not closed (a meeting closed before its date is done)
/// or skipped — today's until its day is over, held or not yet opened; `None` when every
/// month ahead is skipped.
pub fn next_of(state: &AppState, caller: &Caller, records: &[MeetingRecord]) -> Option<MeetingView> {
    Some(match next_by(&rules(state, caller), records, state.now())? {
        Next::Held(r) => view(state, caller, r),
        Next::Planned(o) => MeetingView {
            id: None,
            slot: o.slot,
            starts_at: o.starts_at.with_timezone(&Utc),
            place: o.place,
            status: MeetingStatus::Planned,
            agenda_status: AgendaStatus::None,
            minutes: MinutesStage::NotYet,
            review_until: None,
            announcements: String::new(),
            skip_reason: None,
        },
    })
}

/// The next meeting of a community: one it has a row for, or a month nobody has touched.
pub enum Next<'a> {
    Held(&'a MeetingRecord),
    Planned(roundtable_core::Occurrence),
}

/// The next meeting by `rules` among `records` at `now` ([`next_of`]'s rule), for any
/// community (the street office reads each of its communities').
pub fn next_by<'a>(
    rules: &roundtable_core::MeetingRules,
    records: &'a [MeetingRecord],
    now: chrono::DateTime<Utc>,
) -> Option<Next<'a>> {
    if let Some(open) = records.iter().find(|r| r.meeting.status == MeetingStatus::Open) {
        return Some(Next::Held(open));
    }
    let rows: Vec<Meeting> = records.iter().map(|r| r.meeting.clone()).collect();
    let overrides = crate::jobs::agenda::overrides(rules, &rows);
    let mut o = rules.still_to_hold(&overrides, now)?;
    // Bounded: the calendar looks three years ahead.
    for _ in 0..36 {
        match records.iter().find(|r| r.meeting.slot == o.slot) {
            Some(r) if r.meeting.status == MeetingStatus::Closed => {
                o = rules.next_after(&overrides, o.starts_at.with_timezone(&Utc))?
            }
            Some(r) => return Some(Next::Held(r)),
            None => return Some(Next::Planned(o)),
        }
    }
    None
}

/// What a change to a month's meeting did, for the words the secretary is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rescheduled {
    Moved,
    Skipped,
    /// A skipped month's meeting is on again.
    Restored,
}

/// Moves or skips the meeting of a month (the override wins over the first-Sunday rule).
pub async fn schedule(
    state: &AppState,
    caller: &Caller,
    slot: NaiveDate,
    body: ScheduleBody,
) -> ApiResult<(MeetingView, Rescheduled)> {
    manage(caller)?;
    let rules = rules(state, caller);
    let planned = rules
        .occurrence(&BTreeMap::new(), slot)
        .ok_or_else(|| ApiError::NotFound(format!("{slot} is not the first Sunday of a month")))?;
    let records = all(state, caller).await?;
    let existing = records.iter().find(|r| r.meeting.slot == slot);
    if existing.is_some_and(|r| !matches!(r.meeting.status, MeetingStatus::Planned | MeetingStatus::Skipped)) {
        return Err(refusal(Refusal::NotPlanned, 0));
    }
    // Zero-width characters alone are no reason (the rule for every text here).
    let reason = body.reason.as_deref().map(text::trim).unwrap_or_default().to_owned();
    if body.skip && reason.is_empty() {
        return Err(ApiError::field("reason", "missing", "say why the meeting is skipped"));
    }
    let starts_at = match body.starts_at {
        Some(local) if !text::date_in_range(local.date()) => {
            return Err(ApiError::field(
                "starts_at",
                "date_out_of_range",
                format!("`starts_at` must be between {} and {}", text::EARLIEST_DATE, text::LATEST_DATE),
            ));
        }
        Some(local) if may_move(slot, local).is_err() => return Err(refusal(Refusal::OutsideMonth, 0)),
        Some(local) => rules
            .tz
            .from_local_datetime(&local)
            .earliest()
            .ok_or_else(|| ApiError::field("starts_at", "invalid", "that local time does not exist"))?,
        None => planned.starts_at,
    };
    let (now, by) = (state.now(), caller.user.id);
    if !body.skip && starts_at.with_timezone(&Utc) <= now {
        return Err(ApiError::field("starts_at", "in_past", "a meeting cannot be moved into the past"));
    }
    let meeting = Meeting {
        id: existing.map_or_else(MeetingId::new, |r| r.meeting.id),
        community: caller.actor.community,
        slot,
        starts_at: starts_at.with_timezone(&Utc),
        place: body
            .place
            .map(|p| text::trim(&p).to_owned())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| planned.place.clone()),
        status: if body.skip { MeetingStatus::Skipped } else { MeetingStatus::Planned },
        // The announcements stay what the secretary wrote; the reason is kept apart.
        announcements: existing.map(|r| r.meeting.announcements.clone()).unwrap_or_default(),
        skip_reason: body.skip.then_some(reason),
        opened_at: None,
        closed_at: None,
        created_at: now,
    };
    // Nothing to change is refused rather than told "moved" and put on the audit trail.
    let (was_at, was_place, was_skipped) = match existing {
        Some(r) => (r.meeting.starts_at, r.meeting.place.as_str(), r.meeting.skip_reason.as_deref()),
        None => (planned.starts_at.with_timezone(&Utc), planned.place.as_str(), None),
    };
    let same_status = existing.map_or(MeetingStatus::Planned, |r| r.meeting.status) == meeting.status;
    if same_status
        && was_skipped == meeting.skip_reason.as_deref()
        && (meeting.skip_reason.is_some() || (was_at == meeting.starts_at && was_place == meeting.place))
    {
        let field = if body.skip { "reason" } else { "starts_at" };
        return Err(ApiError::field(field, "unchanged", "the meeting is already so: change its time, place or status"));
    }
    let id = meeting.id;
    let change = match (body.skip, existing.map(|r| r.meeting.status)) {
        (true, _) => Rescheduled::Skipped,
        (false, Some(MeetingStatus::Skipped)) => Rescheduled::Restored,
        (false, _) => Rescheduled::Moved,
    };
    // The organisations were sent the agenda with its date and place: tell them what
    // changed (a new reason for a month already off is no news to them).
    let told = existing.is_some_and(|r| r.agenda_status == AgendaStatus::Published);
    let notice = match change {
        Rescheduled::Skipped if was_skipped.is_some() => None,
        Rescheduled::Skipped => Some(MeetingNotice::Cancelled),
        Rescheduled::Moved | Rescheduled::Restored => Some(MeetingNotice::Rescheduled),
    }
    .filter(|_| told);
    let entry = match &meeting.skip_reason {
        Some(reason) => crate::ops::audit(state, caller, AuditAction::MeetingSkipped, AuditSubject::Meeting, id)
            .with("reason", reason),
        None => crate::ops::audit(state, caller, AuditAction::MeetingScheduled, AuditSubject::Meeting, id)
            .with("starts_at", starts_at.format("%Y-%m-%d %H:%M"))
            .with("place", &meeting.place),
    }
    .with("slot", slot);
    state
        .db
        .write(move |conn| {
            meetings::schedule(conn, &meeting)?;
            if let Some(notice) = notice {
                meetings::notify_schedule_change(conn, &meeting, notice, by, now)?;
            }
            roundtable_store::audit::record(conn, &entry)
        })
        .await?;
    Ok((view(state, caller, &record(state, caller, id).await?), change))
}
