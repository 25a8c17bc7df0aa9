//! The meeting's documents: minutes from a fixed record, and the agenda and minutes of
//! a meeting held on the demo data at a frozen moment — snapshots, with a hostile title.

use axum::http::{Method, StatusCode};
use roundtable_core::OrgId;
use roundtable_core::agenda::AgendaConfig;
use roundtable_core::scorecard::{Rate, ScoreRow, Window};
use roundtable_e2e::TestApp;
use roundtable_web::documents::{Addendum, Attendance, CommitmentLine, Item, MinutesDoc, Renderer, ScoreTable};
use serde_json::json;

fn doc() -> MinutesDoc {
    let item = |number, title: &str, section: &str, outcome: &str, note: Option<&str>| Item {
        number,
        title: title.into(),
        section: section.into(),
        outcome: outcome.into(),
        // The third, a decision, turned the company's request for more time down and names
        // the day the meeting hears it again (复议).
        refused_due_date: (number == 3).then(|| chrono::NaiveDate::from_ymd_opt(2026, 12, 20).unwrap()),
        // The fourth turned its request to hand the issue back down (退回不成立).
        refused_return: number == 4,
        note: note.map(Into::into),
        review_on: (number == 3).then(|| chrono::NaiveDate::from_ymd_opt(2027, 2, 7).unwrap()),
        in_appendix: false,
        photos: (number == 1).then(|| roundtable_web::documents::PhotoLink {
            n: 2,
            url: "http://127.0.0.1:8080/issues/0190a000-0000-7000-8000-000000000001".into(),
        }),
    };
    MinutesDoc {
        lang: "zh-CN",
        community: "东圣社区".into(),
        date: "2026-12-06".into(),
        time: "09:00".into(),
        place: "东圣社区党群服务中心".into(),
        status_label: "已发布".into(),
        published: true,
        revision: Some(2),
        attended: Vec::new(),
        attendance: vec![
            Attendance { org: "安尚物业".into(), attendees: "李明".into() },
            Attendance { org: "业主监督委员会".into(), attendees: "张秀兰、刘女士".into() },
        ],
        items: vec![
            item(1, "传达城区物业管理新规", "传达精神", "未讨论，转下次会议", None),
            item(2, "<script>alert(1)</script>", "新问题", "现场承诺", Some("两周内 | 完成")),
            item(3, "小区路灯不亮", "新问题", "决定", Some("等供电公司答复")),
            item(4, "燃气管道异味", "跟进事项", "决定", Some("属物业维护")),
        ],
        commitments: vec![CommitmentLine {
            org: "安尚物业".into(),
            issue: "<script>alert(1)</script>".into(),
            text: "更换 *电梯* 主板".into(),
            due_date: "2026-12-20".into(),
            extended_from: Some("2026-12-06".into()),
        }],
        scorecard: ScoreTable::new(
            &[ScoreRow {
                org: OrgId::new(),
                month: Window {
                    received: 3,
                    response: Rate { n: 2, m: 3 },
                    resolution: Rate { n: 2, m: 2 },
                    satisfaction: Rate { n: 1, m: 2 },
                    first_time: Rate { n: 1, m: 2 },
                    extended: 1,
                    reopened: 1,
                    returns_refused: 2,
                    score: Some(71.7),
                    rank: Some(1),
                },
                half_year: Window::default(),
                overdue: 2,
                long_overdue: 1,
            }],
            &|_| "安尚物业 | <b>".into(),
            &AgendaConfig::default(),
        ),
        remarks: Some("下次会议请供电公司列席。".into()),
        reviewed: Some(roundtable_web::documents::Reviewed { asked: 2, accepted: 1 }),
        addenda: vec![Addendum { date: "2026-12-08".into(), text: "更正：承诺期限为 12 月 20 日。".into() }],
    }
}

#[test]
fn html_minutes_escape_and_match_the_snapshot() {
    let html = Renderer::new().html(&doc()).unwrap();
    assert!(!html.contains("<script>alert"), "escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("@media print"), "prints cleanly");
    assert!(html.contains("安尚物业 | &lt;b&gt;") && html.contains("2/3 · 67%"), "rates as n/m · p%");
    assert!(html.contains("响应率 × 30% + 按期办结率 × 35% + 满意率 × 35%"), "the formula is explained");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    insta::assert_snapshot!("minutes_html", html);
}

#[test]
fn markdown_minutes_escape_and_match_the_snapshot() {
    let md = Renderer::new().markdown(&doc()).unwrap();
    assert!(!md.contains("<script>"), "escaped");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(md.contains("两周内 \\| 完成"), "a pipe cannot break the table");
    assert!(md.contains("| 1 | 安尚物业 \\| &lt;b&gt; | 3 | 2/3 · 67% |"), "{md}");
    assert!(md.contains("更换 \\*电梯\\* 主板"));
    insta::assert_snapshot!("minutes_md", md);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agenda_and_minutes_of_a_demo_meeting_match_their_snapshots() {
    let app = TestApp::sqlite().at("2026-11-26T02:00:00Z".parse().unwrap()).build();
    let secretary = app.token("secretary@dongsheng.example").await;
    let hostile = crate::api_flow::raise(&app, "<script>alert(1)</script>").await;
    let anshang = app.org("安尚物业").to_string();
    crate::api_flow::fire(&app, "secretary@dongsheng.example", &hostile, "assign", json!({"responsible_org": anshang}))
        .await;
    let built = app.call(Method::POST, "/api/v1/meetings/slots/2026-12-06/agenda", Some(&secretary), None).await;
    assert_eq!(built.status, StatusCode::CREATED, "{}", built.body);
    let path = format!("/api/v1/meetings/{}", built.str("id"));
    app.call(
        Method::PUT,
        &format!("{path}/agenda"),
        Some(&secretary),
        Some(json!({"announcements": "传达城区物业管理新规"})),
    )
    .await;
    app.call(Method::POST, &format!("{path}/agenda/publish"), Some(&secretary), None).await;

    let md = app.call(Method::GET, &format!("{path}/agenda?format=md"), Some(&secretary), None).await;
    assert_eq!(md.status, StatusCode::OK);
    let md = md.body.as_str().unwrap().to_owned();
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !md.contains("<script>"), "{md}");
    insta::assert_snapshot!("demo_agenda_md", md);
    // The paper says as of which day each item stands: how late a promise is and how long
    // an issue has waited, instead of a bare "承诺逾期" or "交办后尚未承诺".
    assert!(md.contains("· 各项情况截至 2026-11-26\n"), "{md}");
    assert!(md.contains("承诺期限：2026-08-12 · **已逾期 106 天** · 3 人支持 · 3 分钟"), "{md}");
    assert!(md.contains("· 交办 24 天未承诺 · 2 人支持 · 3 分钟") && !md.contains("承诺逾期 ·"), "{md}");
    // A promise the planner listed as due before the meeting, not yet late on the day it is
    // printed, is not called overdue: its date says when (the demo's nearer promise).
    let near = md.lines().find(|l| l.contains("承诺期限：2026-11-29")).unwrap_or_else(|| panic!("{md}"));
    assert!(near.contains("· 承诺会前到期、尚未兑现 ·") && !near.contains("逾期"), "{near}");
    let html = app
        .call(Method::GET, &format!("{path}/agenda"), Some(&app.token("resident@dongsheng.example").await), None)
        .await;
    assert_eq!(html.status, StatusCode::OK, "a published agenda is for everyone");
    assert!(html.body.as_str().unwrap().contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.body.as_str().unwrap().contains("<strong>已逾期 106 天</strong>"));
    // Each reader gets it in their language.
    let supervisor = app.token("supervisor@dongsheng.example").await;
    let chose = app.call(Method::PATCH, "/api/v1/me", Some(&supervisor), Some(json!({"locale": "en"}))).await;
    assert_eq!(chose.status, StatusCode::OK);
    // A PATCH that names no language leaves the chosen one (it reset it to the community's).
    let unchanged = app.call(Method::PATCH, "/api/v1/me", Some(&supervisor), Some(json!({}))).await;
    assert_eq!((unchanged.status, unchanged.body["user"]["locale"].as_str()), (StatusCode::OK, Some("en")));
    let english = app.call(Method::GET, &format!("{path}/agenda?format=md"), Some(&supervisor), None).await;
    let english = english.body.as_str().unwrap();
    assert!(english.contains("Joint meeting agenda") && english.contains("Follow-up of commitments"), "{english}");
    assert!(english.starts_with("# 东圣社区 Joint meeting agenda\n\nPublished · Time: "), "{english}");
    assert!(!english.contains("联席会议议程") && !english.contains("已发布") && english.contains("&lt;script&gt;"));

    // Hold it: attendance, the hostile issue committed on the spot, close, publish.
    app.meeting_day(&path).await;
    app.call(Method::POST, &format!("{path}/open"), Some(&secretary), None).await;
    app.call(
        Method::PUT,
        &format!("{path}/attendance"),
        Some(&secretary),
        Some(json!({"org": anshang, "attendees": "李明"})),
    )
    .await;
    let detail = app.get(&path, &secretary).await;
    let item = detail.body["items"].as_array().unwrap().iter().find(|i| i["issue"] == hostile["id"]).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = app
        .post(
            &format!("{path}/items/{item}/outcome"),
            &secretary,
            json!({"outcome": "commitment", "commitment_text": "一周内处理", "due_date": "2026-12-13"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    app.call(Method::POST, &format!("{path}/close"), Some(&secretary), None).await;
    app.call(
        Method::PUT,
        &format!("{path}/minutes"),
        Some(&secretary),
        Some(json!({"text": "请各物业公司按期落实承诺。"})),
    )
    .await;
    app.call(Method::POST, &format!("{path}/minutes/publish"), Some(&secretary), None).await;
    let minutes = app
        .call(Method::GET, &format!("{path}/minutes"), Some(&secretary), None)
        .await
        .body
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        minutes.contains(
            "<td>安尚物业</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>一周内处理</td><td>2026-12-13</td>"
        ),
        "{minutes}"
    );
    assert!(!minutes.contains("<script>"));
    insta::assert_snapshot!("demo_minutes_html", minutes);
}
