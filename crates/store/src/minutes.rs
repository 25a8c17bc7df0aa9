//! Minutes: revisions of a meeting's record. Drafts are amended (each amendment a new
//! revision); publishing locks them; corrections after that are dated addenda.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use roundtable_core::{Meeting, MeetingId, RevisionStatus, UserId};

use crate::convert::{parse, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::{commitments, issues, minutes, organisations};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinutesRevision {
    pub revision: i32,
    pub status: RevisionStatus,
    /// The secretary's remarks (drafts, published) or the correction (addenda).
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub fn revisions(conn: &mut DbConn, meeting: MeetingId) -> Result<Vec<MinutesRevision>> {
    let rows: Vec<(i32, String, String, chrono::NaiveDateTime)> = minutes::table
        .filter(minutes::meeting_id.eq(meeting.to_string()))
        .order(minutes::revision)
        .select((minutes::revision, minutes::status, minutes::body, minutes::created_at))
        .load(conn)?;
    rows.into_iter()
        .map(|(revision, status, body, at)| {
            let status = parse("minutes revision status", &status)?;
            Ok(MinutesRevision { revision, status, body, created_at: utc(at) })
        })
        .collect()
}

/// Adds a revision: `draft` only before publication, `published` once (and only with every
/// correction the parties asked answered: `Unanswered` else), `addendum` only after.
/// Returns its number; `Conflict` when the lifecycle forbids it.
pub fn add_revision(
    conn: &mut DbConn,
    meeting: &Meeting,
    status: RevisionStatus,
    body: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<i32> {
    crate::db::atomically(conn, |conn| {
        crate::corrections::lock_meeting(conn, meeting.id)?;
        let existing = revisions(conn, meeting.id)?;
        let published = existing.iter().any(|r| r.status == RevisionStatus::Published);
        let allowed = match status {
            RevisionStatus::Draft | RevisionStatus::Published => !published,
            RevisionStatus::Addendum => published,
        };
        if !allowed {
            return Err(StoreError::Conflict { current: existing.len() as u32 });
        }
        if status == RevisionStatus::Published {
            let open = crate::corrections::unanswered(conn, meeting.id)?;
            if open > 0 {
                return Err(StoreError::Unanswered(open));
            }
        }
        let revision = existing.last().map_or(1, |r| r.revision + 1);
        diesel::insert_into(minutes::table)
            .values((
                minutes::id.eq(uuid::Uuid::now_v7().to_string()),
                minutes::community_id.eq(meeting.community.to_string()),
                minutes::meeting_id.eq(meeting.id.to_string()),
                minutes::revision.eq(revision),
                minutes::status.eq(status.as_str()),
                minutes::body.eq(body),
                minutes::created_by.eq(by.to_string()),
                minutes::created_at.eq(ts(now)),
                minutes::published_at.eq((status == RevisionStatus::Published).then(|| ts(now))),
            ))
            .execute(conn)?;
        if status == RevisionStatus::Published {
            let notice = roundtable_core::MeetingNotice::MinutesPublished;
            crate::meetings::notify_organisations(conn, meeting.community, notice, meeting.id, now, None)?;
            crate::notices::tell_meeting(conn, meeting.id, roundtable_core::notice::MeetingTold::Heard, by, now)?;
        }
        Ok(revision)
    })
}

/// A commitment made at a meeting, as the minutes list it.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct MadeCommitment {
    pub org: Option<String>,
    pub issue: String,
    pub text: String,
    pub due_date: NaiveDate,
    /// Set when this line moved an earlier promise's date (an extension, 延期).
    pub extended_from: Option<NaiveDate>,
}

pub fn commitments_made_at(conn: &mut DbConn, meeting: MeetingId) -> Result<Vec<MadeCommitment>> {
    Ok(commitments::table
        .inner_join(issues::table.on(issues::id.eq(commitments::issue_id)))
        .left_join(organisations::table.on(organisations::id.nullable().eq(commitments::org_id)))
        .filter(commitments::meeting_id.eq(meeting.to_string()))
        .order(commitments::committed_at)
        .select((
            organisations::name.nullable(),
            issues::title,
            commitments::text,
            commitments::due_date,
            commitments::extended_from,
        ))
        .load(conn)?)
}
