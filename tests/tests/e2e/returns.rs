//! Not ours (申请退回): a company handed an issue that is not its own says whose it is; the
//! issue stays with it until the secretary hands it on or refuses, and the asking buys no
//! time.

use axum::http::StatusCode;
use roundtable_e2e::{TestApp, on_both_databases};
use serde_json::json;

use crate::api_flow::{fire, raise, try_fire};

on_both_databases!(at roundtable_e2e::monday(); a_company_asks_to_hand_back_an_issue_and_the_secretary_decides);

const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";
const SUPERVISOR: &str = "supervisor@dongsheng.example";

async fn a_company_asks_to_hand_back_an_issue_and_the_secretary_decides(app: TestApp) {
    let raised = raise(&app, "燃气管道异味").await;
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    // Nothing asked, nothing to refuse; only the company it was handed to asks, with a reason.
    let early = try_fire(&app, SECRETARY, &assigned, "refuse_return", json!({"reason": "x"})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    for who in ["xiean@dongsheng.example", SUPERVISOR, SECRETARY] {
        let other = try_fire(&app, who, &assigned, "request_return", json!({"reason": "x"})).await;
        assert_eq!(other.status, StatusCode::FORBIDDEN, "{who}: {}", other.body);
    }
    for bad in [json!({}), json!({"reason": "\u{200b} "}), json!({"reason": "燃\u{0}气"}), json!({"reason": 7})] {
        let refused = try_fire(&app, ANSHANG, &assigned, "request_return", bad.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", refused.body);
    }
    app.dispatched().await;
    let mailed = app.state.mailer.sent().await.len();
    app.set_now(app.state.now() + chrono::Duration::days(1));

    let why = "燃气管道归燃气公司维护 <b>非物业范围</b>";
    let asked = fire(&app, ANSHANG, &assigned, "request_return", json!({"reason": why})).await;
    assert_eq!((asked["state"].as_str(), asked["responsible_org"].as_str()), (Some("assigned"), Some(&*anshang)));
    assert_eq!(asked["return_request"]["reason"], why);
    assert_eq!(asked["state_entered_at"], assigned["state_entered_at"], "asking buys no time");
    // The secretary hears of it: a mail with the reason, as text.
    let sent = app.dispatched().await;
    let to_secretary: Vec<_> = sent[mailed..].iter().filter(|m| m.to.iter().any(|t| t == SECRETARY)).collect();
    assert!(
        to_secretary.iter().any(|m| m.text.contains("责任单位申请退回") && m.text.contains("燃气管道归燃气公司维护")),
        "{:#?}",
        sent[mailed..].iter().map(|m| (&m.to, &m.subject, &m.text)).collect::<Vec<_>>()
    );
    assert!(to_secretary.iter().all(|m| !m.html.contains("<b>非物业")), "the reason is text in the mail");

    // The pages: everyone reading the issue sees the request; the company is offered the
    // form before, the secretary the refusal and the reassignment after.
    let shown = "燃气管道归燃气公司维护 &lt;b&gt;非物业范围&lt;/b&gt;";
    let id = asked["id"].as_str().unwrap();
    let path = format!("/issues/{id}");
    let company = crate::pages::signed_in(&app, ANSHANG).await;
    let page = company.get(&path).await.html;
    assert!(page.contains(
        "<dd id=\"return-request\" class=\"late\">燃气管道归燃气公司维护 &lt;b&gt;非物业范围&lt;/b&gt; <span"
    ));
    let supervisor = crate::pages::signed_in(&app, SUPERVISOR).await;
    let page = supervisor.get(&path).await.html;
    assert!(page.contains("申请退回") && page.contains("id=\"return-request\""), "{page}");
    assert!(!page.contains("id=\"t-refuse_return\""), "the raiser decides nothing");
    let secretary = crate::pages::signed_in(&app, SECRETARY).await;
    // The secretary's home lists what waits for a decision, with what was asked.
    let home = secretary.get("/").await.html;
    let waiting = &home[home.find("section-awaiting_decision").unwrap_or_else(|| panic!("{home}"))..];
    let waiting = &waiting[..waiting.find("</section>").unwrap()];
    assert!(
        waiting.contains("燃气管道异味") && waiting.contains(&format!("申请退回：{shown} · 2026-12-01")),
        "{waiting}"
    );
    assert!(!supervisor.get("/").await.html.contains("section-awaiting_decision"), "the secretary's to decide");
    let page = secretary.get(&path).await;
    assert!(page.html.contains("id=\"t-refuse_return\"") && page.html.contains("id=\"t-reassign\""), "{}", page.html);

    // Sunday's meeting: the request is under the item on the day screen, the agenda's page
    // and the printed agenda; not on the public agenda.
    let (meeting, token) = crate::meetings::build_and_open(&app, "2026-12-06").await;
    let detail = app.get(&meeting, &token).await.body;
    let item = crate::meetings::items(&detail).iter().find(|i| i["issue"] == id).expect("on the agenda");
    let item_id = item["id"].as_str().unwrap().to_owned();
    let meeting = meeting.trim_start_matches("/api/v1");
    let said = format!("申请退回：{shown} · 2026-12-01");
    let day = secretary.get(&format!("{meeting}/day")).await.html;
    let on_screen = day[day.find(&format!("id=\"item-{item_id}\"")).unwrap()..].split("</li>").next().unwrap();
    assert!(on_screen.contains(&said) && on_screen.contains("退回不成立的理由"), "{on_screen}");
    assert!(supervisor.get(meeting).await.html.contains(&said));
    let printed = app.get(&format!("/api/v1{meeting}/agenda?format=md"), &app.token(SUPERVISOR).await).await;
    let printed = printed.body.as_str().expect("markdown").to_owned();
    assert!(printed.contains("申请退回：燃气管道归燃气公司维护") && printed.contains("· 2026-12-01**"), "{printed}");
    let meeting_id = meeting.rsplit('/').next().expect("an id");
    let public = format!("/communities/{}/meetings/{meeting_id}/agenda", app.community());
    let (status, _, body) = app.anonymous(&public, None).await;
    let body = String::from_utf8(body).expect("utf-8");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("燃气管道异味") && !body.contains("燃气公司维护"), "{body}");

    // The meeting decides: only a decision turns the request down, with a reason, one
    // request at a time.
    let outcome = format!("/api/v1{meeting}/items/{item_id}/outcome");
    for (body, field) in [
        (json!({"outcome": "deferred", "refuse_return": true, "note": "x"}), "refuse_return"),
        (json!({"outcome": "decision", "refuse_return": true}), "reason"),
        (json!({"outcome": "decision", "refuse_return": true, "refuse_extension": true, "note": "x"}), "refuse_return"),
    ] {
        let r = app.post(&outcome, &token, body.clone()).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)));
    }
    let nothing =
        app.post(&outcome, &token, json!({"outcome": "decision", "refuse_extension": true, "note": "x"})).await;
    assert_eq!(nothing.status, StatusCode::CONFLICT, "no later date asked: {}", nothing.body);
    // Refused through the day screen's form, with the reason the company is told: it stays
    // the company's, its time counted from the assignment; the company's mail is news, not
    // a new assignment.
    let sent_before = app.dispatched().await.len();
    let posted = secretary
        .submit(
            &format!("{meeting}/day"),
            &format!("{meeting}/items/{item_id}/outcome"),
            &[("refuse_return", "1"), ("outcome", "decision"), ("note", "经核实为小区内庭院管线，属物业维护")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.html);
    let refused = app.get(&format!("/api/v1/issues/{id}"), &app.token(SECRETARY).await).await.body;
    assert!(refused["return_request"].is_null(), "{refused}");
    assert_eq!((refused["state"].as_str(), refused["responsible_org"].as_str()), (Some("assigned"), Some(&*anshang)));
    assert_eq!(refused["state_entered_at"], assigned["state_entered_at"]);
    let sent = app.dispatched().await;
    let company_mail: Vec<_> =
        sent[sent_before..].iter().filter(|m| m.to.iter().any(|t| t == "anshang@dongsheng.example")).collect();
    assert!(
        company_mail.iter().any(|m| m.text.contains("退回申请未获同意") && m.text.contains("属物业维护")),
        "{:#?}",
        company_mail.iter().map(|m| (&m.subject, &m.text)).collect::<Vec<_>>()
    );
    assert!(company_mail.iter().all(|m| !m.subject.contains("新交办")), "not a new assignment");
    assert!(!company.get(&path).await.html.contains("id=\"return-request\""));
    let home = secretary.get("/").await.html;
    assert!(!home.contains("燃气管道归燃气公司维护"), "decided: it no longer waits for the secretary");

    // Asked again and found right: handed to another party, the request is settled.
    let again = fire(&app, ANSHANG, &refused, "request_return", json!({"reason": "属开发商保修范围"})).await;
    let xiean = app.org("谐安物业").to_string();
    let handed =
        fire(&app, SECRETARY, &again, "reassign", json!({"responsible_org": xiean, "reason": "退回成立"})).await;
    assert!(handed["return_request"].is_null(), "{handed}");
    assert_eq!(handed["responsible_org"].as_str(), Some(&*xiean));
}
