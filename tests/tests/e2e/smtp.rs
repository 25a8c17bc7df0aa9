//! Mail through a real SMTP conversation: a small SMTP sink on 127.0.0.1 that records
//! what it is sent, and an outage — the server down while issues are assigned and the
//! roundtable process restarted — after which every message arrives exactly once.

use std::net::TcpListener;

use roundtable_e2e::TestApp;
use roundtable_e2e::smtp_sink::Sink;
use roundtable_store::{Db, DbOptions};
use roundtable_web::mail::{Mailer, Templates, dispatch_once};
use serde_json::json;

use crate::api_flow::{fire, raise, through_verification};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn header<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    data.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(": ")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issue_cycle_goes_through_a_real_smtp_server() {
    let sink = Sink::start(0);
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = TestApp::sqlite()
        .mail(|m| {
            m.transport = roundtable_web::config::MailTransport::Smtp;
            m.smtp_url = url.into();
        })
        .build();
    through_verification(&app, "地下室漏水").await;
    let s = &app.state;
    let report = dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, s.now(), 100).await.unwrap();
    assert_eq!((report.sent, report.retried), (4, 0), "{report:?}");
    let mut got = sink.received();
    // Sends overlap: compare in the outbox's order, which the Message-IDs follow.
    got.sort_by(|a, b| header(&a.data, "Message-ID").cmp(&header(&b.data, "Message-ID")));
    let rcpts: Vec<&str> = got.iter().map(|m| m.rcpt[0].as_str()).collect();
    assert_eq!(
        rcpts,
        [
            "anshang@dongsheng.example",
            "supervisor@dongsheng.example",
            "supervisor@dongsheng.example",
            "anshang@dongsheng.example"
        ]
    );
    for m in &got {
        assert!(header(&m.data, "Message-ID").is_some_and(|id| id.ends_with("@roundtable>")), "{}", m.data);
        assert!(m.data.contains("multipart/alternative"), "text and HTML");
        assert!(m.data.contains("text/plain") && m.data.contains("text/html"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_assignments_during_an_outage_arrive_once_after_it() {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let smtp = url.clone();
    let app = TestApp::sqlite()
        .mail(|m| {
            m.transport = roundtable_web::config::MailTransport::Smtp;
            m.smtp_url = smtp.into();
        })
        .build();
    let anshang = app.org("安尚物业").to_string();
    for n in 0..50 {
        let raised = raise(&app, &format!("停车位 {n}")).await;
        fire(&app, "secretary@dongsheng.example", &raised, "assign", json!({"responsible_org": anshang})).await;
    }
    let s = &app.state;
    // Nothing listens: every attempt fails and is scheduled again.
    let down = dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, s.now(), 500).await.unwrap();
    assert_eq!((down.sent, down.retried, down.dead), (0, 50, 0));

    // The roundtable process restarts: a new pool and a new mailer on the same database.
    let db = Db::open(app.db_url(), DbOptions::default()).unwrap();
    let mailer = Mailer::from_config(&s.config.mail).unwrap();
    let templates = Templates::new();
    let sink = Sink::start(port);
    let later = s.now() + chrono::TimeDelta::minutes(10);
    let mut sent = 0;
    for round in 0..3 {
        let r = dispatch_once(&db, &mailer, &templates, &s.config.mail, later + chrono::TimeDelta::minutes(round), 500)
            .await
            .unwrap();
        sent += r.sent;
    }
    assert_eq!(sent, 50);
    let got = sink.received();
    assert_eq!(got.len(), 50, "all arrive");
    let ids: std::collections::BTreeSet<_> = got.iter().filter_map(|m| header(&m.data, "Message-ID")).collect();
    assert_eq!(ids.len(), 50, "none twice");
    assert!(got.iter().all(|m| m.rcpt == ["anshang@dongsheng.example"]));
}
