//! roundtable-store: persistence for roundtable, one diesel code base over SQLite (the
//! embedded default) and PostgreSQL, chosen by the database URL.

pub mod agenda;
pub mod archive;
pub mod audit;
pub mod backup;
pub mod calendar;
pub mod channels;
mod convert;
pub mod corrections;
pub mod db;
pub mod directory;
pub mod error;
pub mod invitations;
pub mod issues;
pub mod meetings;
pub mod minutes;
pub mod notices;
pub mod open311;
pub mod outbox;
pub mod photos;
pub mod schema;
mod scorecards;
pub mod search;
pub mod settings;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;
mod writer;

use std::sync::Arc;

use diesel::r2d2::{Pool, PooledConnection};

pub use db::{Backend, DbConn, DbOptions, DbUrl, Synchronous, schema_version};
pub use error::{Result, StoreError};
pub use issues::{IssueFilter, IssueOrder, IssuePage, PageRequest};

pub use db::Connector;

/// A connection borrowed from the pool.
pub type PooledConn = PooledConnection<Connector>;

/// A pool of connections to one database.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Connector>,
    url: Arc<DbUrl>,
    /// SQLite admits one writer at a time: this process's writes queue for one thread
    /// that commits them in groups (see `writer`), instead of waiting in SQLite's busy
    /// handler (which sleeps in steps of up to 100 ms). Started on the first write.
    writer: Arc<std::sync::OnceLock<writer::Writer>>,
    /// One permit per pooled connection: [`Db::run`] waits for a permit here, on the
    /// async runtime and first come first served, before it takes a blocking thread. Without
    /// it every waiting request parked a blocking thread on the pool's condition variable
    /// (64 threads for 64 connections under load), and the two cores went to switching
    /// between them — most of the time on PostgreSQL, by `perf`.
    slots: Arc<tokio::sync::Semaphore>,
    /// How long to wait for a permit (the pool's own connection timeout).
    wait: std::time::Duration,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("url", &self.url).finish_non_exhaustive()
    }
}

impl Db {
    /// Connects (one connection first, so a wrong URL or an unreachable server fails
    /// now with its real reason), refuses a database migrated by a newer version, and
    /// builds the pool. Does not migrate: see [`Db::migrate`].
    pub fn open(url: &str, opts: DbOptions) -> Result<Db> {
        let url = DbUrl::parse(url)?;
        let connector = Connector::new(url.clone(), opts.clone());
        let mut first = connector.connect()?;
        if let Some(version) = db::unknown_migration(&mut first)? {
            return Err(StoreError::NewerSchema { url: url.to_string(), version });
        }
        let pool = Pool::builder()
            .max_size(opts.pool_size.max(1))
            .min_idle(Some(0))
            // A query per checkout doubles the cost of small requests; a broken connection
            // shows up as an error on use instead, and r2d2 replaces it.
            .test_on_check_out(false)
            .connection_timeout(opts.connect_timeout)
            .build_unchecked(connector);
        let slots = Arc::new(tokio::sync::Semaphore::new(opts.pool_size.max(1) as usize));
        Ok(Db { pool, url: Arc::new(url), writer: Arc::default(), slots, wait: opts.connect_timeout })
    }

    /// Opens and brings the schema up to date; returns the migrations applied now.
    pub fn open_and_migrate(url: &str, opts: DbOptions) -> Result<(Db, Vec<String>)> {
        let db = Db::open(url, opts)?;
        let applied = db.migrate()?;
        Ok((db, applied))
    }

    /// Runs pending migrations, then indexes for search the issues the index lacks and
    /// keeps phone numbers by their digits (data older builds wrote otherwise).
    pub fn migrate(&self) -> Result<Vec<String>> {
        let conn = &mut *self.conn()?;
        let applied = db::run_migrations(conn)?;
        search::backfill(conn)?;
        directory::normalise_phones(conn)?;
        Ok(applied)
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// A connection from the pool, waiting at most the configured connect timeout.
    pub fn conn(&self) -> Result<PooledConn> {
        self.pool.get().map_err(|e| StoreError::Pool(e.to_string()))
    }

    /// Runs blocking database work on tokio's blocking pool, for async callers: at most
    /// as many at once as the pool has connections, the rest waiting their turn in order
    /// (at most the connect timeout, then a [`StoreError::Pool`]).
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        // A free permit is taken at once; only a wait needs a timer.
        let permit = match self.slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                Ok(Err(_)) => return Err(StoreError::Pool("the database pool is closed".into())),
                Err(_) => return Err(StoreError::Pool(format!("waited {} ms", self.wait.as_millis()))),
            },
        };
        let db = self.clone();
        // The permit goes with the work, not with the caller: a request that is dropped
        // while its work runs still holds its turn until the work is done.
        let work = move || {
            let _permit = permit;
            f(&mut *db.conn()?)
        };
        tokio::task::spawn_blocking(work).await.map_err(|e| match e.is_panic() {
            true => StoreError::Panicked(e.to_string()),
            false => StoreError::Pool(format!("database task failed: {e}")),
        })?
    }

    /// Like [`Db::run`], for work that writes, as one transaction (all of `f` or none of
    /// it): on SQLite the process's writes are run by one thread, each in its own
    /// savepoint, and committed in groups (the answer comes after the commit); on
    /// PostgreSQL they run side by side, each in its own transaction.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        match self.backend() {
            Backend::Sqlite => self.writer.get_or_init(|| writer::Writer::start(self.pool.clone())).write(f).await,
            Backend::Postgres => {
                use diesel::Connection;
                self.run(move |conn| conn.transaction(f)).await
            }
        }
    }

    /// Whether the database answers (for `/readyz`).
    pub fn ping(&self) -> Result<()> {
        use diesel::connection::SimpleConnection;
        self.conn()?.batch_execute("SELECT 1").map_err(StoreError::Database)
    }
}
