//! Draft agendas: built exactly once per meeting slot, with the facts they are built from.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use roundtable_core::agenda::{
    Agenda, AgendaItem, CARRIED_SECTIONS, IssueFacts, Promise, Reason, Section, Tracked, Verdict, is_fixed,
};
use roundtable_core::{
    AgendaStatus, CommunityId, IssueId, IssueState, ItemOutcome, Meeting, MeetingId, OrgId, TransitionFields, Urgency,
    VerificationOutcome,
};
use serde::Deserialize;
use serde::de::IntoDeserializer;

use crate::convert::{id_opt, parse, parse_opt, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::{agenda_drops, agenda_items, issue_events, job_runs, meetings};

diesel::table! {
    /// The issues table as the agenda's planner reads it: the columns it needs, with those
    /// the database keeps out of `verification` and `extension` (generated, read only).
    /// A table of its own because `schema::issues` is at diesel's 32 columns.
    #[sql_name = "issues"]
    issues (id) {
        id -> Text,
        community_id -> Text,
        state -> Text,
        title -> Text,
        compound_id -> Text,
        raised_by -> Text,
        responsible_org -> Nullable<Text>,
        commitment_due -> Nullable<Date>,
        commitment_meeting -> Nullable<Text>,
        committed_at -> Nullable<Timestamp>,
        support_count -> Integer,
        reopen_count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        state_entered_at -> Timestamp,
        verdict -> Nullable<Text>,
        verdict_satisfaction -> Nullable<Integer>,
        verdict_at -> Nullable<Text>,
        extension_count -> Nullable<Integer>,
        extension_dated_at -> Nullable<Text>,
        extension_requested_at -> Nullable<Text>,
        urgency -> Nullable<Text>,
    }
}

/// The job name under which draft agendas are claimed in `job_runs`.
pub const AGENDA_JOB: &str = "agenda";

/// The `job_runs` slot of a community's meeting.
pub fn slot_key(community: CommunityId, meeting: &Meeting) -> String {
    format!("{community}:{}", meeting.slot)
}

/// The workflows' steps, by name, that ask to hand an issue back and that turn such a
/// request down (the workflows' names are not the store's): the comparison's 退回不成立.
#[derive(Clone, Copy, Debug, Default)]
pub struct Returns<'a> {
    pub asked: &'a [String],
    pub refused: &'a [String],
}

/// The issues an agenda can draw on: every open one, and those changed since `since`,
/// with when each was last assigned and resolved, and whose requests to hand it back
/// (`returns`' steps) were turned down when.
pub fn agenda_facts(
    conn: &mut DbConn,
    community: CommunityId,
    since: DateTime<Utc>,
    returns: Returns<'_>,
) -> Result<Vec<IssueFacts>> {
    let open = roundtable_core::agenda::OPEN_STATES;
    // Two index-backed queries rather than one `OR` that would scan every issue. Only the
    // columns the planner reads: on PostgreSQL the window's closed issues, months of them
    // spread over the whole table, come from `issues_community_updated` alone. Each read
    // runs on the backend's own connection: the multi-connection decoded every field of
    // these thousands of rows through its own value type (callgrind, docs/performance.md).
    // `as_select` takes its backend from the query, so each arm builds its own.
    let community = community.to_string();
    let mut rows: Vec<TrackedRow> = crate::on_backend!(&mut *conn, |c| issues::table
        .filter(issues::community_id.eq(&community))
        .filter(issues::state.eq_any(open))
        .select(TrackedRow::as_select())
        .load(c))?;
    let changed: Vec<TrackedRow> = crate::on_backend!(&mut *conn, |c| issues::table
        .filter(issues::community_id.eq(&community))
        .filter(issues::updated_at.ge(ts(since)))
        .filter(issues::state.ne_all(open))
        .select(TrackedRow::as_select())
        .load(c))?;
    rows.extend(changed);
    // When each issue last became assigned and resolved (by whichever transition), from
    // the index `(community_id, to_state, at, issue_id)` alone.
    let steps = issue_events::table
        .filter(issue_events::community_id.eq(&community))
        .filter(issue_events::to_state.eq_any([IssueState::ASSIGNED, IssueState::RESOLVED]))
        .filter(issue_events::at.ge(ts(since)))
        .select((issue_events::issue_id, issue_events::to_state, issue_events::at));
    let events: Vec<(String, String, NaiveDateTime)> = crate::on_backend!(&mut *conn, |c| steps.load(c))?;
    // A step that stays assigned assigns the issue anew only when it hands it to another
    // party (a reassignment) — not when the party asks to return it, or is refused: that
    // would restart the time it has to answer, which a request must not buy. Such steps
    // are few; their fields say which they were (the workflows' names are not the store's).
    // The same steps say which requests to hand an issue back were turned down, and whose
    // request each was: the company that asked (the step's organisation).
    let stays = issue_events::table
        .filter(issue_events::community_id.eq(&community))
        .filter(issue_events::to_state.eq(IssueState::ASSIGNED))
        .filter(issue_events::from_state.eq(IssueState::ASSIGNED))
        .filter(issue_events::at.ge(ts(since)))
        .select((
            issue_events::issue_id,
            issue_events::at,
            issue_events::fields,
            issue_events::transition,
            issue_events::actor_org,
        ));
    type Stay = (String, NaiveDateTime, String, String, Option<String>);
    let mut stayed: Vec<Stay> = crate::on_backend!(&mut *conn, |c| stays.load(c))?;
    stayed.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let assigned_state = IssueState::new(IssueState::ASSIGNED);
    let mut no_handover: HashMap<String, Vec<NaiveDateTime>> = HashMap::new();
    let mut refused: HashMap<String, Vec<(DateTime<Utc>, OrgId)>> = HashMap::new();
    let mut asked_by: Option<(String, OrgId)> = None;
    // Refusals of requests asked before `since`, whose asking step was not read.
    let mut unasked: Vec<(String, NaiveDateTime)> = Vec::new();
    for (issue, at, fields, transition, org) in stayed {
        let fields: TransitionFields =
            serde_json::from_str(&fields).map_err(|e| StoreError::Corrupt(format!("event fields: {e}")))?;
        if !roundtable_core::issue::hands_over(Some(&assigned_state), &assigned_state, &fields) {
            no_handover.entry(issue.clone()).or_default().push(at);
        }
        if returns.asked.contains(&transition) {
            asked_by = parse_opt("organisation id", org.as_deref())?.map(|o| (issue, o));
        } else if returns.refused.contains(&transition) {
            match asked_by.take_if(|(asked, _)| *asked == issue) {
                Some((_, by)) => refused.entry(issue).or_default().push((utc(at), by)),
                None => unasked.push((issue, at)),
            }
        }
    }
    for (issue, at, by) in asked_before(conn, &community, &unasked, returns.asked, since)? {
        refused.entry(issue).or_default().push((utc(at), by));
    }
    // Such a step is an event into `assigned` at its instant; no step into `resolved`
    // shares an issue's instant with it.
    let events =
        events.into_iter().filter(|(issue, _, at)| !no_handover.get(issue).is_some_and(|ats| ats.contains(at)));
    let mut assigned: HashMap<String, NaiveDateTime> = HashMap::new();
    let mut resolved: HashMap<String, NaiveDateTime> = HashMap::new();
    for (issue, to, at) in events {
        let map = if to == IssueState::RESOLVED { &mut resolved } else { &mut assigned };
        let e = map.entry(issue).or_insert(at);
        *e = (*e).max(at);
    }
    let dealt = dealt_with(conn, &community)?;
    rows.into_iter()
        .map(|r| {
            let (a, s) = (assigned.get(&r.id).copied(), resolved.get(&r.id).copied());
            let (dealt_at, review_on) = match dealt.get(&r.id) {
                Some(&(at, review_on)) => (Some(utc(at)), review_on),
                None => (None, None),
            };
            let (assigned_at, resolved_at) = (a.map(utc), s.map(utc));
            let returns_refused = refused.remove(&r.id).unwrap_or_default();
            Ok(IssueFacts {
                issue: Tracked::try_from(r)?,
                assigned_at,
                resolved_at,
                dealt_at,
                review_on,
                returns_refused,
            })
        })
        .collect()
}

/// Who asked each of `refusals` (an issue's refusal and its instant) to hand the issue
/// back, when the request was asked before `since`: the company of the issue's last
/// asking step (`asked`) before then — a request is settled before the next is asked.
/// One query, only when some were; they are few (a request pending across the window's
/// start).
fn asked_before(
    conn: &mut DbConn,
    community: &str,
    refusals: &[(String, NaiveDateTime)],
    asked: &[String],
    since: DateTime<Utc>,
) -> Result<Vec<(String, NaiveDateTime, OrgId)>> {
    if refusals.is_empty() {
        return Ok(Vec::new());
    }
    let issues: Vec<&str> = refusals.iter().map(|(issue, _)| issue.as_str()).collect();
    let steps: Vec<(String, NaiveDateTime, Option<String>)> = issue_events::table
        .filter(issue_events::community_id.eq(community))
        .filter(issue_events::issue_id.eq_any(&issues))
        .filter(issue_events::transition.eq_any(asked))
        .filter(issue_events::at.lt(ts(since)))
        .select((issue_events::issue_id, issue_events::at, issue_events::actor_org))
        .load(conn)?;
    let mut found = Vec::new();
    for (issue, at) in refusals {
        let last = steps.iter().filter(|(i, _, _)| i == issue).max_by_key(|(_, asked_at, _)| *asked_at);
        if let Some(by) = last.and_then(|(_, _, org)| org.as_deref()) {
            found.push((issue.clone(), *at, parse("organisation id", by)?));
        }
    }
    Ok(found)
}

/// An issue as the planner reads it: no free text but the title, the verdict and the
/// extensions from the columns the database keeps out of their JSON.
#[derive(Queryable, Selectable)]
#[diesel(table_name = issues)]
struct TrackedRow {
    id: String,
    state: String,
    title: String,
    compound_id: String,
    raised_by: String,
    responsible_org: Option<String>,
    commitment_due: Option<NaiveDate>,
    commitment_meeting: Option<String>,
    committed_at: Option<NaiveDateTime>,
    support_count: i32,
    reopen_count: i32,
    #[diesel(deserialize_as = crate::convert::FastTs)]
    created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::convert::FastTs)]
    state_entered_at: NaiveDateTime,
    verdict: Option<String>,
    verdict_satisfaction: Option<i32>,
    verdict_at: Option<String>,
    extension_count: Option<i32>,
    extension_dated_at: Option<String>,
    extension_requested_at: Option<String>,
    urgency: Option<String>,
}

/// A time as JSON holds it (RFC 3339, as serde writes `DateTime<Utc>`).
fn json_time(what: &str, s: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    s.map(|s| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| StoreError::Corrupt(format!("{what} `{s}`: {e}")))
    })
    .transpose()
}

impl TryFrom<TrackedRow> for Tracked {
    type Error = StoreError;
    fn try_from(r: TrackedRow) -> Result<Tracked> {
        let commitment = match (r.commitment_due, r.committed_at) {
            (Some(due_date), Some(at)) => Some(Promise {
                due_date,
                meeting: parse_opt("meeting id", r.commitment_meeting.as_deref())?,
                committed_at: utc(at),
                dated_at: json_time("extension date", r.extension_dated_at.as_deref())?.unwrap_or(utc(at)),
            }),
            _ => None,
        };
        let verification = match (r.verdict, json_time("verification time", r.verdict_at.as_deref())?) {
            (Some(outcome), Some(at)) => Some(Verdict {
                outcome: VerificationOutcome::deserialize(outcome.as_str().into_deserializer())
                    .map_err(|e: serde::de::value::Error| StoreError::Corrupt(format!("verification: {e}")))?,
                satisfaction: r.verdict_satisfaction.and_then(|s| u8::try_from(s).ok()),
                at,
            }),
            _ => None,
        };
        Ok(Tracked {
            id: parse("issue id", &r.id)?,
            state: IssueState::new(r.state),
            title: r.title,
            compound: parse("compound id", &r.compound_id)?,
            raised_by: parse("user id", &r.raised_by)?,
            responsible_org: parse_opt("organisation id", r.responsible_org.as_deref())?,
            commitment,
            verification,
            urgency: parse_opt("urgency", r.urgency.as_deref())?.unwrap_or_default(),
            support_count: r.support_count.max(0) as u32,
            reopen_count: r.reopen_count.max(0) as u32,
            extension_count: r.extension_count.unwrap_or(0).max(0) as u32,
            extension_requested_at: json_time("extension request time", r.extension_requested_at.as_deref())?,
            created_at: utc(r.created_at),
            state_entered_at: utc(r.state_entered_at),
        })
    }
}

/// The close of each closed meeting of a community.
fn closed_meetings(conn: &mut DbConn, community: &str) -> Result<HashMap<String, NaiveDateTime>> {
    Ok(meetings::table
        .filter(meetings::community_id.eq(community))
        .filter(meetings::status.eq(roundtable_core::MeetingStatus::Closed.as_str()))
        .select((meetings::id, meetings::closed_at))
        .load::<(String, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .filter_map(|(id, at)| Some((id, at?)))
        .collect())
}

/// When a held meeting last dealt with each issue — the close of the latest closed meeting
/// that recorded a commitment or a decision on the issue's item — and the day that
/// decision asked to hear it again, if it did.
fn dealt_with(conn: &mut DbConn, community: &str) -> Result<HashMap<String, (NaiveDateTime, Option<NaiveDate>)>> {
    let closed = closed_meetings(conn, community)?;
    let outcomes: Vec<(String, Option<String>, Option<NaiveDate>)> = agenda_items::table
        .filter(agenda_items::community_id.eq(community))
        .filter(agenda_items::outcome.eq_any([ItemOutcome::Commitment.as_str(), ItemOutcome::Decision.as_str()]))
        .filter(agenda_items::issue_id.is_not_null())
        .select((agenda_items::meeting_id, agenda_items::issue_id, agenda_items::review_on))
        .load(conn)?;
    let mut dealt: HashMap<String, (NaiveDateTime, Option<NaiveDate>)> = HashMap::new();
    for (meeting, issue, review_on) in outcomes {
        if let (Some(&at), Some(issue)) = (closed.get(&meeting), issue) {
            let e = dealt.entry(issue).or_insert((at, review_on));
            // The latest meeting's word counts; within one meeting, the later review.
            if (at, review_on) > *e {
                *e = (at, review_on);
            }
        }
    }
    Ok(dealt)
}

/// Decisions of a community's held meetings on items without an issue that asked to hear
/// them again: (title, review day).
pub fn reviewed_topics(conn: &mut DbConn, community: CommunityId) -> Result<Vec<(String, NaiveDate)>> {
    let closed = closed_meetings(conn, &community.to_string())?;
    let rows: Vec<(String, String, Option<NaiveDate>)> = agenda_items::table
        .filter(agenda_items::community_id.eq(community.to_string()))
        .filter(agenda_items::issue_id.is_null())
        .filter(agenda_items::outcome.eq(ItemOutcome::Decision.as_str()))
        .filter(agenda_items::review_on.is_not_null())
        .order((agenda_items::review_on, agenda_items::position))
        .select((agenda_items::meeting_id, agenda_items::title, agenda_items::review_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(meeting, ..)| closed.contains_key(meeting))
        .filter_map(|(_, title, day)| Some((title, day?)))
        .collect())
}

/// Saves a freshly built draft agenda — but only if this slot was never built before:
/// the claim in `job_runs`, the meeting row, the items and the notification are one
/// transaction. Returns `false` (and changes nothing) when the slot was already claimed.
pub fn save_built_agenda(
    conn: &mut DbConn,
    meeting: &Meeting,
    agenda: &Agenda,
    instance: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let slot = slot_key(meeting.community, meeting);
    let scorecard = serde_json::to_string(&agenda.scorecard).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let result = conn.transaction(|conn| {
        diesel::insert_into(job_runs::table)
            .values((
                job_runs::job.eq(AGENDA_JOB),
                job_runs::slot.eq(&slot),
                job_runs::instance.eq(instance),
                job_runs::started_at.eq(ts(now)),
                job_runs::finished_at.eq(Some(ts(now))),
            ))
            .execute(conn)
            .map_err(StoreError::from_insert("agenda for this meeting"))?;
        write_agenda(conn, meeting, agenda, &scorecard, now)?;
        crate::outbox::queue(
            conn,
            &meeting.community.to_string(),
            roundtable_core::MeetingNotice::AgendaDrafted.as_str(),
            None,
            serde_json::json!({ "meeting": meeting.id }),
            Some(format!("agenda_drafted:{slot}")),
            now,
        )?;
        Ok(())
    });
    match result {
        Ok(()) => Ok(true),
        Err(StoreError::Duplicate(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes a built agenda's items and comparison onto its meeting (creating the row).
fn write_agenda(
    conn: &mut DbConn,
    meeting: &Meeting,
    agenda: &Agenda,
    scorecard: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let exists: i64 = meetings::table.find(meeting.id.to_string()).count().get_result(conn)?;
    if exists == 0 {
        crate::meetings::insert_meeting(conn, meeting)?;
    }
    diesel::update(meetings::table.find(meeting.id.to_string()))
        .set((
            meetings::agenda_status.eq(AgendaStatus::Draft.as_str()),
            meetings::agenda_built_at.eq(Some(ts(now))),
            meetings::scorecard.eq(Some(&scorecard)),
        ))
        .execute(conn)?;
    diesel::delete(agenda_items::table.filter(agenda_items::meeting_id.eq(meeting.id.to_string()))).execute(conn)?;
    // One statement on PostgreSQL: a month of a big community lists hundreds of kept
    // promises, and a round trip an item cost more than building the agenda (the district
    // benchmark). The items go as one array a column (`unnest`): a statement of fixed
    // text, prepared once, where rows of bound values made PostgreSQL parse a statement of
    // thousands of parameters at every build. SQLite runs in the process, where a
    // statement a row costs little.
    match conn {
        DbConn::Pg(pg) => {
            let mut columns = ItemColumns::default();
            for (position, item) in agenda.items.iter().enumerate() {
                columns.push(position, item);
            }
            columns.insert(pg, meeting, now)?;
        }
        DbConn::Sqlite(lite) => {
            for (position, item) in agenda.items.iter().enumerate() {
                diesel::insert_into(agenda_items::table)
                    .values(&NewItemRow::new(meeting, position, item, now))
                    .execute(lite)?;
            }
        }
    }
    Ok(())
}

/// A built agenda's items, a column at a time, as PostgreSQL's `unnest` reads them.
#[derive(Default)]
struct ItemColumns<'a> {
    id: Vec<String>,
    position: Vec<i32>,
    section: Vec<&'a str>,
    reason: Vec<&'a str>,
    issue_id: Vec<Option<String>>,
    title: Vec<&'a str>,
    minutes_allowed: Vec<i32>,
    in_appendix: Vec<bool>,
}

impl<'a> ItemColumns<'a> {
    fn push(&mut self, position: usize, item: &'a AgendaItem) {
        self.id.push(uuid::Uuid::now_v7().to_string());
        self.position.push(position as i32);
        self.section.push(item.section.as_str());
        self.reason.push(item.reason.as_str());
        self.issue_id.push(id_opt(item.issue));
        self.title.push(&item.title);
        self.minutes_allowed.push(item.minutes as i32);
        self.in_appendix.push(item.in_appendix);
    }

    fn insert(self, pg: &mut diesel::PgConnection, meeting: &Meeting, now: DateTime<Utc>) -> Result<()> {
        use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamp};
        diesel::sql_query(
            "INSERT INTO agenda_items (id, community_id, meeting_id, position, section, reason, issue_id, title, \
             minutes_allowed, in_appendix, created_at) \
             SELECT u.id, $1, $2, u.position, u.section, u.reason, u.issue_id, u.title, u.minutes_allowed, \
             u.in_appendix, $3 \
             FROM unnest($4::text[], $5::int4[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int4[], \
             $11::bool[]) AS u(id, position, section, reason, issue_id, title, minutes_allowed, in_appendix)",
        )
        .bind::<Text, _>(meeting.community.to_string())
        .bind::<Text, _>(meeting.id.to_string())
        .bind::<Timestamp, _>(ts(now))
        .bind::<Array<Text>, _>(self.id)
        .bind::<Array<Integer>, _>(self.position)
        .bind::<Array<Text>, _>(self.section)
        .bind::<Array<Text>, _>(self.reason)
        .bind::<Array<Nullable<Text>>, _>(self.issue_id)
        .bind::<Array<Text>, _>(self.title)
        .bind::<Array<Integer>, _>(self.minutes_allowed)
        .bind::<Array<Bool>, _>(self.in_appendix)
        .execute(pg)?;
        Ok(())
    }
}

/// Writes one built item at `position`.
fn insert_item(
    conn: &mut DbConn,
    meeting: &Meeting,
    position: usize,
    item: &AgendaItem,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::insert_into(agenda_items::table).values(&NewItemRow::new(meeting, position, item, now)).execute(conn)?;
    Ok(())
}

/// A built item as written.
#[derive(Insertable)]
#[diesel(table_name = agenda_items, treat_none_as_default_value = false)]
struct NewItemRow<'a> {
    id: String,
    community_id: String,
    meeting_id: String,
    position: i32,
    section: &'a str,
    reason: &'a str,
    issue_id: Option<String>,
    title: &'a str,
    minutes_allowed: i32,
    in_appendix: bool,
    created_at: chrono::NaiveDateTime,
}

impl<'a> NewItemRow<'a> {
    fn new(meeting: &Meeting, position: usize, item: &'a AgendaItem, now: DateTime<Utc>) -> Self {
        NewItemRow {
            id: uuid::Uuid::now_v7().to_string(),
            community_id: meeting.community.to_string(),
            meeting_id: meeting.id.to_string(),
            position: position as i32,
            section: item.section.as_str(),
            reason: item.reason.as_str(),
            issue_id: id_opt(item.issue),
            title: &item.title,
            minutes_allowed: item.minutes as i32,
            in_appendix: item.in_appendix,
            created_at: ts(now),
        }
    }
}

/// Rebuilds a draft agenda from the tracker as it is now: the secretary's edits are
/// replaced, nothing is claimed or sent again. `Conflict` unless the agenda is a draft.
pub fn rebuild_agenda(conn: &mut DbConn, meeting: &Meeting, agenda: &Agenda, now: DateTime<Utc>) -> Result<()> {
    let scorecard = serde_json::to_string(&agenda.scorecard).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    crate::db::atomically(conn, |conn| {
        let status: Option<String> =
            meetings::table.find(meeting.id.to_string()).select(meetings::agenda_status).first(conn).optional()?;
        if status.as_deref() != Some(AgendaStatus::Draft.as_str()) {
            return Err(StoreError::Conflict { current: 0 });
        }
        write_agenda(conn, meeting, agenda, &scorecard, now)
    })
}

/// An agenda item as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = agenda_items)]
pub(crate) struct ItemRow {
    id: String,
    position: i32,
    section: String,
    reason: String,
    issue_id: Option<String>,
    title: String,
    minutes_allowed: i32,
    in_appendix: bool,
    outcome: Option<String>,
    outcome_note: Option<String>,
    review_on: Option<NaiveDate>,
    refused_due_date: Option<NaiveDate>,
    refused_return: bool,
}

/// A stored agenda item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredItem {
    pub id: String,
    pub position: i32,
    pub section: Section,
    pub reason: Reason,
    pub issue_id: Option<IssueId>,
    pub title: String,
    pub minutes_allowed: i32,
    pub in_appendix: bool,
    pub outcome: Option<ItemOutcome>,
    pub outcome_note: Option<String>,
    /// With a decision: the day by which the meeting asked to hear the item again (复议).
    pub review_on: Option<NaiveDate>,
    /// With a decision that turned the company's request for more time down: the date it
    /// asked for.
    pub refused_due_date: Option<NaiveDate>,
    /// With a decision that turned the company's request to hand the issue back down
    /// (退回不成立).
    pub refused_return: bool,
    /// The urgency of its issue now (routine for an item without one): graded after the
    /// agenda was built, a red issue still says so on the meeting's day.
    pub urgency: Urgency,
}

impl StoredItem {
    /// Whether its outcome took the issue's steps and stands ([`roundtable_core::meeting::outcome_stands`]).
    pub fn outcome_stands(&self) -> bool {
        roundtable_core::meeting::outcome_stands(self.outcome, self.refused_due_date.is_some() || self.refused_return)
    }
}

impl TryFrom<(ItemRow, Option<String>)> for StoredItem {
    type Error = StoreError;

    fn try_from((r, urgency): (ItemRow, Option<String>)) -> Result<Self> {
        Ok(StoredItem {
            urgency: parse_opt("urgency", urgency.as_deref())?.unwrap_or_default(),
            id: r.id,
            position: r.position,
            section: parse("agenda section", &r.section)?,
            reason: parse("agenda reason", &r.reason)?,
            issue_id: parse_opt("issue id", r.issue_id.as_deref())?,
            title: r.title,
            minutes_allowed: r.minutes_allowed,
            in_appendix: r.in_appendix,
            outcome: parse_opt("item outcome", r.outcome.as_deref())?,
            outcome_note: r.outcome_note,
            review_on: r.review_on,
            refused_due_date: r.refused_due_date,
            refused_return: r.refused_return,
        })
    }
}

/// A meeting's agenda items in order.
pub fn agenda_items(conn: &mut DbConn, meeting: MeetingId) -> Result<Vec<StoredItem>> {
    items_of(conn, &[meeting]).map(|mut by_meeting| by_meeting.pop().map(|(_, items)| items).unwrap_or_default())
}

/// The agenda items of several meetings in one query, in order, grouped by meeting (in
/// the order given; a meeting without items is left out).
pub fn items_of(conn: &mut DbConn, meetings: &[MeetingId]) -> Result<Vec<(MeetingId, Vec<StoredItem>)>> {
    let ids: Vec<String> = meetings.iter().map(|m| m.to_string()).collect();
    // Each item's issue's urgency in the same query (the full table: this module's own
    // `issues` is the planner's narrow view).
    use crate::schema::issues as full;
    let rows: Vec<(String, ItemRow, Option<String>)> = agenda_items::table
        .left_join(full::table.on(full::id.nullable().eq(agenda_items::issue_id)))
        .filter(agenda_items::meeting_id.eq_any(&ids))
        .order((agenda_items::meeting_id, agenda_items::position))
        .select((agenda_items::meeting_id, ItemRow::as_select(), full::urgency.nullable()))
        .load(conn)?;
    let mut grouped: HashMap<String, Vec<StoredItem>> = HashMap::new();
    for (meeting, row, urgency) in rows {
        grouped.entry(meeting).or_default().push((row, urgency).try_into()?);
    }
    Ok(meetings.iter().filter_map(|m| Some((*m, grouped.remove(&m.to_string())?))).collect())
}

/// The issues the secretary dropped from a meeting's agenda.
pub fn dropped_issues(conn: &mut DbConn, meeting: MeetingId) -> Result<Vec<IssueId>> {
    let ids: Vec<String> = agenda_drops::table
        .filter(agenda_drops::meeting_id.eq(meeting.to_string()))
        .select(agenda_drops::issue_id)
        .load(conn)?;
    ids.iter().map(|i| parse("issue id", i)).collect()
}

/// Adds items to an agenda that can still change, each after the last item of its
/// section (so a late follow-up item stays in the follow-up). Returns how many.
pub fn add_items(conn: &mut DbConn, meeting: &Meeting, added: &[AgendaItem], now: DateTime<Utc>) -> Result<usize> {
    crate::db::atomically(conn, |conn| {
        let existing = agenda_items(conn, meeting.id)?;
        // The new order: every existing item, each late item after its section's last.
        let mut order: Vec<Option<&AgendaItem>> = existing.iter().map(|_| None).collect();
        let mut sections: Vec<Section> = existing.iter().map(|i| i.section).collect();
        for item in added {
            let at = sections.iter().rposition(|s| *s <= item.section).map_or(0, |p| p + 1);
            order.insert(at, Some(item));
            sections.insert(at, item.section);
        }
        let mut old = existing.iter();
        for (position, slot) in order.iter().enumerate() {
            match slot {
                None => {
                    let item = old.next().ok_or_else(|| StoreError::Corrupt("agenda order".into()))?;
                    diesel::update(agenda_items::table.find(&item.id))
                        .set(agenda_items::position.eq(position as i32))
                        .execute(conn)?;
                }
                Some(item) => insert_item(conn, meeting, position, item, now)?,
            }
        }
        Ok(added.len())
    })
}

/// How many times a job has run for a slot (0 or 1), for tests and tools.
pub fn job_runs_of(conn: &mut DbConn, job: &str) -> Result<Vec<(String, String)>> {
    Ok(job_runs::table
        .filter(job_runs::job.eq(job))
        .order(job_runs::slot)
        .select((job_runs::slot, job_runs::instance))
        .load(conn)?)
}

/// The issue ids on a stored agenda, for tests and tools.
pub fn issue_ids(items: &[StoredItem]) -> Vec<IssueId> {
    items.iter().filter_map(|i| i.issue_id).collect()
}

/// The items a meeting did not get to or deferred, to carry to the next: (issue, title).
pub fn unfinished_items(conn: &mut DbConn, meeting: MeetingId) -> Result<Vec<(Option<IssueId>, String)>> {
    let rows: Vec<(Option<String>, String, String)> = agenda_items::table
        .filter(agenda_items::meeting_id.eq(meeting.to_string()))
        .filter(agenda_items::outcome.is_null().or(agenda_items::outcome.eq(ItemOutcome::Deferred.as_str())))
        // As core's `carried_when_unreached` says, in SQL.
        .filter(agenda_items::section.eq_any(CARRIED_SECTIONS.map(Section::as_str)))
        .filter(agenda_items::reason.ne(Reason::OtherBusiness.as_str()))
        .order(agenda_items::position)
        .select((agenda_items::issue_id, agenda_items::title, agenda_items::section))
        .load(conn)?;
    rows.into_iter().map(|(issue, title, _)| Ok((issue.map(|i| parse("issue id", &i)).transpose()?, title))).collect()
}

/// Edits an agenda while it can change — a draft, or the agenda of an open meeting:
/// `order` lists items to put first, in that order (the others follow in their order;
/// nothing is dropped by leaving it out); `drop` removes items, but never a fixed
/// section's item nor one with a recorded outcome (`Protected`); `added` items (section,
/// title, minutes) go last. `Conflict` when the agenda is fixed (published and the meeting
/// not open, or the meeting closed).
/// An item the secretary adds to an agenda: a topic of its own, or an issue (raised at the
/// meeting, say, after the agenda was out), by its title.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Added {
    pub section: Section,
    pub title: String,
    pub minutes: i32,
    pub issue: Option<IssueId>,
}

pub fn edit_agenda(
    conn: &mut DbConn,
    meeting: &Meeting,
    order: &[String],
    drop: &[String],
    added: &[Added],
    now: DateTime<Utc>,
) -> Result<()> {
    crate::db::atomically(conn, |conn| {
        let (agenda, status): (String, String) = meetings::table
            .find(meeting.id.to_string())
            .select((meetings::agenda_status, meetings::status))
            .first(conn)?;
        // Read as the enums they are (an unknown name is Corrupt, not "not a draft").
        let agenda: AgendaStatus = parse("agenda status", &agenda)?;
        let status: roundtable_core::MeetingStatus = parse("meeting status", &status)?;
        if agenda != AgendaStatus::Draft && status != roundtable_core::MeetingStatus::Open {
            return Err(StoreError::Conflict { current: 0 });
        }
        let existing: Vec<StoredItem> = agenda_items(conn, meeting.id)?;
        let known = |id: &String| existing.iter().any(|i| &i.id == id);
        if let Some(unknown) = order.iter().chain(drop).find(|id| !known(id)) {
            return Err(StoreError::UnknownItem(unknown.clone()));
        }
        if let Some(kept) =
            existing.iter().find(|i| drop.contains(&i.id) && (is_fixed(i.section, i.reason) || i.outcome.is_some()))
        {
            return Err(StoreError::Protected(kept.id.clone()));
        }
        let mut sequence: Vec<&String> = Vec::new();
        for id in order.iter().chain(existing.iter().map(|i| &i.id)) {
            if !drop.contains(id) && !sequence.contains(&id) {
                sequence.push(id);
            }
        }
        // Remember the issues dropped, so that late additions leave them out.
        let already = dropped_issues(conn, meeting.id)?;
        for issue in existing.iter().filter(|i| drop.contains(&i.id)).filter_map(|i| i.issue_id) {
            if !already.contains(&issue) {
                diesel::insert_into(agenda_drops::table)
                    .values((
                        agenda_drops::meeting_id.eq(meeting.id.to_string()),
                        agenda_drops::issue_id.eq(issue.to_string()),
                        agenda_drops::community_id.eq(meeting.community.to_string()),
                        agenda_drops::dropped_at.eq(ts(now)),
                    ))
                    .execute(conn)?;
            }
        }
        diesel::delete(
            agenda_items::table
                .filter(agenda_items::meeting_id.eq(meeting.id.to_string()))
                .filter(agenda_items::id.eq_any(drop)),
        )
        .execute(conn)?;
        for (position, id) in sequence.iter().enumerate() {
            diesel::update(agenda_items::table.find(*id))
                .set(agenda_items::position.eq(position as i32))
                .execute(conn)?;
        }
        let order = sequence;
        for (n, Added { section, title, minutes, issue }) in added.iter().enumerate() {
            // Once on an agenda: a unique index keeps it so against a concurrent edit too.
            let listed = |i: &StoredItem| i.issue_id == *issue && !drop.contains(&i.id);
            if issue.is_some() && existing.iter().any(listed) {
                return Err(StoreError::Duplicate("the issue's item on this agenda".into()));
            }
            diesel::insert_into(agenda_items::table)
                .values((
                    agenda_items::id.eq(uuid::Uuid::now_v7().to_string()),
                    agenda_items::community_id.eq(meeting.community.to_string()),
                    agenda_items::meeting_id.eq(meeting.id.to_string()),
                    agenda_items::position.eq((order.len() + n) as i32),
                    agenda_items::section.eq(section.as_str()),
                    agenda_items::reason.eq(Reason::Added.as_str()),
                    agenda_items::title.eq(title),
                    agenda_items::issue_id.eq(issue.map(|i| i.to_string())),
                    agenda_items::minutes_allowed.eq(*minutes),
                    agenda_items::in_appendix.eq(false),
                    agenda_items::created_at.eq(ts(now)),
                ))
                .execute(conn)
                .map_err(StoreError::from_insert("the issue's item on this agenda"))?;
        }
        Ok(())
    })
}
