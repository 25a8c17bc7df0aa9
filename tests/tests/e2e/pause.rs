//! Pausing an issue (暂缓): the work waits for the owners' vote, the maintenance fund or
//! another party, so no reminder, due date or overdue count runs against the company
//! meanwhile — and the meeting still hears of it.

use axum::http::{Method, StatusCode};
use roundtable_e2e::{TestApp, on_both_databases};
use roundtable_web::jobs::reminders;
use roundtable_web::mail::dispatch_once;
use serde_json::{Value, json};

use crate::api_flow::{fire, in_days, raise, try_fire};

on_both_databases!(at roundtable_e2e::monday(); a_paused_issue_waits_without_falling_overdue_and_resumes_for_a_new_promise);

const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";

/// The effects queued for an issue, oldest first.
fn notices(app: &TestApp, issue: &Value) -> Vec<String> {
    let conn = &mut *app.state.db.conn().unwrap();
    let mut rows = roundtable_store::outbox::with_status(conn, roundtable_core::DeliveryStatus::Pending).unwrap();
    rows.retain(|r| r.issue_id.as_deref() == issue["id"].as_str());
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows.into_iter().map(|r| r.effect).collect()
}

fn names(issue: &Value) -> Vec<&str> {
    issue["transitions"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect()
}

async fn a_paused_issue_waits_without_falling_overdue_and_resumes_for_a_new_promise(app: TestApp) {
    let raised = raise(&app, "电梯更换需动用维修资金").await;
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    let promise = json!({"commitment_text": "更换曳引机", "due_date": in_days(&app, 2)});
    let committed = fire(&app, ANSHANG, &assigned, "commit", promise).await;

    // Only the secretary pauses, saying what it waits for (one of three) and why.
    let why = "需业主表决动用维修资金 <b>双过半</b>";
    let by_company = try_fire(&app, ANSHANG, &committed, "pause", json!({"waiting_for": "owners_vote", "reason": why}));
    assert_eq!(by_company.await.status, StatusCode::FORBIDDEN);
    for (fields, said) in [
        (json!({"reason": why}), "waiting_for"),
        (json!({"waiting_for": "someday", "reason": why}), "owners_vote, maintenance_fund, other_party"),
        (json!({"waiting_for": "maintenance_fund"}), "reason"),
        // A hostile value is named, not echoed back whole.
        (json!({"waiting_for": "x".repeat(100_000), "reason": why}), "unknown `waiting_for` value `xxxxx"),
    ] {
        let r = try_fire(&app, SECRETARY, &committed, "pause", fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.to_string().contains(said), "{said}: {}", r.body);
        assert!(r.body.to_string().len() < 2_000, "{} bytes", r.body.to_string().len());
    }
    let before = notices(&app, &committed).len();
    let paused =
        fire(&app, SECRETARY, &committed, "pause", json!({"waiting_for": "maintenance_fund", "reason": why})).await;
    assert_eq!(paused["state"], "paused");
    assert_eq!(paused["commitment"]["text"], "更换曳引机", "the promise so far stays on record");
    assert_eq!(notices(&app, &paused)[before..], ["notify_responsible", "notify_raiser"]);
    // The company's mail says what it waits for and why, escaped in its HTML part.
    let state = &app.state;
    let report = dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, state.now(), 500).await;
    assert_eq!(report.unwrap().dead, 0);
    let sent = state.mailer.sent().await;
    let told = sent.iter().find(|m| m.to == [ANSHANG] && m.subject == "问题进展：电梯更换需动用维修资金（暂缓办理）");
    let told = told.expect("the company is told");
    assert!(told.text.contains("等待事项：维修资金审批\n说明：需业主表决动用维修资金 <b>双过半</b>"), "{}", told.text);
    assert!(told.html.contains("维修资金 &lt;b&gt;双过半"), "{}", told.html);
    let (secretary, company) = (app.token(SECRETARY).await, app.token(ANSHANG).await);
    let path = format!("/api/v1/issues/{}", paused["id"].as_str().unwrap());
    assert_eq!(names(&app.get(&path, &secretary).await.body), ["resume", "reject"]);
    let company_sees = app.get(&path, &company).await.body;
    assert!(names(&company_sees).is_empty(), "nothing for the company to do while it waits");

    // The due date passes on Saturday: not overdue, no reminder, not in the overdue list.
    app.set_now("2026-12-05T02:00:00Z".parse().unwrap());
    let queued = notices(&app, &paused).len();
    reminders::tick(&app.state.db, &app.state.workflows, &app.state.calendars(), app.state.now()).await.unwrap();
    assert_eq!(notices(&app, &paused).len(), queued, "{:?}", notices(&app, &paused));
    assert_eq!(app.get(&path, &secretary).await.body["overdue"], false);
    let overdue = app.get("/api/v1/issues?overdue=true", &secretary).await.body;
    assert!(!overdue.to_string().contains("电梯更换需动用维修资金"), "{overdue}");

    // Sunday's agenda: the pause was decided outside a meeting, so the meeting hears it.
    let built = app.call(Method::POST, "/api/v1/meetings/slots/2026-12-06/agenda", Some(&secretary), None).await;
    assert_eq!(built.status, StatusCode::CREATED, "{}", built.body);
    let agenda = app.get(&format!("/api/v1/meetings/{}", built.str("id")), &secretary).await.body;
    let item = agenda["items"].as_array().unwrap().iter().find(|i| i["issue"] == paused["id"]).cloned();
    let item = item.expect("the paused issue is on the agenda");
    assert_eq!((item["section"].as_str(), item["reason"].as_str()), (Some("follow_up"), Some("paused")));

    // The issue page says what it waits for, since when and why (escaped).
    let pages = app.pages();
    pages.sign_in(SECRETARY).await;
    let page = pages.get(&format!("/issues/{}", paused["id"].as_str().unwrap())).await;
    assert!(page.html.contains(">暂缓办理</span>"), "{}", page.html);
    // How long, beside the state's own badge: not "暂缓办理 · 暂缓 5 天".
    assert!(page.html.contains("id=\"issue-waited\">已 5 天</span>"), "{}", page.html);
    assert!(!page.html.contains("暂缓 5 天"), "{}", page.html);
    let meeting = pages.get(&format!("/meetings/{}", built.str("id"))).await.html;
    assert!(meeting.contains(">暂缓办理</span>") && meeting.contains(">已 5 天</span>"), "{meeting}");
    // A list's row, where the state's badge stands apart from the line, says it whole.
    let listed = pages.get("/issues?state=paused").await.html;
    assert!(listed.contains("暂缓 5 天"), "{listed}");
    assert!(page.html.contains("<dd id=\"waiting\">维修资金审批 · 暂缓自 2026-11-30"), "{}", page.html);
    assert!(page.html.contains("双过半") && !page.html.contains("<b>双过半"), "escaped: {}", page.html);
    assert!(page.html.contains("等待事项: 维修资金审批"), "the timeline's step: {}", page.html);

    // The fund is approved: resumed, back to the company, which promises afresh.
    let resumed = fire(&app, SECRETARY, &paused, "resume", json!({"note": "维修资金已批复"})).await;
    assert_eq!((resumed["state"].as_str(), &resumed["commitment"]), (Some("assigned"), &Value::Null));
    let again = json!({"commitment_text": "更换曳引机", "due_date": in_days(&app, 30)});
    let recommitted = fire(&app, ANSHANG, &resumed, "commit", again).await;
    assert_eq!(recommitted["commitment"]["due_date"].as_str(), Some(in_days(&app, 30).as_str()));
    let page = pages.get(&format!("/issues/{}", paused["id"].as_str().unwrap())).await;
    assert!(!page.html.contains("id=\"waiting\""), "no longer waiting");
}
