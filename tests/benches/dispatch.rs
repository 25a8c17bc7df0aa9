//! Mail dispatch rate to a local SMTP server: N assignment notifications queued, then
//! drained by the dispatcher through lettre to the test SMTP sink on 127.0.0.1.
//! `cargo bench -p roundtable-e2e --bench dispatch` (MESSAGES, default 2000; CONNECTIONS,
//! default `mail.smtp_connections`).

use std::time::Instant;

use roundtable_e2e::TestApp;
use roundtable_e2e::smtp_sink::Sink;
use roundtable_store::outbox;
use roundtable_web::mail::dispatch_once;

fn main() {
    let n: usize = std::env::var("MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let sink = Sink::start(0);
        let url = format!("smtp://127.0.0.1:{}", sink.port);
        let app = TestApp::sqlite()
            .mail(|m| {
                // TRANSPORT=memory measures the dispatcher without the network.
                m.transport = match std::env::var("TRANSPORT").as_deref() {
                    Ok("memory") => roundtable_web::config::MailTransport::Memory,
                    _ => roundtable_web::config::MailTransport::Smtp,
                };
                m.smtp_url = url.into();
                if let Some(n) = std::env::var("CONNECTIONS").ok().and_then(|v| v.parse().ok()) {
                    m.smtp_connections = n;
                }
            })
            .build();
        let s = &app.state;
        // One demo issue that is assigned; N notifications about it.
        let conn = &mut *s.db.conn().unwrap();
        let page = roundtable_store::issues::list_issues(
            conn,
            app.community(),
            &roundtable_store::IssueFilter { states: vec!["assigned".into()], ..Default::default() },
            &Default::default(),
        )
        .unwrap();
        let issue = page.items[0].id.to_string();
        let community = app.community().to_string();
        for _ in 0..n {
            outbox::queue(
                conn,
                &community,
                "notify_responsible",
                Some(issue.clone()),
                serde_json::json!({}),
                None,
                s.now(),
            )
            .unwrap();
        }
        let start = Instant::now();
        let mut sent = 0;
        while sent < n {
            let r = dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, s.now(), 500).await.unwrap();
            assert_eq!(r.retried + r.dead, 0, "{r:?}");
            sent += r.sent;
        }
        let secs = start.elapsed().as_secs_f64();
        assert!(s.mailer.sent().await.len() == n || sink.received().len() == n);
        let conns = s.config.mail.smtp_connections;
        println!(
            "dispatched {n} messages to a local SMTP server over {conns} connections in {secs:.2} s: {:.0} messages/s",
            n as f64 / secs
        );
    });
}
