//! Search latency over a large tracker: `q=` through the store's list (relevance order,
//! a page of 50) on 100,000 issues with Chinese titles, p50 and p99 over many queries —
//! on SQLite (FTS5) and, when ROUNDTABLE_TEST_POSTGRES_URL is set, PostgreSQL (tsvector +
//! GIN), beside the substring scan `q=` used to be (`LIKE '%…%'` on title and
//! description, one word only) on the same SQLite data in the same run.
//!
//! `cargo bench -p roundtable-store --bench search` (ROUNDTABLE_BENCH_ISSUES=N, default 100000)

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use roundtable_core::{CommunityId, Issue, NewIssue};
use roundtable_store::{Db, DbConn, DbOptions, IssueFilter, IssueOrder, PageRequest, issues};

mod common;
const PLACES: [&str; 8] = ["1号楼", "3号楼", "5号楼", "地下车库", "东门", "小区花园", "单元楼道", "幼儿园旁"];
const THINGS: [&str; 10] = ["电梯", "路灯", "门禁", "水管", "外墙", "消防通道", "垃圾桶", "道闸", "监控", "绿化带"];
const FAULTS: [&str; 8] = ["按钮失灵", "不亮", "漏水", "损坏", "堆放杂物", "经常停运", "噪音扰民", "无人清理"];
/// What people search for: words, parts of words, several words, Latin, nothing at all.
const QUERIES: [&str; 12] = [
    "按钮 失灵",
    "电梯",
    "路灯不亮",
    "漏水",
    "3号楼 电梯",
    "消防 杂物",
    "道闸",
    "监控 损坏",
    "花园",
    "噪音",
    "lift",
    "不存在的问题",
];
const ROUNDS: usize = 40;

fn main() {
    let n: usize = std::env::var("ROUNDTABLE_BENCH_ISSUES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    println!("search over {n} issues, {} queries × {ROUNDS} rounds, a page of 50", QUERIES.len());
    println!("{:<52} {:>9} {:>9} {:>9}", "", "p50 ms", "p99 ms", "p99 vs");
    let url = format!("sqlite://{}", dir.path().join("search.db").display());
    let (db, community) = fill(&url, n);
    let baseline = like_scan(&db, community);
    row("SQLite LIKE '%word%' scan, newest first (baseline)", &baseline, &baseline);
    row("SQLite FTS5, all terms, by relevance", &searches(&db, community), &baseline);
    common::on_postgres(|url| {
        let (pg, community) = fill(url, n);
        row("PostgreSQL tsvector + GIN, all terms, by relevance", &searches(&pg, community), &baseline);
    });
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn row(label: &str, times: &[Duration], baseline: &[Duration]) {
    let (p50, p99) = (percentile(times, 0.50), percentile(times, 0.99));
    println!("{label:<52} {p50:>9.2} {p99:>9.2} {:>9.2}", p99 / percentile(baseline, 0.99));
}

/// A tracker of `n` issues: place + thing + fault titles (a fixed sequence, so every run
/// searches the same data), indexed as the service indexes them.
fn fill(url: &str, n: usize) -> (Db, CommunityId) {
    let (db, _) = Db::open_and_migrate(url, DbOptions::default()).unwrap();
    let mut pooled = db.conn().unwrap();
    let conn: &mut DbConn = &mut pooled;
    let common::Raiser { community, compound, actor, wf } = common::raiser(conn);
    let start = Instant::now();
    let mut seed: u64 = 20261206;
    let mut pick = |len: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize % len
    };
    for chunk in 0..n.div_ceil(1000) {
        conn.transaction(|conn: &mut DbConn| {
            for i in chunk * 1000..((chunk + 1) * 1000).min(n) {
                let (place, thing, fault) = (PLACES[pick(8)], THINGS[pick(10)], FAULTS[pick(8)]);
                let new = NewIssue {
                    title: format!("{place}{thing}{fault}"),
                    description: format!("{place}的{thing}{fault}已有一段时间，第 {i} 次反映 (lift, gate)"),
                    category: "building".into(),
                    urgency: Default::default(),
                    compound,
                    building: None,
                    unit: None,
                };
                let (issue, event) = Issue::raise(&wf, new, &actor, Utc::now());
                issues::insert_issue(conn, &issue, &event)?;
            }
            Ok::<_, roundtable_store::StoreError>(())
        })
        .unwrap();
    }
    eprintln!("filled {url} with {n} issues in {:.0} s", start.elapsed().as_secs_f64());
    if let DbConn::Pg(pg) = conn {
        pg.batch_execute("VACUUM ANALYZE").unwrap();
    }
    (db, community)
}

fn searches(db: &Db, community: CommunityId) -> Vec<Duration> {
    let conn = &mut db.conn().unwrap();
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        for q in QUERIES {
            let filter = IssueFilter { text: Some(q.into()), ..IssueFilter::default() };
            let page = PageRequest { order: IssueOrder::Relevance, limit: 50, cursor: None };
            let start = Instant::now();
            let found = issues::list_listings(conn, community, &filter, &page).unwrap();
            times.push(start.elapsed());
            std::hint::black_box(found);
        }
    }
    times.sort();
    times
}

/// What `q=` used to do: one substring anywhere in the title or description, newest first.
fn like_scan(db: &Db, community: CommunityId) -> Vec<Duration> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[allow(dead_code)]
        id: String,
    }
    let conn = &mut db.conn().unwrap();
    let DbConn::Sqlite(lite) = &mut **conn else { unreachable!("the baseline is SQLite") };
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        for q in QUERIES {
            let word = q.split(' ').next().unwrap_or(q);
            let start = Instant::now();
            let found: Vec<Id> = diesel::sql_query(
                "SELECT id FROM issues WHERE community_id = ? AND (title LIKE ? OR description LIKE ?) ORDER BY id DESC LIMIT 51",
            )
            .bind::<diesel::sql_types::Text, _>(community.to_string())
            .bind::<diesel::sql_types::Text, _>(format!("%{word}%"))
            .bind::<diesel::sql_types::Text, _>(format!("%{word}%"))
            .load(lite)
            .unwrap();
            times.push(start.elapsed());
            std::hint::black_box(found);
        }
    }
    times.sort();
    times
}
