//! The audit trail (`roundtable_core::audit`): written in the transaction of the change it
//! records, read newest first with keyset paging by id (UUID v7).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use roundtable_core::audit::{AuditAction, AuditEntry, AuditSubject};
use roundtable_core::{CommunityId, UserId};

use crate::convert::{id_opt, parse, parse_opt, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::audit_log;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
struct Row {
    id: String,
    community_id: String,
    at: NaiveDateTime,
    actor_id: Option<String>,
    action: String,
    subject_kind: String,
    subject_id: String,
    details: String,
}

pub fn record(conn: &mut DbConn, e: &AuditEntry) -> Result<()> {
    let row = Row {
        id: e.id.to_string(),
        community_id: e.community.to_string(),
        at: ts(e.at),
        actor_id: id_opt(e.actor),
        action: e.action.as_str().to_owned(),
        subject_kind: e.subject.as_str().to_owned(),
        subject_id: e.subject_id.clone(),
        details: serde_json::to_string(&e.details).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    };
    diesel::insert_into(audit_log::table).values(&row).execute(conn)?;
    Ok(())
}

/// Which entries to read. Empty fields do not filter.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub subject_id: Option<String>,
    pub actor: Option<UserId>,
    pub action: Option<AuditAction>,
    pub subject: Option<AuditSubject>,
    /// Entries older than this one (the cursor of the previous page).
    pub before: Option<uuid::Uuid>,
}

/// A community's entries, newest first, at most `limit` (1–200) and whether more follow.
pub fn list(conn: &mut DbConn, community: CommunityId, f: &AuditFilter, limit: u32) -> Result<(Vec<AuditEntry>, bool)> {
    let limit = limit.clamp(1, 200) as i64;
    let mut q = audit_log::table.filter(audit_log::community_id.eq(community.to_string())).into_boxed();
    if let Some(s) = &f.subject_id {
        q = q.filter(audit_log::subject_id.eq(s.clone()));
    }
    if let Some(a) = f.actor {
        q = q.filter(audit_log::actor_id.eq(a.to_string()));
    }
    if let Some(a) = f.action {
        q = q.filter(audit_log::action.eq(a.as_str()));
    }
    if let Some(s) = f.subject {
        q = q.filter(audit_log::subject_kind.eq(s.as_str()));
    }
    if let Some(b) = f.before {
        q = q.filter(audit_log::id.lt(b.to_string()));
    }
    let mut rows: Vec<Row> = q.order(audit_log::id.desc()).limit(limit + 1).select(Row::as_select()).load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let entries = rows
        .into_iter()
        .map(|r| {
            Ok(AuditEntry {
                id: parse("audit id", &r.id)?,
                community: parse("community id", &r.community_id)?,
                at: utc(r.at),
                actor: parse_opt("user id", r.actor_id.as_deref())?,
                action: parse("audit action", &r.action)?,
                subject: parse("audit subject", &r.subject_kind)?,
                subject_id: r.subject_id,
                details: serde_json::from_str(&r.details)
                    .map_err(|e| StoreError::Corrupt(format!("audit details: {e}")))?,
            })
        })
        .collect::<Result<_>>()?;
    Ok((entries, more))
}

/// How many entries of these actions each subject of a kind has (e.g. how often each
/// meeting was moved or skipped), in one query.
pub fn counts(
    conn: &mut DbConn,
    community: CommunityId,
    subject: AuditSubject,
    actions: &[AuditAction],
) -> Result<std::collections::HashMap<String, u32>> {
    let actions: Vec<&str> = actions.iter().map(|a| a.as_str()).collect();
    let rows: Vec<(String, i64)> = audit_log::table
        .filter(audit_log::community_id.eq(community.to_string()))
        .filter(audit_log::subject_kind.eq(subject.as_str()))
        .filter(audit_log::action.eq_any(actions))
        .group_by(audit_log::subject_id)
        .select((audit_log::subject_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, n)| (id, n as u32)).collect())
}
