//! The parties' review of draft minutes (会议纪要征求意见, `roundtable_core::review`):
//! the organisations that attended read the draft and ask for corrections until the
//! review's last day; the secretary answers each, and publishes once all are answered.
//! Who may read the corrections: the secretaries and administrators, and the members of
//! the organisations that attended — not the public, not residents (a company's note
//! may name people the minutes do not).

use chrono::NaiveDate;
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::review::{last_day, may_correct};
use roundtable_core::{MeetingId, MeetingStatus, OrgId, text};
use roundtable_store::StoreError;
use roundtable_store::corrections::{self, Asked, Correction};
use roundtable_store::meetings::{self, MeetingRecord};
use uuid::Uuid;

use super::{manages, record, refusal};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::meetings::{AnswerBody, CorrectionBody, CorrectionView, ReviewView};

/// What the review needs to know of a meeting: the record, whether its minutes are
/// published, who attended and how long the community reviews.
pub(crate) struct Standing {
    pub record: MeetingRecord,
    pub published: bool,
    pub attended: Vec<OrgId>,
    pub days: u32,
}

impl Standing {
    pub async fn of(state: &AppState, caller: &Caller, record: MeetingRecord) -> ApiResult<Standing> {
        let id = record.meeting.id;
        let attended = state.db.run(move |conn| meetings::attendance(conn, id)).await?;
        let attended = attended.into_iter().map(|(org, _)| org).collect();
        Ok(Standing { published: record.minutes_published, record, attended, days: review_days(state, caller) })
    }

    /// The organisation the caller reviews for: its first that attended, while this
    /// community reviews drafts at all.
    pub fn reviewing_for(&self, caller: &Caller) -> Option<OrgId> {
        reviews_for(caller, &self.attended, self.days)
    }

    /// Whether the caller reads the corrections (and, before publication, the draft).
    pub fn reads(&self, caller: &Caller) -> bool {
        manages(caller) || self.reviewing_for(caller).is_some()
    }

    pub fn last_day(&self, caller: &Caller) -> Option<NaiveDate> {
        last_day(&self.record.meeting, self.days, caller.tz())
    }
}

/// How many days the caller's community reviews draft minutes (0: not at all).
pub(crate) fn review_days(state: &AppState, caller: &Caller) -> u32 {
    crate::community_settings::effective(&state.config, &caller.community).meeting.minutes_review_days
}

/// The organisation the caller reviews a draft for, given who `attended` and the
/// community's review days: its first membership that attended; none when drafts are not
/// reviewed, and none for the secretaries and administrators, who amend the draft itself.
pub(crate) fn reviews_for(caller: &Caller, attended: &[OrgId], days: u32) -> Option<OrgId> {
    (days > 0 && !manages(caller)).then_some(())?;
    caller.actor.memberships.iter().map(|m| m.org).find(|org| attended.contains(org))
}

fn refused(code: roundtable_core::Refusal, last: Option<NaiveDate>) -> ApiError {
    match (code, last) {
        (roundtable_core::Refusal::ReviewOver, Some(day)) => {
            ApiError::refused(code, format!("the review of the draft minutes ended with {day}"))
        }
        _ => refusal(code, 0),
    }
}

fn shown(c: Correction, caller: &Caller) -> CorrectionView {
    CorrectionView {
        id: c.id,
        org: c.org.0,
        org_name: c.org_name,
        text: c.body,
        asked_at: c.asked_at,
        mine: c.asked_by == caller.user.id,
        answer: c.answer,
        reply: c.reply,
        answered_at: c.answered_at,
    }
}

/// The review of a closed meeting's draft: its last day, whether the caller may ask now,
/// and the corrections with their answers.
pub async fn review(state: &AppState, caller: &Caller, id: MeetingId) -> ApiResult<ReviewView> {
    let standing = Standing::of(state, caller, record(state, caller, id).await?).await?;
    review_of(state, caller, &standing).await
}

/// [`review`] of a meeting whose standing was read already (the minutes page).
pub(crate) async fn review_of(state: &AppState, caller: &Caller, standing: &Standing) -> ApiResult<ReviewView> {
    if standing.record.meeting.status != MeetingStatus::Closed {
        return Err(refusal(roundtable_core::Refusal::NotClosed, 0));
    }
    if !standing.reads(caller) {
        return Err(ApiError::Forbidden(
            "the corrections are for the secretary and the organisations that attended the meeting".into(),
        ));
    }
    let id = standing.record.meeting.id;
    let list = state.db.run(move |conn| corrections::corrections(conn, id)).await?;
    let open = may_correct(&standing.record.meeting, standing.published, standing.days, caller.tz(), state.now());
    Ok(ReviewView {
        last_day: standing.last_day(caller),
        open: open.is_ok(),
        may_ask: open.is_ok() && standing.reviewing_for(caller).is_some(),
        may_answer: manages(caller) && !standing.published,
        corrections: list.into_iter().map(|c| shown(c, caller)).collect(),
    })
}

/// Asks for a correction of the draft, for the caller's organisation that attended.
pub async fn ask(state: &AppState, caller: &Caller, id: MeetingId, body: CorrectionBody) -> ApiResult<CorrectionView> {
    crate::ops::text_within("text", &body.text, 1, 2_000)?;
    let standing = Standing::of(state, caller, record(state, caller, id).await?).await?;
    if standing.days == 0 {
        return Err(refused(roundtable_core::Refusal::ReviewOff, None));
    }
    let Some(org) = standing.reviewing_for(caller) else {
        return Err(ApiError::Forbidden(
            "corrections are asked by the organisations that attended the meeting (the secretary amends the draft)"
                .into(),
        ));
    };
    let (tz, now) = (caller.tz(), state.now());
    let last = standing.last_day(caller);
    may_correct(&standing.record.meeting, standing.published, standing.days, tz, now).map_err(|c| refused(c, last))?;
    let asked = text::trim(&body.text).to_owned();
    let (meeting, by) = (standing.record.meeting, caller.user.id);
    let entry = crate::ops::audit(state, caller, AuditAction::CorrectionAsked, AuditSubject::Meeting, id);
    let list = state
        .db
        .write(move |conn| {
            let made = match corrections::ask(conn, &meeting, org, by, &asked, now)? {
                Asked::New(id) => {
                    roundtable_store::audit::record(conn, &entry.with("correction", id))?;
                    id
                }
                Asked::Again(id) => id,
                Asked::Full => return Ok(None),
            };
            Ok(Some((made, corrections::corrections(conn, meeting.id)?)))
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => refused(roundtable_core::Refusal::MinutesPublished, None),
            other => other.into(),
        })?;
    let Some((made, list)) = list else {
        return Err(refused(roundtable_core::Refusal::TooManyCorrections, None));
    };
    list.into_iter()
        .find(|c| c.id == made)
        .map(|c| shown(c, caller))
        .ok_or_else(|| ApiError::Internal(format!("correction {made} was written but not read back")))
}

/// Answers a correction: accepted (the draft is or will be amended) or declined, with a
/// reply; may be answered again until the minutes are published.
pub async fn answer(
    state: &AppState,
    caller: &Caller,
    id: MeetingId,
    correction: Uuid,
    body: AnswerBody,
) -> ApiResult<CorrectionView> {
    if !manages(caller) {
        return Err(ApiError::Forbidden("only secretaries and administrators answer corrections".into()));
    }
    let reply = body.reply.unwrap_or_default();
    crate::ops::text_within("reply", &reply, 0, 2_000)?;
    let reply = text::trim(&reply).to_owned();
    let meeting = record(state, caller, id).await?.meeting.id;
    let (by, now) = (caller.user.id, state.now());
    let entry = crate::ops::audit(state, caller, AuditAction::CorrectionAnswered, AuditSubject::Meeting, id)
        .with("correction", correction)
        .with("answer", body.answer);
    let list = state
        .db
        .write(move |conn| {
            // The same answer sent again (a double tap) is no new step on the trail.
            if corrections::answer(conn, meeting, correction, body.answer, &reply, by, now)? {
                roundtable_store::audit::record(conn, &entry)?;
            }
            corrections::corrections(conn, meeting)
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => refused(roundtable_core::Refusal::MinutesPublished, None),
            StoreError::NotFound => ApiError::NotFound("no such correction to these minutes".into()),
            other => other.into(),
        })?;
    list.into_iter()
        .find(|c| c.id == correction)
        .map(|c| shown(c, caller))
        .ok_or_else(|| ApiError::NotFound("no such correction to these minutes".into()))
}
