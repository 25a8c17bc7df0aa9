//! A raw axum + SQLite server with the same durability as roundtable (WAL,
//! synchronous=FULL) and nothing else: `baseline DB_PATH ADDR`. It seeds 10,000 rows
//! and serves GET /items (50 newest), GET /items/{id} and POST /items.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};

type DbPool = Pool<ConnectionManager<SqliteConnection>>;

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(diesel::r2d2::Error::QueryError)
    }
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

async fn blocking<T: Send + 'static>(
    pool: DbPool,
    f: impl FnOnce(&mut SqliteConnection) -> QueryResult<T> + Send + 'static,
) -> Result<T, StatusCode> {
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
        f(&mut conn).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
    })
    .await
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
}

async fn list(State(pool): State<DbPool>) -> Result<Json<Vec<Item>>, StatusCode> {
    blocking(pool, |c| diesel::sql_query("SELECT id, title, body FROM items ORDER BY id DESC LIMIT 50").load(c))
        .await
        .map(Json)
}

async fn one(State(pool): State<DbPool>, Path(id): Path<String>) -> Result<Json<Item>, StatusCode> {
    let mut rows: Vec<Item> = blocking(pool, move |c| {
        diesel::sql_query("SELECT id, title, body FROM items WHERE id = ?").bind::<Text, _>(id).load(c)
    })
    .await?;
    rows.pop().map(Json).ok_or(StatusCode::NOT_FOUND)
}

async fn create(
    State(pool): State<DbPool>,
    Json(item): Json<NewItem>,
) -> Result<(StatusCode, Json<serde_json::Value>), StatusCode> {
    let id = uuid::Uuid::now_v7().to_string();
    let stored = id.clone();
    blocking(pool, move |c| {
        diesel::sql_query("INSERT INTO items (id, title, body) VALUES (?, ?, ?)")
            .bind::<Text, _>(stored)
            .bind::<Text, _>(item.title)
            .bind::<Text, _>(item.body)
            .execute(c)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (path, addr) = (args.next().expect("DB_PATH"), args.next().expect("ADDR"));
    let pool = Pool::builder()
        .max_size(8)
        .connection_customizer(Box::new(Pragmas))
        .build(ConnectionManager::<SqliteConnection>::new(path))
        .expect("the database opens");
    {
        let conn = &mut pool.get().unwrap();
        conn.batch_execute(
            "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL)",
        )
        .unwrap();
        conn.batch_execute("BEGIN").unwrap();
        for i in 0..10_000 {
            diesel::sql_query("INSERT INTO items (id, title, body) VALUES (?, ?, ?)")
                .bind::<Text, _>(uuid::Uuid::now_v7().to_string())
                .bind::<Text, _>(format!("问题 {i}"))
                .bind::<Text, _>("雨后地下室积水，墙皮洇水。")
                .execute(conn)
                .unwrap();
        }
        conn.batch_execute("COMMIT").unwrap();
    }
    let app = Router::new().route("/items", get(list).post(create)).route("/items/{id}", get(one)).with_state(pool);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr).await.expect("the address is free");
        println!("baseline listening on {addr}");
        axum::serve(listener, app).await.unwrap();
    });
}
