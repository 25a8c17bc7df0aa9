//! The monthly joint meeting's operations, by sub-resource: the calendar, the agenda,
//! the meeting day and the minutes.
//!
//! Everyone in the community reads meetings and published agendas; secretaries and
//! administrators build, edit and publish agendas, move or skip meetings, and record
//! the meeting (attendance, outcomes, closing).

pub mod agenda;
pub mod calendar;
pub mod day;
pub mod minutes;
pub mod review;

use chrono::{NaiveDate, TimeDelta};
use roundtable_core::{AgendaStatus, Meeting, MeetingId, MeetingRules, Refusal, Role};
use roundtable_store::meetings::MeetingRecord;
use roundtable_store::{StoreError, agenda as store_agenda, meetings};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::meetings::{AgendaItemView, AttendanceView, IssueMeetingView, MeetingDetail, MeetingView};

/// Secretaries and administrators run the meeting.
pub fn manages(caller: &Caller) -> bool {
    caller.actor.has_role(Role::Secretary) || caller.actor.has_role(Role::Admin)
}

pub(crate) fn manage(caller: &Caller) -> ApiResult<()> {
    if manages(caller) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only secretaries and administrators run the meeting".into()))
    }
}

/// Why the lifecycle refused, in a sentence for the API.
pub(crate) fn refusal(code: Refusal, hours_before: u32) -> ApiError {
    let detail = match code {
        Refusal::TooEarly => format!("a meeting opens on its day, from {hours_before} h before it starts"),
        Refusal::DayOver => "the meeting's day is over: move the meeting first".into(),
        Refusal::AgendaNotPublished => "publish the agenda before opening the meeting".into(),
        Refusal::NotPlanned => "the meeting has already begun or ended".into(),
        Refusal::Skipped => "this month's meeting is skipped".into(),
        Refusal::NotOpen => "the meeting is not open".into(),
        Refusal::OutsideMonth => "a meeting stays within its month".into(),
        Refusal::AnotherOpen => "another meeting is still open: close it before opening this one".into(),
        Refusal::NotClosed => "minutes come after the meeting is closed".into(),
        Refusal::MinutesPublished => "the minutes are published: corrections are the secretary's dated addenda".into(),
        Refusal::ReviewOff => "this community's draft minutes are not reviewed by the parties".into(),
        Refusal::ReviewOver => "the review of the draft minutes is over".into(),
        Refusal::CorrectionsUnanswered => "answer every correction the parties asked before publishing".into(),
        Refusal::OutcomeStands => "the outcome recorded took the issue's steps (a promise, a request turned down) and stands: \
                                    a later date is an extension, another company a reassignment, the words a correction of the minutes"
            .into(),
        Refusal::TooManyCorrections => format!(
            "your organisation has asked {} corrections of this draft, the most it may: the secretary answers them first",
            roundtable_store::corrections::MAX_PER_ORGANISATION
        ),
    };
    ApiError::refused(code, detail)
}

/// When and where the caller's community meets unless told otherwise.
pub fn rules(state: &AppState, caller: &Caller) -> MeetingRules {
    community_rules(&state.config.meeting, &caller.community)
}

/// When and where a community meets unless told otherwise: its own time and place, else
/// the deployment's `[meeting]` settings.
pub fn community_rules(m: &crate::config::MeetingConfig, c: &roundtable_core::Community) -> MeetingRules {
    MeetingRules {
        time: c.meeting_time.unwrap_or(m.time),
        place: c.meeting_place.clone().unwrap_or_else(|| m.place.clone()),
        tz: c.time_zone,
    }
}

/// Meetings as the caller's community sees them at this moment: where a meeting's minutes
/// stand depends on the community's review days and on the day it is.
pub struct Viewer {
    days: u32,
    tz: chrono_tz::Tz,
    now: chrono::DateTime<chrono::Utc>,
}

impl Viewer {
    pub fn of(state: &AppState, caller: &Caller) -> Viewer {
        Viewer { days: review::review_days(state, caller), tz: caller.tz(), now: state.now() }
    }

    pub fn view(&self, r: &MeetingRecord) -> MeetingView {
        let m = &r.meeting;
        let (minutes, review_until) =
            roundtable_core::review::stage(m, r.minutes_published, self.days, self.tz, self.now);
        MeetingView {
            id: Some(m.id.0),
            slot: m.slot,
            starts_at: m.starts_at,
            place: m.place.clone(),
            status: m.status,
            agenda_status: r.agenda_status,
            minutes,
            review_until,
            announcements: m.announcements.clone(),
            skip_reason: m.skip_reason.clone(),
        }
    }
}

/// One meeting as the caller sees it (for many, [`Viewer::view`] each).
pub fn view(state: &AppState, caller: &Caller, r: &MeetingRecord) -> MeetingView {
    Viewer::of(state, caller).view(r)
}

/// Whether the caller may read this meeting's agenda: published, or a draft they run.
pub fn sees_agenda(caller: &Caller, r: &MeetingRecord) -> bool {
    match r.agenda_status {
        AgendaStatus::Published => true,
        AgendaStatus::Draft => manages(caller),
        AgendaStatus::None => false,
    }
}

/// The meetings whose agendas listed an issue the caller may see, oldest first, as far as
/// the caller may read those agendas, with what each meeting did with it.
pub async fn of_issue(
    state: &AppState,
    caller: &Caller,
    id: roundtable_core::IssueId,
) -> ApiResult<Vec<IssueMeetingView>> {
    let issue = crate::ops::issues::visible(state, caller, id).await?;
    let listed = state.db.run(move |conn| meetings::listing(conn, issue.id)).await?;
    let viewer = Viewer::of(state, caller);
    let chair = manages(caller);
    Ok(listed
        .into_iter()
        .filter(|(r, _)| sees_agenda(caller, r))
        .map(|(r, mut item)| {
            item.urgency = issue.urgency;
            let note = item.outcome_note.take().filter(|_| chair || r.minutes_published);
            IssueMeetingView { meeting: viewer.view(&r), item: item.into(), note }
        })
        .collect())
}

/// A meeting of the caller's community, or 404.
pub async fn record(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<MeetingRecord> {
    let found = state.db.run(move |conn| meetings::get_meeting(conn, id)).await;
    match found {
        Ok(r) if r.meeting.community == caller.actor.community => Ok(r),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::NotFound("no such meeting".into())),
        Err(e) => Err(e.into()),
    }
}

/// The community's meetings, latest first.
pub async fn all(state: &AppState, caller: &Caller) -> ApiResult<Vec<MeetingRecord>> {
    let community = caller.actor.community;
    Ok(state.db.run(move |conn| meetings::records(conn, community)).await?)
}

/// The meetings a commitment can name: those from 40 days before `today` on.
pub fn recent(meetings: &[Meeting], today: NaiveDate) -> impl Iterator<Item = &Meeting> {
    let since = today - TimeDelta::days(40);
    meetings.iter().filter(move |m| m.slot >= since)
}

/// A meeting with its agenda (as far as the caller may see it), attendance and the
/// company comparison.
pub async fn detail(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<MeetingDetail> {
    let r = record(state, caller, id).await?;
    let show = sees_agenda(caller, &r);
    let meeting = r.meeting.id;
    let (items, attendance) = state
        .db
        .run(move |conn| Ok((store_agenda::agenda_items(conn, meeting)?, meetings::attendance(conn, meeting)?)))
        .await?;
    Ok(MeetingDetail {
        meeting: view(state, caller, &r),
        items: show.then(|| {
            let words = manages(caller);
            items
                .into_iter()
                .map(|i| AgendaItemView { note: i.outcome_note.clone().filter(|_| words), ..i.into() })
                .collect()
        }),
        scorecard: if show { r.scorecard } else { None },
        attendance: attendance.into_iter().map(|(org, attendees)| AttendanceView { org: org.0, attendees }).collect(),
    })
}
