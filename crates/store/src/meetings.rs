//! Joint meetings. (The agenda, attendance and minutes build on these rows.)

use diesel::prelude::*;
use roundtable_core::agenda::ScoreRow;
use roundtable_core::{AgendaStatus, CommunityId, IssueId, ItemOutcome, Meeting, MeetingId, MeetingStatus};

use crate::agenda::{ItemRow, StoredItem};
use crate::convert::{parse, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::meetings;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = meetings)]
struct MeetingRow {
    id: String,
    community_id: String,
    slot: chrono::NaiveDate,
    starts_at: chrono::NaiveDateTime,
    place: String,
    status: String,
    announcements: String,
    skip_reason: Option<String>,
    opened_at: Option<chrono::NaiveDateTime>,
    closed_at: Option<chrono::NaiveDateTime>,
    created_at: chrono::NaiveDateTime,
}

pub fn insert_meeting(conn: &mut DbConn, m: &Meeting) -> Result<()> {
    let row = MeetingRow {
        id: m.id.to_string(),
        community_id: m.community.to_string(),
        slot: m.slot,
        starts_at: ts(m.starts_at),
        place: m.place.clone(),
        status: m.status.to_string(),
        announcements: m.announcements.clone(),
        skip_reason: m.skip_reason.clone(),
        opened_at: m.opened_at.map(ts),
        closed_at: m.closed_at.map(ts),
        created_at: ts(m.created_at),
    };
    diesel::insert_into(meetings::table)
        .values(&row)
        .execute(conn)
        .map_err(StoreError::from_insert("meeting for that month"))?;
    Ok(())
}

/// A community's meetings, latest first.
pub fn meetings(conn: &mut DbConn, community: CommunityId) -> Result<Vec<Meeting>> {
    let rows: Vec<MeetingRow> = meetings::table
        .filter(meetings::community_id.eq(community.to_string()))
        .order(meetings::slot.desc())
        .select(MeetingRow::as_select())
        .load(conn)?;
    rows.into_iter().map(meeting).collect()
}

/// The meetings open now, of every community: at most one each, as opening refuses a
/// second.
pub fn open_meetings(conn: &mut DbConn) -> Result<Vec<Meeting>> {
    let rows: Vec<MeetingRow> = meetings::table
        .filter(meetings::status.eq(roundtable_core::MeetingStatus::Open.as_str()))
        .select(MeetingRow::as_select())
        .load(conn)?;
    rows.into_iter().map(meeting).collect()
}

/// Queues a notice to the secretaries about `m` (a meeting left open, minutes overdue) —
/// once per meeting and notice, however many ticks and instances find it due; returns
/// whether it was new.
pub fn notify_secretaries(
    conn: &mut DbConn,
    m: &Meeting,
    notice: roundtable_core::MeetingNotice,
    payload: serde_json::Value,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    let key = format!("{notice}:{}", m.id);
    crate::outbox::queue(conn, &m.community.to_string(), notice.as_str(), None, payload, Some(key), at)
}

fn meeting(r: MeetingRow) -> Result<Meeting> {
    Ok(Meeting {
        id: parse("meeting id", &r.id)?,
        community: parse("community id", &r.community_id)?,
        slot: r.slot,
        starts_at: utc(r.starts_at),
        place: r.place,
        status: parse("meeting status", &r.status)?,
        announcements: r.announcements,
        skip_reason: r.skip_reason,
        opened_at: r.opened_at.map(utc),
        closed_at: r.closed_at.map(utc),
        created_at: utc(r.created_at),
    })
}

/// A meeting with its agenda's state.
#[derive(Clone, Debug, PartialEq)]
pub struct MeetingRecord {
    pub meeting: Meeting,
    pub agenda_status: AgendaStatus,
    pub agenda_published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The company comparison computed with the agenda.
    pub scorecard: Option<Vec<ScoreRow>>,
    /// Whether its minutes are published (read with the meeting, so that a calendar of
    /// meetings says where each one's minutes stand in the same query).
    pub minutes_published: bool,
}

type RecordRow = (MeetingRow, String, Option<chrono::NaiveDateTime>, Option<String>, bool);

/// What a [`MeetingRecord`] is read from; one expression for the one meeting and the list.
macro_rules! record_columns {
    () => {
        (
            MeetingRow::as_select(),
            meetings::agenda_status,
            meetings::agenda_published_at,
            meetings::scorecard,
            diesel::dsl::exists(
                crate::schema::minutes::table
                    .filter(crate::schema::minutes::meeting_id.eq(meetings::id))
                    .filter(crate::schema::minutes::status.eq(roundtable_core::RevisionStatus::Published.as_str())),
            ),
        )
    };
}

fn record((row, agenda_status, published, scorecard, minutes_published): RecordRow) -> Result<MeetingRecord> {
    let scorecard = scorecard.as_deref().map(crate::scorecards::parse).transpose()?;
    Ok(MeetingRecord {
        meeting: meeting(row)?,
        agenda_status: parse("agenda status", &agenda_status)?,
        agenda_published_at: published.map(utc),
        scorecard,
        minutes_published,
    })
}

pub fn get_meeting(conn: &mut DbConn, id: MeetingId) -> Result<MeetingRecord> {
    let row: Option<RecordRow> =
        meetings::table.find(id.to_string()).select(record_columns!()).first(conn).optional()?;
    record(row.ok_or(StoreError::NotFound)?)
}

/// A community's meetings with their agendas' state and their minutes' publication, latest
/// first, in one query.
pub fn records(conn: &mut DbConn, community: CommunityId) -> Result<Vec<MeetingRecord>> {
    Ok(records_of(conn, &[community])?.remove(&community).unwrap_or_default())
}

/// The meetings of each of `communities`, as [`records`] gives one community's, in one
/// query: what the street office's page reads for its communities' next meetings.
pub fn records_of(
    conn: &mut DbConn,
    communities: &[CommunityId],
) -> Result<std::collections::HashMap<CommunityId, Vec<MeetingRecord>>> {
    let rows: Vec<RecordRow> = meetings::table
        .filter(meetings::community_id.eq_any(communities.iter().map(|c| c.to_string())))
        .order((meetings::community_id, meetings::slot.desc()))
        .select(record_columns!())
        .load(conn)?;
    let mut each: std::collections::HashMap<CommunityId, Vec<MeetingRecord>> = Default::default();
    for row in rows {
        let r = record(row)?;
        each.entry(r.meeting.community).or_default().push(r);
    }
    Ok(each)
}

/// The meetings whose agendas listed an issue, oldest first, each with the issue's item
/// there (what that meeting did with it), in one query. The items' urgency is left
/// routine: the caller has the issue.
pub fn listing(conn: &mut DbConn, issue: IssueId) -> Result<Vec<(MeetingRecord, StoredItem)>> {
    use crate::schema::agenda_items;
    let (meeting, status, published, scorecard, minutes) = record_columns!();
    type Row = (MeetingRow, String, Option<chrono::NaiveDateTime>, Option<String>, bool, ItemRow);
    let rows: Vec<Row> = agenda_items::table
        .inner_join(meetings::table.on(meetings::id.eq(agenda_items::meeting_id)))
        .filter(agenda_items::issue_id.eq(issue.to_string()))
        .order((meetings::slot, agenda_items::position))
        .select((meeting, status, published, scorecard, minutes, ItemRow::as_select()))
        .load(conn)?;
    rows.into_iter()
        .map(|(m, status, published, scorecard, minutes, item)| {
            Ok((record((m, status, published, scorecard, minutes))?, (item, None).try_into()?))
        })
        .collect()
}

/// The meetings of every community closed since `since` whose minutes are not published.
pub fn unpublished_since(conn: &mut DbConn, since: chrono::DateTime<chrono::Utc>) -> Result<Vec<MeetingRecord>> {
    let rows: Vec<RecordRow> = meetings::table
        .filter(meetings::status.eq(roundtable_core::MeetingStatus::Closed.as_str()))
        .filter(meetings::closed_at.ge(ts(since)))
        .select(record_columns!())
        .load(conn)?;
    let records = rows.into_iter().map(record).collect::<Result<Vec<_>>>()?;
    Ok(records.into_iter().filter(|r| !r.minutes_published).collect())
}

/// Each community's latest company comparison (the one its latest built agenda computed),
/// with that meeting's slot — one query for a whole street.
pub fn latest_scorecards(
    conn: &mut DbConn,
    communities: &[CommunityId],
) -> Result<std::collections::HashMap<CommunityId, (chrono::NaiveDate, Vec<ScoreRow>)>> {
    let ids: Vec<String> = communities.iter().map(|c| c.to_string()).collect();
    let rows: Vec<(String, chrono::NaiveDate, Option<String>)> = meetings::table
        .filter(meetings::community_id.eq_any(&ids))
        .filter(meetings::scorecard.is_not_null())
        .filter(meetings::status.ne(roundtable_core::MeetingStatus::Skipped.as_str()))
        .order((meetings::community_id, meetings::slot.desc()))
        .select((meetings::community_id, meetings::slot, meetings::scorecard))
        .load(conn)?;
    let mut latest = std::collections::HashMap::new();
    for (community, slot, scorecard) in rows {
        let community: CommunityId = parse("community id", &community)?;
        if latest.contains_key(&community) {
            continue;
        }
        let rows = scorecard.as_deref().map(crate::scorecards::parse).transpose()?.unwrap_or_default();
        latest.insert(community, (slot, rows));
    }
    Ok(latest)
}

/// Records a moved or skipped meeting (creating its row if the calendar had not yet).
pub fn schedule(conn: &mut DbConn, m: &Meeting) -> Result<()> {
    crate::db::atomically(conn, |conn| {
        let existing: Option<String> = meetings::table
            .filter(meetings::community_id.eq(m.community.to_string()))
            .filter(meetings::slot.eq(m.slot))
            .select(meetings::id)
            .first(conn)
            .optional()?;
        match existing {
            Some(id) => {
                diesel::update(meetings::table.find(id))
                    .set((
                        meetings::starts_at.eq(ts(m.starts_at)),
                        meetings::place.eq(&m.place),
                        meetings::status.eq(m.status.as_str()),
                        meetings::announcements.eq(&m.announcements),
                        meetings::skip_reason.eq(&m.skip_reason),
                    ))
                    .execute(conn)?;
                Ok(())
            }
            None => insert_meeting(conn, m),
        }
    })
}

/// Moves a meeting through its life: planned → open → closed, checking where it is.
pub fn set_status(
    conn: &mut DbConn,
    id: MeetingId,
    from: MeetingStatus,
    to: MeetingStatus,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let target = meetings::table.find(id.to_string()).filter(meetings::status.eq(from.as_str()));
    let n = match to {
        // Only with a published agenda: checked in the write, whatever the caller checked.
        MeetingStatus::Open => {
            diesel::update(target.filter(meetings::agenda_status.eq(AgendaStatus::Published.as_str())))
                .set((meetings::status.eq(to.as_str()), meetings::opened_at.eq(Some(ts(at)))))
                .execute(conn)?
        }
        MeetingStatus::Closed => diesel::update(target)
            .set((meetings::status.eq(to.as_str()), meetings::closed_at.eq(Some(ts(at)))))
            .execute(conn)?,
        _ => diesel::update(target).set(meetings::status.eq(to.as_str())).execute(conn)?,
    };
    if n == 1 { Ok(()) } else { Err(StoreError::Conflict { current: 0 }) }
}

/// Publishes a draft agenda (`by` whom) and queues one notification per participating
/// organisation (each mail lists that organisation's own items first); tells the followers
/// of each issue it lists.
pub fn publish_agenda(
    conn: &mut DbConn,
    id: MeetingId,
    by: roundtable_core::UserId,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    crate::db::atomically(conn, |conn| {
        let n = diesel::update(
            meetings::table.find(id.to_string()).filter(meetings::agenda_status.eq(AgendaStatus::Draft.as_str())),
        )
        .set((
            meetings::agenda_status.eq(AgendaStatus::Published.as_str()),
            meetings::agenda_published_at.eq(Some(ts(at))),
        ))
        .execute(conn)?;
        if n == 0 {
            return Ok(false);
        }
        let community: String = meetings::table.find(id.to_string()).select(meetings::community_id).first(conn)?;
        notify_organisations(
            conn,
            parse("community id", &community)?,
            roundtable_core::MeetingNotice::AgendaPublished,
            id,
            at,
            None,
        )?;
        crate::notices::tell_meeting(conn, id, roundtable_core::notice::MeetingTold::Listed, by, at)?;
        Ok(true)
    })
}

/// Tells every organisation that a meeting whose agenda they were sent moved or is off
/// (`notice` is `Rescheduled` or `Cancelled`): each change once, however many there are;
/// and the followers of the issues its agenda lists, but `by` (who changed it).
pub fn notify_schedule_change(
    conn: &mut DbConn,
    m: &Meeting,
    notice: roundtable_core::MeetingNotice,
    by: roundtable_core::UserId,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    notify_organisations(conn, m.community, notice, m.id, at, Some(m))?;
    if let Some(told) = roundtable_core::notice::MeetingTold::of_change(notice) {
        crate::notices::tell_meeting(conn, m.id, told, by, at)?;
    }
    Ok(())
}

/// Queues a meeting's notice once for each organisation — one mail each (to those with an
/// address), so no organisation sees another's addresses, and each can be told its own
/// part — with a copy for each of its channels. Once per meeting; a `change` of its time,
/// place or status (`changed`, as it now is) once per change, carrying the time and place
/// it was changed to — a mail sent after a later change still says this one.
pub(crate) fn notify_organisations(
    conn: &mut DbConn,
    community: roundtable_core::CommunityId,
    notice: roundtable_core::MeetingNotice,
    meeting: MeetingId,
    at: chrono::DateTime<chrono::Utc>,
    changed: Option<&Meeting>,
) -> Result<()> {
    let orgs = crate::directory::organisations(conn, community)?;
    queue_each(conn, community, notice, meeting, orgs, at, changed.map_or(Carrying::Nothing, Carrying::Change))
}

/// Tells the organisations that attended a closed meeting that its draft minutes are
/// theirs to review until `last_day` (once per meeting and organisation).
pub fn notify_review(
    conn: &mut DbConn,
    m: &Meeting,
    at: chrono::DateTime<chrono::Utc>,
    last_day: chrono::NaiveDate,
) -> Result<()> {
    let attended: Vec<roundtable_core::OrgId> = attendance(conn, m.id)?.into_iter().map(|(org, _)| org).collect();
    let orgs = crate::directory::organisations(conn, m.community)?.into_iter().filter(|o| attended.contains(&o.id));
    let notice = roundtable_core::MeetingNotice::MinutesForReview;
    queue_each(conn, m.community, notice, m.id, orgs.collect(), at, Carrying::Review(last_day))
}

/// What a meeting's notice carries besides the meeting and the organisation.
enum Carrying<'a> {
    Nothing,
    /// The time and place it was changed to (once per change).
    Change(&'a Meeting),
    /// The review's last day.
    Review(chrono::NaiveDate),
}

fn queue_each(
    conn: &mut DbConn,
    community: roundtable_core::CommunityId,
    notice: roundtable_core::MeetingNotice,
    meeting: MeetingId,
    orgs: Vec<roundtable_core::Organisation>,
    at: chrono::DateTime<chrono::Utc>,
    carrying: Carrying,
) -> Result<()> {
    for org in orgs {
        let once = format!("{}:{meeting}:{}", notice.as_str(), org.id);
        let (payload, key) = match carrying {
            Carrying::Nothing => (serde_json::json!({ "meeting": meeting, "org": org.id }), once),
            Carrying::Change(m) => (
                serde_json::json!({ "meeting": meeting, "org": org.id, "starts_at": m.starts_at, "place": m.place }),
                format!("{once}:{}", at.timestamp_micros()),
            ),
            Carrying::Review(day) => (serde_json::json!({ "meeting": meeting, "org": org.id, "last_day": day }), once),
        };
        crate::outbox::queue_for_org(conn, &community.to_string(), notice.as_str(), &org, payload, key, at)?;
    }
    Ok(())
}

/// Sets the announcements (the agenda's first item follows them).
pub fn set_announcements(conn: &mut DbConn, id: MeetingId, text: &str) -> Result<()> {
    use crate::schema::agenda_items;
    crate::db::atomically(conn, |conn| {
        diesel::update(meetings::table.find(id.to_string())).set(meetings::announcements.eq(text)).execute(conn)?;
        diesel::update(
            agenda_items::table
                .filter(agenda_items::meeting_id.eq(id.to_string()))
                .filter(agenda_items::reason.eq("announcements")),
        )
        .set(agenda_items::title.eq(text))
        .execute(conn)?;
        Ok(())
    })
}

/// Who each organisation sent.
pub fn record_attendance(
    conn: &mut DbConn,
    meeting: &Meeting,
    org: roundtable_core::OrgId,
    attendees: &str,
) -> Result<()> {
    use crate::schema::attendances;
    crate::db::atomically(conn, |conn| {
        diesel::delete(attendances::table.find((meeting.id.to_string(), org.to_string()))).execute(conn)?;
        diesel::insert_into(attendances::table)
            .values((
                attendances::meeting_id.eq(meeting.id.to_string()),
                attendances::org_id.eq(org.to_string()),
                attendances::community_id.eq(meeting.community.to_string()),
                attendances::attendees.eq(attendees),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn attendance(conn: &mut DbConn, meeting: MeetingId) -> Result<Vec<(roundtable_core::OrgId, String)>> {
    use crate::schema::attendances;
    let rows: Vec<(String, String)> = attendances::table
        .filter(attendances::meeting_id.eq(meeting.to_string()))
        .order(attendances::org_id)
        .select((attendances::org_id, attendances::attendees))
        .load(conn)?;
    rows.into_iter().map(|(o, a)| Ok((parse("organisation id", &o)?, a))).collect()
}

/// Who each organisation sent to the community's last meeting held before `before` (the
/// meeting-day screen offers it as a hint: the same people mostly come), in one query.
pub fn last_attendance(
    conn: &mut DbConn,
    community: CommunityId,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(roundtable_core::OrgId, String)>> {
    use crate::schema::attendances;
    let last = meetings::table
        .filter(meetings::community_id.eq(community.to_string()))
        .filter(meetings::status.eq(roundtable_core::MeetingStatus::Closed.as_str()))
        .filter(meetings::starts_at.lt(ts(before)))
        .order(meetings::starts_at.desc())
        .select(meetings::id)
        .limit(1);
    let rows: Vec<(String, String)> = attendances::table
        .filter(attendances::meeting_id.eq_any(last))
        .select((attendances::org_id, attendances::attendees))
        .load(conn)?;
    rows.into_iter().map(|(o, a)| Ok((parse("organisation id", &o)?, a))).collect()
}

/// What the meeting did with an agenda item, as the item keeps it.
#[derive(Clone, Copy, Debug)]
pub struct Recorded<'a> {
    pub outcome: ItemOutcome,
    pub note: Option<&'a str>,
    /// With a decision: the day by which the meeting hears the item again (复议).
    pub review_on: Option<chrono::NaiveDate>,
    /// With a decision: the later date the company asked for, turned down.
    pub refused_due_date: Option<chrono::NaiveDate>,
    /// With a decision: the company's request to hand the issue back turned down.
    pub refused_return: bool,
}

/// Records an agenda item's outcome; a commitment's transition is persisted in the same
/// transaction, so the item and the issue never disagree.
pub fn record_outcome(
    conn: &mut DbConn,
    meeting: MeetingId,
    item: &str,
    recorded: Recorded<'_>,
    transitions: &[roundtable_core::Outcome],
) -> Result<()> {
    use crate::schema::agenda_items;
    crate::db::atomically(conn, |conn| {
        let of_meeting = agenda_items::table.find(item).filter(agenda_items::meeting_id.eq(meeting.to_string()));
        // An outcome that took the issue's steps stands (`outcome_stands`), checked in the
        // write: of two outcomes sent at once, a decision cannot overwrite the promise.
        let open = agenda_items::outcome.is_null().or(agenda_items::outcome
            .ne(ItemOutcome::Commitment.as_str())
            .nullable()
            .and(agenda_items::refused_due_date.is_null())
            .and(agenda_items::refused_return.eq(false)));
        let n = diesel::update(of_meeting.clone().filter(open))
            .set((
                agenda_items::outcome.eq(Some(recorded.outcome.as_str())),
                agenda_items::outcome_note.eq(recorded.note),
                agenda_items::review_on.eq(recorded.review_on),
                agenda_items::refused_due_date.eq(recorded.refused_due_date),
                agenda_items::refused_return.eq(recorded.refused_return),
            ))
            .execute(conn)?;
        if n == 0 {
            let there = of_meeting.count().get_result::<i64>(conn)? > 0;
            return Err(if there { StoreError::Settled(item.to_owned()) } else { StoreError::NotFound });
        }
        for t in transitions {
            crate::issues::record_transition(conn, t)?;
        }
        Ok(())
    })
}
