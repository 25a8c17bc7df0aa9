//! Connecting: the backend is chosen by the URL's scheme, never by trial, so the real
//! error of the one backend meant reaches the operator.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{Result, StoreError};

/// One connection to either database; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection: the body is written
/// once and compiled for each backend. Diesel's multi-connection renders every query to
/// SQL text before handing it on (and caches statements by that text), which made SQL
/// building the largest cost of reading one issue (perf, docs/performance.md); the
/// backend's own connection runs a query type from its prepared-statement cache without
/// writing its SQL again. For the hottest reads only.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConn::Sqlite($c) => $body,
            $crate::DbConn::Pg($c) => $body,
        }
    };
}

/// Writes sent to PostgreSQL as one statement, `WITH s0 AS (first), s1 AS (…) last`: one
/// round trip where each was one, and each a hand-over between a blocking thread and a
/// backend on two cores (docs/performance.md). The parts share one snapshot and do not
/// see one another's rows, but foreign keys are checked at the statement's end, after
/// all of them: for inserts of rows made before the write (a new issue and its first
/// step). Cached by its SQL.
pub(crate) struct OneTrip<'a>(pub &'a [&'a dyn diesel::query_builder::QueryFragment<diesel::pg::Pg>]);

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for OneTrip<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        let Some((last, first)) = self.0.split_last() else {
            return Err(diesel::result::Error::QueryBuilderError("no statement to send".into()));
        };
        for (i, part) in first.iter().enumerate() {
            out.push_sql(if i == 0 { "WITH s" } else { ", s" });
            out.push_sql(&i.to_string());
            out.push_sql(" AS (");
            part.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        last.walk_ast(out.reborrow())
    }
}

impl diesel::query_builder::QueryId for OneTrip<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Conn> RunQueryDsl<Conn> for OneTrip<'_> {}

/// An insert that runs on either backend: on PostgreSQL as a part of a [`OneTrip`].
pub(crate) trait Insert {
    fn on_pg(&self) -> &dyn diesel::query_builder::QueryFragment<diesel::pg::Pg>;
    fn on_sqlite(&self, conn: &mut SqliteConnection) -> QueryResult<usize>;
}

impl<T> Insert for T
where
    T: diesel::query_builder::QueryFragment<diesel::pg::Pg>
        + diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>
        + diesel::query_builder::QueryId,
{
    fn on_pg(&self) -> &dyn diesel::query_builder::QueryFragment<diesel::pg::Pg> {
        self
    }

    fn on_sqlite(&self, conn: &mut SqliteConnection) -> QueryResult<usize> {
        diesel::query_dsl::methods::ExecuteDsl::<SqliteConnection>::execute(self, conn)
    }
}

/// Writes `inserts` in the open transaction: on PostgreSQL as one statement (a round
/// trip each was most of a write's time there), on SQLite, in the process, one after
/// another.
pub(crate) fn insert_all(conn: &mut DbConn, inserts: &[&dyn Insert]) -> QueryResult<()> {
    match conn {
        DbConn::Pg(pg) => {
            let parts: Vec<_> = inserts.iter().map(|i| i.on_pg()).collect();
            OneTrip(&parts).execute(pg).map(drop)
        }
        DbConn::Sqlite(lite) => inserts.iter().try_for_each(|i| i.on_sqlite(lite).map(drop)),
    }
}

/// Runs `f` all or nothing: in a transaction of its own when none is open, else as part
/// of the open one. The store's writes are called both alone and inside `Db::write`'s
/// transaction, where a transaction of their own is a savepoint: on PostgreSQL two more
/// round trips a write (`SAVEPOINT`, `RELEASE`, docs/performance.md) that buy nothing,
/// since every caller lets an error fail its whole write. An operation whose caller
/// catches an error and goes on (a duplicate ignored) keeps `conn.transaction`.
pub fn atomically<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T>) -> Result<T> {
    use diesel::connection::TransactionManager;
    let status = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn);
    match status.transaction_depth() {
        Ok(Some(_)) => f(conn),
        _ => conn.transaction(f),
    }
}
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A parsed database URL.
#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<DbUrl> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err(StoreError::BadUrl(url.to_owned()));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_owned()));
        }
        if url.is_empty() || url.contains("://") {
            return Err(StoreError::BadUrl(redact(url)));
        }
        Ok(DbUrl::Sqlite(PathBuf::from(url)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbUrl::Sqlite(_) => Backend::Sqlite,
            DbUrl::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Shows the URL with any password replaced, for messages and logs.
impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            DbUrl::Postgres(u) => f.write_str(&redact(u)),
        }
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `scheme://user:secret@host` → `scheme://user:***@host`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

/// SQLite's durability: FULL survives power loss; NORMAL (with WAL) may lose the last
/// commits on power loss but never corrupts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    Full,
    Normal,
}

#[derive(Clone, Debug)]
pub struct DbOptions {
    pub pool_size: u32,
    /// How long to wait for a connection (pool) or for PostgreSQL to answer.
    pub connect_timeout: Duration,
    /// How long SQLite waits for a lock before giving up.
    pub busy_timeout: Duration,
    pub synchronous: Synchronous,
    /// SQLite only: how much of the database file each connection reads through a memory
    /// map (`PRAGMA mmap_size`) instead of a `read` into its own page cache; 0 turns it off.
    pub sqlite_mmap_bytes: u64,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            pool_size: 8,
            connect_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(10),
            synchronous: Synchronous::Full,
            sqlite_mmap_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// Bytes the WAL file is cut back to whenever it restarts (64 MiB).
const JOURNAL_SIZE_LIMIT: u64 = 64 * 1024 * 1024;

/// Sets SQLite's process-wide mode once, before the process's first connection: each
/// connection is only ever used by one thread at a time (diesel's connection is not
/// `Sync`; the pool and the writer hand it to one thread), so the serialized mode's mutex
/// around every call, and the allocator's statistics behind another mutex, were pure
/// cost — 6 % of a list request under load (perf, docs/performance.md). If SQLite was
/// already initialised in this process (a test opening its own connection first), SQLite
/// refuses the change and keeps its safe default.
pub(crate) fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use libsqlite3_sys::{SQLITE_CONFIG_MEMSTATUS, SQLITE_CONFIG_MULTITHREAD, sqlite3_config};
        // SAFETY: `sqlite3_config` must run before SQLite initialises and not alongside
        // another SQLite call; `Once` runs it first of all this process's connections
        // (SQLite answers SQLITE_MISUSE, changing nothing, when it is already initialised).
        unsafe {
            sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
            sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int);
        }
    });
}

/// Opens connections for the pool.
#[derive(Debug)]
pub struct Connector {
    url: DbUrl,
    opts: DbOptions,
}

impl Connector {
    pub fn new(url: DbUrl, opts: DbOptions) -> Self {
        Connector { url, opts }
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    fn unavailable(&self, reason: impl fmt::Display) -> StoreError {
        StoreError::Unavailable { url: self.url.to_string(), reason: reason.to_string().trim().to_owned() }
    }

    pub fn connect(&self) -> Result<DbConn> {
        match &self.url {
            DbUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| self.unavailable(e))?;
                }
                let shown = path.to_str().ok_or_else(|| self.unavailable("the path is not UTF-8"))?;
                configure_sqlite();
                let mut conn = SqliteConnection::establish(shown).map_err(|e| self.unavailable(e))?;
                let sync = match self.opts.synchronous {
                    Synchronous::Full => "FULL",
                    Synchronous::Normal => "NORMAL",
                };
                // busy_timeout first: the WAL switch itself may wait for another writer.
                // temp_store: the group commit runs each write in a savepoint, and a
                // savepoint's journal was a temporary file written on every write
                // (a fifth of the writer thread's time under load, docs/performance.md).
                // mmap_size: a page read is a memory access rather than a system call and
                // a copy into each connection's 2 MiB page cache, which a database larger
                // than that missed on most reads of one issue (docs/performance.md).
                let pragmas = format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; \
                     PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}; \
                     PRAGMA temp_store = MEMORY; PRAGMA mmap_size = {};",
                    self.opts.busy_timeout.as_millis(),
                    self.opts.sqlite_mmap_bytes,
                );
                conn.batch_execute(&pragmas).map_err(|e| match e.to_string().as_str() {
                    m if m.contains("not a database") => self.unavailable("the file is not a SQLite database"),
                    _ => self.unavailable(e),
                })?;
                Ok(DbConn::Sqlite(conn))
            }
            DbUrl::Postgres(url) => {
                let url = if url.contains("connect_timeout=") {
                    url.clone()
                } else {
                    let sep = if url.contains('?') { '&' } else { '?' };
                    format!("{url}{sep}connect_timeout={}", self.opts.connect_timeout.as_secs().max(1))
                };
                PgConnection::establish(&url).map(DbConn::Pg).map_err(|e| self.unavailable(e))
            }
        }
    }
}

impl r2d2::ManageConnection for Connector {
    type Connection = DbConn;
    type Error = StoreError;

    fn connect(&self) -> Result<DbConn> {
        Connector::connect(self)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<()> {
        conn.batch_execute("SELECT 1").map_err(StoreError::Database)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// Runs pending migrations; returns the versions applied.
pub(crate) fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(versions),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(versions),
    };
    applied.map_err(|e| StoreError::Migration(e.to_string()))
}

fn versions(v: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    v.into_iter().map(|v| v.to_string()).collect()
}

/// The first migration the database has that this build does not know, if any.
pub(crate) fn unknown_migration(conn: &mut DbConn) -> Result<Option<String>> {
    fn names<DB: diesel::backend::Backend>(source: &EmbeddedMigrations) -> Result<Vec<String>> {
        use diesel::migration::MigrationSource;
        let migrations = MigrationSource::<DB>::migrations(source).map_err(|e| StoreError::Migration(e.to_string()))?;
        Ok(migrations.iter().map(|m| m.name().version().to_string()).collect())
    }
    let (applied, known) = match conn {
        DbConn::Sqlite(c) => {
            (c.applied_migrations().map(versions), names::<diesel::sqlite::Sqlite>(&SQLITE_MIGRATIONS)?)
        }
        DbConn::Pg(c) => (c.applied_migrations().map(versions), names::<diesel::pg::Pg>(&POSTGRES_MIGRATIONS)?),
    };
    let applied = applied.map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(applied.into_iter().find(|v| !known.contains(v)))
}

/// The newest migration the database has (an archive records it: rows are imported into
/// a schema of the same version only).
pub fn schema_version(conn: &mut DbConn) -> Result<String> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.applied_migrations().map(versions),
        DbConn::Pg(c) => c.applied_migrations().map(versions),
    };
    let applied = applied.map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(applied.into_iter().max().unwrap_or_default())
}
