//! Group commit for SQLite. SQLite admits one writer at a time and, with
//! `synchronous=FULL`, every commit waits for the disk. One thread owns the writing:
//! it takes every write that is waiting, runs each in its own savepoint inside one
//! transaction, commits once, and only then answers each caller — so a burst of N
//! writes costs one disk flush instead of N, and nobody hears "done" before it is
//! durable. A write that fails rolls back its own savepoint and nothing else.
//!
//! The writer also keeps the WAL in check. SQLite's automatic checkpoint is PASSIVE: under
//! steady reads some reader always holds an old snapshot, the checkpoint never reaches
//! the end of the log, the log is never restarted, and the file grows without bound
//! (407 MiB beside an 87 MiB database after three minutes of load). So at most once a
//! second the writer checkpoints passively, and when the log has passed
//! [`RESTART_PAGES`] it runs a TRUNCATE checkpoint, which waits the few milliseconds
//! until readers are off the log and then empties it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::Pool;

use crate::db::{Connector, DbConn};
use crate::error::{Result, StoreError};

/// Runs one write in the open transaction (or learns why there is none); returns how to
/// answer its caller once the transaction's fate is known (`None`: committed).
type Job = Box<dyn FnOnce(std::result::Result<&mut DbConn, &str>) -> Answer + Send>;
type Answer = Box<dyn FnOnce(Option<&str>) + Send>;

/// How many waiting writes share one commit at most.
const BATCH: usize = 64;

/// Log pages (4 KiB each) past which the writer empties the WAL: about 16 MiB.
pub(crate) const RESTART_PAGES: i32 = 4096;

/// How often the writer looks at the log.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The queue of the writer thread; dropping the last handle stops the thread.
pub(crate) struct Writer {
    jobs: std::sync::Mutex<mpsc::Sender<Job>>,
}

impl Writer {
    pub(crate) fn start(pool: Pool<Connector>) -> Writer {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(pool, rx))
            .expect("the writer thread starts");
        Writer { jobs: std::sync::Mutex::new(tx) }
    }

    /// Queues `f` and waits until its transaction has committed (or failed).
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn: std::result::Result<&mut DbConn, &str>| {
            let outcome = match conn {
                Ok(conn) => catch_unwind(AssertUnwindSafe(|| conn.transaction(f)))
                    .unwrap_or_else(|_| Err(StoreError::Panicked("a database write".into()))),
                Err(reason) => Err(StoreError::Pool(reason.to_owned())),
            };
            let answer: Answer = Box::new(move |commit_error: Option<&str>| {
                let answer = match (outcome, commit_error) {
                    (Ok(_), Some(e)) => Err(StoreError::Pool(format!("the database could not commit: {e}"))),
                    (outcome, _) => outcome,
                };
                let _ = tx.send(answer);
            });
            answer
        });
        let sent = self.jobs.lock().unwrap_or_else(|e| e.into_inner()).send(job);
        sent.map_err(|_| StoreError::Pool("the database writer has stopped".into()))?;
        rx.await.map_err(|_| StoreError::Pool("the database writer has stopped".into()))?
    }
}

fn run(pool: Pool<Connector>, rx: mpsc::Receiver<Job>) {
    crate::search::defer_on_this_thread();
    let mut last_checkpoint = std::time::Instant::now();
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut conn = match pool.get() {
            Ok(conn) => conn,
            Err(e) => {
                // Nothing runs: each caller hears why.
                let reason = format!("no database connection became free: {e}");
                for job in batch {
                    job(Err(&reason))(None);
                }
                continue;
            }
        };
        let mut answers = Vec::with_capacity(batch.len());
        let committed = in_immediate_transaction(&mut conn, |conn| {
            answers.extend(batch.drain(..).map(|job| job(Ok(&mut *conn))));
        });
        let error = committed.err().map(|e| e.to_string());
        // The transaction could not begin: the writes did not run.
        for job in batch {
            job(Err(error.as_deref().unwrap_or("the transaction did not begin")))(None);
        }
        for answer in answers {
            answer(error.as_deref());
        }
        if last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            last_checkpoint = std::time::Instant::now();
            if let Err(e) = checkpoint(&mut conn) {
                tracing::warn!(error = %e, "WAL checkpoint failed; retrying in a second");
            }
        }
    }
}

#[derive(diesel::QueryableByName)]
struct CheckpointRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    log: i32,
}

#[derive(diesel::QueryableByName)]
struct BusyTimeout {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    timeout: i32,
}

/// How long a TRUNCATE checkpoint may wait for readers to leave the log; writes queue
/// meanwhile, so a long reader (an export, say) costs them this at most, once a second.
const TRUNCATE_WAIT_MS: i32 = 100;

/// A passive checkpoint; a truncating one when the log has grown past [`RESTART_PAGES`].
fn checkpoint(conn: &mut DbConn) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;
    use diesel::connection::SimpleConnection;
    let DbConn::Sqlite(inner) = conn else { return Ok(()) };
    let row: CheckpointRow = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result(inner)?;
    if row.log >= RESTART_PAGES {
        let usual: BusyTimeout = diesel::sql_query("PRAGMA busy_timeout").get_result(inner)?;
        inner.batch_execute(&format!("PRAGMA busy_timeout = {TRUNCATE_WAIT_MS}"))?;
        // Busy (a reader stayed) is not an error: the next second tries again.
        let truncated = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result::<CheckpointRow>(inner);
        inner.batch_execute(&format!("PRAGMA busy_timeout = {}", usual.timeout))?;
        truncated?;
    }
    Ok(())
}

/// Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is taken (waiting in
/// the busy handler) before anything is read, so another process's commit cannot make
/// this snapshot stale halfway. `body`'s own transactions become savepoints. The search
/// documents the writes left waiting enter the index before the commit; if they cannot,
/// nothing commits.
fn in_immediate_transaction(conn: &mut DbConn, body: impl FnOnce(&mut DbConn)) -> diesel::QueryResult<()> {
    let DbConn::Sqlite(inner) = conn else {
        unreachable!("the writer thread serves SQLite only");
    };
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    if let Err(e) = crate::search::prepare_deferred(inner) {
        let _ = AnsiTransactionManager::rollback_transaction(inner);
        return Err(e);
    }
    body(conn);
    let DbConn::Sqlite(inner) = conn else { unreachable!("the connection does not change") };
    // The group's search documents, after every write's savepoint (see `search`).
    match crate::search::flush_deferred(inner).and_then(|()| AnsiTransactionManager::commit_transaction(inner)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = AnsiTransactionManager::rollback_transaction(inner);
            Err(e)
        }
    }
}
