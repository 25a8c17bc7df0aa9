//! Opening a database: clear errors for wrong URLs, unreachable servers, files that are
//! not databases and databases migrated by a newer roundtable.

use diesel::connection::SimpleConnection;
use roundtable_store::{Backend, Db, DbOptions, StoreError};

use crate::harness::*;
use roundtable_store::on_both_databases;

on_both_databases!(a_database_migrated_by_a_newer_version_is_refused, migrating_twice_applies_nothing);

fn open_err(url: &str) -> String {
    match Db::open(url, DbOptions::default()) {
        Ok(_) => panic!("{url} opened"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_unknown_scheme_names_the_accepted_forms() {
    for url in ["mysql://root@127.0.0.1/x", "", "   ", "sqlite://"] {
        let err = open_err(url);
        assert!(err.starts_with("unsupported database URL"), "{url:?}: {err}");
        assert!(err.contains("sqlite://PATH") && err.contains("postgres://"), "{err}");
    }
    assert!(!open_err("redis://u:hunter2@127.0.0.1/").contains("hunter2"), "secrets never echoed");
}

#[test]
fn an_unreachable_postgres_gives_the_real_reason_without_the_password() {
    let err = open_err("postgres://roundtable:hunter2@127.0.0.1:1/roundtable");
    assert!(err.starts_with("cannot open the database at postgres://roundtable:***@127.0.0.1:1/roundtable: "), "{err}");
    assert!(err.to_lowercase().contains("refused"), "libpq's reason is kept: {err}");
    assert!(!err.contains("hunter2"));
}

#[test]
fn a_file_that_is_not_a_database_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "会议纪要 — not a database. ".repeat(200)).unwrap();
    let err = open_err(path.to_str().unwrap());
    assert!(err.contains("the file is not a SQLite database"), "{err}");
    assert!(err.contains("notes.db"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap().len(),
        "会议纪要 — not a database. ".len() * 200,
        "left untouched"
    );
}

#[test]
fn sqlite_urls_and_plain_paths_both_work_and_create_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("data/sub/roundtable.db");
    for url in [format!("sqlite://{}", nested.display()), nested.display().to_string()] {
        let (db, _) = Db::open_and_migrate(&url, DbOptions::default()).unwrap();
        assert_eq!(db.backend(), Backend::Sqlite);
        db.ping().unwrap();
    }
    assert!(nested.exists());
}

fn a_database_migrated_by_a_newer_version_is_refused(t: &TestDb) {
    t.db.conn()
        .unwrap()
        .batch_execute("INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000000')")
        .unwrap();
    match Db::open(&t.url, DbOptions::default()) {
        Err(StoreError::NewerSchema { version, .. }) => assert_eq!(version, "29991231000000"),
        other => panic!("expected NewerSchema, got {other:?}"),
    }
}

fn migrating_twice_applies_nothing(t: &TestDb) {
    assert!(t.db.migrate().unwrap().is_empty());
}

/// The bundled SQLite is built with the query planner stability guarantee (see
/// `.cargo/config.toml`): without it, binding a LIMIT marked the statement to be parsed
/// again on its next use, so every `get_issue` re-parsed its SQL.
#[test]
fn sqlite_plans_each_statement_once() {
    #[derive(diesel::QueryableByName)]
    struct Opt {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }
    let t = TestDb::sqlite();
    let conn = &mut *t.db.conn().unwrap();
    let options: Vec<Opt> = diesel::RunQueryDsl::load(diesel::sql_query("PRAGMA compile_options"), conn).unwrap();
    assert!(
        options.iter().any(|o| o.compile_options == "ENABLE_QPSG"),
        "built without SQLITE_ENABLE_QPSG: is LIBSQLITE3_FLAGS from .cargo/config.toml in effect?"
    );
}

/// The group commit runs each write in a savepoint; their journals stay in memory
/// instead of a temporary file written on every write (docs/performance.md).
#[test]
fn sqlite_keeps_savepoint_journals_in_memory() {
    #[derive(diesel::QueryableByName)]
    struct Store {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        temp_store: i32,
    }
    let t = TestDb::sqlite();
    let conn = &mut *t.db.conn().unwrap();
    let got: Vec<Store> = diesel::RunQueryDsl::load(diesel::sql_query("PRAGMA temp_store"), conn).unwrap();
    assert_eq!(got[0].temp_store, 2, "PRAGMA temp_store = MEMORY on every connection");
}

/// Each connection is used by one thread at a time, so SQLite runs without the mutex
/// around every call and without counting its allocations (docs/performance.md): set
/// once, before the first connection. With the counting off, SQLite reports no memory
/// in use however much it holds.
#[test]
fn sqlite_runs_without_its_per_call_locks() {
    let t = TestDb::sqlite();
    let conn = &mut *t.db.conn().unwrap();
    diesel::RunQueryDsl::execute(diesel::sql_query("SELECT count(*) FROM issues"), conn).unwrap();
    // SAFETY: a read of a counter, callable at any time.
    let used = unsafe { libsqlite3_sys::sqlite3_memory_used() };
    assert_eq!(used, 0, "SQLITE_CONFIG_MEMSTATUS is off (and MULTITHREAD set with it)");
}

#[derive(diesel::QueryableByName)]
struct MmapSize {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    mmap_size: i64,
}

/// `database.sqlite_mmap_mib` reaches every pooled SQLite connection; 0 turns the map off.
#[test]
fn each_sqlite_connection_maps_as_much_of_the_file_as_it_is_told() {
    use diesel::RunQueryDsl;
    let dir = tempfile::tempdir().unwrap();
    for bytes in [8 * 1024 * 1024, 0, DbOptions::default().sqlite_mmap_bytes] {
        let url = dir.path().join(format!("mmap-{bytes}.db")).display().to_string();
        let (db, _) =
            Db::open_and_migrate(&url, DbOptions { sqlite_mmap_bytes: bytes, ..DbOptions::default() }).unwrap();
        let mut conn = db.conn().unwrap();
        let roundtable_store::DbConn::Sqlite(c) = &mut *conn else { panic!("a SQLite connection") };
        let row: MmapSize = diesel::sql_query("PRAGMA mmap_size").get_result(c).unwrap();
        assert_eq!(row.mmap_size as u64, bytes);
    }
}

/// `database.pool_size` bounds the database work running at once and
/// `database.connect_timeout_secs` how long the rest wait for their turn. A request that
/// waits holds no blocking thread meanwhile, so other blocking work (hashing a password,
/// cleaning a photo) is not starved by a queue for the database.
#[test]
fn waiting_for_a_connection_takes_no_thread_and_gives_up_after_the_timeout() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("pool.db").display().to_string();
    let opts = DbOptions { pool_size: 2, connect_timeout: Duration::from_millis(300), ..DbOptions::default() };
    let (db, _) = Db::open_and_migrate(&url, opts).unwrap();
    // As many blocking threads as there are connections, and one more.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(3)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (started, mut running) = tokio::sync::mpsc::unbounded_channel::<()>();
        let holders: Vec<_> = (0..2)
            .map(|_| {
                let (db, started) = (db.clone(), started.clone());
                tokio::spawn(async move {
                    db.run(move |_| {
                        let _ = started.send(());
                        std::thread::sleep(Duration::from_millis(1000));
                        Ok(())
                    })
                    .await
                })
            })
            .collect();
        for _ in 0..2 {
            running.recv().await.unwrap();
        }
        // Both connections are taken: three more requests queue for the database.
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move { (db.run(|_| Ok(())).await, Instant::now()) })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let other_work = tokio::task::spawn_blocking(Instant::now).await.unwrap();
        for waiter in waiters {
            let (outcome, gave_up) = waiter.await.unwrap();
            let e = outcome.unwrap_err();
            assert!(matches!(e, StoreError::Pool(_)), "{e:?}");
            assert!(e.to_string().contains("waited 300 ms"), "{e}");
            assert!(other_work < gave_up, "other blocking work waited behind the queue for the database");
        }
        for holder in holders {
            holder.await.unwrap().unwrap();
        }
        // The turn comes back once the work is done.
        db.run(|_| Ok(())).await.unwrap();
    });
}
