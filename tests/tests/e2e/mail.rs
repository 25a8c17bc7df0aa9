//! Notifications: every template in both languages (snapshots, escaping), the issue
//! cycle's mail to the right addresses exactly once, retries and dead rows.

use roundtable_e2e::{TestApp, on_both_databases};
use roundtable_store::outbox;
use roundtable_web::mail::{Templates, dispatch_once};
use serde_json::json;

use crate::api_flow::{fire, in_days, raise};

on_both_databases!(the_issue_cycle_mails_the_right_people_once, workflow_timers_remind_and_escalate_exactly_once);

fn context() -> serde_json::Value {
    json!({
        "community": "东圣社区",
        "org": "安尚物业",
        "issue": {
            "title": "<script>alert(1)</script> 地下室漏水",
            "description": "雨后地下室积水 & 墙皮洇水",
            "compound": "君悦湾",
            "url": "http://127.0.0.1:8080/issues/0190a000-0000-7000-8000-000000000001",
            "commitment": "更换防水层",
            "due_date": "2026-12-20",
        },
        "step": "已承诺",
        "note": "<b>已更换</b>",
        "raiser": {"name": "张秀兰", "email": "supervisor@dongsheng.example", "phone": "13900000000"},
        "what": "议程已发布",
        "meeting": {"date": "2026-12-06", "time": "09:00", "place": "东圣社区党群服务中心", "url": "http://127.0.0.1:8080/meetings/1"},
    })
}

#[test]
fn every_email_renders_in_both_languages_escaped_in_html() {
    let templates = Templates::new();
    let names: Vec<&str> = Templates::names().collect();
    assert_eq!(names.len(), 6);
    for name in names {
        for locale in ["zh-CN", "en"] {
            let email = templates.render(locale, name, &context()).unwrap_or_else(|e| panic!("{locale}/{name}: {e}"));
            assert!(!email.html.contains("<script>"), "{locale}/{name} escapes HTML");
            assert!(!email.subject.contains('\n'));
            if email.html.contains("alert(1)") {
                assert!(email.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{locale}/{name}");
            }
            insta::assert_snapshot!(
                format!("email_{locale}_{name}"),
                format!("Subject: {}\n\n{}\n---\n{}", email.subject, email.text, email.html)
            );
        }
    }
}

async fn the_issue_cycle_mails_the_right_people_once(app: TestApp) {
    let state = &app.state;
    let dispatch = || dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, state.now(), 100);
    assert_eq!(dispatch().await.unwrap().sent, 0, "the demo's history is not news");

    let raised = raise(&app, "地下室漏水").await;
    let anshang = app.org("安尚物业").to_string();
    let assigned =
        fire(&app, "secretary@dongsheng.example", &raised, "assign", json!({"responsible_org": anshang})).await;
    let committed = fire(
        &app,
        "anshang@dongsheng.example",
        &assigned,
        "commit",
        json!({"commitment_text": "更换防水层", "due_date": in_days(10)}),
    )
    .await;
    let resolved =
        fire(&app, "anshang@dongsheng.example", &committed, "resolve", json!({"resolution_note": "防水层已更换"}))
            .await;
    fire(&app, "supervisor@dongsheng.example", &resolved, "verify", json!({"satisfaction": 5})).await;

    let report = dispatch().await.unwrap();
    assert_eq!((report.sent, report.retried, report.dead), (4, 0, 0), "{report:?}");
    assert_eq!(dispatch().await.unwrap(), Default::default(), "nothing is sent twice");
    let sent = state.mailer.sent();
    let got: Vec<(Vec<String>, String)> = sent.iter().map(|m| (m.to.clone(), m.subject.clone())).collect();
    assert_eq!(
        got,
        vec![
            (vec!["anshang@dongsheng.example".to_owned()], "新交办问题：地下室漏水".to_owned()),
            (vec!["supervisor@dongsheng.example".to_owned()], "问题进展：地下室漏水（责任单位已承诺）".to_owned()),
            (vec!["supervisor@dongsheng.example".to_owned()], "请验收：地下室漏水".to_owned()),
            (vec!["anshang@dongsheng.example".to_owned()], "问题进展：地下室漏水（已验收）".to_owned()),
        ]
    );
    assert!(sent[0].text.contains("反映人：张秀兰"), "the responsible company gets the raiser's contact");
    assert!(!sent[1].text.contains("13"), "the raiser's own update carries no phone numbers");
    assert!(sent[2].text.contains("防水层已更换"));
    let ids: std::collections::BTreeSet<_> = sent.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), 4, "each message has its own stable Message-ID");

    // A reassignment tells the new party and the one it was taken from.
    let other = raise(&app, "垃圾清运不及时").await;
    let other = fire(&app, "secretary@dongsheng.example", &other, "assign", json!({"responsible_org": anshang})).await;
    let xiean = app.org("谐安物业").to_string();
    fire(
        &app,
        "secretary@dongsheng.example",
        &other,
        "reassign",
        json!({"responsible_org": xiean, "reason": "属谐安物业管辖"}),
    )
    .await;
    assert_eq!(dispatch().await.unwrap().sent, 3);
    let latest: Vec<(String, String)> =
        state.mailer.sent()[4..].iter().map(|m| (m.to[0].clone(), m.subject.clone())).collect();
    assert_eq!(
        latest,
        [
            ("anshang@dongsheng.example".to_owned(), "新交办问题：垃圾清运不及时".to_owned()),
            ("xiean@dongsheng.example".to_owned(), "新交办问题：垃圾清运不及时".to_owned()),
            ("anshang@dongsheng.example".to_owned(), "问题进展：垃圾清运不及时（已改派给其他单位）".to_owned()),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_retry_with_backoff_then_die_and_can_be_retried() {
    let blocker = tempfile_path();
    std::fs::write(&blocker, "a file where the mail directory should be").unwrap();
    let app = TestApp::sqlite()
        .mail(|m| {
            m.transport = "file".into();
            m.file_dir = blocker.join("mail");
            m.max_attempts = 2;
        })
        .build();
    let raised = raise(&app, "电梯经常停运").await;
    fire(
        &app,
        "secretary@dongsheng.example",
        &raised,
        "assign",
        json!({"responsible_org": app.org("安尚物业").to_string()}),
    )
    .await;
    let state = &app.state;
    let at = |minutes: i64| state.now() + chrono::TimeDelta::minutes(minutes);
    let first = dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, at(0), 100).await.unwrap();
    assert_eq!((first.sent, first.retried), (0, 1));
    let too_soon = dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, at(0), 100).await.unwrap();
    assert_eq!(too_soon, Default::default(), "backoff: not due again yet");
    let second = dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, at(10), 100).await.unwrap();
    assert_eq!(second.dead, 1, "{second:?}");
    let conn = &mut *state.db.conn().unwrap();
    let dead = outbox::with_status(conn, "dead").unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].last_error.as_deref().unwrap().contains("cannot write the mail file"), "{:?}", dead[0].last_error);
    assert!(outbox::retry(conn, &dead[0].id, at(10)).unwrap());
    assert_eq!(outbox::with_status(conn, "pending").unwrap().len(), 1);
}

fn tempfile_path() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("roundtable-mail-blocker-{}", uuid::Uuid::now_v7()))
}

async fn workflow_timers_remind_and_escalate_exactly_once(app: TestApp) {
    use roundtable_web::reminders;
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let state = &app.state;
    let raised = raise(&app, "雨水井堵塞").await;
    let assigned = fire(
        &app,
        "secretary@dongsheng.example",
        &raised,
        "assign",
        json!({"responsible_org": app.org("安尚物业").to_string()}),
    )
    .await;
    // Due on 30 December (local): "due soon" fires two days before the day ends, the
    // escalation when it has ended — 31 December 00:00 in Shanghai, 16:00 UTC the day before.
    fire(
        &app,
        "anshang@dongsheng.example",
        &assigned,
        "commit",
        json!({"commitment_text": "疏通雨水井", "due_date": "2026-12-30"}),
    )
    .await;
    let id: roundtable_core::IssueId = raised["id"].as_str().unwrap().parse().unwrap();
    let effects = || {
        let conn = &mut *state.db.conn().unwrap();
        roundtable_store::issues::outbox_effects(conn, id).unwrap().into_iter().map(|(e, _)| e).collect::<Vec<_>>()
    };
    let before = effects();
    for now in ["2026-12-28T15:59:00Z", "2026-12-28T16:00:00Z", "2026-12-28T17:00:00Z", "2026-12-29T09:00:00Z"] {
        reminders::tick(&state.db, &state.workflows, at(now)).await.unwrap();
    }
    assert_eq!(effects()[before.len()..], ["remind_responsible"], "one reminder, however many ticks");
    // Two instances at the same moment after the due date ended.
    let (a, b) = tokio::join!(
        reminders::tick(&state.db, &state.workflows, at("2026-12-30T16:00:00Z")),
        reminders::tick(&state.db, &state.workflows, at("2026-12-30T16:00:00Z"))
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(effects()[before.len()..], ["remind_responsible", "escalate"]);
    let conn = &mut *state.db.conn().unwrap();
    assert_eq!(roundtable_store::issues::overdue_since(conn, id).unwrap(), Some(at("2026-12-30T16:00:00Z")));

    let report =
        dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, at("2026-12-30T16:05:00Z"), 500)
            .await
            .unwrap();
    assert_eq!(report.dead, 0, "{report:?}");
    let sent = state.mailer.sent();
    let mine: Vec<_> =
        sent.iter().filter(|m| m.subject.contains("雨水井堵塞")).map(|m| (m.subject.clone(), m.to.clone())).collect();
    assert!(mine.contains(&("提醒：雨水井堵塞".to_owned(), vec!["anshang@dongsheng.example".to_owned()])), "{mine:?}");
    let escalation = mine.iter().find(|(s, _)| s == "承诺逾期：雨水井堵塞").expect("an escalation");
    assert_eq!(escalation.1, ["secretary@dongsheng.example", "supervisors@dongsheng.example"]);
}
