//! Following issues and the in-app notices of their steps and of the joint meetings that
//! hear them (`roundtable_core::notice`). A step's notices are written by
//! `issues::record_transition`, in the transaction of the step, so no step goes untold and
//! none is told that did not happen; a meeting's by the publication of its agenda or its
//! minutes, in that transaction; a reminder's by the timer job, in the write that queues
//! the reminder's mail. `mailed_at` makes the table its own mail outbox.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roundtable_core::notice::{About, MeetingTold, Notice, NoticeMail};
use roundtable_core::{Audience, CommunityId, Event, Issue, IssueId, MeetingId, OrgKind, Role, UserId};

use crate::agenda::{ItemRow, StoredItem};
use crate::convert::{parse, ts, utc};
use crate::db::DbConn;
use crate::error::Result;
use crate::issues::EventRow;
use crate::schema::{agenda_items, follows, issue_events, memberships, notice_settings, notices, organisations, users};

/// Makes `user` follow (or stop following) an issue, whatever they did before.
pub fn set_following(
    conn: &mut DbConn,
    issue: IssueId,
    community: CommunityId,
    user: UserId,
    following: bool,
    at: DateTime<Utc>,
) -> Result<()> {
    crate::db::atomically(conn, |conn| {
        diesel::delete(follows::table.find((issue.to_string(), user.to_string()))).execute(conn)?;
        insert_follow(conn, issue, community, user, following, at)
    })
}

/// Records whether `user` follows an issue they have not decided about before (no row
/// to replace, so no delete and no savepoint of its own).
fn insert_follow(
    conn: &mut DbConn,
    issue: IssueId,
    community: CommunityId,
    user: UserId,
    following: bool,
    at: DateTime<Utc>,
) -> Result<()> {
    let row = NewFollow::new(issue, community, user, following, at);
    crate::on_backend!(conn, |c| diesel::insert_into(follows::table).values(&row).execute(c))?;
    Ok(())
}

/// A follow row as it is first written.
#[derive(Insertable)]
#[diesel(table_name = follows, treat_none_as_default_value = false)]
pub(crate) struct NewFollow {
    issue_id: String,
    user_id: String,
    community_id: String,
    following: bool,
    created_at: NaiveDateTime,
}

impl NewFollow {
    pub(crate) fn new(
        issue: IssueId,
        community: CommunityId,
        user: UserId,
        following: bool,
        at: DateTime<Utc>,
    ) -> Self {
        NewFollow {
            issue_id: issue.to_string(),
            user_id: user.to_string(),
            community_id: community.to_string(),
            following,
            created_at: ts(at),
        }
    }
}

/// Makes `user` follow an issue unless they decided about it before (raising, supporting:
/// someone who stopped following is not made to follow again).
pub fn follow_unless_decided(
    conn: &mut DbConn,
    issue: IssueId,
    community: CommunityId,
    user: UserId,
    at: DateTime<Utc>,
) -> Result<()> {
    if following(conn, issue, user)?.is_none() {
        set_following(conn, issue, community, user, true, at)?;
    }
    Ok(())
}

/// Those who follow an issue (by their own choice or by raising or supporting it).
pub fn followers(conn: &mut DbConn, issue: IssueId) -> Result<Vec<UserId>> {
    let ids: Vec<String> = follows::table
        .filter(follows::issue_id.eq(issue.to_string()))
        .filter(follows::following.eq(true))
        .select(follows::user_id)
        .load(conn)?;
    ids.iter().map(|u| parse("user id", u)).collect()
}

/// Which of `issues` `user` follows (by their own choice or by raising or supporting
/// them), in one query.
pub fn followed_among(conn: &mut DbConn, user: UserId, issues: &[IssueId]) -> Result<Vec<IssueId>> {
    let ids: Vec<String> = issues.iter().map(|i| i.to_string()).collect();
    let followed: Vec<String> = follows::table
        .filter(follows::user_id.eq(user.to_string()))
        .filter(follows::issue_id.eq_any(&ids))
        .filter(follows::following.eq(true))
        .select(follows::issue_id)
        .load(conn)?;
    followed.iter().map(|i| parse("issue id", i)).collect()
}

/// Forgets that `user` followed an issue (as if they never decided: should it come back
/// within their reach, they are told as anyone in their place would be) and marks its
/// notices to them read.
pub fn forget(conn: &mut DbConn, issue: IssueId, user: UserId, now: DateTime<Utc>) -> Result<()> {
    diesel::delete(follows::table.find((issue.to_string(), user.to_string()))).execute(conn)?;
    diesel::update(notices::table)
        .filter(notices::user_id.eq(user.to_string()))
        .filter(notices::issue_id.eq(issue.to_string()))
        .filter(notices::read_at.is_null())
        .set(notices::read_at.eq(Some(ts(now))))
        .execute(conn)?;
    Ok(())
}

/// What `user` decided about following an issue: `None` if nothing.
pub fn following(conn: &mut DbConn, issue: IssueId, user: UserId) -> Result<Option<bool>> {
    let query = follows::table.find((issue.to_string(), user.to_string())).select(follows::following);
    Ok(crate::on_backend!(conn, |c| query.get_result(c).optional())?)
}

/// The notices of a step, to be written with it: one for each follower, and for each
/// member of the responsible company — and, for a step whose `effects` tell the
/// secretaries (a company's request, a reopening), each secretary of the community — who
/// has not decided about the issue; none for whoever took the step, nor for a disabled
/// account. Reads only.
pub(crate) fn notices_of(
    conn: &mut DbConn,
    issue: &Issue,
    event: &Event,
    effects: &[roundtable_core::Effect],
) -> Result<Vec<NewNotice>> {
    // Each query of a fixed shape (no `IN` list), run on the backend's own connection: a
    // transition runs this in the SQLite writer, one write after another, where preparing
    // and writing SQL afresh each time showed up in the profile (docs/performance.md).
    let id = issue.id.to_string();
    let query = follows::table
        .inner_join(users::table.on(users::id.eq(follows::user_id)))
        .filter(follows::issue_id.eq(&id))
        .select((follows::user_id, follows::following, users::disabled));
    let decided: Vec<(String, bool, bool)> = crate::on_backend!(conn, |c| query.load(c))?;
    let mut told: Vec<String> =
        decided.iter().filter(|(_, following, disabled)| *following && !disabled).map(|(u, ..)| u.clone()).collect();
    if let Some(org) = issue.responsible_org {
        told.extend(members(conn, org)?.into_iter().filter(|m| !decided.iter().any(|(u, ..)| u == m)));
    }
    // The secretaries decide what the company asks: the bell says so, beside the mail. Read
    // only for such a step (few), not on the path every step takes.
    if effects.iter().any(|e| e.audiences().contains(&Audience::Secretaries)) {
        told.extend(secretaries(conn, issue.community)?.into_iter().filter(|s| !decided.iter().any(|(u, ..)| u == s)));
    }
    let actor = event.actor.to_string();
    told.sort();
    told.dedup();
    told.retain(|u| *u != actor);
    Ok(told
        .into_iter()
        .map(|user_id| NewNotice {
            id: uuid::Uuid::now_v7().to_string(),
            community_id: issue.community.to_string(),
            user_id,
            issue_id: id.clone(),
            version: event.version as i32,
            transition: event.transition.clone(),
            actor_id: actor.clone(),
            created_at: ts(event.at),
            meeting_id: None,
            reminder: false,
            mailed_at: None,
        })
        .collect())
}

/// The members of `org` whose accounts are enabled.
fn members(conn: &mut DbConn, org: roundtable_core::OrgId) -> Result<Vec<String>> {
    let query = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org.to_string()))
        .filter(users::disabled.eq(false))
        .select(memberships::user_id);
    Ok(crate::on_backend!(conn, |c| query.load(c))?)
}

/// The community's secretaries whose accounts are enabled.
fn secretaries(conn: &mut DbConn, community: CommunityId) -> Result<Vec<String>> {
    // The stored list narrows the read; the roles, parsed, decide.
    let query = users::table
        .filter(users::community_id.eq(community.to_string()))
        .filter(users::disabled.eq(false))
        .filter(users::roles.like(format!("%{}%", Role::Secretary.as_str())))
        .select((users::id, users::roles));
    let found: Vec<(String, String)> = crate::on_backend!(conn, |c| query.load(c))?;
    Ok(found
        .into_iter()
        .filter(|(_, roles)| roles.split(',').any(|r| r.parse::<Role>().is_ok_and(|r| r == Role::Secretary)))
        .map(|(u, _)| u)
        .collect())
}

/// Tells those a workflow's reminder is for — the `audiences` of the timer's effects: the
/// responsible company's staff, the secretaries, the supervisory committee's members, the
/// raiser — that timer `timer` fired on `issue` at `at`: a notice each, unless they
/// stopped following the issue or their account is disabled. The reminder went by mail
/// already (to the addresses the workflow's effects name), so the notices are written as
/// mailed: the bell adds it to the pages, not a second mail. Run in the write that queues
/// that mail, once per firing; returns how many were written.
pub fn tell_reminder(
    conn: &mut DbConn,
    issue: &Issue,
    timer: &str,
    audiences: &[Audience],
    at: DateTime<Utc>,
) -> Result<usize> {
    let mut told: Vec<String> = Vec::new();
    for audience in audiences {
        match audience {
            Audience::Responsible => {
                if let Some(org) = issue.responsible_org {
                    told.extend(members(conn, org)?);
                }
            }
            Audience::Secretaries => told.extend(secretaries(conn, issue.community)?),
            Audience::Supervisors => told.extend(
                memberships::table
                    .inner_join(organisations::table)
                    .inner_join(users::table)
                    .filter(organisations::community_id.eq(issue.community.to_string()))
                    .filter(organisations::kind.eq(OrgKind::SupervisoryCommittee.as_str()))
                    .filter(users::disabled.eq(false))
                    .select(memberships::user_id)
                    .load::<String>(conn)?,
            ),
            Audience::Raiser => told.extend(
                users::table
                    .filter(users::id.eq(issue.raised_by.to_string()))
                    .filter(users::disabled.eq(false))
                    .select(users::id)
                    .load::<String>(conn)?,
            ),
            // A reminder is of the issue as it stands: no company it left, no meeting.
            Audience::PreviousResponsible | Audience::NamedOrganisation => {}
        }
    }
    let id = issue.id.to_string();
    let stopped: Vec<String> = follows::table
        .filter(follows::issue_id.eq(&id))
        .filter(follows::following.eq(false))
        .select(follows::user_id)
        .load(conn)?;
    told.sort();
    told.dedup();
    told.retain(|u| !stopped.contains(u));
    let rows: Vec<NewNotice> = told
        .into_iter()
        .map(|user_id| NewNotice {
            id: uuid::Uuid::now_v7().to_string(),
            community_id: issue.community.to_string(),
            actor_id: user_id.clone(),
            user_id,
            issue_id: id.clone(),
            version: 0,
            transition: timer.to_owned(),
            created_at: ts(at),
            meeting_id: None,
            reminder: true,
            mailed_at: Some(ts(at)),
        })
        .collect();
    if !rows.is_empty() {
        crate::on_backend!(conn, |c| diesel::insert_into(notices::table).values(rows.as_slice()).execute(c))?;
    }
    Ok(rows.len())
}

/// Tells the followers of each issue a meeting's agenda lists what the meeting `told`
/// (its agenda lists the issue; its minutes say what it did with it): a notice each, none
/// to `by` (who published) nor to a disabled account. Run in the publication's write;
/// returns how many were written.
pub(crate) fn tell_meeting(
    conn: &mut DbConn,
    meeting: MeetingId,
    told: MeetingTold,
    by: UserId,
    at: DateTime<Utc>,
) -> Result<usize> {
    let pairs: Vec<(String, String, String)> = follows::table
        .inner_join(users::table.on(users::id.eq(follows::user_id)))
        .inner_join(agenda_items::table.on(agenda_items::issue_id.eq(follows::issue_id.nullable())))
        .filter(agenda_items::meeting_id.eq(meeting.to_string()))
        .filter(follows::following.eq(true))
        .filter(users::disabled.eq(false))
        .filter(follows::user_id.ne(by.to_string()))
        .select((follows::community_id, follows::user_id, follows::issue_id))
        .load(conn)?;
    let rows: Vec<NewNotice> = pairs
        .into_iter()
        .map(|(community_id, user_id, issue_id)| NewNotice {
            id: uuid::Uuid::now_v7().to_string(),
            community_id,
            user_id,
            issue_id,
            version: 0,
            transition: told.as_str().to_owned(),
            actor_id: by.to_string(),
            created_at: ts(at),
            meeting_id: Some(meeting.to_string()),
            reminder: false,
            mailed_at: None,
        })
        .collect();
    // In slices: SQLite takes at most 32,766 bound values in one statement.
    for chunk in rows.chunks(1_000) {
        crate::on_backend!(conn, |c| diesel::insert_into(notices::table).values(chunk).execute(c))?;
    }
    Ok(rows.len())
}

/// A notice as it is first written (unread; mailed only when its news went by mail).
#[derive(Insertable)]
#[diesel(table_name = notices, treat_none_as_default_value = false)]
pub(crate) struct NewNotice {
    id: String,
    community_id: String,
    user_id: String,
    issue_id: String,
    version: i32,
    transition: String,
    actor_id: String,
    created_at: NaiveDateTime,
    meeting_id: Option<String>,
    reminder: bool,
    mailed_at: Option<NaiveDateTime>,
}

type Row = (
    String,
    String,
    String,
    String,
    i32,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<String>,
    bool,
);

fn select() -> (
    notices::id,
    notices::community_id,
    notices::user_id,
    notices::issue_id,
    notices::version,
    notices::transition,
    notices::actor_id,
    notices::created_at,
    notices::read_at,
    notices::mailed_at,
    notices::meeting_id,
    notices::reminder,
) {
    (
        notices::id,
        notices::community_id,
        notices::user_id,
        notices::issue_id,
        notices::version,
        notices::transition,
        notices::actor_id,
        notices::created_at,
        notices::read_at,
        notices::mailed_at,
        notices::meeting_id,
        notices::reminder,
    )
}

fn from_row(r: Row) -> Result<Notice> {
    Ok(Notice {
        id: parse("notice id", &r.0)?,
        community: parse("community id", &r.1)?,
        user: parse("user id", &r.2)?,
        issue: parse("issue id", &r.3)?,
        about: match (r.10, r.11) {
            (_, true) => About::Reminder { timer: r.5 },
            (Some(meeting), false) => {
                About::Meeting { meeting: parse("meeting id", &meeting)?, told: parse("meeting told", &r.5)? }
            }
            (None, false) => About::Step { version: r.4.max(0) as u32, transition: r.5 },
        },
        actor: parse("user id", &r.6)?,
        at: utc(r.7),
        read_at: r.8.map(utc),
        mailed_at: r.9.map(utc),
    })
}

/// A notice's issue and version, matched to the event's.
type SameStep = diesel::dsl::And<
    diesel::dsl::Eq<issue_events::issue_id, notices::issue_id>,
    diesel::dsl::Eq<issue_events::version, notices::version>,
>;

/// The step a notice tells of: its issue's event of the notice's version (none for a
/// meeting's notice, whose version is 0).
fn step() -> diesel::dsl::On<issue_events::table, SameStep> {
    issue_events::table.on(issue_events::issue_id.eq(notices::issue_id).and(issue_events::version.eq(notices::version)))
}

/// A meeting notice's agenda item: its meeting's item of its issue.
type SameItem = diesel::dsl::And<
    diesel::dsl::Eq<diesel::dsl::Nullable<agenda_items::meeting_id>, notices::meeting_id>,
    diesel::dsl::Eq<agenda_items::issue_id, diesel::dsl::Nullable<notices::issue_id>>,
>;

fn item() -> diesel::dsl::On<agenda_items::table, SameItem> {
    agenda_items::table.on(agenda_items::meeting_id
        .nullable()
        .eq(notices::meeting_id)
        .and(agenda_items::issue_id.eq(notices::issue_id.nullable())))
}

/// What a notice tells, read with it: the step (what it left the issue in and the values
/// it carried), or the meeting's agenda item of the issue (why it was listed; what the
/// meeting did with it, as it stands now).
#[derive(Clone, Debug)]
pub enum Told {
    /// Boxed: an event is three times an item's size.
    Step(Box<Event>),
    Item(StoredItem),
    /// A workflow's reminder: the notice says it all (its timer).
    Reminder,
}

type ToldRow = (Row, Option<EventRow>, Option<ItemRow>);

/// The notices read with what they tell; one whose item is gone (none is, once an agenda
/// is published) is left out rather than failing the reader's whole list.
fn told(rows: Vec<ToldRow>) -> Result<Vec<(Notice, Told)>> {
    let mut out = Vec::with_capacity(rows.len());
    for (notice, step, item) in rows {
        let told = match (step, item) {
            // Version 0 matches no step: a reminder joins nothing.
            _ if notice.11 => Told::Reminder,
            (Some(step), _) => Told::Step(Box::new(Event::try_from(step)?)),
            (None, Some(item)) => Told::Item((item, None).try_into()?),
            (None, None) => continue,
        };
        out.push((from_row(notice)?, told));
    }
    Ok(out)
}

/// A user's notices, newest first, each with what it tells ([`Told`]): at most `limit`,
/// only unread ones if asked, only those older than `before` if given (ids are UUID v7:
/// their text sorts as their time).
pub fn list(
    conn: &mut DbConn,
    user: UserId,
    unread_only: bool,
    before: Option<uuid::Uuid>,
    limit: i64,
) -> Result<Vec<(Notice, Told)>> {
    let mut q =
        notices::table.left_join(step()).left_join(item()).filter(notices::user_id.eq(user.to_string())).into_boxed();
    if unread_only {
        q = q.filter(notices::read_at.is_null());
    }
    if let Some(before) = before {
        q = q.filter(notices::id.lt(before.to_string()));
    }
    let rows: Vec<ToldRow> = q
        .order(notices::id.desc())
        .limit(limit)
        .select((select(), Option::<EventRow>::as_select(), Option::<ItemRow>::as_select()))
        .load(conn)?;
    told(rows)
}

/// The bell's number: `user`'s unread notices as the notices page lists them — each
/// step's notice, and what a meeting told at once (its agenda, its minutes, a move: the
/// notices of one meeting, one kind and one moment) once, however many issues it names.
/// (The supervisory committee follows dozens of issues: one publication is one to read.)
pub fn unread_count(conn: &mut DbConn, user: UserId) -> Result<u32> {
    let groups: Vec<(Option<String>, i64)> = notices::table
        .filter(notices::user_id.eq(user.to_string()))
        .filter(notices::read_at.is_null())
        .group_by((notices::meeting_id, notices::transition, notices::created_at))
        .select((notices::meeting_id, diesel::dsl::count_star()))
        .load(conn)?;
    let n: i64 = groups.iter().map(|(meeting, n)| if meeting.is_some() { 1 } else { *n }).sum();
    Ok(n as u32)
}

/// Marks `user`'s notices read: those of `ids`, or all. Returns how many changed.
pub fn mark_read(conn: &mut DbConn, user: UserId, ids: Option<&[uuid::Uuid]>, now: DateTime<Utc>) -> Result<usize> {
    let mut q = diesel::update(notices::table)
        .filter(notices::user_id.eq(user.to_string()))
        .filter(notices::read_at.is_null())
        .into_boxed();
    if let Some(ids) = ids {
        q = q.filter(notices::id.eq_any(ids.iter().map(ToString::to_string).collect::<Vec<_>>()));
    }
    Ok(q.set(notices::read_at.eq(Some(ts(now)))).execute(conn)?)
}

/// What a page its reader opened tells of: an issue (its steps, and what meetings told of
/// it), or a meeting's agenda or minutes (the notices of that meeting telling these).
#[derive(Clone, Copy, Debug)]
pub enum Seen {
    Issue(IssueId),
    Meeting(MeetingId, &'static [MeetingTold]),
}

/// `user`'s unread notices of what `seen` names, as a boxed filter for reading or marking.
macro_rules! unread_of {
    ($query:expr, $user:expr, $seen:expr) => {{
        let q = $query.filter(notices::user_id.eq($user.to_string())).filter(notices::read_at.is_null()).into_boxed();
        match $seen {
            Seen::Issue(issue) => q.filter(notices::issue_id.eq(issue.to_string())),
            Seen::Meeting(meeting, told) => q
                .filter(notices::meeting_id.eq(meeting.to_string()))
                .filter(notices::transition.eq_any(told.iter().map(|t| t.as_str()))),
        }
    }};
}

/// Whether `user` has unread notices of what `seen` names (read before marking, so a page
/// view writes nothing when there is nothing to mark).
pub fn unread_of(conn: &mut DbConn, user: UserId, seen: Seen) -> Result<bool> {
    let one: Option<String> = unread_of!(notices::table, user, seen).select(notices::id).first(conn).optional()?;
    Ok(one.is_some())
}

/// Marks read `user`'s notices of what they opened; returns how many changed.
pub fn mark_seen(conn: &mut DbConn, user: UserId, seen: Seen, now: DateTime<Utc>) -> Result<usize> {
    Ok(unread_of!(diesel::update(notices::table), user, seen).set(notices::read_at.eq(Some(ts(now)))).execute(conn)?)
}

/// A user's mail setting (the default when they never chose).
pub fn mail_setting(conn: &mut DbConn, user: UserId) -> Result<NoticeMail> {
    let stored: Option<String> =
        notice_settings::table.find(user.to_string()).select(notice_settings::mail).first(conn).optional()?;
    stored.map(|s| parse("notice mail setting", &s)).transpose().map(Option::unwrap_or_default)
}

pub fn set_mail_setting(conn: &mut DbConn, user: UserId, community: CommunityId, mail: NoticeMail) -> Result<()> {
    crate::db::atomically(conn, |conn| {
        diesel::delete(notice_settings::table.find(user.to_string())).execute(conn)?;
        diesel::insert_into(notice_settings::table)
            .values((
                notice_settings::user_id.eq(user.to_string()),
                notice_settings::community_id.eq(community.to_string()),
                notice_settings::mail.eq(mail.as_str()),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// The notices not yet mailed of users whose setting is `mail`, oldest first, at most
/// `limit` (the caller groups them by user).
pub fn unmailed(conn: &mut DbConn, mail: NoticeMail, limit: i64) -> Result<Vec<Notice>> {
    let chosen: Vec<String> = notice_settings::table
        .filter(notice_settings::mail.ne(mail.as_str()))
        .select(notice_settings::user_id)
        .load(conn)?;
    let mut q = notices::table.filter(notices::mailed_at.is_null()).filter(notices::read_at.is_null()).into_boxed();
    // Those without a row have the default setting.
    q = if mail == NoticeMail::default() {
        q.filter(notices::user_id.ne_all(chosen))
    } else {
        let these: Vec<String> = notice_settings::table
            .filter(notice_settings::mail.eq(mail.as_str()))
            .select(notice_settings::user_id)
            .load(conn)?;
        q.filter(notices::user_id.eq_any(these))
    };
    let rows: Vec<Row> = q.order(notices::id).limit(limit).select(select()).load(conn)?;
    rows.into_iter().map(from_row).collect()
}

/// Marks every notice read and mailed as of its own moment (for a history seeded in one go).
pub fn settle_all(conn: &mut DbConn) -> Result<usize> {
    Ok(diesel::update(notices::table.filter(notices::read_at.is_null()))
        .set((
            notices::read_at.eq(notices::created_at.nullable()),
            notices::mailed_at.eq(notices::created_at.nullable()),
        ))
        .execute(conn)?)
}

/// Notices by id (those that exist), oldest first, each with what it tells (as [`list`]).
pub fn get_many(conn: &mut DbConn, ids: &[uuid::Uuid]) -> Result<Vec<(Notice, Told)>> {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<ToldRow> = notices::table
        .left_join(step())
        .left_join(item())
        .filter(notices::id.eq_any(ids))
        .order(notices::id)
        .select((select(), Option::<EventRow>::as_select(), Option::<ItemRow>::as_select()))
        .load(conn)?;
    told(rows)
}

/// Marks notices mailed.
pub fn mark_mailed(conn: &mut DbConn, ids: &[uuid::Uuid], now: DateTime<Utc>) -> Result<()> {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    diesel::update(notices::table.filter(notices::id.eq_any(ids)))
        .set(notices::mailed_at.eq(Some(ts(now))))
        .execute(conn)?;
    Ok(())
}
