//! A raw axum + SQLite server with the same durability as roundtable (WAL,
//! synchronous=FULL) and nothing else: `baseline DB_PATH ADDR`, or the same on
//! PostgreSQL (`baseline postgres://… ADDR`, the server's own durability). It seeds
//! 10,000 rows and serves GET /items (50 newest), GET /items/{id} and POST /items.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};

/// The baseline's database: SQLite (a file path) or PostgreSQL (a `postgres://` URL), each
/// through its own diesel connection, as roundtable's hottest reads are.
#[derive(Clone)]
enum Db {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Pg(Pool<ConnectionManager<PgConnection>>),
}

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Runs `$body` with `$c` bound to a pooled connection of either backend: written once,
/// compiled for each. The SQL uses `$1`-style parameters, which SQLite binds by position
/// as PostgreSQL does.
macro_rules! with_conn {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            Db::Sqlite(pool) => {
                let $c = &mut *pool.get().map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
                $body.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
            }
            Db::Pg(pool) => {
                let $c = &mut *pool.get().map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
                $body.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    };
}

/// `with_conn!` on a blocking thread, as a handler runs it.
macro_rules! blocking {
    ($db:expr, |$c:ident| $body:expr) => {{
        let db: Db = $db;
        tokio::task::spawn_blocking(move || with_conn!(db, |$c| $body))
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
    }};
}

#[derive(QueryableByName, Serialize)]
struct Item {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    body: String,
}

#[derive(Deserialize)]
struct NewItem {
    title: String,
    body: String,
}

async fn list(State(db): State<Db>) -> Result<Json<Vec<Item>>, StatusCode> {
    let rows: Vec<Item> = blocking!(db, |c| diesel::sql_query(LIST).load(c))?;
    Ok(Json(rows))
}

async fn one(State(db): State<Db>, Path(id): Path<String>) -> Result<Json<Item>, StatusCode> {
    let mut rows: Vec<Item> = blocking!(db, |c| diesel::sql_query(ONE).bind::<Text, _>(id).load(c))?;
    rows.pop().map(Json).ok_or(StatusCode::NOT_FOUND)
}

async fn create(
    State(db): State<Db>,
    Json(item): Json<NewItem>,
) -> Result<(StatusCode, Json<serde_json::Value>), StatusCode> {
    let id = uuid::Uuid::now_v7().to_string();
    let stored = id.clone();
    blocking!(db, |c| diesel::sql_query(INSERT)
        .bind::<Text, _>(stored)
        .bind::<Text, _>(item.title)
        .bind::<Text, _>(item.body)
        .execute(c))?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

const LIST: &str = "SELECT id, title, body FROM items ORDER BY id DESC LIMIT 50";
const ONE: &str = "SELECT id, title, body FROM items WHERE id = $1";
const INSERT: &str = "INSERT INTO items (id, title, body) VALUES ($1, $2, $3)";

/// The table and its 10,000 rows, in one transaction.
fn seed(db: &Db) -> Result<(), StatusCode> {
    with_conn!(db, |conn| conn
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL)"
        )
        .and_then(|()| {
            conn.transaction(|conn| {
                for i in 0..10_000 {
                    diesel::sql_query(INSERT)
                        .bind::<Text, _>(uuid::Uuid::now_v7().to_string())
                        .bind::<Text, _>(format!("问题 {i}"))
                        .bind::<Text, _>("雨后地下室积水，墙皮洇水。")
                        .execute(conn)?;
                }
                Ok(())
            })
        }))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (database, addr) = (args.next().expect("DB_PATH or postgres:// URL"), args.next().expect("ADDR"));
    let db = if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        Db::Pg(Pool::builder().max_size(8).build(ConnectionManager::new(database)).expect("the database opens"))
    } else {
        Db::Sqlite(
            Pool::builder()
                .max_size(8)
                .connection_customizer(Box::new(Pragmas))
                .build(ConnectionManager::new(database))
                .expect("the database opens"),
        )
    };
    seed(&db).expect("the table is seeded");
    let app = Router::new().route("/items", get(list).post(create)).route("/items/{id}", get(one)).with_state(db);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr).await.expect("the address is free");
        println!("baseline listening on {addr}");
        axum::serve(listener, app).await.unwrap();
    });
}
