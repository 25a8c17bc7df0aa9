//! The issue search index: SQLite FTS5 and a PostgreSQL tsvector over the same ASCII
//! tokens (`roundtable_core::search`), written with each issue and ranked by the engine
//! (bm25, ts_rank). Each engine's own SQL, so it is written here by hand, with binds.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use roundtable_core::search::{Query, document};
use roundtable_core::{CommunityId, Issue, IssueId};

use crate::convert::parse;
use crate::db::DbConn;
use crate::error::Result;

/// The most matches a search returns (the best first).
pub const MAX_MATCHES: i64 = 1000;

thread_local! {
    /// Set on the SQLite writer's thread. There each write runs in a savepoint, and FTS5
    /// writes its pending terms out as a new segment whenever a savepoint it took part in
    /// ends — a sixth of the writer's time when issues are raised under load
    /// (docs/performance.md). So there a new document waits in a temporary table, rolled
    /// back with its write's savepoint like anything else, and the group's documents
    /// enter the index together after the last savepoint, before the commit
    /// ([`flush_deferred`]).
    static DEFERRED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// This thread's SQLite writes leave their documents for [`flush_deferred`].
pub(crate) fn defer_on_this_thread() {
    DEFERRED.set(true);
}

/// Makes the table the deferred documents wait in (a connection's own, in memory).
pub(crate) fn prepare_deferred(conn: &mut SqliteConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(
        "CREATE TEMP TABLE IF NOT EXISTS search_pending (doc TEXT NOT NULL, issue_id TEXT NOT NULL, community_id TEXT NOT NULL)",
    )
}

/// Moves the documents waiting in this transaction into the index.
pub(crate) fn flush_deferred(conn: &mut SqliteConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(
        "INSERT INTO issue_search (doc, issue_id, community_id) SELECT doc, issue_id, community_id FROM temp.search_pending; \
         DELETE FROM temp.search_pending;",
    )
}

/// An issue's search document, made before the write (so the SQLite writer, which runs
/// the writes one at a time, does not tokenise).
pub struct SearchDoc {
    doc: String,
    issue: String,
    community: String,
}

impl SearchDoc {
    pub fn of(issue: &Issue) -> SearchDoc {
        SearchDoc {
            doc: document(&issue.title, &issue.description),
            issue: issue.id.to_string(),
            community: issue.community.to_string(),
        }
    }
}

/// Indexes an issue's title and description (in the caller's transaction).
pub fn index(conn: &mut DbConn, issue: &Issue) -> Result<()> {
    index_doc(conn, &SearchDoc::of(issue))
}

/// Indexes a document made before (in the caller's transaction).
pub fn index_doc(conn: &mut DbConn, d: &SearchDoc) -> Result<()> {
    crate::on_backend!(conn, |c| InsertDoc { doc: d, racing: true }.execute(c))?;
    Ok(())
}

/// `INSERT INTO … (doc, issue_id, community_id) VALUES (…)` of a document, as a query of
/// its own: diesel prepares hand-written `sql_query` SQL afresh every time, and on SQLite
/// this runs in the writer, one write after another; this one is prepared once per
/// connection and found again by its SQL. On SQLite it goes where the writer collects a
/// group's documents when it does (see [`defer_on_this_thread`]); on PostgreSQL into a
/// `tsvector`.
///
/// `racing`: another instance may index the same issue now (two starting servers'
/// backfills), so PostgreSQL skips a document already there. A new issue's document,
/// written with the issue, races nobody and is a plain insert: `ON CONFLICT` makes it a
/// speculative insertion, one more record in the log a raise.
pub(crate) struct InsertDoc<'a> {
    pub doc: &'a SearchDoc,
    pub racing: bool,
}

impl InsertDoc<'_> {
    /// `table`, and what the document's value is wrapped in and what follows the values.
    fn walk<'b, DB>(
        &'b self,
        table: &'static str,
        doc: (&'static str, &'static str),
        tail: &'static str,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()>
    where
        DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<Text>,
        String: diesel::serialize::ToSql<Text, DB>,
    {
        out.push_sql("INSERT INTO ");
        out.push_sql(table);
        out.push_sql(" (doc, issue_id, community_id) VALUES (");
        out.push_sql(doc.0);
        out.push_bind_param::<Text, _>(&self.doc.doc)?;
        out.push_sql(doc.1);
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&self.doc.issue)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&self.doc.community)?;
        out.push_sql(")");
        out.push_sql(tail);
        Ok(())
    }
}

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for InsertDoc<'_> {
    fn walk_ast<'b>(&'b self, out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>) -> QueryResult<()> {
        let table = if DEFERRED.get() { "temp.search_pending" } else { "issue_search" };
        self.walk(table, ("", ""), "", out)
    }
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for InsertDoc<'_> {
    fn walk_ast<'b>(&'b self, out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        let tail = if self.racing { " ON CONFLICT (issue_id) DO NOTHING" } else { "" };
        self.walk("issue_search", ("to_tsvector('simple', ", ")"), tail, out)
    }
}

/// Cached by its SQL (it has three).
impl diesel::query_builder::QueryId for InsertDoc<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Conn> RunQueryDsl<Conn> for InsertDoc<'_> {}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = Text)]
    issue_id: String,
}

/// A community's issues matching `query`, best first, at most `limit` (at most [`MAX_MATCHES`]).
pub fn matching(conn: &mut DbConn, community: CommunityId, query: &Query, limit: i64) -> Result<Vec<IssueId>> {
    let limit = limit.clamp(1, MAX_MATCHES);
    let community = community.to_string();
    let hits: Vec<Hit> = match conn {
        // bm25 is lower for better matches.
        DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT issue_id FROM issue_search WHERE issue_search MATCH ? AND community_id = ? \
             ORDER BY bm25(issue_search), issue_id DESC LIMIT ?",
        )
        .bind::<Text, _>(query.fts5())
        .bind::<Text, _>(community)
        .bind::<BigInt, _>(limit)
        .load(c)?,
        DbConn::Pg(c) => diesel::sql_query(
            "SELECT issue_id FROM issue_search, to_tsquery('simple', $1) q \
             WHERE community_id = $2 AND doc @@ q ORDER BY ts_rank(doc, q) DESC, issue_id DESC LIMIT $3",
        )
        .bind::<Text, _>(query.tsquery())
        .bind::<Text, _>(community)
        .bind::<BigInt, _>(limit)
        .load(c)?,
    };
    hits.into_iter().map(|h| parse("issue id", &h.issue_id)).collect()
}

/// Indexes every issue the index lacks (those from before it existed); returns how many.
pub fn backfill(conn: &mut DbConn) -> Result<usize> {
    use crate::schema::issues;
    #[derive(QueryableByName)]
    struct Missing {
        #[diesel(sql_type = Text)]
        id: String,
    }
    let missing: Vec<Missing> = match conn {
        DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT id FROM issues WHERE id NOT IN (SELECT issue_id FROM issue_search) ORDER BY id",
        )
        .load(c)?,
        DbConn::Pg(c) => diesel::sql_query(
            "SELECT id FROM issues WHERE NOT EXISTS (SELECT 1 FROM issue_search s WHERE s.issue_id = issues.id) ORDER BY id",
        )
        .load(c)?,
    };
    let ids: Vec<String> = missing.into_iter().map(|m| m.id).collect();
    for chunk in ids.chunks(500) {
        let rows: Vec<crate::issues::IssueRow> =
            issues::table.filter(issues::id.eq_any(chunk)).select(crate::issues::IssueRow::as_select()).load(conn)?;
        conn.transaction(|conn| {
            for row in rows {
                index(conn, &Issue::try_from(row)?)?;
            }
            Ok::<_, crate::error::StoreError>(())
        })?;
    }
    Ok(ids.len())
}
