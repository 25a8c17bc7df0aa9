//! Corrections the meeting's parties ask of its draft minutes, and the secretary's answers
//! (see `roundtable_core::review`). Asking and answering end with publication: both, and
//! publication itself, take the meeting's row lock on PostgreSQL, so a correction asked
//! while the minutes are being published is either in before (and blocks publication
//! until answered) or refused after.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use roundtable_core::{CorrectionAnswer, Meeting, MeetingId, OrgId, RevisionStatus, UserId};
use uuid::Uuid;

use crate::convert::{parse, parse_opt, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::{minutes, minutes_corrections as mc, organisations};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Correction {
    pub id: Uuid,
    pub org: OrgId,
    pub org_name: String,
    pub asked_by: UserId,
    pub body: String,
    pub asked_at: DateTime<Utc>,
    pub answer: Option<CorrectionAnswer>,
    pub reply: String,
    pub answered_at: Option<DateTime<Utc>>,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<String>,
    String,
    Option<chrono::NaiveDateTime>,
);

/// A meeting's corrections, oldest first, with the asking organisation's name.
pub fn corrections(conn: &mut DbConn, meeting: MeetingId) -> Result<Vec<Correction>> {
    let rows: Vec<Row> = mc::table
        .inner_join(organisations::table.on(organisations::id.eq(mc::org_id)))
        .filter(mc::meeting_id.eq(meeting.to_string()))
        .order((mc::asked_at, mc::id))
        .select((
            mc::id,
            mc::org_id,
            organisations::name,
            mc::asked_by,
            mc::body,
            mc::asked_at,
            mc::answer,
            mc::reply,
            mc::answered_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, org, org_name, by, body, at, answer, reply, answered_at)| {
            Ok(Correction {
                id: parse("correction id", &id)?,
                org: parse("organisation id", &org)?,
                org_name,
                asked_by: parse("user id", &by)?,
                body,
                asked_at: utc(at),
                answer: parse_opt("correction answer", answer.as_deref())?,
                reply,
                answered_at: answered_at.map(utc),
            })
        })
        .collect()
}

/// How many of a meeting's corrections are still unanswered.
pub fn unanswered(conn: &mut DbConn, meeting: MeetingId) -> Result<i64> {
    Ok(mc::table
        .filter(mc::meeting_id.eq(meeting.to_string()))
        .filter(mc::answer.is_null())
        .count()
        .get_result(conn)?)
}

/// Holds the meeting's row until the transaction ends (PostgreSQL; SQLite's writers take
/// turns already), so that the minutes' lifecycle moves one step at a time.
pub(crate) fn lock_meeting(conn: &mut DbConn, meeting: MeetingId) -> Result<()> {
    use crate::schema::meetings;
    if let DbConn::Pg(pg) = conn {
        meetings::table.find(meeting.to_string()).select(meetings::id).for_update().first::<String>(pg)?;
    }
    Ok(())
}

fn published(conn: &mut DbConn, meeting: MeetingId) -> Result<bool> {
    let n: i64 = minutes::table
        .filter(minutes::meeting_id.eq(meeting.to_string()))
        .filter(minutes::status.eq(RevisionStatus::Published.as_str()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// How many corrections one organisation may ask of one draft: each needs the secretary's
/// answer before publication, so a party could otherwise hold the minutes back by
/// flooding them.
pub const MAX_PER_ORGANISATION: i64 = 20;

/// What asking came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    New(Uuid),
    /// The same text from the same person again (a double tap): the first correction.
    Again(Uuid),
    /// The organisation has asked [`MAX_PER_ORGANISATION`] already.
    Full,
}

/// Records a correction asked by `by` for `org`; `Conflict` once the minutes are
/// published. A new one is queued to the secretaries.
pub fn ask(
    conn: &mut DbConn,
    meeting: &Meeting,
    org: OrgId,
    by: UserId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Asked> {
    crate::db::atomically(conn, |conn| {
        lock_meeting(conn, meeting.id)?;
        if published(conn, meeting.id)? {
            return Err(StoreError::Conflict { current: 0 });
        }
        let again: Option<String> = mc::table
            .filter(mc::meeting_id.eq(meeting.id.to_string()))
            .filter(mc::asked_by.eq(by.to_string()))
            .filter(mc::body.eq(body))
            .select(mc::id)
            .first(conn)
            .optional()?;
        if let Some(id) = again {
            return Ok(Asked::Again(parse("correction id", &id)?));
        }
        let theirs: i64 = mc::table
            .filter(mc::meeting_id.eq(meeting.id.to_string()))
            .filter(mc::org_id.eq(org.to_string()))
            .count()
            .get_result(conn)?;
        if theirs >= MAX_PER_ORGANISATION {
            return Ok(Asked::Full);
        }
        let id = Uuid::now_v7();
        diesel::insert_into(mc::table)
            .values((
                mc::id.eq(id.to_string()),
                mc::community_id.eq(meeting.community.to_string()),
                mc::meeting_id.eq(meeting.id.to_string()),
                mc::org_id.eq(org.to_string()),
                mc::asked_by.eq(by.to_string()),
                mc::body.eq(body),
                mc::asked_at.eq(ts(now)),
                mc::reply.eq(""),
            ))
            .execute(conn)?;
        // The secretaries are told: publication waits for their answer.
        let notice = roundtable_core::MeetingNotice::CorrectionAsked.as_str();
        let payload = serde_json::json!({ "meeting": meeting.id });
        let community = meeting.community.to_string();
        crate::outbox::queue(conn, &community, notice, None, payload, Some(format!("{notice}:{id}")), now)?;
        Ok(Asked::New(id))
    })
}

/// Answers (or answers again) a correction of this meeting: `NotFound` for one it does not
/// have, `Conflict` once the minutes are published. The organisation that asked is told
/// each answer, and each change of it; the same answer sent again changes nothing and
/// tells no one (false).
pub fn answer(
    conn: &mut DbConn,
    meeting: MeetingId,
    id: Uuid,
    answer: CorrectionAnswer,
    reply: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool> {
    crate::db::atomically(conn, |conn| {
        lock_meeting(conn, meeting)?;
        if published(conn, meeting)? {
            return Err(StoreError::Conflict { current: 0 });
        }
        let (community, org, body, before, before_reply): (String, String, String, Option<String>, String) = mc::table
            .find(id.to_string())
            .filter(mc::meeting_id.eq(meeting.to_string()))
            .select((mc::community_id, mc::org_id, mc::body, mc::answer, mc::reply))
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)?;
        let before: Option<CorrectionAnswer> = parse_opt("correction answer", before.as_deref())?;
        if before == Some(answer) && before_reply == reply {
            return Ok(false);
        }
        diesel::update(mc::table.find(id.to_string()))
            .set((
                mc::answer.eq(Some(answer.as_str())),
                mc::reply.eq(reply),
                mc::answered_by.eq(Some(by.to_string())),
                mc::answered_at.eq(Some(ts(now))),
            ))
            .execute(conn)?;
        // What was answered, as it was then: a later change is a mail of its own.
        let notice = roundtable_core::MeetingNotice::CorrectionAnswered.as_str();
        let org = crate::directory::get_organisation(conn, parse("organisation id", &org)?)?;
        let payload = serde_json::json!({
            "meeting": meeting,
            "org": org.id,
            "correction": {"text": body, "answer": answer, "reply": reply, "again": before.is_some()},
        });
        // Each answer its own row (two within one clock tick are still two).
        let key = format!("{notice}:{id}:{}", Uuid::now_v7());
        crate::outbox::queue_for_org(conn, &community, notice, &org, payload, key, now)?;
        Ok(true)
    })
}
