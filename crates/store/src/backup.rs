//! A consistent copy of a SQLite database while the server runs (`VACUUM INTO`: one read
//! transaction, so the copy is a snapshot even with writers at work), and what a copy
//! holds, to check it. PostgreSQL is backed up with its own `pg_dump` (see the CLI).

use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::DbConn;
use crate::error::{Result, StoreError};

/// The tables whose rows a backup is checked by.
pub const COUNTED: [&str; 6] = ["communities", "users", "issues", "issue_events", "meetings", "outbox"];

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// Copies a SQLite database to `to`, which must not exist yet.
pub fn sqlite_copy(conn: &mut DbConn, to: &Path) -> Result<()> {
    let DbConn::Sqlite(lite) = conn else {
        return Err(StoreError::Corrupt("a SQLite copy of a PostgreSQL database".into()));
    };
    let target = to.to_str().ok_or_else(|| StoreError::Corrupt(format!("{} is not UTF-8", to.display())))?;
    diesel::sql_query("VACUUM INTO ?").bind::<Text, _>(target).execute(lite)?;
    Ok(())
}

/// SQLite's own check of a database file: `ok`, or what is wrong.
pub fn sqlite_integrity(conn: &mut DbConn) -> Result<String> {
    let DbConn::Sqlite(lite) = conn else { return Ok("ok".into()) };
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(lite)?;
    Ok(rows.into_iter().map(|r| r.integrity_check).collect::<Vec<_>>().join("; "))
}

/// The rows of each of [`COUNTED`], in that order.
pub fn counts(conn: &mut DbConn) -> Result<Vec<(&'static str, i64)>> {
    COUNTED.iter().map(|table| Ok((*table, rows_in(conn, table)?))).collect()
}

/// How many rows a table of ours has (`table` is one of our constant names, never input).
pub(crate) fn rows_in(conn: &mut DbConn, table: &str) -> Result<i64> {
    let q = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"));
    Ok(match conn {
        DbConn::Sqlite(c) => q.get_result::<Count>(c)?.n,
        DbConn::Pg(c) => q.get_result::<Count>(c)?.n,
    })
}
