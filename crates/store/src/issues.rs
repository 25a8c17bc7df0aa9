//! Issues, their timeline and the outbox rows their transitions produce.
//!
//! A state change is one transaction: the issue row is updated only if it is still at
//! the version the change was computed from, then the event and the outbox rows are
//! appended. A lost race is `StoreError::Conflict`, never a half-written change.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use roundtable_core::{
    BuildingId, Commitment, CommunityId, CompoundId, Effect, Event, ExtensionRequest, Issue, IssueId, IssueState,
    OrgId, Outcome, ProxyReport, ReturnRequest, TransitionFields, Urgency, UserId, Verification,
};

use crate::convert::{id_opt, parse, parse_opt, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::{commitments, follows, issue_events, issues, outbox, proxy_reports, raise_keys, supports, users};

// Inserted with NULL for `None` (no column of theirs has a default): SQL of one shape,
// which SQLite prepares once instead of for every write (docs/performance.md).
#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = issues, treat_none_as_null = true, treat_none_as_default_value = false)]
pub(crate) struct IssueRow {
    pub(crate) id: String,
    community_id: String,
    workflow: String,
    state: String,
    title: String,
    description: String,
    category: String,
    compound_id: String,
    building_id: Option<String>,
    unit: Option<String>,
    raised_by: String,
    raised_by_org: Option<String>,
    responsible_org: Option<String>,
    commitment_text: Option<String>,
    commitment_due: Option<NaiveDate>,
    committed_by: Option<String>,
    committed_by_org: Option<String>,
    commitment_meeting: Option<String>,
    committed_at: Option<NaiveDateTime>,
    resolution_note: Option<String>,
    verification: Option<String>,
    duplicate_of: Option<String>,
    closing_reason: Option<String>,
    support_count: i32,
    reopen_count: i32,
    version: i32,
    #[diesel(deserialize_as = crate::convert::FastTs)]
    created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::convert::FastTs)]
    updated_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::convert::FastTs)]
    state_entered_at: NaiveDateTime,
    extension: Option<String>,
    /// NULL for routine, the usual urgency.
    urgency: Option<String>,
}

/// What the `extension` column holds (absent: never extended, nothing requested): the
/// extensions and the responsible party's requests awaiting the secretary.
#[derive(serde::Serialize, serde::Deserialize)]
struct ExtensionColumn {
    count: u32,
    /// When the due date was last set, if an extension set it.
    dated_at: Option<DateTime<Utc>>,
    request: Option<ExtensionRequest>,
    /// A request to be relieved of the issue (申请退回). Beside the extension's own
    /// request, not in it: the database reads `request.at` as "an extension is asked".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    returning: Option<ReturnRequest>,
}

impl From<&Issue> for IssueRow {
    fn from(i: &Issue) -> Self {
        let c = i.commitment.as_ref();
        let v = i.verification.as_ref();
        IssueRow {
            id: i.id.to_string(),
            community_id: i.community.to_string(),
            workflow: i.workflow.clone(),
            state: i.state.to_string(),
            title: i.title.clone(),
            description: i.description.clone(),
            category: i.category.clone(),
            compound_id: i.compound.to_string(),
            building_id: id_opt(i.building),
            unit: i.unit.clone(),
            raised_by: i.raised_by.to_string(),
            raised_by_org: id_opt(i.raised_by_org),
            responsible_org: id_opt(i.responsible_org),
            commitment_text: c.map(|c| c.text.clone()),
            commitment_due: c.map(|c| c.due_date),
            committed_by: c.map(|c| c.committed_by.to_string()),
            committed_by_org: c.and_then(|c| id_opt(c.committed_by_org)),
            commitment_meeting: c.and_then(|c| id_opt(c.meeting)),
            committed_at: c.map(|c| ts(c.committed_at)),
            resolution_note: i.resolution_note.clone(),
            verification: v.and_then(|v| serde_json::to_string(v).ok()),
            duplicate_of: id_opt(i.duplicate_of),
            closing_reason: i.closing_reason.clone(),
            support_count: i.support_count as i32,
            reopen_count: i.reopen_count as i32,
            version: i.version as i32,
            created_at: ts(i.created_at),
            updated_at: ts(i.updated_at),
            state_entered_at: ts(i.state_entered_at),
            extension: (i.extension_count > 0 || i.extension_request.is_some() || i.return_request.is_some())
                .then(|| ExtensionColumn {
                    count: i.extension_count,
                    dated_at: c.map(|c| c.dated_at).filter(|d| *d != c.map_or(*d, |c| c.committed_at)),
                    request: i.extension_request.clone(),
                    returning: i.return_request.clone(),
                })
                .and_then(|x| serde_json::to_string(&x).ok()),
            urgency: (i.urgency != Urgency::Routine).then(|| i.urgency.to_string()),
        }
    }
}

impl TryFrom<IssueRow> for Issue {
    type Error = StoreError;
    fn try_from(r: IssueRow) -> Result<Issue> {
        let extension = r
            .extension
            .map(|v| serde_json::from_str::<ExtensionColumn>(&v))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("extension: {e}")))?;
        let dated_at = extension.as_ref().and_then(|x| x.dated_at);
        let commitment = match (r.commitment_text, r.commitment_due, r.committed_by, r.committed_at) {
            (Some(text), Some(due_date), Some(by), Some(at)) => Some(Commitment {
                text,
                due_date,
                committed_by: parse("user id", &by)?,
                committed_by_org: parse_opt("organisation id", r.committed_by_org.as_deref())?,
                meeting: parse_opt("meeting id", r.commitment_meeting.as_deref())?,
                committed_at: utc(at),
                dated_at: dated_at.unwrap_or(utc(at)),
            }),
            _ => None,
        };
        let verification = r
            .verification
            .map(|v| serde_json::from_str::<Verification>(&v))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("verification: {e}")))?;
        Ok(Issue {
            id: parse("issue id", &r.id)?,
            community: parse("community id", &r.community_id)?,
            workflow: r.workflow,
            state: IssueState::new(r.state),
            title: r.title,
            description: r.description,
            category: r.category,
            urgency: parse_opt("urgency", r.urgency.as_deref())?.unwrap_or_default(),
            compound: parse("compound id", &r.compound_id)?,
            building: parse_opt("building id", r.building_id.as_deref())?,
            unit: r.unit,
            raised_by: parse("user id", &r.raised_by)?,
            raised_by_org: parse_opt("organisation id", r.raised_by_org.as_deref())?,
            responsible_org: parse_opt("organisation id", r.responsible_org.as_deref())?,
            commitment,
            resolution_note: r.resolution_note,
            verification,
            duplicate_of: parse_opt("issue id", r.duplicate_of.as_deref())?,
            closing_reason: r.closing_reason,
            support_count: r.support_count.max(0) as u32,
            reopen_count: r.reopen_count.max(0) as u32,
            extension_count: extension.as_ref().map_or(0, |x| x.count),
            return_request: extension.as_ref().and_then(|x| x.returning.clone()),
            extension_request: extension.and_then(|x| x.request),
            version: r.version.max(0) as u32,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            state_entered_at: utc(r.state_entered_at),
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = issue_events, treat_none_as_default_value = false)]
pub(crate) struct EventRow {
    id: String,
    community_id: String,
    issue_id: String,
    version: i32,
    transition: String,
    from_state: Option<String>,
    to_state: String,
    actor_id: String,
    actor_org: Option<String>,
    at: NaiveDateTime,
    fields: String,
}

impl EventRow {
    fn new(community: CommunityId, e: &Event) -> Result<Self> {
        Ok(EventRow {
            id: e.id.to_string(),
            community_id: community.to_string(),
            issue_id: e.issue.to_string(),
            version: e.version as i32,
            transition: e.transition.clone(),
            from_state: e.from.as_ref().map(|s| s.to_string()),
            to_state: e.to.to_string(),
            actor_id: e.actor.to_string(),
            actor_org: id_opt(e.actor_org),
            at: ts(e.at),
            fields: serde_json::to_string(&e.fields).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<Event> {
        Ok(Event {
            id: parse("event id", &r.id)?,
            issue: parse("issue id", &r.issue_id)?,
            version: r.version.max(0) as u32,
            transition: r.transition,
            from: r.from_state.map(IssueState::new),
            to: IssueState::new(r.to_state),
            actor: parse("user id", &r.actor_id)?,
            actor_org: parse_opt("organisation id", r.actor_org.as_deref())?,
            at: utc(r.at),
            fields: serde_json::from_str::<TransitionFields>(&r.fields)
                .map_err(|e| StoreError::Corrupt(format!("event fields: {e}")))?,
        })
    }
}

/// The outbox rows of each effect of a step: its mail row and a copy for each channel its
/// audience has (the dispatcher resolves mail recipients). Reads only.
fn effect_rows(
    conn: &mut DbConn,
    issue: &Issue,
    event: &Event,
    effects: &[Effect],
) -> Result<Vec<crate::outbox::OutboxRow>> {
    use roundtable_core::Audience;
    let mut parties = crate::channels::Parties {
        responsible: issue.responsible_org,
        raiser: Some(issue.raised_by),
        ..Default::default()
    };
    if effects.iter().any(|e| e.audiences().contains(&Audience::PreviousResponsible)) {
        parties.previous = roundtable_core::issue::responsible_before(&timeline(conn, issue.id)?, event.version);
    }
    let mut rows = Vec::new();
    for effect in effects {
        let row = crate::outbox::NewRow::new(
            &issue.community.to_string(),
            effect.as_str(),
            Some(issue.id.to_string()),
            Some(event.id.to_string()),
            "{}".into(),
            None,
            event.at,
        );
        let channels = crate::channels::reaching(conn, issue.community, effect.audiences(), &parties)?;
        rows.extend(crate::outbox::rows_with_channels(&row, &channels));
    }
    Ok(rows)
}

/// A newly raised issue's rows, made before the write: on SQLite one thread runs the
/// writes one after another, so what can be done outside it is (docs/performance.md).
pub struct NewIssueRows {
    issue: IssueRow,
    event: EventRow,
    doc: crate::search::SearchDoc,
    ids: (IssueId, CommunityId, UserId),
    at: DateTime<Utc>,
}

impl NewIssueRows {
    pub fn new(issue: &Issue, event: &Event) -> Result<NewIssueRows> {
        Ok(NewIssueRows {
            issue: IssueRow::from(issue),
            event: EventRow::new(issue.community, event)?,
            doc: crate::search::SearchDoc::of(issue),
            ids: (issue.id, issue.community, issue.raised_by),
            at: event.at,
        })
    }
}

/// Stores a newly raised issue with its first event, in one transaction.
pub fn insert_issue(conn: &mut DbConn, issue: &Issue, event: &Event) -> Result<()> {
    insert_new_issue(conn, &NewIssueRows::new(issue, event)?)
}

/// Stores the rows of a newly raised issue, in one transaction.
pub fn insert_new_issue(conn: &mut DbConn, rows: &NewIssueRows) -> Result<()> {
    let (id, community, raiser) = rows.ids;
    // The raiser follows what becomes of it.
    let follow = crate::notices::NewFollow::new(id, community, raiser, true, rows.at);
    let issue = diesel::insert_into(issues::table).values(&rows.issue);
    let event = diesel::insert_into(issue_events::table).values(&rows.event);
    let follow = diesel::insert_into(follows::table).values(&follow);
    let doc = crate::search::InsertDoc { doc: &rows.doc, racing: false };
    // On PostgreSQL one statement, atomic on its own: five round trips fewer a raised issue.
    crate::db::atomically(conn, |conn| {
        crate::db::insert_all(conn, &[&issue, &event, &follow, &doc]).map_err(StoreError::from_insert("issue"))
    })
}

/// What a keyed request was sent with: the key its sender chose (a page's form, an API
/// client's `Idempotency-Key`, scoped by the caller: `open311:…`, `transition:…`) and the
/// fingerprint of what it asked for. The `raise_keys` table holds them all, raises first
/// among them: each names the issue its request made or changed.
#[derive(Clone, Debug)]
pub struct RequestKey {
    pub key: String,
    pub fingerprint: String,
}

/// Records the key `user` sent a request about `issue` with, at `at`, in the request's
/// transaction — first in it, so that a concurrent repeat waits here (PostgreSQL; on
/// SQLite the writer runs them one after the other) instead of racing the first to the
/// issue's row. A key `user` sent before fails the request — rolling it back — with
/// `KeySentBefore`, naming the issue the first one was about.
pub fn remember_key(conn: &mut DbConn, user: UserId, issue: &Issue, at: DateTime<Utc>, key: &RequestKey) -> Result<()> {
    use crate::db::DbConn as C;
    let user = user.to_string();
    let row = (
        raise_keys::user_id.eq(&user),
        raise_keys::key.eq(&key.key),
        raise_keys::community_id.eq(issue.community.to_string()),
        raise_keys::issue_id.eq(issue.id.to_string()),
        raise_keys::fingerprint.eq(&key.fingerprint),
        raise_keys::created_at.eq(ts(at)),
    );
    // `on_conflict_do_nothing` does not compile through the MultiConnection enum.
    let inserted = match conn {
        C::Pg(pg) => diesel::insert_into(raise_keys::table).values(row).on_conflict_do_nothing().execute(pg)?,
        C::Sqlite(lite) => diesel::insert_into(raise_keys::table).values(row).on_conflict_do_nothing().execute(lite)?,
    };
    if inserted > 0 {
        return Ok(());
    }
    let (first, fingerprint): (String, String) = raise_keys::table
        .find((&user, &key.key))
        .select((raise_keys::issue_id, raise_keys::fingerprint))
        .first(conn)?;
    Err(StoreError::KeySentBefore { issue: parse("issue id", &first)?, same: fingerprint == key.fingerprint })
}

/// The issue `user`'s request with `key` was about, and that request's fingerprint, if
/// `user` sent one with it.
pub fn key_sent(conn: &mut DbConn, user: UserId, key: &str) -> Result<Option<(IssueId, String)>> {
    let found = raise_keys::table
        .find((user.to_string(), key))
        .select((raise_keys::issue_id, raise_keys::fingerprint))
        .first::<(String, String)>(conn)
        .optional()?;
    found.map(|(issue, fingerprint)| Ok((parse("issue id", &issue)?, fingerprint))).transpose()
}

/// Forgets the request keys remembered before `before`; returns how many. A key sent
/// again after that is a new request, as the README says: the table holds a window, not
/// the past.
pub fn forget_raise_keys(conn: &mut DbConn, before: DateTime<Utc>) -> Result<usize> {
    Ok(diesel::delete(raise_keys::table.filter(raise_keys::created_at.lt(ts(before)))).execute(conn)?)
}

/// An issue written over its stored row if that is still at version `expected`. Written
/// out by hand as a query type of its own: diesel never caches an UPDATE's prepared
/// statement (its changesets may skip columns), nor hand-written `sql_query` SQL, and a
/// transition's update runs in the SQLite writer, one write after another, where
/// preparing it afresh was an eighth of the work (docs/performance.md). A type of its own
/// is prepared once per connection and found again by its type.
struct UpdateIssue<'a> {
    row: &'a IssueRow,
    expected: i32,
}

impl<DB> diesel::query_builder::QueryFragment<DB> for UpdateIssue<'_>
where
    DB: diesel::backend::Backend,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
    NaiveDate: diesel::serialize::ToSql<diesel::sql_types::Date, DB>,
    NaiveDateTime: diesel::serialize::ToSql<diesel::sql_types::Timestamp, DB>,
    DB: diesel::sql_types::HasSqlType<diesel::sql_types::Text>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Date>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Timestamp>,
{
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, DB>) -> QueryResult<()> {
        use diesel::sql_types::{Date, Integer, Nullable, Text, Timestamp};
        let r = self.row;
        out.push_sql("UPDATE issues SET community_id = ");
        out.push_bind_param::<Text, _>(&r.community_id)?;
        // `, column = ?` for each further column, bound from the row's field of that name.
        macro_rules! set {
            ($($column:ident: $ty:ty),* $(,)?) => {
                $(
                    out.push_sql(concat!(", ", stringify!($column), " = "));
                    out.push_bind_param::<$ty, _>(&r.$column)?;
                )*
            };
        }
        set!(
            workflow: Text,
            state: Text,
            title: Text,
            description: Text,
            category: Text,
            compound_id: Text,
            building_id: Nullable<Text>,
            unit: Nullable<Text>,
            raised_by: Text,
            raised_by_org: Nullable<Text>,
            responsible_org: Nullable<Text>,
            commitment_text: Nullable<Text>,
            commitment_due: Nullable<Date>,
            committed_by: Nullable<Text>,
            committed_by_org: Nullable<Text>,
            commitment_meeting: Nullable<Text>,
            committed_at: Nullable<Timestamp>,
            resolution_note: Nullable<Text>,
            verification: Nullable<Text>,
            duplicate_of: Nullable<Text>,
            closing_reason: Nullable<Text>,
            reopen_count: Integer,
            version: Integer,
            created_at: Timestamp,
            updated_at: Timestamp,
            state_entered_at: Timestamp,
            extension: Nullable<Text>,
            urgency: Nullable<Text>,
        );
        out.push_sql(", overdue_since = NULL WHERE id = ");
        out.push_bind_param::<Text, _>(&r.id)?;
        out.push_sql(" AND version = ");
        out.push_bind_param::<Integer, _>(&self.expected)?;
        Ok(())
    }
}

/// One statement, whatever the values: its cache key is its type.
impl diesel::query_builder::QueryId for UpdateIssue<'_> {
    type QueryId = UpdateIssue<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Conn> RunQueryDsl<Conn> for UpdateIssue<'_> {}

/// Persists a transition computed by core from the issue at `outcome.issue.version - 1`:
/// the issue, its event, a commitment history row if one was made, and the outbox rows.
pub fn record_transition(conn: &mut DbConn, outcome: &Outcome) -> Result<()> {
    let expected = outcome.issue.version as i32 - 1;
    let row = IssueRow::from(&outcome.issue);
    let event_row = EventRow::new(outcome.issue.community, &outcome.event)?;
    crate::db::atomically(conn, |conn| {
        // The write comes first, so SQLite takes its write lock at once (no read→write upgrade).
        // Each statement of one shape, on the backend's own connection: a transition runs
        // in the SQLite writer, one after another, where writing and preparing SQL
        // afresh each time was a third of the work (docs/performance.md).
        let update = UpdateIssue { row: &row, expected };
        let updated = crate::on_backend!(conn, |c| update.execute(c))?;
        if updated == 0 {
            let current: Option<i32> = issues::table.find(&row.id).select(issues::version).first(conn).optional()?;
            return Err(match current {
                Some(v) => StoreError::Conflict { current: v.max(0) as u32 },
                None => StoreError::NotFound,
            });
        }
        // Who is told and by which channels, read before the step's rows are written
        // together below.
        let notices = crate::notices::notices_of(conn, &outcome.issue, &outcome.event, &outcome.effects)?;
        let queued = effect_rows(conn, &outcome.issue, &outcome.event, &outcome.effects)?;
        let commitment = CommitmentRow::of(outcome, &row);
        let event = diesel::insert_into(issue_events::table).values(&event_row);
        let commitment = commitment.as_ref().map(|c| diesel::insert_into(commitments::table).values(c));
        let notices: Vec<_> =
            notices.iter().map(|n| diesel::insert_into(crate::schema::notices::table).values(n)).collect();
        let queued: Vec<_> = queued.iter().map(|q| diesel::insert_into(outbox::table).values(q)).collect();
        let mut rows: Vec<&dyn crate::db::Insert> = vec![&event];
        rows.extend(commitment.iter().map(|c| c as &dyn crate::db::Insert));
        rows.extend(notices.iter().map(|n| n as &dyn crate::db::Insert));
        rows.extend(queued.iter().map(|q| q as &dyn crate::db::Insert));
        crate::db::insert_all(conn, &rows).map_err(|e| match e {
            // Another writer already recorded this version: only possible when a row was
            // changed behind the version check's back; report it as the conflict it is.
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                StoreError::Conflict { current: outcome.issue.version }
            }
            other => StoreError::Database(other),
        })
    })
}

/// A row of the commitment history: a promise made, or an extension of it with its old
/// date, by the step that made it.
#[derive(Insertable)]
#[diesel(table_name = commitments, treat_none_as_default_value = false)]
struct CommitmentRow {
    id: String,
    community_id: String,
    issue_id: String,
    meeting_id: Option<String>,
    org_id: Option<String>,
    text: String,
    due_date: NaiveDate,
    committed_by: String,
    committed_at: NaiveDateTime,
    extended_from: Option<NaiveDate>,
    reason: Option<String>,
}

impl CommitmentRow {
    /// The step's history row, if it promised or extended.
    fn of(outcome: &Outcome, row: &IssueRow) -> Option<CommitmentRow> {
        let promised = outcome.event.fields.commitment_text.is_some() || outcome.extension.is_some();
        let c = outcome.issue.commitment.as_ref().filter(|_| promised)?;
        let x = outcome.extension.as_ref();
        Some(CommitmentRow {
            id: outcome.event.id.to_string(),
            community_id: row.community_id.clone(),
            issue_id: row.id.clone(),
            meeting_id: id_opt(x.map_or(c.meeting, |x| x.meeting)),
            org_id: id_opt(c.committed_by_org),
            text: c.text.clone(),
            due_date: c.due_date,
            committed_by: x.map_or(c.committed_by, |x| x.by).to_string(),
            committed_at: ts(x.map_or(c.committed_at, |x| x.at)),
            extended_from: x.map(|x| x.from),
            reason: x.map(|x| x.reason.as_str().to_owned()),
        })
    }
}

pub fn get_issue(conn: &mut DbConn, id: IssueId) -> Result<Issue> {
    let id = id.to_string();
    // The selection names its backend, so the query is built in each arm.
    let row: Option<IssueRow> =
        crate::on_backend!(conn, |c| issues::table.find(&id).select(IssueRow::as_select()).get_result(c).optional())?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// What an issue's reads take of its raiser: name and contact data.
const RAISER: (users::display_name, users::email, users::phone) = (users::display_name, users::email, users::phone);
type RaiserRow = (String, Option<String>, Option<String>);

fn with_raiser(row: IssueRow, (display_name, email, phone): RaiserRow) -> Result<(Issue, crate::directory::Person)> {
    let issue = Issue::try_from(row)?;
    let raiser = crate::directory::Person { id: issue.raised_by, display_name, email, phone };
    Ok((issue, raiser))
}

/// An issue with its raiser's name and contact data, in one query.
pub fn get_with_raiser(conn: &mut DbConn, id: IssueId) -> Result<(Issue, crate::directory::Person)> {
    let id = id.to_string();
    let row: Option<(IssueRow, RaiserRow)> = crate::on_backend!(conn, |c| issues::table
        .inner_join(users::table.on(users::id.eq(issues::raised_by)))
        .filter(issues::id.eq(&id))
        .select((IssueRow::as_select(), RAISER))
        .get_result(c)
        .optional())?;
    let (row, raiser) = row.ok_or(StoreError::NotFound)?;
    with_raiser(row, raiser)
}

/// What an issue's page shows beside the issue, for one reader.
#[derive(Clone, Debug, PartialEq)]
pub struct Beside {
    /// The households it was raised for (代报).
    pub proxy: Option<ProxyReport>,
    /// The reader follows it: by their own decision, else as a member of its responsible
    /// company.
    pub following: bool,
    /// Whether there is anything to read for these (then read on their own).
    pub has_duplicates: bool,
    pub has_photos: bool,
}

/// An issue, its raiser and [`Beside`] for `reader`, in one statement: what reading one
/// issue needs, for most issues (those without duplicates or photos) all of it. Two
/// statements were a quarter of the request's instructions each on SQLite (each its own
/// read transaction), two round trips on PostgreSQL (docs/performance.md).
pub fn get_for_reader(
    conn: &mut DbConn,
    id: IssueId,
    reader: UserId,
) -> Result<(Issue, crate::directory::Person, Beside)> {
    use crate::schema::{follows, memberships, photos};
    let (id, reader) = (id.to_string(), reader.to_string());
    type Around = (Option<i32>, Option<String>, Option<bool>, Option<String>, bool, bool);
    let decided = follows::issue_id.eq(issues::id).and(follows::user_id.eq(reader.clone()));
    // A member of the responsible company follows it unless they decided otherwise.
    let member = memberships::org_id.nullable().eq(issues::responsible_org).and(memberships::user_id.eq(reader));
    let row: Option<(IssueRow, RaiserRow, Around)> = crate::on_backend!(conn, |c| issues::table
        .inner_join(users::table.on(users::id.eq(issues::raised_by)))
        .left_join(proxy_reports::table.on(proxy_reports::issue_id.eq(issues::id)))
        .left_join(follows::table.on(decided))
        .left_join(memberships::table.on(member))
        .filter(issues::id.eq(&id))
        .select((
            IssueRow::as_select(),
            RAISER,
            (
                proxy_reports::households.nullable(),
                proxy_reports::contacts.nullable(),
                follows::following.nullable(),
                memberships::user_id.nullable(),
                // One column each: diesel walks every selected column each time it binds
                // the statement, and a subquery's whole row is 32 of them.
                diesel::dsl::exists(
                    DUPLICATES
                        .filter(DUPLICATES.field(issues::duplicate_of).eq(&id))
                        .select(DUPLICATES.field(issues::id)),
                ),
                diesel::dsl::exists(photos::table.filter(photos::issue_id.eq(&id)).select(photos::id)),
            ),
        ))
        .get_result(c)
        .optional())?;
    let (row, raiser, (households, contacts, decided, member, has_duplicates, has_photos)) =
        row.ok_or(StoreError::NotFound)?;
    let (issue, raiser) = with_raiser(row, raiser)?;
    let beside = Beside {
        proxy: proxy_report_of(households, contacts)?,
        following: decided.unwrap_or(member.is_some()),
        has_duplicates,
        has_photos,
    };
    Ok((issue, raiser, beside))
}

// The issues pointing at one as their original, in a subquery of a statement that reads
// `issues` itself.
diesel::alias!(const DUPLICATES: Alias<Duplicates> = issues as duplicates);

fn proxy_report_of(households: Option<i32>, contacts: Option<String>) -> Result<Option<ProxyReport>> {
    match (households, contacts) {
        (Some(households), Some(contacts)) => Ok(Some(ProxyReport {
            households: households.max(0) as u32,
            contacts: serde_json::from_str(&contacts)
                .map_err(|e| StoreError::Corrupt(format!("proxy contacts: {e}")))?,
        })),
        _ => Ok(None),
    }
}

/// [`Beside`] in one query of scalar subqueries. Reading one issue was seven queries —
/// seven round trips on PostgreSQL (docs/performance.md); an issue without duplicates
/// or photos now takes two.
pub fn beside(conn: &mut DbConn, issue: &Issue, reader: UserId) -> Result<Beside> {
    use crate::schema::{follows, memberships, photos};
    let (id, reader) = (issue.id.to_string(), reader.to_string());
    // No responsible company: an id no membership has.
    let org = issue.responsible_org.map(|o| o.to_string()).unwrap_or_default();
    let query = diesel::select((
        proxy_reports::table.find(id.clone()).select(proxy_reports::households).single_value(),
        proxy_reports::table.find(id.clone()).select(proxy_reports::contacts).single_value(),
        follows::table
            .filter(follows::issue_id.eq(id.clone()))
            .filter(follows::user_id.eq(reader.clone()))
            .select(follows::following)
            .single_value(),
        diesel::dsl::exists(
            memberships::table.filter(memberships::org_id.eq(org)).filter(memberships::user_id.eq(reader)),
        ),
        diesel::dsl::exists(issues::table.filter(issues::duplicate_of.eq(id.clone())).select(issues::id)),
        diesel::dsl::exists(photos::table.filter(photos::issue_id.eq(id)).select(photos::id)),
    ));
    type Row = (Option<i32>, Option<String>, Option<bool>, bool, bool, bool);
    let (households, contacts, decided, member, has_duplicates, has_photos): Row =
        crate::on_backend!(conn, |c| query.get_result(c))?;
    Ok(Beside {
        proxy: proxy_report_of(households, contacts)?,
        following: decided.unwrap_or(member),
        has_duplicates,
        has_photos,
    })
}

/// Several issues in one query (those that exist; in no particular order).
pub fn get_issues(conn: &mut DbConn, ids: &[IssueId]) -> Result<Vec<Issue>> {
    let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let rows: Vec<IssueRow> = issues::table.filter(issues::id.eq_any(&ids)).select(IssueRow::as_select()).load(conn)?;
    rows.into_iter().map(Issue::try_from).collect()
}

/// What one person did on the tracker (their personal data, for an export).
pub struct PersonsRecord {
    pub raised: Vec<Issue>,
    pub steps: Vec<Event>,
    /// The issues they support: id and title.
    pub supported: Vec<(IssueId, String)>,
}

pub fn of_person(conn: &mut DbConn, user: UserId) -> Result<PersonsRecord> {
    let raised: Vec<IssueRow> = issues::table
        .filter(issues::raised_by.eq(user.to_string()))
        .order(issues::id)
        .select(IssueRow::as_select())
        .load(conn)?;
    let steps: Vec<EventRow> = issue_events::table
        .filter(issue_events::actor_id.eq(user.to_string()))
        .order(issue_events::at)
        .select(EventRow::as_select())
        .load(conn)?;
    let supported: Vec<(String, String)> = supports::table
        .inner_join(issues::table.on(issues::id.eq(supports::issue_id)))
        .filter(supports::user_id.eq(user.to_string()))
        .order(supports::created_at)
        .select((issues::id, issues::title))
        .load(conn)?;
    Ok(PersonsRecord {
        raised: raised.into_iter().map(Issue::try_from).collect::<Result<_>>()?,
        steps: steps.into_iter().map(Event::try_from).collect::<Result<_>>()?,
        supported: supported
            .into_iter()
            .map(|(id, title)| Ok((parse("issue id", &id)?, title)))
            .collect::<Result<_>>()?,
    })
}

/// An issue's timeline, oldest first.
/// One line of an issue's commitment history: a promise, or the extension of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentRecord {
    pub text: String,
    pub due_date: NaiveDate,
    /// The date before an extension moved it; `None` for a promise made afresh.
    pub extended_from: Option<NaiveDate>,
    pub reason: Option<String>,
    /// Who committed, or who granted the extension.
    pub by: UserId,
    pub org: Option<OrgId>,
    pub meeting: Option<roundtable_core::MeetingId>,
    pub at: DateTime<Utc>,
}

/// When a community's issues were raised, and when they were resolved.
#[derive(Default)]
pub struct Flow {
    pub raised: Vec<DateTime<Utc>>,
    pub resolved: Vec<DateTime<Utc>>,
    /// When each issue still open (in none of the given closed states) was raised.
    pub open_since: Vec<DateTime<Utc>>,
    /// Each promise due since `since`: whether and when it fell due unkept.
    pub due: Vec<Due>,
}

/// A promise's due date, whether it is still open or paused, and when the issue was last
/// resolved.
pub struct Due {
    pub date: NaiveDate,
    pub committed: bool,
    /// When it was paused, if it is: a pause after the due date does not mend the promise.
    pub paused_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// The [`Flow`] since `since` (for the month-by-month chart; four queries of a few
/// columns each).
pub fn flow_since(
    conn: &mut DbConn,
    community: CommunityId,
    since: DateTime<Utc>,
    closed_states: &[String],
) -> Result<Flow> {
    let open_since: Vec<NaiveDateTime> = issues::table
        .filter(issues::community_id.eq(community.to_string()))
        .filter(issues::state.ne_all(closed_states.to_vec()))
        .select(issues::created_at)
        .load(conn)?;
    let raised: Vec<NaiveDateTime> = issues::table
        .filter(issues::community_id.eq(community.to_string()))
        .filter(issues::created_at.ge(ts(since)))
        .select(issues::created_at)
        .load(conn)?;
    let resolved: Vec<(String, NaiveDateTime)> = issue_events::table
        .filter(issue_events::community_id.eq(community.to_string()))
        .filter(issue_events::to_state.eq(IssueState::RESOLVED))
        .filter(issue_events::at.ge(ts(since)))
        .select((issue_events::issue_id, issue_events::at))
        .load(conn)?;
    let promised: Vec<(String, NaiveDate, bool, bool, NaiveDateTime)> = issues::table
        .filter(issues::community_id.eq(community.to_string()))
        .filter(issues::commitment_due.ge(since.date_naive()))
        .select((
            issues::id,
            issues::commitment_due.assume_not_null(),
            issues::state.eq(IssueState::COMMITTED),
            issues::state.eq(IssueState::PAUSED),
            issues::state_entered_at,
        ))
        .load(conn)?;
    let mut last_resolved: std::collections::HashMap<&str, NaiveDateTime> = std::collections::HashMap::new();
    for (id, at) in &resolved {
        let latest = last_resolved.entry(id.as_str()).or_insert(*at);
        *latest = (*latest).max(*at);
    }
    let due = promised
        .iter()
        .map(|(id, date, committed, paused, entered)| Due {
            date: *date,
            committed: *committed,
            paused_at: paused.then(|| utc(*entered)),
            resolved_at: last_resolved.get(id.as_str()).copied().map(utc),
        })
        .collect();
    Ok(Flow {
        raised: raised.into_iter().map(utc).collect(),
        resolved: resolved.into_iter().map(|(_, at)| utc(at)).collect(),
        open_since: open_since.into_iter().map(utc).collect(),
        due,
    })
}

/// What each of `ids` waits for, if it was ever paused: the fields of the latest step
/// that said so (the pause itself; its reminders say nothing). One query, for a page of
/// the ledger's issues.
pub fn pauses(conn: &mut DbConn, ids: &[IssueId]) -> Result<std::collections::HashMap<IssueId, TransitionFields>> {
    let mut out = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let wanted: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<(String, String)> = issue_events::table
        .filter(issue_events::issue_id.eq_any(wanted))
        .filter(issue_events::to_state.eq(IssueState::PAUSED))
        .order((issue_events::issue_id, issue_events::version))
        .select((issue_events::issue_id, issue_events::fields))
        .load(conn)?;
    for (id, fields) in rows {
        let fields = serde_json::from_str::<TransitionFields>(&fields)
            .map_err(|e| StoreError::Corrupt(format!("event fields: {e}")))?;
        if fields.waiting_for.is_some() {
            out.insert(parse("issue id", &id)?, fields);
        }
    }
    Ok(out)
}

/// The community's open issues whose responsible party asked something of the secretary
/// not yet decided — more time (申请延期) or to hand the issue back (申请退回) —, the
/// longest waiting first, at most `limit`. Only an issue extended or asked about has the
/// `extension` column, so the query reads those few and the request is read from them.
pub fn awaiting_decision(conn: &mut DbConn, community: CommunityId, limit: usize) -> Result<Vec<Issue>> {
    let rows: Vec<IssueRow> = issues::table
        .filter(issues::community_id.eq(community.to_string()))
        .filter(issues::state.eq_any([IssueState::ASSIGNED, IssueState::COMMITTED]))
        .filter(issues::extension.is_not_null())
        .select(IssueRow::as_select())
        .load(conn)?;
    let mut asked: Vec<(DateTime<Utc>, Issue)> = Vec::new();
    for row in rows {
        let issue = Issue::try_from(row)?;
        let at = issue.return_request.as_ref().map(|r| r.at).or(issue.extension_request.as_ref().map(|r| r.at));
        if let Some(at) = at {
            asked.push((at, issue));
        }
    }
    asked.sort_by_key(|(at, i)| (*at, i.id));
    Ok(asked.into_iter().take(limit).map(|(_, i)| i).collect())
}

/// The latest report on the way (进展) of each of `ids` that has one: when, and what it
/// said — the latest step by one of `transitions` (the workflows' progress reports). One
/// query, for a page of the ledger's issues.
pub fn latest_progress(
    conn: &mut DbConn,
    ids: &[IssueId],
    transitions: &[String],
) -> Result<std::collections::HashMap<IssueId, (DateTime<Utc>, String)>> {
    let mut out = std::collections::HashMap::new();
    if ids.is_empty() || transitions.is_empty() {
        return Ok(out);
    }
    let wanted: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<(String, NaiveDateTime, String)> = issue_events::table
        .filter(issue_events::issue_id.eq_any(wanted))
        .filter(issue_events::transition.eq_any(transitions))
        .order((issue_events::issue_id, issue_events::version))
        .select((issue_events::issue_id, issue_events::at, issue_events::fields))
        .load(conn)?;
    for (id, at, fields) in rows {
        let fields = serde_json::from_str::<TransitionFields>(&fields)
            .map_err(|e| StoreError::Corrupt(format!("event fields: {e}")))?;
        if let Some(note) = fields.note {
            out.insert(parse("issue id", &id)?, (utc(at), note));
        }
    }
    Ok(out)
}

/// How often each of `ids` took a step of each of `groups` (transition names), in one
/// query: the counts by issue, in the groups' order; an issue that took none is absent.
/// The ledger's requests to hand an issue back and its hand-overs.
pub fn step_counts(
    conn: &mut DbConn,
    ids: &[IssueId],
    groups: &[&[String]],
) -> Result<std::collections::HashMap<IssueId, Vec<u32>>> {
    let mut out = std::collections::HashMap::new();
    let transitions: Vec<&String> = groups.iter().flat_map(|g| g.iter()).collect();
    if ids.is_empty() || transitions.is_empty() {
        return Ok(out);
    }
    let wanted: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<(String, String)> = issue_events::table
        .filter(issue_events::issue_id.eq_any(wanted))
        .filter(issue_events::transition.eq_any(transitions))
        .select((issue_events::issue_id, issue_events::transition))
        .load(conn)?;
    for (id, transition) in rows {
        let counts = out.entry(parse("issue id", &id)?).or_insert_with(|| vec![0; groups.len()]);
        for (n, group) in groups.iter().enumerate() {
            if group.contains(&transition) {
                counts[n] += 1;
            }
        }
    }
    Ok(out)
}

/// The latest report on the way of each of `issues` (id, when it entered its state) that
/// still says where the work stands: one made before the issue last entered its state —
/// before a fix found wanting, or a new promise — does not. The agenda's pages and print
/// and the street office's calls read it; the ledger keeps any latest ([`latest_progress`]).
pub fn standing_progress(
    conn: &mut DbConn,
    issues: &[(IssueId, DateTime<Utc>)],
    transitions: &[String],
) -> Result<std::collections::HashMap<IssueId, (DateTime<Utc>, String)>> {
    let ids: Vec<IssueId> = issues.iter().map(|(id, _)| *id).collect();
    let mut latest = latest_progress(conn, &ids, transitions)?;
    let entered: std::collections::HashMap<IssueId, DateTime<Utc>> = issues.iter().copied().collect();
    latest.retain(|id, (at, _)| entered.get(id).is_some_and(|entered| *at >= *entered));
    Ok(latest)
}

/// The commitment histories of several issues in one query, each oldest first.
pub fn commitment_histories(
    conn: &mut DbConn,
    ids: &[IssueId],
) -> Result<std::collections::HashMap<IssueId, Vec<CommitmentRecord>>> {
    let wanted: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let issue_ids: Vec<String> = commitments::table
        .filter(commitments::issue_id.eq_any(&wanted))
        .order((commitments::committed_at, commitments::id))
        .select(commitments::issue_id)
        .load(conn)?;
    let records =
        history_rows(conn, commitments::table.filter(commitments::issue_id.eq_any(wanted.clone())).into_boxed())?;
    let mut out: std::collections::HashMap<IssueId, Vec<CommitmentRecord>> = std::collections::HashMap::new();
    for (id, record) in issue_ids.iter().zip(records) {
        out.entry(parse("issue id", id)?).or_default().push(record);
    }
    Ok(out)
}

/// The commitment history of an issue, oldest first.
pub fn commitment_history(conn: &mut DbConn, id: IssueId) -> Result<Vec<CommitmentRecord>> {
    history_rows(conn, commitments::table.filter(commitments::issue_id.eq(id.to_string())).into_boxed())
}

fn history_rows<'a>(conn: &mut DbConn, q: commitments::BoxedQuery<'a, Backend>) -> Result<Vec<CommitmentRecord>> {
    type Row =
        (String, NaiveDate, Option<NaiveDate>, Option<String>, String, Option<String>, Option<String>, NaiveDateTime);
    let rows: Vec<Row> = q
        .order((commitments::committed_at, commitments::id))
        .select((
            commitments::text,
            commitments::due_date,
            commitments::extended_from,
            commitments::reason,
            commitments::committed_by,
            commitments::org_id,
            commitments::meeting_id,
            commitments::committed_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(text, due_date, extended_from, reason, by, org, meeting, at)| {
            Ok(CommitmentRecord {
                text,
                due_date,
                extended_from,
                reason,
                by: parse("user id", &by)?,
                org: parse_opt("organisation id", org.as_deref())?,
                meeting: parse_opt("meeting id", meeting.as_deref())?,
                at: utc(at),
            })
        })
        .collect()
}

/// The issues marked as duplicates of `id`, oldest first.
pub fn duplicates_of(conn: &mut DbConn, id: IssueId) -> Result<Vec<Issue>> {
    let query = issues::table.filter(issues::duplicate_of.eq(id.to_string())).order(issues::id);
    let rows: Vec<IssueRow> = crate::on_backend!(conn, |c| query.select(IssueRow::as_select()).load(c))?;
    rows.into_iter().map(Issue::try_from).collect()
}

pub fn timeline(conn: &mut DbConn, id: IssueId) -> Result<Vec<Event>> {
    let rows: Vec<EventRow> = issue_events::table
        .filter(issue_events::issue_id.eq(id.to_string()))
        .order(issue_events::version)
        .select(EventRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Event::try_from).collect()
}

/// The steps of each of `ids`, oldest first, in one query (an issue without a step is
/// absent).
pub fn timelines(conn: &mut DbConn, ids: &[IssueId]) -> Result<std::collections::HashMap<IssueId, Vec<Event>>> {
    let rows: Vec<EventRow> = issue_events::table
        .filter(issue_events::issue_id.eq_any(ids.iter().map(ToString::to_string).collect::<Vec<_>>()))
        .order((issue_events::issue_id, issue_events::version))
        .select(EventRow::as_select())
        .load(conn)?;
    let mut out: std::collections::HashMap<IssueId, Vec<Event>> = std::collections::HashMap::new();
    for row in rows {
        let event = Event::try_from(row)?;
        out.entry(event.issue).or_default().push(event);
    }
    Ok(out)
}

/// Adds `user`'s support (one per user per issue); returns the new count, unchanged if
/// the user already supported it. Idempotent under concurrency: the row is inserted with
/// `ON CONFLICT DO NOTHING`, and the count moves only when a row was inserted, so 32
/// simultaneous requests of one user add one supporter on both databases.
pub fn add_support(conn: &mut DbConn, issue: &Issue, user: UserId, at: DateTime<Utc>) -> Result<u32> {
    use crate::db::DbConn as C;
    crate::db::atomically(conn, |conn| {
        let row = (
            supports::issue_id.eq(issue.id.to_string()),
            supports::user_id.eq(user.to_string()),
            supports::community_id.eq(issue.community.to_string()),
            supports::created_at.eq(ts(at)),
        );
        // `on_conflict_do_nothing` does not compile through the MultiConnection enum.
        let inserted = match conn {
            C::Pg(pg) => diesel::insert_into(supports::table).values(row).on_conflict_do_nothing().execute(pg)?,
            C::Sqlite(lite) => {
                diesel::insert_into(supports::table).values(row).on_conflict_do_nothing().execute(lite)?
            }
        };
        if inserted > 0 {
            diesel::update(issues::table.find(issue.id.to_string()))
                .set(issues::support_count.eq(issues::support_count + 1))
                .execute(conn)?;
            // A supporter follows it too (unless they stopped following it before).
            crate::notices::follow_unless_decided(conn, issue.id, issue.community, user, at)?;
        }
        support_count(conn, issue.id)
    })
}

/// Records that an issue was raised on behalf of households (in the raise's transaction;
/// the issue's support count already holds them).
pub fn insert_proxy_report(conn: &mut DbConn, issue: &Issue, report: &ProxyReport) -> Result<()> {
    let contacts = serde_json::to_string(&report.contacts).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    diesel::insert_into(proxy_reports::table)
        .values((
            proxy_reports::issue_id.eq(issue.id.to_string()),
            proxy_reports::community_id.eq(issue.community.to_string()),
            proxy_reports::households.eq(report.households as i32),
            proxy_reports::contacts.eq(contacts),
        ))
        .execute(conn)?;
    Ok(())
}

/// The households an issue was raised on behalf of, if it was.
pub fn proxy_report(conn: &mut DbConn, issue: IssueId) -> Result<Option<ProxyReport>> {
    let query =
        proxy_reports::table.find(issue.to_string()).select((proxy_reports::households, proxy_reports::contacts));
    let row: Option<(i32, String)> = crate::on_backend!(conn, |c| query.get_result(c).optional())?;
    row.map(|(households, contacts)| {
        let contacts =
            serde_json::from_str(&contacts).map_err(|e| StoreError::Corrupt(format!("proxy contacts: {e}")))?;
        Ok(ProxyReport { households: households.max(0) as u32, contacts })
    })
    .transpose()
}

/// Whether `user` supports the issue.
pub fn supports(conn: &mut DbConn, issue: IssueId, user: UserId) -> Result<bool> {
    let n: i64 = supports::table
        .filter(supports::issue_id.eq(issue.to_string()))
        .filter(supports::user_id.eq(user.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Merges a duplicate into its original: everyone who supported the duplicate, and its
/// raiser, now support the original (each counted once; the original's raiser is not
/// their own supporter). Returns the original's new count.
pub fn merge_support(conn: &mut DbConn, duplicate: &Issue, original: &Issue, at: DateTime<Utc>) -> Result<u32> {
    let mut people: Vec<UserId> = supports::table
        .filter(supports::issue_id.eq(duplicate.id.to_string()))
        .select(supports::user_id)
        .load::<String>(conn)?
        .iter()
        .map(|u| crate::convert::parse("user id", u))
        .collect::<Result<_>>()?;
    people.push(duplicate.raised_by);
    // The households a building leader reported the duplicate for back the original too.
    if let Some(report) = proxy_report(conn, duplicate.id)? {
        diesel::update(issues::table.find(original.id.to_string()))
            .set(issues::support_count.eq(issues::support_count + report.households as i32))
            .execute(conn)?;
    }
    let mut count = support_count(conn, original.id)?;
    for user in people.into_iter().filter(|u| *u != original.raised_by) {
        count = add_support(conn, original, user, at)?;
    }
    Ok(count)
}

/// Withdraws `user`'s support; returns the new count.
pub fn withdraw_support(conn: &mut DbConn, issue: IssueId, user: UserId) -> Result<u32> {
    crate::db::atomically(conn, |conn| {
        let removed = diesel::delete(
            supports::table
                .filter(supports::issue_id.eq(issue.to_string()))
                .filter(supports::user_id.eq(user.to_string())),
        )
        .execute(conn)?;
        if removed > 0 {
            diesel::update(issues::table.find(issue.to_string()))
                .set(issues::support_count.eq(issues::support_count - 1))
                .execute(conn)?;
        }
        support_count(conn, issue)
    })
}

fn support_count(conn: &mut DbConn, issue: IssueId) -> Result<u32> {
    let n: Option<i32> = issues::table.find(issue.to_string()).select(issues::support_count).first(conn).optional()?;
    Ok(n.ok_or(StoreError::NotFound)?.max(0) as u32)
}

/// Which issues a list shows. Empty fields do not filter.
#[derive(Clone, Debug, Default)]
pub struct IssueFilter {
    pub states: Vec<String>,
    pub compound: Option<CompoundId>,
    pub responsible_org: Option<OrgId>,
    pub raised_by: Option<UserId>,
    /// Only committed issues whose due date is before this day (i.e. overdue on it).
    pub overdue_on: Option<NaiveDate>,
    /// Only committed issues due on one of these days (first and last included): the
    /// promises falling due soon.
    pub due_between: Option<(NaiveDate, NaiveDate)>,
    /// Words (or Chinese without spaces) to find in the title or description: every one
    /// must occur (see `roundtable_core::search`).
    pub text: Option<String>,
    /// Only issues a commitment was made on (the public board).
    pub committed: bool,
    /// Only those whose current commitment was made in `[from, to)`.
    pub committed_between: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Only issues of this urgency.
    pub urgency: Option<Urgency>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueOrder {
    #[default]
    Newest,
    Oldest,
    /// Most supported first, then newest.
    Support,
    /// Best match first, when searching (`IssueFilter::text`); otherwise newest.
    Relevance,
}

pub type IssuePage = Page<Issue>;

/// What a list shows of an issue: the dozen columns a summary needs, so a page of 50
/// reads and converts less than half of each row.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    pub id: IssueId,
    pub state: IssueState,
    pub title: String,
    pub category: String,
    pub urgency: Urgency,
    pub compound: CompoundId,
    pub building: Option<BuildingId>,
    pub responsible_org: Option<OrgId>,
    pub commitment_due: Option<NaiveDate>,
    pub support_count: u32,
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Since when it is in its state: how long it has waited for its next step.
    pub state_entered_at: DateTime<Utc>,
}

impl From<&Issue> for Listing {
    fn from(i: &Issue) -> Self {
        Listing {
            id: i.id,
            state: i.state.clone(),
            title: i.title.clone(),
            category: i.category.clone(),
            urgency: i.urgency,
            compound: i.compound,
            building: i.building,
            responsible_org: i.responsible_org,
            commitment_due: i.commitment.as_ref().map(|c| c.due_date),
            support_count: i.support_count,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
            state_entered_at: i.state_entered_at,
        }
    }
}

impl Listing {
    /// Committed and past its due date on `day` (the community's local date).
    pub fn overdue_on(&self, day: NaiveDate) -> bool {
        self.state == IssueState::COMMITTED && self.commitment_due.is_some_and(|d| d < day)
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = issues)]
struct ListingRow {
    #[diesel(deserialize_as = crate::convert::FastUuid)]
    id: IssueId,
    state: String,
    title: String,
    category: String,
    urgency: Option<String>,
    #[diesel(deserialize_as = crate::convert::FastUuid)]
    compound_id: CompoundId,
    building_id: Option<crate::convert::FastUuid>,
    responsible_org: Option<crate::convert::FastUuid>,
    commitment_due: Option<NaiveDate>,
    support_count: i32,
    version: i32,
    #[diesel(deserialize_as = crate::convert::FastTs)]
    created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::convert::FastTs)]
    updated_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::convert::FastTs)]
    state_entered_at: NaiveDateTime,
}

impl TryFrom<ListingRow> for Listing {
    type Error = StoreError;

    fn try_from(r: ListingRow) -> Result<Self> {
        Ok(Listing {
            id: r.id,
            state: IssueState::new(r.state),
            title: r.title,
            category: r.category,
            urgency: parse_opt("urgency", r.urgency.as_deref())?.unwrap_or_default(),
            compound: r.compound_id,
            building: r.building_id.map(|b| BuildingId(b.0)),
            responsible_org: r.responsible_org.map(|o| OrgId(o.0)),
            commitment_due: r.commitment_due,
            support_count: r.support_count.max(0) as u32,
            version: r.version.max(0) as u32,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            state_entered_at: utc(r.state_entered_at),
        })
    }
}

/// A row's place in an order: what a cursor needs.
trait Keyed {
    /// The id as stored, and the support count.
    fn key(&self) -> (String, i32);
}

impl Keyed for IssueRow {
    fn key(&self) -> (String, i32) {
        (self.id.clone(), self.support_count)
    }
}

impl Keyed for ListingRow {
    fn key(&self) -> (String, i32) {
        (self.id.to_string(), self.support_count)
    }
}

#[derive(Clone, Debug)]
pub struct PageRequest {
    pub order: IssueOrder,
    /// 1 to 200.
    pub limit: u32,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { order: IssueOrder::Newest, limit: 50, cursor: None }
    }
}

/// One page of a list: whole issues, or [`Listing`]s.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A position in a list: the sort key and the id of the last row shown. Ids are UUID v7,
/// so new issues sort after (oldest-first) or before (newest-first) every cursor, and a
/// page boundary never moves when issues are added.
enum Cursor {
    Id(String),
    Support(i32, String),
    /// How many of the best matches earlier pages showed.
    Offset(usize),
}

fn decode_cursor(order: IssueOrder, s: &str) -> Result<Cursor> {
    let valid_id = |id: &str| id.parse::<IssueId>().is_ok();
    let mut parts = s.split('.');
    let cursor = match (order, parts.next(), parts.next(), parts.next(), parts.next()) {
        (IssueOrder::Newest, Some("n"), Some(id), None, None)
        | (IssueOrder::Oldest, Some("o"), Some(id), None, None)
            if valid_id(id) =>
        {
            Cursor::Id(id.to_owned())
        }
        (IssueOrder::Support, Some("s"), Some(n), Some(id), None) if valid_id(id) => {
            Cursor::Support(n.parse().map_err(|_| StoreError::BadCursor)?, id.to_owned())
        }
        (IssueOrder::Relevance, Some("r"), Some(n), None, None) => {
            let n: usize = n.parse().map_err(|_| StoreError::BadCursor)?;
            if n > crate::search::MAX_MATCHES as usize {
                return Err(StoreError::BadCursor);
            }
            Cursor::Offset(n)
        }
        _ => return Err(StoreError::BadCursor),
    };
    Ok(cursor)
}

fn encode_cursor(order: IssueOrder, last: &impl Keyed) -> String {
    let (id, support) = last.key();
    match order {
        IssueOrder::Newest => format!("n.{id}"),
        IssueOrder::Oldest => format!("o.{id}"),
        IssueOrder::Support => format!("s.{support}.{id}"),
        // Relevance pages are cut by offset (`Search::page`).
        IssueOrder::Relevance => format!("n.{id}"),
    }
}

/// The issues `filter` and `page` ask for, ordered, one more than the page holds (to
/// tell whether there is a next page): `Result` of a boxed query. A macro rather than a
/// function, so that the same lines build the query for each backend's own connection
/// (`on_backend!`, its backend inferred from the connection it is loaded on): through the
/// multi-connection each row's every field was decoded through its `MultiBackend`, and
/// the query walked twice to be written (a sixth of a list request, callgrind,
/// docs/performance.md).
macro_rules! filtered {
    ($community:expr, $filter:expr, $search:expr) => {{
        let (community, filter, search): (CommunityId, &IssueFilter, &Search) = ($community, $filter, $search);
        (|| -> Result<_> {
            let page = &search.page;
            let limit = page.limit.clamp(1, 200) as i64;
            let mut q = issues::table.filter(issues::community_id.eq(community.to_string())).into_boxed();
            if !filter.states.is_empty() {
                q = q.filter(issues::state.eq_any(filter.states.clone()));
            }
            if let Some(c) = filter.compound {
                q = q.filter(issues::compound_id.eq(c.to_string()));
            }
            if let Some(o) = filter.responsible_org {
                q = q.filter(issues::responsible_org.eq(o.to_string()));
            }
            if let Some(u) = filter.raised_by {
                q = q.filter(issues::raised_by.eq(u.to_string()));
            }
            if let Some(day) = filter.overdue_on {
                q = q.filter(issues::state.eq(IssueState::COMMITTED)).filter(issues::commitment_due.lt(day));
            }
            if let Some((first, last)) = filter.due_between {
                q = q
                    .filter(issues::state.eq(IssueState::COMMITTED))
                    .filter(issues::commitment_due.ge(first))
                    .filter(issues::commitment_due.le(last));
            }
            if filter.committed {
                q = q.filter(issues::committed_at.is_not_null());
            }
            if let Some((from, to)) = filter.committed_between {
                q = q.filter(issues::committed_at.ge(ts(from))).filter(issues::committed_at.lt(ts(to)));
            }
            match filter.urgency {
                // Routine is stored as NULL, the usual case (see `IssueRow`).
                Some(Urgency::Routine) => q = q.filter(issues::urgency.is_null()),
                Some(u) => q = q.filter(issues::urgency.eq(u.as_str())),
                None => {}
            }
            if let Some(ids) = &search.matches {
                q = q.filter(issues::id.eq_any(ids.clone()));
            }
            if search.by_relevance() {
                return Ok(q);
            }
            let cursor = page.cursor.as_deref().map(|c| decode_cursor(page.order, c)).transpose()?;
            q = match (page.order, cursor) {
                (IssueOrder::Newest, Some(Cursor::Id(id))) => q.filter(issues::id.lt(id)),
                (IssueOrder::Oldest, Some(Cursor::Id(id))) => q.filter(issues::id.gt(id)),
                (IssueOrder::Support, Some(Cursor::Support(n, id))) => {
                    q.filter(issues::support_count.lt(n).or(issues::support_count.eq(n).and(issues::id.lt(id))))
                }
                _ => q,
            };
            q = match page.order {
                IssueOrder::Newest => q.order(issues::id.desc()),
                IssueOrder::Oldest => q.order(issues::id.asc()),
                IssueOrder::Support | IssueOrder::Relevance => {
                    q.order((issues::support_count.desc(), issues::id.desc()))
                }
            };
            Ok(q.limit(limit + 1))
        })()
    }};
}

/// One page of a community's issues, filtered and ordered, with keyset pagination (by
/// relevance: an offset into the best matches).
pub fn list_issues(
    conn: &mut DbConn,
    community: CommunityId,
    filter: &IssueFilter,
    page: &PageRequest,
) -> Result<IssuePage> {
    let search = Search::run(conn, community, filter, page)?;
    let rows = crate::on_backend!(conn, |c| search
        .load(c, filtered!(community, filter, &search)?.select(IssueRow::as_select())))?;
    search.page(rows)
}

/// Like [`list_issues`], reading only what a list shows.
pub fn list_listings(
    conn: &mut DbConn,
    community: CommunityId,
    filter: &IssueFilter,
    page: &PageRequest,
) -> Result<Page<Listing>> {
    let search = Search::run(conn, community, filter, page)?;
    let rows = crate::on_backend!(conn, |c| search
        .load(c, filtered!(community, filter, &search)?.select(ListingRow::as_select())))?;
    search.page(rows)
}

/// A list request with its search done: the matches, best first (`None`: no search), and
/// the page as it will be cut.
struct Search {
    matches: Option<Vec<String>>,
    page: PageRequest,
}

impl Search {
    fn run(conn: &mut DbConn, community: CommunityId, filter: &IssueFilter, page: &PageRequest) -> Result<Search> {
        let text = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let matches = match text.map(roundtable_core::search::query) {
            None => None,
            // Only punctuation: nothing can match.
            Some(None) => Some(Vec::new()),
            Some(Some(q)) => Some(
                crate::search::matching(conn, community, &q, crate::search::MAX_MATCHES)?
                    .iter()
                    .map(|i| i.to_string())
                    .collect(),
            ),
        };
        let mut page = page.clone();
        if page.order == IssueOrder::Relevance && matches.is_none() {
            page.order = IssueOrder::Newest;
        }
        Ok(Search { matches, page })
    }

    /// Reads the rows into a vector sized for them: growing one row by row reallocated
    /// and copied it five times a page, glibc consolidating its free lists each time (5 %
    /// of a list request under load, perf).
    fn load<'q, C, R, Q>(&self, conn: &mut C, query: Q) -> Result<Vec<R>>
    where
        C: diesel::connection::LoadConnection,
        Q: diesel::query_dsl::LoadQuery<'q, C, R> + 'q,
    {
        let expected = match &self.matches {
            Some(ids) => ids.len(),
            None => self.page.limit.clamp(1, 200) as usize + 1,
        };
        let mut rows = Vec::with_capacity(expected);
        for row in query.load_iter::<R, diesel::connection::DefaultLoadingMode>(conn)? {
            rows.push(row?);
        }
        Ok(rows)
    }

    /// Ordered by relevance: all matches are read (at most `search::MAX_MATCHES`) and cut here.
    fn by_relevance(&self) -> bool {
        self.page.order == IssueOrder::Relevance
    }

    fn page<R: Keyed, T: TryFrom<R, Error = StoreError>>(&self, mut rows: Vec<R>) -> Result<Page<T>> {
        if !self.by_relevance() {
            return paged(rows, &self.page);
        }
        let place: std::collections::HashMap<&str, usize> =
            self.matches.iter().flatten().enumerate().map(|(n, id)| (id.as_str(), n)).collect();
        rows.sort_by_cached_key(|r| place.get(r.key().0.as_str()).copied().unwrap_or(usize::MAX));
        let offset = match self.page.cursor.as_deref().map(|c| decode_cursor(IssueOrder::Relevance, c)).transpose()? {
            Some(Cursor::Offset(n)) => n,
            _ => 0,
        };
        let limit = self.page.limit.clamp(1, 200) as usize;
        let next_cursor = (rows.len() > offset + limit).then(|| format!("r.{}", offset + limit));
        let items = rows.into_iter().skip(offset).take(limit).map(T::try_from).collect::<Result<_>>()?;
        Ok(Page { items, next_cursor })
    }
}

type Backend = <DbConn as diesel::Connection>::Backend;

/// Cuts the extra row off and makes the cursor of the next page.
fn paged<R: Keyed, T: TryFrom<R, Error = StoreError>>(mut rows: Vec<R>, page: &PageRequest) -> Result<Page<T>> {
    let limit = page.limit.clamp(1, 200) as usize;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| encode_cursor(page.order, r))
    } else {
        None
    };
    let items = rows.into_iter().map(T::try_from).collect::<Result<_>>()?;
    Ok(Page { items, next_cursor })
}

/// Committed issues whose commitment falls due before `day`, earliest first.
pub fn commitments_due_before(conn: &mut DbConn, community: CommunityId, day: NaiveDate) -> Result<Vec<Issue>> {
    let rows: Vec<IssueRow> = issues::table
        .filter(issues::community_id.eq(community.to_string()))
        .filter(issues::state.eq(IssueState::COMMITTED))
        .filter(issues::commitment_due.lt(day))
        .order((issues::commitment_due.asc(), issues::id.asc()))
        .select(IssueRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Issue::try_from).collect()
}

/// The outbox rows of an issue as `(effect, status)`, oldest first (for tests and tools).
pub fn outbox_effects(conn: &mut DbConn, issue: IssueId) -> Result<Vec<(String, String)>> {
    Ok(outbox::table
        .filter(outbox::issue_id.eq(issue.to_string()))
        .order(outbox::id)
        .select((outbox::effect, outbox::status))
        .load(conn)?)
}

/// Whether a meeting of this community exists (to validate a commitment's meeting).
pub fn meeting_exists(conn: &mut DbConn, community: CommunityId, meeting: roundtable_core::MeetingId) -> Result<bool> {
    use crate::schema::meetings;
    let n: i64 = meetings::table
        .filter(meetings::id.eq(meeting.to_string()))
        .filter(meetings::community_id.eq(community.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A community's issues in any of `states` (the workflow's non-terminal ones), for the
/// timer job.
pub fn in_states(conn: &mut DbConn, community: CommunityId, states: &[String]) -> Result<Vec<Issue>> {
    let rows: Vec<IssueRow> = issues::table
        .filter(issues::community_id.eq(community.to_string()))
        .filter(issues::state.eq_any(states))
        .select(IssueRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Issue::try_from).collect()
}

/// The issues `org` answers for in any of `states`, oldest first.
pub fn of_org(conn: &mut DbConn, org: OrgId, states: &[&str]) -> Result<Vec<Issue>> {
    let rows: Vec<IssueRow> = issues::table
        .filter(issues::responsible_org.eq(org.to_string()))
        .filter(issues::state.eq_any(states))
        .order(issues::created_at.asc())
        .select(IssueRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Issue::try_from).collect()
}

/// The organisations of `community` answering for an issue in any of `states`.
pub fn orgs_answering(conn: &mut DbConn, community: CommunityId, states: &[&str]) -> Result<Vec<OrgId>> {
    let ids: Vec<Option<String>> = issues::table
        .filter(issues::community_id.eq(community.to_string()))
        .filter(issues::state.eq_any(states))
        .filter(issues::responsible_org.is_not_null())
        .select(issues::responsible_org)
        .distinct()
        .load(conn)?;
    ids.into_iter().flatten().map(|id| parse("organisation id", &id)).collect()
}

/// Flags an issue overdue (once; a later transition clears the flag).
pub fn flag_overdue(conn: &mut DbConn, issue: IssueId, since: DateTime<Utc>) -> Result<()> {
    diesel::update(issues::table.find(issue.to_string()).filter(issues::overdue_since.is_null()))
        .set(issues::overdue_since.eq(Some(ts(since))))
        .execute(conn)?;
    Ok(())
}

/// When an issue was flagged overdue, if it is.
pub fn overdue_since(conn: &mut DbConn, issue: IssueId) -> Result<Option<DateTime<Utc>>> {
    let v: Option<Option<NaiveDateTime>> =
        issues::table.find(issue.to_string()).select(issues::overdue_since).first(conn).optional()?;
    Ok(v.ok_or(StoreError::NotFound)?.map(utc))
}

/// The issues the holders of `role` in `communities` raised there — the street office's
/// calls into its communities (吹哨) — newest first, at most `limit`. Read through the
/// raisers' index: a street has a few cadres and many thousands of issues.
pub fn raised_by_role(
    conn: &mut DbConn,
    communities: &[CommunityId],
    role: roundtable_core::Role,
    limit: i64,
) -> Result<Vec<(CommunityId, Listing)>> {
    let ids: Vec<String> = communities.iter().map(|c| c.to_string()).collect();
    // The roles are a comma-separated column: narrowed in SQL, confirmed here.
    let holders: Vec<(String, String)> = users::table
        .filter(users::community_id.eq_any(&ids))
        .filter(users::roles.like(format!("%{}%", role.as_str())))
        .select((users::id, users::roles))
        .load(conn)?;
    let holders: Vec<String> = holders
        .into_iter()
        .filter(|(_, roles)| roles.split(',').any(|r| r == role.as_str()))
        .map(|(id, _)| id)
        .collect();
    if holders.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, ListingRow)> = issues::table
        .filter(issues::raised_by.eq_any(&holders))
        .filter(issues::community_id.eq_any(&ids))
        .order(issues::id.desc())
        .limit(limit)
        .select((issues::community_id, ListingRow::as_select()))
        .load(conn)?;
    rows.into_iter().map(|(c, r)| Ok((parse("community id", &c)?, Listing::try_from(r)?))).collect()
}

/// Per community of `communities`: its open issues (in one of `open_states`) and of those
/// the commitments past their date on `today` — two grouped queries for a whole street.
pub fn open_and_overdue(
    conn: &mut DbConn,
    communities: &[CommunityId],
    open_states: &[String],
    today: NaiveDate,
) -> Result<std::collections::HashMap<CommunityId, (i64, i64)>> {
    use diesel::dsl::count_star;
    let ids: Vec<String> = communities.iter().map(|c| c.to_string()).collect();
    let open: Vec<(String, i64)> = issues::table
        .filter(issues::community_id.eq_any(&ids))
        .filter(issues::state.eq_any(open_states))
        .group_by(issues::community_id)
        .select((issues::community_id, count_star()))
        .load(conn)?;
    let overdue: Vec<(String, i64)> = issues::table
        .filter(issues::community_id.eq_any(&ids))
        .filter(issues::state.eq(IssueState::COMMITTED))
        .filter(issues::commitment_due.lt(today))
        .group_by(issues::community_id)
        .select((issues::community_id, count_star()))
        .load(conn)?;
    let mut out = std::collections::HashMap::new();
    for (id, n) in open {
        out.entry(parse("community id", &id)?).or_insert((0, 0)).0 = n;
    }
    for (id, n) in overdue {
        out.entry(parse("community id", &id)?).or_insert((0, 0)).1 = n;
    }
    Ok(out)
}
