//! The SQLite writer keeps the WAL small. A reader holding an old snapshot starves
//! SQLite's own (passive) checkpoint, so the log grows while it reads; once it is gone
//! the writer empties the log instead of leaving a file of that size behind for good.

use diesel::connection::SimpleConnection;
use roundtable_store::testing::TestDb;

fn wal_bytes(t: &TestDb) -> u64 {
    let path = t.url.strip_prefix("sqlite://").expect("a SQLite URL");
    std::fs::metadata(format!("{path}-wal")).map_or(0, |m| m.len())
}

async fn write_rows(t: &TestDb, from: usize, n: usize) {
    let big = "x".repeat(8 * 1024);
    let mut writes = tokio::task::JoinSet::new();
    for i in from..from + n {
        let (db, big) = (t.db.clone(), big.clone());
        writes.spawn(async move {
            db.write(move |conn| {
                conn.batch_execute(&format!("INSERT INTO settings (key, value) VALUES ('wal-{i}', '{big}')"))?;
                Ok(())
            })
            .await
        });
    }
    while let Some(done) = writes.join_next().await {
        done.expect("the task ran").expect("the write committed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_empties_the_wal_once_a_long_reader_is_gone() {
    let t = TestDb::sqlite();
    let mut reader = t.db.conn().expect("a connection");
    reader.batch_execute("BEGIN; SELECT count(*) FROM settings;").expect("a read transaction");
    write_rows(&t, 0, 3000).await;
    let starved = wal_bytes(&t);
    assert!(starved > 16 * 1024 * 1024, "the reader kept the log from being checkpointed: {starved} bytes");

    reader.batch_execute("COMMIT;").expect("the read ends");
    drop(reader);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    write_rows(&t, 3000, 1).await;
    // The writer checkpoints after it has answered the write: give it a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut after = wal_bytes(&t);
    while after >= 1024 * 1024 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        after = wal_bytes(&t);
    }
    assert!(after < 1024 * 1024, "the log was emptied once the reader left: {after} bytes");
}
