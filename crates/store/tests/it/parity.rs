//! The SQLite and PostgreSQL migrations must describe the same schema: tables, columns
//! (in order, with type class and nullability, the generated ones included) and indexes
//! (key columns, uniqueness, and whether it holds only some rows — a partial index). The
//! search index is each engine's own (FTS5, tsvector) by design and is left out, as are
//! the columns an index carries beyond its key (`INCLUDE`, PostgreSQL's own: the agenda's
//! window read from one index).

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use roundtable_store::DbConn;

use crate::harness::*;

#[derive(Debug, PartialEq, Eq)]
struct Schema {
    /// table → columns as (name, type class, nullable)
    tables: BTreeMap<String, Vec<(String, String, bool)>>,
    /// (table, unique, partial, columns)
    indexes: BTreeSet<(String, bool, bool, Vec<String>)>,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct IndexColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_partial: bool,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = BigInt)]
    position: i64,
}

fn class(sql_type: &str) -> String {
    let t = sql_type.to_lowercase();
    match t.as_str() {
        "text" | "character varying" => "text",
        "integer" | "int4" => "integer",
        "bigint" | "int8" => "bigint",
        "boolean" | "bool" => "boolean",
        "double precision" | "float8" => "double",
        "date" => "date",
        "timestamp" | "timestamp without time zone" => "timestamp",
        _ => return format!("unexpected type `{t}`"),
    }
    .to_owned()
}

const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, c.name AS column_name, c.type AS data_type, \
     (c.\"notnull\" = 0 AND c.pk = 0) AS nullable FROM sqlite_master m JOIN pragma_table_xinfo(m.name) c \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' AND m.name NOT LIKE 'issue_search%' ORDER BY m.name, c.cid";
const SQLITE_INDEXES: &str = "SELECT m.name AS table_name, il.name AS index_name, il.\"unique\" AS is_unique, il.partial AS is_partial, \
     ii.name AS column_name, ii.seqno AS position FROM sqlite_master m JOIN pragma_index_list(m.name) il \
     JOIN pragma_index_info(il.name) ii WHERE m.type = 'table' AND m.name <> '__diesel_schema_migrations' \
     AND m.name NOT LIKE 'issue_search%'";
const PG_COLUMNS: &str = "SELECT table_name::text, column_name::text, data_type::text, (is_nullable = 'YES') AS nullable \
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
     AND table_name NOT LIKE 'issue_search%' \
     ORDER BY table_name, ordinal_position";
const PG_INDEXES: &str = "SELECT t.relname::text AS table_name, i.relname::text AS index_name, ix.indisunique AS is_unique, (ix.indpred IS NOT NULL) AS is_partial, \
     a.attname::text AS column_name, k.n AS position FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
     JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
     CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) \
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
     WHERE k.n <= ix.indnkeyatts AND ns.nspname = 'public' AND t.relname <> '__diesel_schema_migrations' AND t.relname NOT LIKE 'issue_search%'";

/// An index as read: (table, name, unique, partial).
type IndexKey = (String, String, bool, bool);

fn read(conn: &mut DbConn) -> Schema {
    let (columns, index_columns): (Vec<Column>, Vec<IndexColumn>) = match conn {
        DbConn::Sqlite(c) => {
            (diesel::sql_query(SQLITE_COLUMNS).load(c).unwrap(), diesel::sql_query(SQLITE_INDEXES).load(c).unwrap())
        }
        DbConn::Pg(c) => {
            (diesel::sql_query(PG_COLUMNS).load(c).unwrap(), diesel::sql_query(PG_INDEXES).load(c).unwrap())
        }
    };
    let mut tables: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for c in columns {
        tables.entry(c.table_name).or_default().push((c.column_name, class(&c.data_type), c.nullable));
    }
    let mut grouped: BTreeMap<IndexKey, Vec<(i64, String)>> = BTreeMap::new();
    for ic in index_columns {
        let key = (ic.table_name, ic.index_name, ic.is_unique, ic.is_partial);
        grouped.entry(key).or_default().push((ic.position, ic.column_name));
    }
    let indexes = grouped
        .into_iter()
        .map(|((table, _, unique, partial), mut cols)| {
            cols.sort();
            (table, unique, partial, cols.into_iter().map(|(_, c)| c).collect())
        })
        .collect();
    Schema { tables, indexes }
}

#[test]
fn sqlite_and_postgres_migrations_describe_the_same_schema() {
    let sqlite = TestDb::sqlite();
    let lite = read(&mut sqlite.db.conn().unwrap());
    assert!(lite.tables.len() >= 18, "{:?}", lite.tables.keys());
    assert!(lite.tables.values().flatten().all(|(_, class, _)| !class.starts_with("unexpected")), "{lite:#?}");
    assert!(lite.indexes.contains(&("issue_events".into(), true, false, vec!["issue_id".into(), "version".into()])));
    // Indexed only where set: a new issue and an assignment write no entry in these
    // (docs/performance.md, "What a write costs PostgreSQL, counted").
    assert!(lite.indexes.contains(&("issues".into(), false, true, vec!["duplicate_of".into()])), "{lite:#?}");
    let due = vec!["community_id".into(), "commitment_due".into()];
    assert!(lite.indexes.contains(&("issues".into(), false, true, due)), "{lite:#?}");
    let by_channel = vec!["channel_id".into(), "sent_at".into()];
    assert!(lite.indexes.contains(&("outbox".into(), false, true, by_channel)), "mail rows have no channel");
    // Each step writes one event row; no index on it that nothing reads.
    let step_indexes = lite.indexes.iter().filter(|(table, ..)| table == "issue_events").count();
    assert_eq!(step_indexes, 3, "the key, (issue, version), (community, state, time): {lite:#?}");
    let Some(pg) = TestDb::postgres() else {
        eprintln!("skipped: schema parity against PostgreSQL ({POSTGRES_ENV} is not set)");
        return;
    };
    let post = read(&mut pg.db.conn().unwrap());
    for (table, columns) in &lite.tables {
        assert_eq!(Some(columns), post.tables.get(table), "table `{table}` differs");
    }
    assert_eq!(lite.tables.keys().collect::<Vec<_>>(), post.tables.keys().collect::<Vec<_>>());
    let only_lite: Vec<_> = lite.indexes.difference(&post.indexes).collect();
    let only_pg: Vec<_> = post.indexes.difference(&lite.indexes).collect();
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "indexes only in SQLite: {only_lite:?}\nonly in PostgreSQL: {only_pg:?}"
    );
}
