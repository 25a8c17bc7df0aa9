//! A community as a portable archive — one JSON object per row, a file per table — and
//! back into a database of either backend (SQLite → PostgreSQL included).
//!
//! Rows are read and written through the databases' own JSON functions, so one code path
//! serves every table: SQLite's `json_object` / `json_each`, PostgreSQL's
//! `json_build_object` / `json_populate_recordset`. Values are normalised by the column's
//! kind (a timestamp always `YYYY-MM-DD HH:MM:SS.ffffff`, a flag always `true`/`false`),
//! so the same rows read from either backend give the same bytes, and a checksum per table
//! verifies an import. [`TABLES`] lists every table in an order that satisfies the foreign
//! keys; a test compares it with the migrated schema, so a new column cannot be forgotten.

use diesel::prelude::*;
use diesel::sql_types::Text as SqlText;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::error::{Result, StoreError};

/// How a column's values are written in an archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Bool,
    Timestamp,
    Date,
    Double,
}

/// A table: its name, its key (what its rows are ordered by) and its columns.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub key: &'static str,
    pub columns: &'static [(&'static str, Kind)],
}

use Kind::*;

/// Every table, parents before children.
pub const TABLES: &[Table] = &[
    Table {
        name: "communities",
        key: "id",
        columns: &[
            ("id", Text),
            ("name", Text),
            ("time_zone", Text),
            ("default_locale", Text),
            ("created_at", Timestamp),
            ("street", Text),
            ("meeting_time", Text),
            ("meeting_place", Text),
            ("workflow", Text),
            ("settings", Text),
        ],
    },
    Table {
        name: "compounds",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("name", Text),
            ("created_at", Timestamp),
            ("latitude", Double),
            ("longitude", Double),
        ],
    },
    Table {
        name: "buildings",
        key: "id",
        columns: &[("id", Text), ("community_id", Text), ("compound_id", Text), ("name", Text)],
    },
    Table {
        name: "organisations",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("kind", Text),
            ("name", Text),
            ("contact_emails", Text),
            ("compound_id", Text),
            ("created_at", Timestamp),
        ],
    },
    Table {
        name: "users",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("login", Text),
            ("display_name", Text),
            ("email", Text),
            ("phone", Text),
            ("password_hash", Text),
            ("roles", Text),
            ("locale", Text),
            ("compound_id", Text),
            ("disabled", Bool),
            ("created_at", Timestamp),
        ],
    },
    Table {
        name: "memberships",
        key: "user_id,org_id",
        columns: &[("user_id", Text), ("org_id", Text), ("community_id", Text), ("position", Int)],
    },
    Table {
        name: "user_buildings",
        key: "user_id,building_id",
        columns: &[("user_id", Text), ("building_id", Text), ("community_id", Text)],
    },
    Table {
        name: "notice_settings",
        key: "user_id",
        columns: &[("user_id", Text), ("community_id", Text), ("mail", Text)],
    },
    Table {
        name: "issues",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("workflow", Text),
            ("state", Text),
            ("title", Text),
            ("description", Text),
            ("category", Text),
            ("compound_id", Text),
            ("building_id", Text),
            ("unit", Text),
            ("raised_by", Text),
            ("raised_by_org", Text),
            ("responsible_org", Text),
            ("commitment_text", Text),
            ("commitment_due", Date),
            ("committed_by", Text),
            ("committed_by_org", Text),
            ("commitment_meeting", Text),
            ("committed_at", Timestamp),
            ("resolution_note", Text),
            ("verification", Text),
            ("duplicate_of", Text),
            ("closing_reason", Text),
            ("support_count", Int),
            ("reopen_count", Int),
            ("version", Int),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
            ("state_entered_at", Timestamp),
            ("overdue_since", Timestamp),
            ("extension", Text),
            ("urgency", Text),
        ],
    },
    Table {
        name: "issue_events",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("issue_id", Text),
            ("version", Int),
            ("transition", Text),
            ("from_state", Text),
            ("to_state", Text),
            ("actor_id", Text),
            ("actor_org", Text),
            ("at", Timestamp),
            ("fields", Text),
        ],
    },
    Table {
        name: "supports",
        key: "issue_id,user_id",
        columns: &[("issue_id", Text), ("user_id", Text), ("community_id", Text), ("created_at", Timestamp)],
    },
    Table {
        name: "raise_keys",
        key: "user_id,key",
        columns: &[
            ("user_id", Text),
            ("key", Text),
            ("community_id", Text),
            ("issue_id", Text),
            ("fingerprint", Text),
            ("created_at", Timestamp),
        ],
    },
    Table {
        name: "proxy_reports",
        key: "issue_id",
        columns: &[("issue_id", Text), ("community_id", Text), ("households", Int), ("contacts", Text)],
    },
    Table {
        name: "follows",
        key: "issue_id,user_id",
        columns: &[
            ("issue_id", Text),
            ("user_id", Text),
            ("community_id", Text),
            ("following", Bool),
            ("created_at", Timestamp),
        ],
    },
    Table {
        name: "notices",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("user_id", Text),
            ("issue_id", Text),
            ("version", Int),
            ("transition", Text),
            ("actor_id", Text),
            ("created_at", Timestamp),
            ("read_at", Timestamp),
            ("mailed_at", Timestamp),
            ("meeting_id", Text),
            ("reminder", Bool),
        ],
    },
    Table {
        name: "meetings",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("slot", Date),
            ("starts_at", Timestamp),
            ("place", Text),
            ("status", Text),
            ("announcements", Text),
            ("opened_at", Timestamp),
            ("closed_at", Timestamp),
            ("created_at", Timestamp),
            ("agenda_status", Text),
            ("agenda_built_at", Timestamp),
            ("agenda_published_at", Timestamp),
            ("scorecard", Text),
            ("skip_reason", Text),
        ],
    },
    Table {
        name: "agenda_items",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("meeting_id", Text),
            ("position", Int),
            ("section", Text),
            ("issue_id", Text),
            ("title", Text),
            ("minutes_allowed", Int),
            ("in_appendix", Bool),
            ("outcome", Text),
            ("outcome_note", Text),
            ("carried_from", Text),
            ("created_at", Timestamp),
            ("reason", Text),
            ("review_on", Date),
            ("refused_due_date", Date),
            ("refused_return", Bool),
        ],
    },
    Table {
        name: "agenda_drops",
        key: "meeting_id,issue_id",
        columns: &[("meeting_id", Text), ("issue_id", Text), ("community_id", Text), ("dropped_at", Timestamp)],
    },
    Table {
        name: "attendances",
        key: "meeting_id,org_id",
        columns: &[("meeting_id", Text), ("org_id", Text), ("community_id", Text), ("attendees", Text)],
    },
    Table {
        name: "commitments",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("issue_id", Text),
            ("meeting_id", Text),
            ("org_id", Text),
            ("text", Text),
            ("due_date", Date),
            ("committed_by", Text),
            ("committed_at", Timestamp),
            ("extended_from", Date),
            ("reason", Text),
        ],
    },
    Table {
        name: "minutes",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("meeting_id", Text),
            ("revision", Int),
            ("status", Text),
            ("body", Text),
            ("created_by", Text),
            ("created_at", Timestamp),
            ("published_at", Timestamp),
        ],
    },
    Table {
        name: "minutes_corrections",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("meeting_id", Text),
            ("org_id", Text),
            ("asked_by", Text),
            ("body", Text),
            ("asked_at", Timestamp),
            ("answer", Text),
            ("reply", Text),
            ("answered_by", Text),
            ("answered_at", Timestamp),
        ],
    },
    Table {
        name: "photos",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("issue_id", Text),
            ("version", Int),
            ("content_hash", Text),
            ("thumb_hash", Text),
            ("media_type", Text),
            ("width", Int),
            ("height", Int),
            ("size_bytes", Int),
            ("uploaded_by", Text),
            ("created_at", Timestamp),
            ("public", Bool),
        ],
    },
    Table {
        name: "channels",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("kind", Text),
            ("name", Text),
            ("org_id", Text),
            ("user_id", Text),
            ("url", Text),
            ("secret", Text),
            ("created_by", Text),
            ("created_at", Timestamp),
            ("removed_at", Timestamp),
        ],
    },
    Table {
        name: "outbox",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("effect", Text),
            ("issue_id", Text),
            ("event_id", Text),
            ("payload", Text),
            ("dedupe_key", Text),
            ("message_id", Text),
            ("status", Text),
            ("attempts", Int),
            ("next_attempt_at", Timestamp),
            ("last_error", Text),
            ("created_at", Timestamp),
            ("sent_at", Timestamp),
            ("sending_since", Timestamp),
            ("interrupted", Int),
            ("channel_id", Text),
        ],
    },
    Table {
        name: "job_runs",
        key: "job,slot",
        columns: &[
            ("job", Text),
            ("slot", Text),
            ("instance", Text),
            ("started_at", Timestamp),
            ("finished_at", Timestamp),
        ],
    },
    Table {
        name: "api_tokens",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("user_id", Text),
            ("token_hash", Text),
            ("created_at", Timestamp),
            ("expires_at", Timestamp),
            ("revoked_at", Timestamp),
            ("last_used_at", Timestamp),
        ],
    },
    Table {
        name: "sessions",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("user_id", Text),
            ("csrf_token", Text),
            ("created_at", Timestamp),
            ("expires_at", Timestamp),
        ],
    },
    Table { name: "settings", key: "key", columns: &[("key", Text), ("value", Text)] },
    Table {
        name: "calendar_years",
        key: "community_id, year",
        columns: &[
            ("community_id", Text),
            ("year", Int),
            ("holidays", Text),
            ("workdays", Text),
            ("entered_by", Text),
            ("entered_at", Timestamp),
        ],
    },
    Table {
        name: "used_reset_links",
        key: "nonce",
        columns: &[("nonce", Text), ("user_id", Text), ("used_at", Timestamp)],
    },
    Table { name: "used_links", key: "nonce", columns: &[("nonce", Text), ("issue_id", Text), ("used_at", Timestamp)] },
    Table {
        name: "audit_log",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("at", Timestamp),
            ("actor_id", Text),
            ("action", Text),
            ("subject_kind", Text),
            ("subject_id", Text),
            ("details", Text),
        ],
    },
    Table {
        name: "invitations",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("role", Text),
            ("compound_id", Text),
            ("building_id", Text),
            ("unit", Text),
            ("org_id", Text),
            ("note", Text),
            ("created_by", Text),
            ("created_at", Timestamp),
            ("expires_at", Timestamp),
            ("max_uses", Int),
            ("uses", Int),
            ("revoked_at", Timestamp),
        ],
    },
    Table {
        name: "open311_keys",
        key: "id",
        columns: &[
            ("id", Text),
            ("community_id", Text),
            ("name", Text),
            ("user_id", Text),
            ("key_hash", Text),
            ("created_by", Text),
            ("created_at", Timestamp),
            ("revoked_at", Timestamp),
            ("last_used_at", Timestamp),
        ],
    },
];

/// Which rows of a table belong to a community (`{}` is the bound community id), or `None`
/// for a table of the whole deployment (`settings`: its keys).
fn belongs(table: &str) -> Option<&'static str> {
    match table {
        "communities" => Some("id = {}"),
        "settings" => None,
        "job_runs" => Some("slot LIKE {} || ':%'"),
        "used_reset_links" => Some("user_id IN (SELECT id FROM users WHERE community_id = {})"),
        "used_links" => Some("issue_id IN (SELECT id FROM issues WHERE community_id = {})"),
        _ => Some("community_id = {}"),
    }
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlText)]
    j: String,
}

/// A community's rows of `table`, each a normalised JSON object, in key order.
pub fn rows(conn: &mut DbConn, table: &Table, community: &str) -> Result<Vec<String>> {
    let pairs: Vec<String> = table.columns.iter().map(|(c, _)| format!("'{c}', {c}")).collect();
    let filter = belongs(table.name);
    let (select, placeholder) = match conn {
        DbConn::Sqlite(_) => (format!("json_object({})", pairs.join(", ")), "?"),
        DbConn::Pg(_) => (format!("json_build_object({})::text", pairs.join(", ")), "$1"),
    };
    let mut sql = format!("SELECT {select} AS j FROM {}", table.name);
    if let Some(f) = filter {
        sql.push_str(" WHERE ");
        sql.push_str(&f.replace("{}", placeholder));
    }
    sql.push_str(&format!(" ORDER BY {}", table.key));
    let q = diesel::sql_query(sql);
    let found: Vec<Row> = match (conn, filter) {
        (DbConn::Sqlite(c), Some(_)) => q.bind::<SqlText, _>(community).load(c)?,
        (DbConn::Sqlite(c), None) => q.load(c)?,
        (DbConn::Pg(c), Some(_)) => q.bind::<SqlText, _>(community).load(c)?,
        (DbConn::Pg(c), None) => q.load(c)?,
    };
    found.into_iter().map(|r| normalise(table, &r.j)).collect()
}

/// One row in its archive form: the table's columns only, each value in its kind's form.
pub fn normalise(table: &Table, json: &str) -> Result<String> {
    let bad = |what: &str| StoreError::Corrupt(format!("{}: {what}", table.name));
    let row: Map<String, Value> = serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
    let mut out = Map::new();
    for (column, kind) in table.columns {
        let v = row.get(*column).cloned().unwrap_or(Value::Null);
        let v = match (kind, v) {
            (_, Value::Null) => Value::Null,
            (Bool, Value::Number(n)) => Value::Bool(n.as_i64() != Some(0)),
            (Bool, Value::Bool(b)) => Value::Bool(b),
            (Int, Value::Number(n)) => Value::from(n.as_i64().ok_or_else(|| bad(&format!("{column}: {n}")))?),
            (Double, Value::Number(n)) => Value::from(n.as_f64().ok_or_else(|| bad(&format!("{column}: {n}")))?),
            (Timestamp, Value::String(s)) => {
                Value::String(timestamp(&s).ok_or_else(|| bad(&format!("{column}: {s}")))?)
            }
            (Text | Date, Value::String(s)) => Value::String(s),
            (_, other) => return Err(bad(&format!("{column}: unexpected {other}"))),
        };
        out.insert((*column).to_owned(), v);
    }
    Ok(Value::Object(out).to_string())
}

/// `YYYY-MM-DD HH:MM:SS.ffffff`, from SQLite's form or PostgreSQL's (`T`, fewer digits).
fn timestamp(s: &str) -> Option<String> {
    let t = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())?;
    Some(t.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
}

/// The SHA-256 of a table's archive lines (each followed by a newline), hex.
pub fn checksum(lines: &[String]) -> String {
    let mut h = Sha256::new();
    for l in lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// Writes archive rows into `table`, in batches, in the caller's transaction.
pub fn insert(conn: &mut DbConn, table: &Table, lines: &[String]) -> Result<()> {
    // The archive's columns by name: a table's generated columns (kept by the database)
    // take no value.
    let names: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
    for batch in lines.chunks(200) {
        let array = format!("[{}]", batch.join(","));
        match conn {
            DbConn::Sqlite(c) => {
                let values: Vec<String> = names.iter().map(|n| format!("json_extract(value, '$.{n}')")).collect();
                let sql = format!(
                    "INSERT INTO {} ({}) SELECT {} FROM json_each(?)",
                    table.name,
                    names.join(", "),
                    values.join(", ")
                );
                diesel::sql_query(sql).bind::<SqlText, _>(array).execute(c)?;
            }
            DbConn::Pg(c) => {
                let sql = format!(
                    "INSERT INTO {0} ({1}) SELECT {1} FROM json_populate_recordset(NULL::{0}, $1::json)",
                    table.name,
                    names.join(", ")
                );
                diesel::sql_query(sql).bind::<SqlText, _>(array).execute(c)?;
            }
        }
    }
    Ok(())
}

/// Whether the database already has any row of `table` (for tables of the whole
/// deployment, which an import fills only when empty).
pub fn has_rows(conn: &mut DbConn, table: &Table) -> Result<bool> {
    Ok(crate::backup::rows_in(conn, table.name)? > 0)
}

/// Whether a table's rows belong to the whole deployment rather than one community.
pub fn deployment_wide(table: &Table) -> bool {
    belongs(table.name).is_none()
}

/// Writes an archive's rows, table by table in [`TABLES`]' order, in one transaction, and
/// rebuilds the search index; tables of the whole deployment that already have rows are
/// kept as they are. Returns the names of those kept.
pub fn import(conn: &mut DbConn, data: &[(&'static Table, Vec<String>)]) -> Result<Vec<&'static str>> {
    conn.transaction(|conn| {
        let mut kept = Vec::new();
        for (table, lines) in data {
            if deployment_wide(table) && has_rows(conn, table)? {
                kept.push(table.name);
                continue;
            }
            insert(conn, table, lines)?;
        }
        // The search index is derived, so archives leave it out.
        crate::search::backfill(conn)?;
        Ok(kept)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_and_column_of_the_schema_is_archived() {
        let db = crate::testing::TestDb::sqlite();
        let conn = &mut *db.db.conn().unwrap();
        #[derive(QueryableByName)]
        struct Name {
            #[diesel(sql_type = SqlText)]
            name: String,
        }
        let DbConn::Sqlite(c) = conn else { unreachable!() };
        let tables: Vec<Name> = diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '__diesel%' AND name NOT LIKE 'issue_search%' ORDER BY name",
        )
        .load(c)
        .unwrap();
        let mut ours: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        ours.sort();
        assert_eq!(tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ours);
        for table in TABLES {
            let columns: Vec<Name> =
                diesel::sql_query(format!("SELECT name FROM pragma_table_info('{}') ORDER BY cid", table.name))
                    .load(c)
                    .unwrap();
            let ours: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
            assert_eq!(columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ours, "{}", table.name);
        }
    }

    #[test]
    fn values_read_the_same_from_either_backend() {
        let t = &TABLES[0];
        let lite = r#"{"id":"c","name":"东圣","time_zone":"Asia/Shanghai","default_locale":"zh-CN","created_at":"2026-11-30 20:28:52.5448"}"#;
        let pg = r#"{"id":"c","name":"东圣","time_zone":"Asia/Shanghai","default_locale":"zh-CN","created_at":"2026-11-30T20:28:52.5448"}"#;
        assert_eq!(normalise(t, lite).unwrap(), normalise(t, pg).unwrap());
        assert!(normalise(t, lite).unwrap().contains("2026-11-30 20:28:52.544800"));
    }
}
