//! Urgency on the agenda: a red issue leads the new issues, and every agenda — the API,
//! the meeting's pages and the printed one — says how urgent each issue is now.

use axum::http::{Method, StatusCode};
use roundtable_e2e::{TestApp, on_both_databases};
use serde_json::{Value, json};

use crate::api_flow::fire;

on_both_databases!(at roundtable_e2e::monday(); a_red_issue_leads_the_new_issues_and_wears_its_colour_on_the_agenda);

const SECRETARY: &str = "secretary@dongsheng.example";

/// The agenda the scheduler would build: a red issue nobody has supported yet comes before
/// an older, popular routine one, and the agenda says it is red — on the API, the meeting
/// page, the meeting-day page and the printed agenda.
async fn a_red_issue_leads_the_new_issues_and_wears_its_colour_on_the_agenda(app: TestApp) {
    let popular = crate::urgency::raise(&app, "小区东门路灯坏了", None).await.body;
    for who in ["supervisor@dongsheng.example", "grid@dongsheng.example", SECRETARY] {
        let path = format!("/api/v1/issues/{}/support", popular["id"].as_str().unwrap());
        app.post(&path, &app.token(who).await, json!({})).await;
    }
    let red = crate::urgency::raise(&app, "地库电梯困人无人救援", Some("red")).await.body;
    let secretary = app.token(SECRETARY).await;
    let built = app.call(Method::POST, "/api/v1/meetings/slots/2026-12-06/agenda", Some(&secretary), None).await;
    assert_eq!(built.status, StatusCode::CREATED, "{}", built.body);
    let path = format!("/api/v1/meetings/{}", built.str("id"));
    let agenda = app.get(&path, &secretary).await.body;
    let items = agenda["items"].as_array().unwrap();
    let at = |issue: &Value| items.iter().position(|i| i["issue"] == issue["id"]).expect("on the agenda");
    assert!(at(&red) < at(&popular), "red before routine however supported: {agenda}");
    assert_eq!(items[at(&red)]["urgency"], "red");
    assert_eq!(items[at(&popular)]["urgency"], "routine");
    // A grid secretary's top issue keeps its place at the head of its compound.
    let first_new = items.iter().find(|i| i["section"] == "new_issues" && i["reason"] != "grid_top_issue").unwrap();
    assert_eq!(first_new["urgency"], "red", "the new issues open with a red one: {agenda}");

    let pages = app.pages();
    pages.sign_in(SECRETARY).await;
    let badge = "<span class=\"badge urgency-red\">红色·紧急</span>";
    let page = pages.get(&format!("/meetings/{}", built.str("id"))).await;
    let line = &page.html[page.html.find("地库电梯困人无人救援").expect("listed")..];
    assert!(line[..line.find("</li>").unwrap()].contains(badge), "{}", page.html);
    let line = &page.html[page.html.find("小区东门路灯坏了").expect("listed")..];
    assert!(!line[..line.find("</li>").unwrap()].contains("urgency-"), "a routine one has no badge");
    let md = app.call(Method::GET, &format!("{path}/agenda?format=md"), Some(&secretary), None).await;
    let md = md.body.as_str().unwrap().to_owned();
    assert!(md.contains("地库电梯困人无人救援 · **红色·紧急** · 鸿禧山庄"), "{md}");
    assert!(md.contains("小区东门路灯坏了 · 鸿禧山庄"), "{md}");
    // Graded down after the agenda was built: the agenda shows it as it is now.
    let anshang = app.org("鸿运物业").to_string();
    fire(&app, SECRETARY, &red, "assign", json!({"responsible_org": anshang, "urgency": "yellow"})).await;
    let agenda = app.get(&path, &secretary).await.body;
    let item = agenda["items"].as_array().unwrap().iter().find(|i| i["issue"] == red["id"]).cloned().unwrap();
    assert_eq!(item["urgency"], "yellow");
    for step in ["agenda/publish", "open"] {
        if step == "open" {
            app.meeting_day(&path).await;
        }
        let r = app.call(Method::POST, &format!("{path}/{step}"), Some(&secretary), None).await;
        assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.body);
    }
    let day = pages.get(&format!("/meetings/{}/day", built.str("id"))).await;
    assert_eq!(day.status, StatusCode::OK, "{}", day.html);
    assert!(
        day.html.contains("地库电梯困人无人救援</a> <span class=\"badge urgency-yellow\">黄色·较急</span>"),
        "{}",
        day.html
    );
}
