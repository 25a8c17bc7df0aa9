//! Queuing notifications that are not a transition's effects (agenda, minutes).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roundtable_core::DeliveryStatus;

use crate::convert::ts;
use crate::db::DbConn;
use crate::error::Result;
use crate::schema::outbox;

/// Queues one notification exactly once per `dedupe_key`, also when several instances
/// race (the unique index decides; the loser's insert is rolled back to a savepoint).
pub fn queue_once(
    conn: &mut DbConn,
    community: &str,
    effect: &str,
    issue: Option<String>,
    payload: serde_json::Value,
    dedupe_key: String,
    at: DateTime<Utc>,
) -> Result<bool> {
    match conn.transaction(|conn| queue(conn, community, effect, issue, payload, Some(dedupe_key), at)) {
        Err(crate::StoreError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Ok(false),
        other => other,
    }
}

/// Queues one notification (mail) and a copy for each channel its audience has; a
/// `dedupe_key` seen before makes this a no-op.
pub fn queue(
    conn: &mut DbConn,
    community: &str,
    effect: &str,
    issue: Option<String>,
    payload: serde_json::Value,
    dedupe_key: Option<String>,
    at: DateTime<Utc>,
) -> Result<bool> {
    let row = NewRow::new(community, effect, issue, None, payload.to_string(), dedupe_key, at);
    if !insert_row(conn, &row, None)? {
        return Ok(false);
    }
    let channels = channels_for(conn, &row, &payload)?;
    fan_out(conn, &row, &channels)?;
    Ok(true)
}

/// Queues a notice's copies for channels only (an organisation with a robot and no
/// mail address); returns how many were new.
pub fn queue_channels(
    conn: &mut DbConn,
    community: &str,
    effect: &str,
    payload: serde_json::Value,
    dedupe_key: String,
    at: DateTime<Utc>,
) -> Result<usize> {
    let row = NewRow::new(community, effect, None, None, payload.to_string(), Some(dedupe_key), at);
    let channels = channels_for(conn, &row, &payload)?;
    fan_out(conn, &row, &channels)
}

/// Queues a notice to one organisation once per `dedupe_key`: a mail to its addresses with
/// a copy for each of its channels, or — with no address — the channels' copies alone;
/// returns whether anything was new.
pub fn queue_for_org(
    conn: &mut DbConn,
    community: &str,
    effect: &str,
    org: &roundtable_core::Organisation,
    payload: serde_json::Value,
    dedupe_key: String,
    at: DateTime<Utc>,
) -> Result<bool> {
    if org.contact_emails.is_empty() {
        // No mail address: its robots still hear of it.
        Ok(queue_channels(conn, community, effect, payload, dedupe_key, at)? > 0)
    } else {
        queue(conn, community, effect, None, payload, Some(dedupe_key), at)
    }
}

/// One outbox row as it is first written.
#[derive(Clone, Debug)]
pub(crate) struct NewRow {
    pub community_id: String,
    pub effect: String,
    pub issue_id: Option<String>,
    pub event_id: Option<String>,
    pub payload: String,
    pub dedupe_key: Option<String>,
    pub at: DateTime<Utc>,
}

impl NewRow {
    pub(crate) fn new(
        community: &str,
        effect: &str,
        issue_id: Option<String>,
        event_id: Option<String>,
        payload: String,
        dedupe_key: Option<String>,
        at: DateTime<Utc>,
    ) -> NewRow {
        NewRow {
            community_id: community.to_owned(),
            effect: effect.to_owned(),
            issue_id,
            event_id,
            payload,
            dedupe_key,
            at,
        }
    }
}

impl NewRow {
    /// The row as written: the mail, or with `channel` that channel's copy, whose dedupe
    /// key is the notice's with the channel appended.
    fn values(&self, channel: Option<&str>) -> OutboxRow {
        // The real clock, not the event's: now_v7 is monotonic in-process, so rows keep the
        // order they were queued in even when several events share a timestamp.
        let id = uuid::Uuid::now_v7().to_string();
        OutboxRow {
            message_id: format!("<{id}@roundtable>"),
            id,
            community_id: self.community_id.clone(),
            effect: self.effect.clone(),
            issue_id: self.issue_id.clone(),
            event_id: self.event_id.clone(),
            payload: self.payload.clone(),
            dedupe_key: match (&self.dedupe_key, channel) {
                (Some(k), Some(c)) => Some(format!("{k}@{c}")),
                (k, _) => k.clone(),
            },
            status: DeliveryStatus::Pending.as_str().to_owned(),
            attempts: 0,
            next_attempt_at: ts(self.at),
            created_at: ts(self.at),
            channel_id: channel.map(str::to_owned),
        }
    }
}

/// An outbox row as it is first written (pending, never tried).
#[derive(Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub(crate) struct OutboxRow {
    message_id: String,
    id: String,
    community_id: String,
    effect: String,
    issue_id: Option<String>,
    event_id: Option<String>,
    payload: String,
    dedupe_key: Option<String>,
    status: String,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
    channel_id: Option<String>,
}

/// Writes a row (see [`NewRow::values`]). `false` when its key was seen before.
fn insert_row(conn: &mut DbConn, row: &NewRow, channel: Option<&str>) -> Result<bool> {
    let values = row.values(channel);
    if let Some(key) = &values.dedupe_key {
        let seen: i64 = outbox::table.filter(outbox::dedupe_key.eq(key)).count().get_result(conn)?;
        if seen > 0 {
            return Ok(false);
        }
    }
    // On the backend's own connection: this runs in the SQLite writer with each transition.
    crate::on_backend!(conn, |c| diesel::insert_into(outbox::table).values(&values).execute(c))?;
    Ok(true)
}

/// The rows of a step's notice: its mail and its copies for `channels`, to be written
/// with the step. A step's notice has no dedupe key (the step is recorded once, by its
/// version), so nothing is read to write them.
pub(crate) fn rows_with_channels(row: &NewRow, channels: &[String]) -> Vec<OutboxRow> {
    debug_assert!(row.dedupe_key.is_none(), "a step's notice has no dedupe key");
    std::iter::once(None).chain(channels.iter().map(|c| Some(c.as_str()))).map(|c| row.values(c)).collect()
}

fn fan_out(conn: &mut DbConn, row: &NewRow, channels: &[String]) -> Result<usize> {
    let mut n = 0;
    for channel in channels {
        n += usize::from(insert_row(conn, row, Some(channel))?);
    }
    Ok(n)
}

/// The channels a notice queued outside a transition reaches: a timer's reminder by the
/// issue's parties, a meeting notice by the organisation it names (or the secretaries).
fn channels_for(conn: &mut DbConn, row: &NewRow, payload: &serde_json::Value) -> Result<Vec<String>> {
    use roundtable_core::{Effect, MeetingNotice};
    let community = crate::convert::parse("community id", &row.community_id)?;
    let mut parties = crate::channels::Parties::default();
    let named = || payload.get("org").and_then(|o| o.as_str()).and_then(|o| o.parse().ok());
    let audiences = if let Ok(effect) = row.effect.parse::<Effect>() {
        if let Some(issue) = row.issue_id.as_deref() {
            let issue = crate::issues::get_issue(conn, crate::convert::parse("issue id", issue)?)?;
            parties.responsible = issue.responsible_org;
            parties.raiser = Some(issue.raised_by);
        }
        effect.audiences()
    } else if let Ok(notice) = row.effect.parse::<MeetingNotice>() {
        parties.named = named();
        notice.audiences()
    } else if let Ok(notice) = row.effect.parse::<roundtable_core::notice::OrgNotice>() {
        parties.named = named();
        notice.audiences()
    } else {
        // Account notices (a password reset link, a person's digest) go by mail only.
        &[]
    };
    crate::channels::reaching(conn, community, audiences, &parties)
}

/// The effects queued for a community, oldest first (for tests and tools).
pub fn effects(conn: &mut DbConn, community: &str) -> Result<Vec<String>> {
    Ok(outbox::table.filter(outbox::community_id.eq(community)).order(outbox::id).select(outbox::effect).load(conn)?)
}

/// A notification waiting to be sent (or being sent).
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct Pending {
    pub id: String,
    pub community_id: String,
    pub effect: String,
    pub issue_id: Option<String>,
    pub event_id: Option<String>,
    pub payload: String,
    pub message_id: String,
    pub attempts: i32,
    pub status: String,
    pub last_error: Option<String>,
    /// Attempts found cut off mid-send (the process died before recording the outcome):
    /// the relay may have accepted one of them, so the recipient may get this message
    /// twice (with the same Message-ID, which lets mail clients drop the copy).
    pub interrupted: i32,
    /// The channel this row is the copy for; `None` for mail.
    pub channel_id: Option<String>,
    /// When it is (or was) due next: after a failure's backoff, a robot's rate limit or
    /// quiet hours, or a claim's lease.
    pub next_attempt_at: NaiveDateTime,
}

/// Claims up to `limit` due rows for `lease`: their `next_attempt_at` moves past the
/// lease and `attempts` counts this try, so a dispatcher that dies mid-send leaves them
/// due again afterwards, and two dispatchers never hold the same row. A row claimed while
/// still marked by [`mark_sending`] was cut off mid-send: it counts as `interrupted` and is
/// sent again with the same Message-ID (a duplicate the recipient's client can recognise
/// is better than a commitment reminder that never arrives). On PostgreSQL the claim skips
/// rows another dispatcher has locked; on SQLite writers take turns.
pub fn claim_due(conn: &mut DbConn, now: DateTime<Utc>, lease: chrono::TimeDelta, limit: i64) -> Result<Vec<Pending>> {
    use crate::db::DbConn as C;
    conn.transaction(|conn| {
        let ids: Vec<String> = match conn {
            C::Pg(pg) => outbox::table
                .filter(outbox::status.eq(DeliveryStatus::Pending.as_str()))
                .filter(outbox::next_attempt_at.le(ts(now)))
                .order(outbox::id)
                .limit(limit)
                .select(outbox::id)
                .for_update()
                .skip_locked()
                .load(pg)?,
            C::Sqlite(lite) => outbox::table
                .filter(outbox::status.eq(DeliveryStatus::Pending.as_str()))
                .filter(outbox::next_attempt_at.le(ts(now)))
                .order(outbox::id)
                .limit(limit)
                .select(outbox::id)
                .load(lite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)).filter(outbox::sending_since.is_not_null()))
            .set((outbox::interrupted.eq(outbox::interrupted + 1), outbox::sending_since.eq(None::<NaiveDateTime>)))
            .execute(conn)?;
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((outbox::next_attempt_at.eq(ts(now + lease)), outbox::attempts.eq(outbox::attempts + 1)))
            .execute(conn)?;
        Ok(outbox::table.filter(outbox::id.eq_any(&ids)).order(outbox::id).select(Pending::as_select()).load(conn)?)
    })
}

/// Marks claimed rows as being handed to the relay now (before the SMTP DATA), until
/// their outcome is recorded, and returns the ids it marked: only rows this claim still
/// holds. A claim counts an attempt, so a row whose lease ran out before it was marked
/// and that another dispatcher has claimed since carries another `attempts`: it is left
/// to that one (sending it here as well would be a repeat nobody counted as cut off).
pub fn mark_sending(conn: &mut DbConn, claimed: &[Pending], now: DateTime<Utc>) -> Result<Vec<String>> {
    let mut marked = Vec::with_capacity(claimed.len());
    for row in claimed {
        let still_ours = outbox::table
            .find(&row.id)
            .filter(outbox::attempts.eq(row.attempts))
            .filter(outbox::status.eq(DeliveryStatus::Pending.as_str()));
        if diesel::update(still_ours).set(outbox::sending_since.eq(Some(ts(now)))).execute(conn)? == 1 {
            marked.push(row.id.clone());
        }
    }
    Ok(marked)
}

pub fn mark_sent(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> Result<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(DeliveryStatus::Sent.as_str()),
            outbox::sent_at.eq(Some(ts(now))),
            outbox::last_error.eq(None::<String>),
            outbox::sending_since.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or dead when `retry_at` is `None`.
pub fn mark_failed(conn: &mut DbConn, id: &str, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()> {
    let status = if retry_at.is_some() { DeliveryStatus::Pending.as_str() } else { DeliveryStatus::Dead.as_str() };
    let next = retry_at.map(ts);
    let q = diesel::update(outbox::table.find(id));
    match next {
        Some(at) => q
            .set((
                outbox::status.eq(status),
                outbox::last_error.eq(Some(error)),
                outbox::next_attempt_at.eq(at),
                outbox::sending_since.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
        None => q
            .set((
                outbox::status.eq(status),
                outbox::last_error.eq(Some(error)),
                outbox::sending_since.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// Rows in a status (pending, sent, dead), oldest first.
pub fn with_status(conn: &mut DbConn, status: DeliveryStatus) -> Result<Vec<Pending>> {
    Ok(outbox::table
        .filter(outbox::status.eq(status.as_str()))
        .order(outbox::id)
        .select(Pending::as_select())
        .load(conn)?)
}

/// Gives a dead row a fresh set of attempts, due now.
pub fn retry(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> Result<bool> {
    let n = diesel::update(outbox::table.find(id).filter(outbox::status.eq(DeliveryStatus::Dead.as_str())))
        .set((
            outbox::status.eq(DeliveryStatus::Pending.as_str()),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(ts(now)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Marks every pending row of a community as sent (history loaded from elsewhere, such
/// as the demo's past six months, is not news to anyone).
pub fn settle_history(conn: &mut DbConn, community: &str, now: DateTime<Utc>) -> Result<usize> {
    Ok(diesel::update(
        outbox::table
            .filter(outbox::community_id.eq(community))
            .filter(outbox::status.eq(DeliveryStatus::Pending.as_str())),
    )
    .set((outbox::status.eq(DeliveryStatus::Sent.as_str()), outbox::sent_at.eq(Some(ts(now)))))
    .execute(conn)?)
}

/// Marks several rows sent in one transaction.
pub fn mark_sent_many(conn: &mut DbConn, ids: &[String], now: DateTime<Utc>) -> Result<()> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((
            outbox::status.eq(DeliveryStatus::Sent.as_str()),
            outbox::sent_at.eq(Some(ts(now))),
            outbox::last_error.eq(None::<String>),
            outbox::sending_since.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Puts claimed rows back until `until` without counting the attempt: a robot's rate limit
/// queues its messages rather than failing them.
pub fn defer(conn: &mut DbConn, ids: &[String], until: DateTime<Utc>) -> Result<()> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((
            outbox::next_attempt_at.eq(ts(until)),
            outbox::attempts.eq(outbox::attempts - 1),
            outbox::sending_since.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// When each of `channels` was last sent to since `since`, oldest first: what its rate
/// limit counts.
pub fn sent_to_channels_since(
    conn: &mut DbConn,
    channels: &[String],
    since: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>> {
    let rows: Vec<(Option<String>, Option<NaiveDateTime>)> = outbox::table
        .filter(outbox::channel_id.eq_any(channels))
        .filter(outbox::sent_at.gt(ts(since)))
        .filter(outbox::status.eq(DeliveryStatus::Sent.as_str()))
        .order(outbox::sent_at)
        .select((outbox::channel_id, outbox::sent_at))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(c, at)| Some((c?, crate::convert::utc(at?)))).collect())
}

/// Every row of an issue, oldest first: which notices went out by which way, and how far
/// each got.
pub fn for_issue(conn: &mut DbConn, issue: &str) -> Result<Vec<Delivery>> {
    Ok(outbox::table.filter(outbox::issue_id.eq(issue)).order(outbox::id).select(Delivery::as_select()).load(conn)?)
}

/// A row as a delivery report shows it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct Delivery {
    pub id: String,
    pub effect: String,
    pub channel_id: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    /// When a pending row is tried next (after a failure's backoff, a robot's rate limit
    /// or its quiet hours).
    pub next_attempt_at: NaiveDateTime,
}
