//! Following issues and reading one's notices; the mail setting for them.

use roundtable_core::IssueId;
use roundtable_core::notice::{About, MeetingTold, NoticeMail};
use roundtable_store::notices::Told;
use roundtable_store::{directory, issues, meetings, notices};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::meetings::MeetingToldView;
use crate::views::{IssueRef, NoticeList, NoticeView, PersonRef};

/// How many notices a page lists.
const PAGE: usize = 100;

/// The caller's notices, newest first (at most [`PAGE`], older than `before` if given),
/// with their unread count and where the next page starts. Notices of issues the caller
/// may no longer see are left out.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    unread_only: bool,
    before: Option<uuid::Uuid>,
) -> ApiResult<NoticeList> {
    let (user, community) = (caller.user.id, caller.actor.community);
    let (found, unread, issues, names, held) = state
        .db
        .run(move |conn| {
            let found = notices::list(conn, user, unread_only, before, PAGE as i64)?;
            let unread = notices::unread_count(conn, user)?;
            let ids: Vec<IssueId> = found.iter().map(|(n, _)| n.issue).collect();
            let actors: Vec<_> = found.iter().map(|(n, _)| n.actor).collect();
            // The meetings' days, read only when a meeting told something.
            let told_by_meeting = found.iter().any(|(_, t)| matches!(t, Told::Item(_)));
            let held = if told_by_meeting { meetings::records(conn, community)? } else { Vec::new() };
            Ok((found, unread, issues::get_issues(conn, &ids)?, directory::display_names(conn, &actors)?, held))
        })
        .await?;
    // A full page may have more behind it (counted before those left out below).
    let older = found.last().filter(|_| found.len() == PAGE).map(|(n, _)| n.id);
    let items = found
        .into_iter()
        .filter_map(|(n, told)| {
            let issue = issues.iter().find(|i| i.id == n.issue)?;
            if !crate::access::can_see(&caller.user, &caller.actor, issue) {
                return None;
            }
            let mut reminder = None;
            let (version, transition, to, fields, meeting) = match (n.about, told) {
                (About::Step { version, transition }, Told::Step(step)) => {
                    (Some(version), Some(transition), Some(step.to.to_string()), Some(step.fields), None)
                }
                (About::Reminder { timer }, Told::Reminder) => {
                    reminder = Some(timer);
                    (None, None, None, None, None)
                }
                (About::Meeting { meeting, told }, Told::Item(mut item)) => {
                    let record = held.iter().find(|r| r.meeting.id == meeting)?;
                    if !super::meetings::sees_agenda(caller, record) {
                        return None;
                    }
                    item.urgency = issue.urgency;
                    let m = &record.meeting;
                    let note = told_note(told, item.outcome_note.take(), m);
                    let view = MeetingToldView {
                        told,
                        meeting: meeting.0,
                        slot: m.slot,
                        starts_at: m.starts_at,
                        place: m.place.clone(),
                        on: m.status != roundtable_core::MeetingStatus::Skipped,
                        item: item.into(),
                        note,
                    };
                    (None, None, None, None, Some(view))
                }
                _ => return None,
            };
            Some(NoticeView {
                id: n.id,
                issue: IssueRef { id: issue.id.0, title: issue.title.clone() },
                version,
                transition,
                to,
                fields,
                meeting,
                // A reminder's row names the user told: nobody acted.
                actor: reminder
                    .is_none()
                    .then(|| PersonRef { id: n.actor.0, name: names.get(&n.actor).cloned().unwrap_or_default() }),
                due_date: reminder.as_ref().and(issue.commitment.as_ref()).map(|c| c.due_date),
                reminder,
                at: n.at,
                read: n.read_at.is_some(),
            })
        })
        .collect();
    Ok(NoticeList { items, unread, older })
}

/// The words a meeting's notice carries: with `heard`, what the meeting said with its
/// outcome (the minutes, which `heard` tells of, are out); with `cancelled`, why it is off.
pub(crate) fn told_note(
    told: MeetingTold,
    outcome_note: Option<String>,
    m: &roundtable_core::Meeting,
) -> Option<String> {
    match told {
        MeetingTold::Heard => outcome_note,
        MeetingTold::Cancelled => m.skip_reason.clone(),
        MeetingTold::Listed | MeetingTold::Moved => None,
    }
}

/// Those following `issue` who can no longer read it — a company's staff once it went to
/// another company — stop following it, and its notices to them are read: no bell counts
/// what the notices page would not show. Run in the write of a step that moved the issue.
pub(crate) fn forget_unseeing_followers(
    conn: &mut roundtable_store::DbConn,
    issue: &roundtable_core::Issue,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), roundtable_store::StoreError> {
    for follower in notices::followers(conn, issue.id)? {
        let (user, actor) = directory::user_with_actor(conn, follower)?;
        if !crate::access::can_see(&user, &actor, issue) {
            notices::forget(conn, issue.id, follower, now)?;
        }
    }
    Ok(())
}

/// The bell's number.
pub async fn unread(state: &AppState, caller: &Caller) -> ApiResult<u32> {
    let user = caller.user.id;
    Ok(state.db.run(move |conn| notices::unread_count(conn, user)).await?)
}

/// Marks the caller's notices read (those of `ids`, or all); returns how many changed.
pub async fn mark_read(state: &AppState, caller: &Caller, ids: Option<Vec<uuid::Uuid>>) -> ApiResult<usize> {
    if ids.as_ref().is_some_and(|i| i.len() > 500) {
        return Err(ApiError::field("ids", "too_long", "at most 500 ids at once"));
    }
    let (user, now) = (caller.user.id, state.now());
    Ok(state.db.write(move |conn| notices::mark_read(conn, user, ids.as_deref(), now)).await?)
}

/// The caller opened what some of their notices tell of (an issue's page, a meeting's
/// agenda or minutes): those are read now; returns how many. Nothing is written when
/// none is unread.
pub async fn seen(state: &AppState, caller: &Caller, seen: notices::Seen) -> ApiResult<usize> {
    let (user, now) = (caller.user.id, state.now());
    if !state.db.run(move |conn| notices::unread_of(conn, user, seen)).await? {
        return Ok(0);
    }
    Ok(state.db.write(move |conn| notices::mark_seen(conn, user, seen, now)).await?)
}

/// Starts or stops following an issue the caller may see.
pub async fn follow(state: &AppState, caller: &Caller, id: IssueId, following: bool) -> ApiResult<bool> {
    let issue = super::issues::visible(state, caller, id).await?;
    let (user, now) = (caller.user.id, state.now());
    state.db.write(move |conn| notices::set_following(conn, issue.id, issue.community, user, following, now)).await?;
    Ok(following)
}

pub async fn mail_setting(state: &AppState, caller: &Caller) -> ApiResult<NoticeMail> {
    let user = caller.user.id;
    Ok(state.db.run(move |conn| notices::mail_setting(conn, user)).await?)
}

pub async fn set_mail_setting(state: &AppState, caller: &Caller, mail: NoticeMail) -> ApiResult<()> {
    let (user, community) = (caller.user.id, caller.actor.community);
    Ok(state.db.write(move |conn| notices::set_mail_setting(conn, user, community, mail)).await?)
}
