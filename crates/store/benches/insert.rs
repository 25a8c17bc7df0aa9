//! Durable insert rate: an issue with its first event (one transaction each) on SQLite
//! and, when ROUNDTABLE_TEST_POSTGRES_URL is set, PostgreSQL — beside a raw one-row
//! SQLite insert loop with the same durability, measured in the same run.
//!
//! `cargo bench -p roundtable-store --bench insert` (ROUNDTABLE_BENCH_ISSUES=N, default 2000)

use std::time::Instant;

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use roundtable_core::{Issue, NewIssue, UserId};
use roundtable_store::{Db, DbOptions, issues};

mod common;

fn main() {
    let n: usize = std::env::var("ROUNDTABLE_BENCH_ISSUES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    let raw = raw_sqlite(&dir.path().join("raw.db"), n);
    println!("{:<44} {:>10} {:>12}", "durable inserts, one transaction each", "rows/s", "vs raw");
    println!("{:<44} {:>10.0} {:>12}", "raw SQLite one-row INSERT (baseline)", raw, "1.00");
    let sqlite = store(&format!("sqlite://{}", dir.path().join("store.db").display()), n);
    println!("{:<44} {:>10.0} {:>12.2}", "store SQLite issue + first event", sqlite, sqlite / raw);
    if let Some(pg) = common::on_postgres(|url| store(url, n)) {
        println!("{:<44} {:>10.0} {:>12.2}", "store PostgreSQL issue + first event", pg, pg / raw);
    }
}

/// The floor: the same durability (WAL, synchronous=FULL), one short row per commit.
fn raw_sqlite(path: &std::path::Path, n: usize) -> f64 {
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT NOT NULL);")
        .unwrap();
    let start = Instant::now();
    for i in 0..n {
        diesel::sql_query("INSERT INTO t (id, body) VALUES (?, ?)")
            .bind::<diesel::sql_types::Text, _>(UserId::new().to_string())
            .bind::<diesel::sql_types::Text, _>(format!("row {i}"))
            .execute(&mut conn)
            .unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn store(url: &str, n: usize) -> f64 {
    let (db, _) = Db::open_and_migrate(url, DbOptions::default()).unwrap();
    let conn = &mut db.conn().unwrap();
    let common::Raiser { compound, actor, wf, .. } = common::raiser(conn);
    let start = Instant::now();
    for i in 0..n {
        let new = NewIssue {
            title: format!("地下室漏水 {i}"),
            description: "墙皮洇水，请物业尽快处理".into(),
            category: "building".into(),
            urgency: Default::default(),
            compound,
            building: None,
            unit: None,
        };
        let (issue, event) = Issue::raise(&wf, new, &actor, Utc::now());
        issues::insert_issue(conn, &issue, &event).unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}
