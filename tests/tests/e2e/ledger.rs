//! The issue ledger (台账): CSV with a BOM, the ledger's columns, the caller's scope and
//! the list's filters.

use axum::http::StatusCode;
use roundtable_e2e::{TestApp, on_both_databases};
use serde_json::json;

use crate::api_flow::{fire, in_days, raise};

on_both_databases!(the_ledger_lists_what_the_caller_may_list_with_the_ledgers_columns);

const SECRETARY: &str = "secretary@dongsheng.example";

/// The ledger's rows (the header first), read back with a standard CSV reader.
async fn ledger(app: &TestApp, login: &str, query: &str) -> Vec<Vec<String>> {
    let (status, headers, bytes) = app.bytes(&format!("/api/v1/issues/ledger{query}"), &app.token(login).await).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM, so Excel reads UTF-8");
    assert_eq!(headers["content-disposition"], download_name(app, "东圣社区问题台账", "csv"));
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[3..]);
    reader.records().map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect()).collect()
}

/// A ledger's `content-disposition`: named by its community and the local day, in the
/// reader's language (percent-encoded UTF-8), with an ASCII name beside it.
pub fn download_name(app: &TestApp, named: &str, ext: &str) -> String {
    let date = app.state.now().with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d").to_string();
    let encoded: String = named.bytes().map(|b| format!("%{b:02X}")).collect();
    format!("attachment; filename=\"ledger-{date}.{ext}\"; filename*=UTF-8''{encoded}-{date}.{ext}")
}

/// How many issues the caller's list holds, page by page.
async fn listed(app: &TestApp, login: &str) -> usize {
    let token = app.token(login).await;
    let (mut n, mut cursor) = (0, None::<String>);
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/issues?limit=200&cursor={c}"),
            None => "/api/v1/issues?limit=200".to_owned(),
        };
        let page = app.get(&path, &token).await.body;
        n += page["items"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return n,
        }
    }
}

async fn the_ledger_lists_what_the_caller_may_list_with_the_ledgers_columns(app: TestApp) {
    let issue = raise(&app, "地下车库积水").await;
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &issue, "assign", json!({"responsible_org": anshang})).await;
    let due = in_days(&app, 9);
    let committed = fire(
        &app,
        "anshang@dongsheng.example",
        &assigned,
        "commit",
        json!({"commitment_text": "疏通排水沟", "due_date": due}),
    )
    .await;
    // What the company last reported on the way (进展), with its day.
    let reported =
        fire(&app, "anshang@dongsheng.example", &committed, "report_progress", json!({"note": "已清淤一半"})).await;
    fire(&app, "anshang@dongsheng.example", &reported, "report_progress", json!({"note": "=明天完工"})).await;
    // Another fixed, found not fixed and reopened twice: the ledger counts the 重办.
    let twice = raise(&app, "单元门禁失灵").await;
    let mut twice = fire(&app, SECRETARY, &twice, "assign", json!({"responsible_org": anshang})).await;
    twice = fire(
        &app,
        "anshang@dongsheng.example",
        &twice,
        "commit",
        json!({"commitment_text": "更换门禁", "due_date": in_days(&app, 30)}),
    )
    .await;
    for _ in 0..2 {
        twice = fire(&app, "anshang@dongsheng.example", &twice, "resolve", json!({"resolution_note": "已修"})).await;
        twice = fire(&app, "supervisor@dongsheng.example", &twice, "reopen", json!({"reason": "还是打不开"})).await;
    }
    // A third asked back twice (refused once), then handed on: the ledger counts both.
    let bounced = raise(&app, "燃气管道异味").await;
    let mut bounced = fire(&app, SECRETARY, &bounced, "assign", json!({"responsible_org": anshang})).await;
    for refusal in ["属物业维护", ""] {
        let why = json!({"reason": "属燃气公司维护"});
        bounced = fire(&app, "anshang@dongsheng.example", &bounced, "request_return", why).await;
        if !refusal.is_empty() {
            bounced = fire(&app, SECRETARY, &bounced, "refuse_return", json!({"reason": refusal})).await;
        }
    }
    let xiean = app.org("谐安物业").to_string();
    fire(&app, SECRETARY, &bounced, "reassign", json!({"responsible_org": xiean, "reason": "退回成立"})).await;
    let before = ledger(&app, SECRETARY, "").await;
    let row_of = |rows: &[Vec<String>], issue: &serde_json::Value| {
        rows.iter().find(|r| r[0] == issue["id"].as_str().unwrap()).cloned().expect("listed in the ledger")
    };
    assert_eq!((row_of(&before, &issue)[10].as_str(), row_of(&before, &issue)[13].as_str()), ("", "0"));
    assert_eq!(row_of(&before, &twice)[13..16], ["2", "0", "0"], "reopened twice");
    assert_eq!(row_of(&before, &bounced)[13..16], ["0", "2", "1"], "asked back twice, handed on once");
    assert_eq!(row_of(&before, &issue)[13..16], ["0", "0", "0"]);
    let today = app.state.now().with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d").to_string();
    assert_eq!(row_of(&before, &issue)[16], format!("{today} =明天完工"), "the latest report");
    assert_eq!(row_of(&before, &twice)[16], "", "nothing reported");
    // Twelve days on the promise made for nine is three days late, as of the download.
    app.set_now(app.state.now() + chrono::Duration::days(12));
    let rows = ledger(&app, SECRETARY, "").await;
    assert_eq!(row_of(&rows, &issue)[10], "3", "days overdue");
    assert_eq!(row_of(&rows, &twice)[10], "", "not due yet");
    let header = &rows[0];
    assert_eq!(
        header.join(","),
        "编号,来源,提出日期,小区/楼栋,问题描述,分类,紧急程度,责任单位,承诺内容,承诺时限,逾期天数,承诺会次,延期次数,重办次数,申请退回次数,改派次数,最新进展,办理结果,验收结果,满意度,销号日期,当前状态,等待事项"
    );
    // A paused issue says what it waits for, and why (the demo's pumps wait for the fund);
    // every other row leaves the column empty.
    let paused: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[21] == "暂缓办理").collect();
    assert!(!paused.is_empty() && paused.iter().all(|r| !r[22].is_empty()), "{paused:?}");
    assert!(paused.iter().any(|r| r[22].starts_with("维修资金审批：")), "{paused:?}");
    assert!(rows[1..].iter().filter(|r| r[21] != "暂缓办理").all(|r| r[22].is_empty()));
    assert_eq!(rows.len() - 1, listed(&app, SECRETARY).await, "every issue the secretary may list");
    let id = issue["id"].as_str().unwrap();
    let row = rows.iter().find(|r| r[0] == id).expect("the new issue is in the ledger");
    assert_eq!((row[7].as_str(), row[8].as_str(), row[9].as_str()), ("安尚物业", "疏通排水沟", due.as_str()));
    assert_eq!((row[6].as_str(), row[21].as_str()), ("常规", "已承诺"));
    assert!(row[4].starts_with("地下车库积水："), "{row:?}");
    // A ledger is handed round: no raiser's name, e-mail or phone, no unit.
    let text: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
    app.assert_nothing_private(&text.join("\n"), "the ledger");
    let units: Vec<String> = {
        let mut conn = app.state.db.conn().unwrap();
        let page = roundtable_store::PageRequest { limit: 200, ..Default::default() };
        let all =
            roundtable_store::issues::list_issues(&mut conn, app.community(), &Default::default(), &page).unwrap();
        all.items.iter().filter_map(|i| i.unit.clone()).collect()
    };
    assert!(!units.is_empty(), "the demo has units to leave out");
    assert!(rows.iter().all(|r| units.iter().all(|u| !r[3].contains(u.as_str()))), "a unit in 小区/楼栋");
    // A company's ledger holds its own issues only; a filter narrows it like the list.
    let theirs = ledger(&app, "anshang@dongsheng.example", "").await;
    assert!(theirs[1..].iter().all(|r| r[7] == "安尚物业"), "{theirs:?}");
    assert_eq!(theirs.len() - 1, listed(&app, "anshang@dongsheng.example").await);
    let committed = ledger(&app, SECRETARY, "?state=committed").await;
    assert!(committed[1..].iter().all(|r| r[21] == "已承诺") && committed.len() > 1);
    // The same ledger as an Excel workbook, read back with a spreadsheet reader.
    let (status, headers, bytes) = app.bytes("/api/v1/issues/ledger.xlsx", &app.token(SECRETARY).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(headers["content-disposition"], download_name(&app, "东圣社区问题台账", "xlsx"));
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx");
    let sheet = book.worksheet_range("问题台账").expect("the ledger's sheet");
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(cells[0], rows[0], "the same columns");
    assert_eq!(cells.len(), rows.len(), "the same rows");
    assert!(cells.iter().any(|r| r[0] == id && r[8] == "疏通排水沟"));
    let text: Vec<String> = cells.iter().map(|r| r.join(",")).collect();
    app.assert_nothing_private(&text.join("\n"), "the ledger's workbook");
    // A bad filter is refused before anything is sent.
    let reply = app.get("/api/v1/issues/ledger?state=nope", &app.token(SECRETARY).await).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.content_type(), "application/problem+json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issue_list_offers_its_ledger_in_the_viewers_language() {
    let app = TestApp::sqlite().build();
    let pages = app.pages().accept_language("en");
    pages.sign_in(SECRETARY).await;
    let list = pages.get("/issues?state=committed").await;
    assert!(list.html.contains("href=\"/issues/ledger.csv?state&#x3D;committed\""), "{}", list.html);
    let csv = pages.get("/issues/ledger.csv?state=committed").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.html.starts_with('\u{feff}'));
    assert!(csv.html.contains("No.,Source,Raised on"), "{}", &csv.html[..200.min(csv.html.len())]);
}

/// A resident's text that a spreadsheet would take for a formula is text in both ledgers:
/// the CSV cell starts with an apostrophe, the workbook's cell is a string as typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_title_that_looks_like_a_formula_stays_text_in_the_ledger() {
    let app = TestApp::sqlite().build();
    let hyperlink = raise(&app, "=HYPERLINK(\"http://127.0.0.1/x\",\"点我\")").await;
    let basement = raise(&app, "-1层车库漏水").await;
    let assigned =
        fire(&app, SECRETARY, &basement, "assign", json!({"responsible_org": app.org("安尚物业").to_string()})).await;
    fire(
        &app,
        "anshang@dongsheng.example",
        &assigned,
        "commit",
        json!({"commitment_text": "@维修班 ＝明日处理", "due_date": in_days(&app, 9)}),
    )
    .await;
    let rows = ledger(&app, SECRETARY, "").await;
    let row = |issue: &serde_json::Value| rows.iter().find(|r| r[0] == issue["id"].as_str().unwrap()).unwrap().clone();
    assert!(row(&hyperlink)[4].starts_with("'=HYPERLINK(\"http://127.0.0.1/x\",\"点我\")："), "{:?}", row(&hyperlink));
    assert!(row(&basement)[4].starts_with("'-1层车库漏水："), "{:?}", row(&basement));
    assert_eq!(row(&basement)[8], "'@维修班 ＝明日处理");
    for r in &rows {
        for cell in r {
            assert!(!cell.starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠']), "a formula in the CSV: {cell}");
        }
    }
    let (_, _, bytes) = app.bytes("/api/v1/issues/ledger.xlsx", &app.token(SECRETARY).await).await;
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx");
    let sheet = book.worksheet_range("问题台账").expect("the ledger's sheet");
    let formulas = book.worksheet_formula("问题台账").expect("the sheet's formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula in the workbook");
    let cell = sheet.rows().find(|r| r[0] == hyperlink["id"].as_str().unwrap()).unwrap()[4].clone();
    assert!(matches!(&cell, calamine::Data::String(s) if s.starts_with("=HYPERLINK(")), "{cell:?}");
}
