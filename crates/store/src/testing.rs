//! Test support for this crate's suite and the end-to-end suite (feature `testing`):
//! throwaway databases on SQLite and, when configured, PostgreSQL.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use crate::{Db, DbOptions};

pub const POSTGRES_ENV: &str = "ROUNDTABLE_TEST_POSTGRES_URL";

/// A migrated database that removes itself when dropped.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("roundtable.db").display());
        let (db, _) = Db::open_and_migrate(&url, DbOptions::default()).expect("sqlite opens");
        TestDb { db, url, _dir: Some(dir), pg: None }
    }

    /// A fresh database on the configured server, or `None` when none is configured.
    pub fn postgres() -> Option<TestDb> {
        let (admin, name, url) = create_postgres()?;
        let (db, _) = Db::open_and_migrate(&url, DbOptions::default()).expect("postgres opens");
        Some(TestDb { db, url, _dir: None, pg: Some((admin, name)) })
    }
}

/// A fresh database on the configured server: the admin URL, its name, its URL.
fn create_postgres() -> Option<(String, String, String)> {
    let admin = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())?;
    let name = format!("roundtable_test_{}", uuid_simple());
    let mut conn = PgConnection::establish(&admin).expect("the test PostgreSQL server answers");
    conn.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = with_database(&admin, &name);
    Some((admin, name, url))
}

/// An empty database on the configured server, not even migrated (to restore a dump
/// into), dropped with this.
pub struct EmptyPostgres {
    pub url: String,
    admin: String,
    name: String,
}

impl EmptyPostgres {
    pub fn new() -> Option<EmptyPostgres> {
        let (admin, name, url) = create_postgres()?;
        Some(EmptyPostgres { url, admin, name })
    }
}

impl Drop for EmptyPostgres {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin) {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg
            && let Ok(mut conn) = PgConnection::establish(admin)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Runs SQL of a test's own on a database (to break it on purpose, say).
pub fn execute(db: &Db, sql: &str) -> crate::Result<()> {
    let mut conn = db.conn()?;
    conn.batch_execute(sql).map_err(crate::StoreError::Database)
}

/// `postgres://u@h:p/db?x` with another database name.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[host_start..].find('/').map_or(base.len(), |i| host_start + i);
    let server = &base[..host_end];
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

fn uuid_simple() -> String {
    roundtable_core::IssueId::new().0.simple().to_string()
}

/// Declares each test once and runs it on both databases.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(&$crate::testing::TestDb::sqlite()) })*
        }
        mod postgres {
            $(#[test] fn $name() {
                match $crate::testing::TestDb::postgres() {
                    Some(db) => super::$name(&db),
                    None => eprintln!(
                        "skipped: {} on PostgreSQL ({} is not set)",
                        stringify!($name), $crate::testing::POSTGRES_ENV
                    ),
                }
            })*
        }
    };
}
