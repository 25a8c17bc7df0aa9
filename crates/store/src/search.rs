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

/// Indexes an issue's title and description (in the caller's transaction).
pub fn index(conn: &mut DbConn, issue: &Issue) -> Result<()> {
    let doc = document(&issue.title, &issue.description);
    let (id, community) = (issue.id.to_string(), issue.community.to_string());
    match conn {
        DbConn::Sqlite(c) => {
            diesel::sql_query("INSERT INTO issue_search (doc, issue_id, community_id) VALUES (?, ?, ?)")
                .bind::<Text, _>(doc)
                .bind::<Text, _>(id)
                .bind::<Text, _>(community)
                .execute(c)?;
        }
        DbConn::Pg(c) => {
            diesel::sql_query(
                "INSERT INTO issue_search (issue_id, community_id, doc) VALUES ($1, $2, to_tsvector('simple', $3)) \
                 ON CONFLICT (issue_id) DO NOTHING",
            )
            .bind::<Text, _>(id)
            .bind::<Text, _>(community)
            .bind::<Text, _>(doc)
            .execute(c)?;
        }
    }
    Ok(())
}

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
