//! Search that understands Chinese, on both databases: a corpus of titles, the hits each
//! query must find (and only those), relevance order and paging, the index filled for
//! issues from before it existed.

use diesel::prelude::*;
use roundtable_store::{IssueFilter, IssueOrder, PageRequest, issues, on_both_databases, search};

use crate::harness::*;

on_both_databases!(chinese_titles_are_found_by_words_and_parts_of_words, the_index_is_filled_for_older_issues);

const CORPUS: [&str; 10] = [
    "电梯按钮失灵",
    "3号楼电梯经常停运",
    "地下室漏水、墙皮洇水",
    "小区路灯不亮",
    "路灯杆倾斜有安全隐患",
    "垃圾清运不及时",
    "单元门禁损坏，按钮无反应",
    "Lift button broken in building 5",
    "消防通道堆放杂物",
    "楼道灯不亮",
];

fn found(t: &TestDb, town: &Town, q: &str, order: IssueOrder) -> Vec<String> {
    let filter = IssueFilter { text: Some(q.into()), ..IssueFilter::default() };
    let page = PageRequest { order, limit: 200, cursor: None };
    let conn = &mut *t.db.conn().unwrap();
    issues::list_listings(conn, town.community, &filter, &page).unwrap().items.into_iter().map(|l| l.title).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn chinese_titles_are_found_by_words_and_parts_of_words(t: &TestDb) {
    let town = Town::build(&t.db);
    // Raised first: a newest-first tie-break would put it last.
    let best = town.raise(&t.db, "灯不亮 灯不亮 灯不亮", town.dingxiu);
    for title in CORPUS {
        town.raise(&t.db, title, town.junyue);
    }
    let cases: [(&str, &[&str]); 11] = [
        ("按钮 失灵", &["电梯按钮失灵"]),
        ("按钮失灵", &["电梯按钮失灵"]),
        ("按钮", &["单元门禁损坏，按钮无反应", "电梯按钮失灵"]),
        ("电梯", &["3号楼电梯经常停运", "电梯按钮失灵"]),
        ("灯 不亮", &["小区路灯不亮", "楼道灯不亮", "灯不亮 灯不亮 灯不亮"]),
        ("路灯", &["小区路灯不亮", "路灯杆倾斜有安全隐患"]),
        ("漏水", &["地下室漏水、墙皮洇水"]),
        ("button", &["Lift button broken in building 5"]),
        ("BUTT", &["Lift button broken in building 5"]),
        ("３号楼", &["3号楼电梯经常停运"]),
        ("电梯 漏水", &[]),
    ];
    for (q, expected) in cases {
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(sorted(found(t, &town, q, IssueOrder::Newest)), sorted(expected), "q = {q:?}");
    }
    // Nothing searchable, or hostile: no match, no error.
    assert!(found(t, &town, "！？。", IssueOrder::Newest).is_empty());
    assert!(found(t, &town, "\" OR 1=1 -- ' ; DROP TABLE issues", IssueOrder::Newest).is_empty());
    assert!(found(t, &town, "NEAR(电梯 AND", IssueOrder::Newest).is_empty());

    // Relevance: the issue with the query's words many times before those that have them
    // once, though it is the oldest; pages cut by offset, nothing lost or repeated.
    let first = found(t, &town, "灯 不亮", IssueOrder::Relevance);
    assert_eq!(first.first(), Some(&best.title), "{first:?}");
    let filter = IssueFilter { text: Some("灯".into()), ..IssueFilter::default() };
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = PageRequest { order: IssueOrder::Relevance, limit: 2, cursor: cursor.take() };
        let got = issues::list_listings(&mut t.db.conn().unwrap(), town.community, &filter, &page).unwrap();
        seen.extend(got.items.into_iter().map(|l| l.title));
        match got.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let all = vec![best.title.clone(), "小区路灯不亮".into(), "路灯杆倾斜有安全隐患".into(), "楼道灯不亮".into()];
    assert_eq!(sorted(seen), sorted(all));
    // Other filters still apply; another community's issues are never found.
    let filter = IssueFilter { text: Some("灯".into()), compound: Some(town.dingxiu), ..IssueFilter::default() };
    let page = PageRequest { order: IssueOrder::Relevance, limit: 50, cursor: None };
    let got = issues::list_listings(&mut t.db.conn().unwrap(), town.community, &filter, &page).unwrap();
    assert_eq!(got.items.len(), 1);
    let elsewhere = Town::build(&t.db);
    assert!(found(t, &elsewhere, "电梯", IssueOrder::Newest).is_empty());
    let bad = PageRequest { order: IssueOrder::Relevance, limit: 2, cursor: Some("r.99999999".into()) };
    let filter = IssueFilter { text: Some("灯".into()), ..IssueFilter::default() };
    assert!(issues::list_listings(&mut t.db.conn().unwrap(), town.community, &filter, &bad).is_err());
}

fn the_index_is_filled_for_older_issues(t: &TestDb) {
    let town = Town::build(&t.db);
    let issue = town.raise(&t.db, "电梯按钮失灵", town.junyue);
    let conn = &mut *t.db.conn().unwrap();
    diesel::sql_query("DELETE FROM issue_search").execute(conn).unwrap();
    let q = roundtable_core::search::query("按钮").unwrap();
    assert!(search::matching(conn, town.community, &q, 10).unwrap().is_empty(), "emptied");
    assert_eq!(search::backfill(conn).unwrap(), 1);
    assert_eq!(search::matching(conn, town.community, &q, 10).unwrap(), vec![issue.id]);
    assert_eq!(search::backfill(conn).unwrap(), 0, "once");
}
