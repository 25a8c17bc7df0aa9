//! Dispatch rate: N assignment notifications queued, then drained by the dispatcher —
//! through lettre to the test SMTP sink on 127.0.0.1, or with CHANNEL=wecom|dingtalk|webhook
//! to that local imitation (the mail then kept in memory, the robots' rate limit lifted to
//! measure the dispatcher itself).
//! `cargo bench -p roundtable-e2e --bench dispatch` (MESSAGES, default 2000; CONNECTIONS,
//! default `mail.smtp_connections`; CHANNEL, default mail).

use std::time::Instant;

use roundtable_e2e::TestApp;
use roundtable_e2e::robot_sink::{self, Kind};
use roundtable_e2e::smtp_sink::Sink;
use roundtable_store::outbox;
use roundtable_web::mail::dispatch_once;

fn main() {
    let n: usize = std::env::var("MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let sink = Sink::start(0);
        let url = format!("smtp://127.0.0.1:{}", sink.port);
        let kind = match std::env::var("CHANNEL").as_deref() {
            Ok("wecom") => Some(Kind::WeCom),
            Ok("dingtalk") => Some(Kind::DingTalk),
            Ok("webhook") => Some(Kind::Webhook),
            _ => None,
        };
        let robot = kind.map(|k| robot_sink::Sink::start(k, 0, usize::MAX));
        let app = TestApp::sqlite()
            .mail(|m| {
                // TRANSPORT=memory measures the dispatcher without the network.
                m.transport = match std::env::var("TRANSPORT").as_deref() {
                    _ if robot.is_some() => roundtable_web::config::MailTransport::Memory,
                    Ok("memory") => roundtable_web::config::MailTransport::Memory,
                    _ => roundtable_web::config::MailTransport::Smtp,
                };
                m.channel_hosts = vec!["127.0.0.1".into()];
                m.robot_rate_per_minute = u32::MAX;
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
        if let Some(robot) = &robot {
            robot.set_secret("SECbench");
            let channel = roundtable_store::channels::Channel {
                id: uuid::Uuid::now_v7().to_string(),
                community: app.community(),
                kind: match robot.kind {
                    Kind::WeCom => roundtable_core::ChannelKind::WeCom,
                    Kind::DingTalk => roundtable_core::ChannelKind::DingTalk,
                    Kind::Webhook => roundtable_core::ChannelKind::Webhook,
                },
                name: "bench".into(),
                org: page.items[0].responsible_org,
                user: None,
                url: robot.url(),
                secret: (robot.kind != Kind::WeCom).then(|| "SECbench".into()),
                created_by: app.user("secretary@dongsheng.example"),
                created_at: s.now(),
                removed_at: None,
            };
            roundtable_store::channels::insert(conn, &channel).unwrap();
        }
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
        // Each notice is a mail and, with a channel, its copy there.
        let total = if robot.is_some() { 2 * n } else { n };
        let start = Instant::now();
        let mut sent = 0;
        while sent < total {
            let r = dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, s.now(), 500).await.unwrap();
            assert_eq!(r.retried + r.dead, 0, "{r:?}");
            sent += r.sent;
        }
        let secs = start.elapsed().as_secs_f64();
        assert!(s.mailer.sent().await.len() == n || sink.received().len() == n);
        let conns = s.config.mail.smtp_connections;
        if let Some(robot) = &robot {
            assert_eq!(robot.received().len(), n, "every copy arrived");
            println!(
                "dispatched {n} notices to a local {:?} imitation (and {n} mails to memory), {conns} at a time, in {secs:.2} s: {:.0} notices/s",
                robot.kind,
                n as f64 / secs
            );
            return;
        }
        println!(
            "dispatched {n} messages to a local SMTP server over {conns} connections in {secs:.2} s: {:.0} messages/s",
            n as f64 / secs
        );
    });
}
