//! Notices through group robots and webhooks: local sinks that imitate the WeCom and
//! DingTalk robot APIs and a receiver that verifies the webhook's signature; outages of
//! each during fifty assignments and a restart, after which every notice arrives once per
//! channel; the robots' rate limits queue rather than drop; the channels' management in
//! the API and the pages, where no URL or secret is ever shown again.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use roundtable_e2e::robot_sink::{Kind, Sink};
use roundtable_e2e::{TestApp, TestAppBuilder};
use roundtable_store::{Db, DbOptions};
use roundtable_web::mail::{Mailer, Templates, dispatch_once};
use serde_json::{Value, json};

use crate::api_flow::{fire, raise};

const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Sinks on loopback are allowed hosts for these tests only.
fn builder(b: TestAppBuilder) -> TestAppBuilder {
    b.mail(|m| m.channel_hosts = vec!["127.0.0.1".into()])
}

/// Adds a channel for an organisation through the API; returns the answer.
async fn add(
    app: &TestApp,
    token: &str,
    kind: &str,
    name: &str,
    url: &str,
    secret: Option<&str>,
) -> roundtable_e2e::Reply {
    let org = app.org("安尚物业").to_string();
    let mut body = json!({"kind": kind, "name": name, "org": org, "url": url});
    if let Some(s) = secret {
        body["secret"] = json!(s);
    }
    app.post("/api/v1/channels", token, body).await
}

/// Adds Anshang's three channels: a WeCom robot at `wecom` (its sink may not be up yet),
/// the DingTalk robot with its signing secret, and the webhook, whose secret (made by the
/// server, shown once) goes to its receiver.
async fn add_all(app: &TestApp, wecom: &str, dingtalk: &Sink, hook: &Sink) {
    let secretary = app.token(SECRETARY).await;
    dingtalk.set_secret("SECd1ngta1k");
    let channels = [
        ("wecom", wecom.to_owned(), None),
        ("dingtalk", dingtalk.url(), Some("SECd1ngta1k")),
        ("webhook", hook.url(), None),
    ];
    for (kind, url, secret) in channels {
        let r = add(app, &secretary, kind, &format!("安尚 {kind}"), &url, secret).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        if kind == "webhook" {
            hook.set_secret(r.body["secret"].as_str().expect("a webhook's secret, shown once"));
        } else {
            assert!(r.body.get("secret").is_none(), "a robot's secret is not echoed: {}", r.body);
        }
    }
}

async fn fifty_assignments_through_outages_and_a_restart_arrive_once_per_channel(b: TestAppBuilder) {
    let app = builder(b).build();
    // Outages of three kinds: nothing listens where the WeCom robot should be; DingTalk
    // answers "system busy"; the webhook's receiver answers 503.
    let wecom_port = free_port();
    let wecom_url = format!("http://127.0.0.1:{wecom_port}/cgi-bin/webhook/send?key=tok{wecom_port}x");
    let dingtalk = Sink::start(Kind::DingTalk, 0, 12);
    let hook = Sink::start(Kind::Webhook, 0, usize::MAX);
    add_all(&app, &wecom_url, &dingtalk, &hook).await;
    dingtalk.set_failing(true);
    hook.set_failing(true);

    let anshang = app.org("安尚物业").to_string();
    for n in 0..50 {
        let raised = raise(&app, &format!("停车位 {n}")).await;
        fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    }
    let s = &app.state;
    let down = dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, s.now(), 1000).await.unwrap();
    // The mail (in memory) goes; each robot is tried 20 times (its rate), the rest wait;
    // the webhook is tried 50 times. Every try fails and is scheduled again.
    assert_eq!((down.sent, down.retried, down.deferred, down.dead), (50, 90, 60, 0), "{down:?}");

    // The roundtable process restarts: a new pool and mailer on the same database; the
    // sinks come back.
    let db = Db::open(app.db_url(), DbOptions::default()).unwrap();
    let mailer = Mailer::from_config(&s.config.mail).unwrap();
    let templates = Templates::new();
    dingtalk.set_failing(false);
    hook.set_failing(false);
    let wecom = Sink::start(Kind::WeCom, wecom_port, 20);
    assert_eq!(wecom.url(), wecom_url);
    let start = s.now() + chrono::TimeDelta::minutes(10);
    let mut deferred = 0;
    for minute in 0..12 {
        let now = start + chrono::TimeDelta::minutes(minute);
        for sink in [&wecom, &dingtalk, &hook] {
            sink.next_minute();
            sink.set_now(now);
        }
        let r = dispatch_once(&db, &mailer, &templates, &s.config.mail, now, 1000).await.unwrap();
        deferred += r.deferred;
        assert_eq!(r.dead, 0, "{r:?}");
    }
    assert!(deferred > 0, "the robots' 20 a minute held some back");
    assert_eq!(wecom.refusals(), (0, 0), "WeCom was never sent more than 20 a minute");
    for (sink, name) in [(&wecom, "WeCom"), (&dingtalk, "DingTalk"), (&hook, "webhook")] {
        let got = sink.received();
        let titles: BTreeSet<String> = got.iter().map(|m| title_in(sink.kind, &m.body)).collect();
        assert_eq!(titles.len(), 50, "{name}: every assignment: {titles:?}");
        assert_eq!(got.len(), 50, "{name}: none twice");
        for m in &got {
            app.assert_nothing_private(&m.body.to_string(), name);
        }
    }
    // DingTalk took 12 a minute, fewer than we send: its "too fast" answers were queued.
    let (throttled, refused) = dingtalk.refusals();
    assert!(throttled > 0, "DingTalk's rate limit was met");
    assert_eq!(refused, 0, "every DingTalk message signed");
    assert_eq!(hook.refusals().1, 0, "every webhook signed within the replay window");
    let ids: BTreeSet<_> = hook.received().iter().filter_map(|m| m.delivery.clone()).collect();
    assert_eq!(ids.len(), 50, "a delivery id each");
    let pending = db
        .run(|conn| roundtable_store::outbox::with_status(conn, roundtable_core::DeliveryStatus::Pending))
        .await
        .unwrap();
    assert!(pending.is_empty(), "nothing left: {pending:?}");
}

/// The issue's title as each channel carries it.
fn title_in(kind: Kind, body: &Value) -> String {
    let text = match kind {
        Kind::WeCom => body["markdown"]["content"].as_str(),
        Kind::DingTalk => body["markdown"]["text"].as_str(),
        Kind::Webhook => body["issue"]["title"].as_str(),
    }
    .unwrap_or_default();
    let at = text.find("停车位").expect("the issue's title");
    text[at..].chars().take_while(|c| *c != '*' && *c != '\n').collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outages_on_sqlite() {
    fifty_assignments_through_outages_and_a_restart_arrive_once_per_channel(TestApp::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outages_on_postgres() {
    match TestApp::postgres() {
        Some(b) => fifty_assignments_through_outages_and_a_restart_arrive_once_per_channel(b).await,
        None => eprintln!("skipped: outages_on_postgres ({} is not set)", roundtable_e2e::POSTGRES_ENV),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robot_message_is_short_markdown_without_personal_data_or_markup_from_typed_text() {
    let app = builder(TestApp::sqlite()).build();
    let wecom = Sink::start(Kind::WeCom, 0, 20);
    let secretary = app.token(SECRETARY).await;
    assert_eq!(add(&app, &secretary, "wecom", "安尚工作群", &wecom.url(), None).await.status, StatusCode::CREATED);
    let raised = raise(&app, "[点我](http://evil.example) **漏水** <font color=red>x</font>").await;
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    let due = crate::api_flow::in_days(&app, 10);
    let committed =
        fire(&app, ANSHANG, &assigned, "commit", json!({"commitment_text": "更换防水层", "due_date": due})).await;
    let resolved = fire(&app, ANSHANG, &committed, "resolve", json!({"resolution_note": "已修"})).await;
    fire(&app, "supervisor@dongsheng.example", &resolved, "verify", json!({"satisfaction": 5})).await;
    let s = &app.state;
    dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, s.now(), 100).await.unwrap();
    let got = wecom.received();
    // The assignment and the verification reach the company's group; what is the raiser's
    // (the promise made to them, the request to verify) is not the group's.
    assert_eq!(got.len(), 2, "{got:?}");
    // Sends overlap: find each by what it says happened.
    let text = |heading: &str| {
        got.iter()
            .filter_map(|m| m.body["markdown"]["content"].as_str())
            .find(|t| t.starts_with(heading))
            .unwrap_or_else(|| panic!("a message starting {heading}: {got:?}"))
            .to_owned()
    };
    let first = text("### 已交办 · 东圣社区");
    assert!(first.contains(&format!("/issues/{}", raised["id"].as_str().unwrap())), "a link to the issue: {first}");
    assert!(!first.contains("](http://evil") && !first.contains("**漏水**") && !first.contains("<font"), "{first}");
    assert!(first.contains("［点我］（http://evil.example）"), "typed text shown as text: {first}");
    let second = text("### 已验收 · 东圣社区");
    assert!(second.contains("更换防水层") && second.contains(&due), "the promise and its date: {second}");
    for m in &got {
        app.assert_nothing_private(&m.body.to_string(), "a robot message");
    }
    // The secretary sees on the issue which notices went out which way.
    let path = format!("/api/v1/issues/{}/deliveries", raised["id"].as_str().unwrap());
    let deliveries = app.get(&path, &secretary).await;
    assert_eq!(deliveries.status, StatusCode::OK, "{}", deliveries.body);
    let rows = deliveries.body.as_array().unwrap();
    let robot: Vec<&Value> = rows.iter().filter(|d| d["channel_kind"] == "wecom").collect();
    assert_eq!(robot.len(), 2);
    assert!(robot.iter().all(|d| d["status"] == "sent" && d["channel"] == "安尚工作群"));
    assert!(rows.iter().any(|d| d["channel"].is_null() && d["notice"] == "notify_responsible"), "mail too");
    let company = app.token(ANSHANG).await;
    assert_eq!(app.get(&path, &company).await.status, StatusCode::FORBIDDEN, "the company does not see deliveries");
    let page = app.pages();
    page.sign_in(SECRETARY).await;
    let html = page.get(&format!("/issues/{}", raised["id"].as_str().unwrap())).await.html;
    assert!(html.contains("id=\"deliveries\"") && html.contains("安尚工作群") && html.contains("已送达"), "{html}");
    let page = app.pages();
    page.sign_in(ANSHANG).await;
    let html = page.get(&format!("/issues/{}", raised["id"].as_str().unwrap())).await.html;
    assert!(!html.contains("id=\"deliveries\""), "not for the company");
}

/// A company's staff read its group, not the mail: the agenda's message lists the
/// company's own items (to prepare them), the minutes' what the meeting held it to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_companys_group_hears_its_own_agenda_items_and_what_the_meeting_held_it_to() {
    let app = builder(TestApp::sqlite().at(roundtable_e2e::monday())).build();
    let wecom = Sink::start(Kind::WeCom, 0, 60);
    let secretary = app.token(SECRETARY).await;
    assert_eq!(add(&app, &secretary, "wecom", "安尚工作群", &wecom.url(), None).await.status, StatusCode::CREATED);
    let (anshang, xiean) = (app.org("安尚物业").to_string(), app.org("谐安物业").to_string());
    let lift = raise(&app, "电梯经常停运 <b>[点我](http://evil.example)</b>").await;
    fire(&app, SECRETARY, &lift, "assign", json!({"responsible_org": anshang})).await;
    fire(&app, SECRETARY, &raise(&app, "东门道闸失灵").await, "assign", json!({"responsible_org": xiean})).await;
    let slot = app.get("/api/v1/meetings/next", &secretary).await.str("slot").to_owned();
    let built = app.call(Method::POST, &format!("/api/v1/meetings/slots/{slot}/agenda"), Some(&secretary), None).await;
    assert_eq!(built.status, StatusCode::CREATED, "{}", built.body);
    let path = format!("/api/v1/meetings/{}", built.str("id"));
    let published = app.call(Method::POST, &format!("{path}/agenda/publish"), Some(&secretary), None).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let s = &app.state;
    dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, s.now(), 500).await.unwrap();
    let message = |heading: &str| {
        let got = wecom.received();
        let texts: Vec<String> =
            got.iter().filter_map(|m| m.body["markdown"]["content"].as_str()).map(str::to_owned).collect();
        texts.into_iter().find(|t| t.contains(heading)).unwrap_or_else(|| panic!("a message saying {heading}: {got:?}"))
    };
    let agenda = message("本次议程中贵单位的议题");
    let detail = app.get(&path, &secretary).await.body;
    let agenda_items = detail["items"].as_array().unwrap();
    // The same items as the company's mail marks as its own.
    let mail = s.mailer.sent().await;
    let mail = mail.iter().find(|m| m.subject.contains("议程已发布") && m.to == [ANSHANG]).expect("Anshang's mail");
    let theirs = mail.text.lines().filter(|l| l.ends_with("（贵单位）")).count();
    assert!(theirs >= 2, "the demo's Anshang items and the new one: {}", mail.text);
    assert!(agenda.contains(&format!("本次议程中贵单位的议题（{theirs} 项），请准备到会说明：")), "{agenda}");
    assert!(agenda.contains("· 电梯经常停运 ＜b＞［点我］（http://evil.example）＜/b＞"), "as text: {agenda}");
    assert!(!agenda.contains("东门道闸失灵"), "Xie'an's item is not Anshang's group's: {agenda}");
    app.assert_nothing_private(&agenda, "the agenda's robot message");

    // The meeting: Anshang promises on the spot; the minutes tell its group.
    let item = agenda_items.iter().find(|i| i["issue"] == lift["id"]).expect("on the agenda")["id"].as_str().unwrap();
    app.meeting_day(&path).await;
    assert_eq!(app.call(Method::POST, &format!("{path}/open"), Some(&secretary), None).await.status, StatusCode::OK);
    let due = crate::api_flow::in_days(&app, 14);
    let outcome = json!({"outcome": "commitment", "commitment_text": "两周内更换电梯主板", "due_date": due});
    let recorded = app.post(&format!("{path}/items/{item}/outcome"), &secretary, outcome).await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
    assert_eq!(app.call(Method::POST, &format!("{path}/close"), Some(&secretary), None).await.status, StatusCode::OK);
    let minutes = app.call(Method::POST, &format!("{path}/minutes/publish"), Some(&secretary), None).await;
    assert_eq!(minutes.status, StatusCode::OK, "{}", minutes.body);
    dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, s.now(), 500).await.unwrap();
    let held = message("贵单位的议题及会议结果");
    assert!(held.contains(&format!("贵单位的议题及会议结果（{theirs} 项），下次会议据此检查：")), "{held}");
    let promised = format!(
        "· **电梯经常停运 ＜b＞［点我］（http://evil.example）＜/b＞**：现场承诺 · 承诺：两周内更换电梯主板（{due} 前）"
    );
    assert!(held.contains(&promised), "{held}");
    assert!(!held.contains("东门道闸失灵"), "{held}");
    app.assert_nothing_private(&held, "the minutes' robot message");
}

roundtable_e2e::on_both_databases!(channels_are_checked_never_shown_again_and_only_for_the_chairs);

async fn channels_are_checked_never_shown_again_and_only_for_the_chairs(app: TestApp) {
    let secretary = app.token(SECRETARY).await;
    let key = "wecom-key-0123456789";
    let wecom = format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}");
    // Refused: another host for a robot, plain http, a private or loopback webhook (not
    // listed in mail.channel_hosts), credentials in the URL, a WeCom secret, no owner,
    // NUL and zero-width names, a huge URL, an unknown kind.
    let cases = [
        json!({"kind": "wecom", "name": "群", "org": app.org("安尚物业").to_string(), "url": "https://evil.example/cgi-bin/webhook/send?key=x"}),
        json!({"kind": "dingtalk", "name": "群", "org": app.org("安尚物业").to_string(), "url": "http://oapi.dingtalk.com/robot/send?access_token=x"}),
        json!({"kind": "webhook", "name": "群", "org": app.org("安尚物业").to_string(), "url": "https://127.0.0.1/hook"}),
        json!({"kind": "webhook", "name": "群", "org": app.org("安尚物业").to_string(), "url": "https://169.254.169.254/latest"}),
        json!({"kind": "webhook", "name": "群", "org": app.org("安尚物业").to_string(), "url": "https://[::1]/hook"}),
        json!({"kind": "webhook", "name": "群", "org": app.org("安尚物业").to_string(), "url": "https://u:p@hooks.example/x"}),
        json!({"kind": "wecom", "name": "群", "org": app.org("安尚物业").to_string(), "url": wecom, "secret": "x"}),
        json!({"kind": "wecom", "name": "群", "url": wecom}),
        json!({"kind": "wecom", "name": "群\u{0}", "org": app.org("安尚物业").to_string(), "url": wecom}),
        json!({"kind": "wecom", "name": "\u{200b}", "org": app.org("安尚物业").to_string(), "url": wecom}),
        json!({"kind": "webhook", "name": "群", "org": app.org("安尚物业").to_string(), "url": format!("https://hooks.example/{}", "a".repeat(600))}),
        json!({"kind": "wecom", "name": "群", "user": uuid::Uuid::now_v7(), "url": wecom}),
    ];
    for body in cases {
        let r = app.post("/api/v1/channels", &secretary, body.clone()).await;
        assert!(matches!(r.status.as_u16(), 400 | 422), "{body}: {} {}", r.status, r.body);
    }
    // Each refused address says what it must be, by a code of its own.
    let org = app.org("安尚物业").to_string();
    for (kind, url, code) in [
        ("wecom", "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=x", "wecom_address"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send", "dingtalk_address"),
        ("dingtalk", "http://oapi.dingtalk.com/robot/send?access_token=x", "not_https"),
        ("webhook", "https://10.0.0.7/hook", "internal_address"),
        ("webhook", "https://u:p@hooks.example/x", "credentials_in_url"),
    ] {
        let r =
            app.post("/api/v1/channels", &secretary, json!({"kind": kind, "name": "群", "org": org, "url": url})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {}", r.body);
        assert_eq!(r.body["errors"][0]["field"], "url", "{url}: {}", r.body);
        assert_eq!(r.body["errors"][0]["problem"], code, "{url}: {}", r.body);
    }
    // A name of nothing visible, or too long for a line: said which.
    for (name, code) in [("\u{200b}", "empty"), (&"群".repeat(101) as &str, "too_long")] {
        let r = app
            .post("/api/v1/channels", &secretary, json!({"kind": "wecom", "name": name, "org": org, "url": wecom}))
            .await;
        assert_eq!(
            (r.body["errors"][0]["field"].as_str(), r.body["errors"][0]["problem"].as_str()),
            (Some("name"), Some(code)),
            "{}",
            r.body
        );
    }
    let r = app.post("/api/v1/channels", &secretary, json!({"kind": "fax", "name": "群", "url": wecom})).await;
    assert!(r.status.is_client_error() && r.status != StatusCode::NOT_FOUND, "{}", r.status);
    // Not for companies or residents.
    for login in [ANSHANG, "supervisor@dongsheng.example"] {
        let t = app.token(login).await;
        assert_eq!(add(&app, &t, "wecom", "群", &wecom, None).await.status, StatusCode::FORBIDDEN, "{login}");
        assert_eq!(app.get("/api/v1/channels", &t).await.status, StatusCode::FORBIDDEN, "{login}");
    }
    let made = add(&app, &secretary, "wecom", "安尚工作群", &wecom, None).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let hook = add(&app, &secretary, "webhook", "12345 平台", "https://hooks.example/roundtable", None).await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let secret = hook.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() > 40);
    // Listed with the host only: never the key, the URL's path or the secret.
    let list = app.get("/api/v1/channels", &secretary).await;
    let text = list.body.to_string();
    assert!(text.contains("qyapi.weixin.qq.com") && text.contains("hooks.example"), "{text}");
    assert!(!text.contains(key) && !text.contains(&secret) && !text.contains("/roundtable"), "{text}");
    let page = app.pages();
    page.sign_in(SECRETARY).await;
    let html = page.get("/channels").await.html;
    assert!(html.contains("安尚工作群") && html.contains("12345 平台"), "{html}");
    assert!(!html.contains(key) && !html.contains(&secret), "no secret on the page");
    // An unreachable webhook: the test button says so, without the URL.
    let id = hook.body["id"].as_str().unwrap();
    let tested = app.post(&format!("/api/v1/channels/{id}/test"), &secretary, json!({})).await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.body);
    assert_eq!(tested.body["delivered"], false);
    let error = tested.body["error"].as_str().unwrap();
    assert!(!error.contains("hooks.example") && !error.is_empty(), "why, without the URL: {error}");
    // Removed: gone from the list; a second removal and an unknown id are 404.
    let path = format!("/api/v1/channels/{id}");
    assert_eq!(app.call(Method::DELETE, &path, Some(&secretary), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.call(Method::DELETE, &path, Some(&secretary), None).await.status, StatusCode::NOT_FOUND);
    let unknown = format!("/api/v1/channels/{}/test", uuid::Uuid::now_v7());
    assert_eq!(app.post(&unknown, &secretary, json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/channels", &secretary).await.body.as_array().unwrap().len(), 1);
    // On the audit trail.
    let audit = app.get("/api/v1/audit?subject=channel", &secretary).await;
    assert!(audit.body.to_string().contains("channel_removed"), "{}", audit.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_add_test_and_remove_a_channel_and_show_a_webhook_secret_once() {
    let app = builder(TestApp::sqlite()).build();
    let wecom = Sink::start(Kind::WeCom, 0, 20);
    let page = app.pages();
    page.sign_in(SECRETARY).await;
    let owner = format!("org:{}", app.org("安尚物业"));
    let added = page
        .submit(
            "/channels",
            "/channels",
            &[("kind", "wecom"), ("owner", &owner), ("name", "安尚工作群"), ("url", &wecom.url())],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let html = page.get(added.location()).await.html;
    assert!(html.contains("渠道已添加") && html.contains("安尚工作群") && !html.contains(&wecom.token), "{html}");
    let id = html.split("id=\"test-").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let tested = page.submit("/channels", &format!("/channels/{id}/test"), &[]).await;
    assert!(tested.html.contains("测试消息已送达"), "{}", tested.html);
    assert_eq!(wecom.received().len(), 1, "the sample arrived");
    // A refused form keeps what was typed but never the URL.
    let refused = page
        .submit(
            "/channels",
            "/channels",
            &[("kind", "wecom"), ("owner", &owner), ("name", "坏地址"), ("url", "https://evil.example/x?key=SECRET")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("坏地址") && !refused.html.contains("SECRET"), "{}", refused.html);
    // … and names the field as the form labels it, saying what the address must be.
    assert!(refused.html.contains("Webhook 地址: 须是企业微信群机器人设置中复制的 Webhook 地址"), "{}", refused.html);
    let refused = page
        .submit(
            "/channels",
            "/channels",
            &[("kind", "webhook"), ("owner", &owner), ("name", "\u{200b}"), ("url", "https://192.168.1.9/hook")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("名称: 不能为空"), "{}", refused.html);
    assert!(refused.html.contains("Webhook 地址: 指向本机或内部网络"), "{}", refused.html);
    assert!(!refused.html.contains("field."), "no string's key shows: {}", refused.html);
    // A webhook's secret on the answering page, once.
    let hook = page
        .submit(
            "/channels",
            "/channels",
            &[("kind", "webhook"), ("owner", &owner), ("name", "对接"), ("url", "http://127.0.0.1:9/hook")],
        )
        .await;
    assert!(hook.html.contains("id=\"new-secret\"") && hook.html.contains("whsec_"), "{}", hook.html);
    assert!(!page.get("/channels").await.html.contains("whsec_"), "not again");
    let removed = page.submit("/channels", &format!("/channels/{id}/remove"), &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(!page.get("/channels").await.html.contains("安尚工作群"));
    // Not for a company.
    let company = app.pages();
    company.sign_in(ANSHANG).await;
    assert_eq!(company.get("/channels").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_channel_settings_take_effect() {
    // robot_rate_per_minute: 3 a minute, so 5 notices take two minutes.
    let app = builder(TestApp::sqlite()).mail(|m| m.robot_rate_per_minute = 3).build();
    let wecom = Sink::start(Kind::WeCom, 0, 20);
    let secretary = app.token(SECRETARY).await;
    assert_eq!(add(&app, &secretary, "wecom", "群", &wecom.url(), None).await.status, StatusCode::CREATED);
    let anshang = app.org("安尚物业").to_string();
    for n in 0..5 {
        let raised = raise(&app, &format!("路灯 {n}")).await;
        fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    }
    let s = &app.state;
    let now = s.now();
    let first = dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, now, 100).await.unwrap();
    assert_eq!((wecom.received().len(), first.deferred), (3, 2), "{first:?}");
    let later = now + chrono::TimeDelta::seconds(62);
    dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, later, 100).await.unwrap();
    assert_eq!(wecom.received().len(), 5);

    // channel_hosts: without it, a loopback robot is refused.
    let strict = TestApp::sqlite().build();
    let t = strict.token(SECRETARY).await;
    assert_eq!(add(&strict, &t, "wecom", "群", &wecom.url(), None).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // channel_timeout_seconds: a receiver that never answers fails the send in time.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/hook", silent.local_addr().unwrap().port());
    let slow = builder(TestApp::sqlite()).mail(|m| m.channel_timeout_seconds = 1).build();
    let t = slow.token(SECRETARY).await;
    let hook = add(&slow, &t, "webhook", "慢", &url, None).await;
    let started = std::time::Instant::now();
    let tested =
        slow.post(&format!("/api/v1/channels/{}/test", hook.body["id"].as_str().unwrap()), &t, json!({})).await;
    assert_eq!(tested.body["delivered"], false, "{}", tested.body);
    assert!(tested.body["error"].as_str().unwrap().contains("timed out"), "says why: {}", tested.body);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "gave up after the timeout");
    drop(silent);
}

/// Stores a WeCom channel for Anshang at `url` as if it had been added while its host was
/// listed (or by an older build), and fires the test button on it.
async fn test_stored(app: &TestApp, url: &str) -> Value {
    let channel = roundtable_store::channels::Channel {
        id: uuid::Uuid::now_v7().to_string(),
        community: app.community(),
        kind: roundtable_core::ChannelKind::WeCom,
        name: "群".into(),
        org: Some(app.org("安尚物业")),
        user: None,
        url: url.to_owned(),
        secret: None,
        created_by: app.user(SECRETARY),
        created_at: app.state.now(),
        removed_at: None,
    };
    let id = channel.id.clone();
    app.state.db.write(move |conn| roundtable_store::channels::insert(conn, &channel)).await.unwrap();
    let t = app.token(SECRETARY).await;
    let tested = app.post(&format!("/api/v1/channels/{id}/test"), &t, json!({})).await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.body);
    tested.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_reaches_this_machine_or_the_private_network_only_when_its_host_is_listed() {
    let sink = Sink::start(Kind::WeCom, 0, 20);
    let path = format!("/cgi-bin/webhook/send?key={}", sink.token);
    let by_name = format!("http://localhost:{}{path}", sink.port);
    let mapped = format!("http://[::ffff:127.0.0.1]:{}{path}", sink.port);
    // Checked at each call: a name resolving to loopback, an IPv4 address inside an IPv6
    // one, an address no longer listed — the sink hears nothing, the caller is told why.
    let strict = TestApp::sqlite().build();
    for url in [&by_name, &mapped, &sink.url()] {
        let answer = test_stored(&strict, url).await;
        assert_eq!(answer["delivered"], false, "{url}: {answer}");
        assert!(answer["error"].as_str().unwrap().contains("mail.channel_hosts"), "{url}: {answer}");
    }
    assert_eq!(sink.received().len(), 0, "nothing reached the machine");
    // Listed hosts are called, by name or by address; what is not listed still is not.
    let listed = TestApp::sqlite().mail(|m| m.channel_hosts = vec!["localhost".into(), "127.0.0.1".into()]).build();
    for url in [&by_name, &sink.url()] {
        assert_eq!(test_stored(&listed, url).await["delivered"], true, "{url}");
    }
    assert_eq!(test_stored(&listed, &mapped).await["delivered"], false);
    assert_eq!(sink.received().len(), 2);

    // Adding a webhook: a name the machine resolves to itself or its private network is
    // refused at once (the machine's own name does, on Debian and in containers alike).
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_lowercase();
    let inside = tokio::net::lookup_host((host.as_str(), 0))
        .await
        .map(|found| found.collect::<Vec<_>>())
        .unwrap_or_default()
        .iter()
        .any(|a| roundtable_web::mail::outbound::internal(a.ip()));
    let t = strict.token(SECRETARY).await;
    // This machine by its names, also written with the root's dot or in capitals.
    for url in ["https://localhost./hook", "https://LOCALHOST/hook", "https://printer.local./hook"] {
        let added = add(&strict, &t, "webhook", "本机", url, None).await;
        assert_eq!(added.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {}", added.body);
        assert_eq!(added.body["errors"][0]["problem"], "internal_address", "{url}: {}", added.body);
    }
    let added = add(&strict, &t, "webhook", "邻居", &format!("https://{host}/hook"), None).await;
    if inside {
        assert_eq!(added.status, StatusCode::UNPROCESSABLE_ENTITY, "{host}: {}", added.body);
        assert!(added.body.to_string().contains("private network"), "{}", added.body);
    } else {
        eprintln!("skipped the add-time part: this machine's name `{host}` does not resolve inside");
    }
}

/// `mail.robot_quiet_hours`: at 23:00 in Jincheng a company's group hears of a red issue
/// at once and of a routine one at 07:30 the next morning; mail goes at once either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_robot_is_not_woken_at_night_unless_the_issue_is_red() {
    let night = chrono::DateTime::parse_from_rfc3339("2026-12-08T23:00:00+08:00").unwrap().to_utc();
    let app = builder(TestApp::sqlite())
        .at(night)
        .mail(|m| m.robot_quiet_hours = Some("22:00-07:30".to_owned().try_into().unwrap()))
        .build();
    let wecom = Sink::start(Kind::WeCom, 0, 20);
    let secretary = app.token(SECRETARY).await;
    assert_eq!(add(&app, &secretary, "wecom", "安尚工作群", &wecom.url(), None).await.status, StatusCode::CREATED);
    let anshang = app.org("安尚物业").to_string();
    let mut routine = String::new();
    for (title, urgency) in [("3号楼电梯困人", Some("red")), ("楼道灯不亮", None)] {
        let raised = crate::urgency::raise(&app, title, urgency).await;
        assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
        fire(&app, SECRETARY, &raised.body, "assign", json!({"responsible_org": anshang})).await;
        routine = raised.str("id").to_owned();
    }
    let s = &app.state;
    let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap().to_utc();
    let dispatch = |now| dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, now, 100);

    let first = dispatch(night).await.unwrap();
    let heard = |sink: &Sink| -> Vec<String> { sink.received().iter().map(|r| r.body.to_string()).collect() };
    assert_eq!(first.quiet, 1, "{first:?}");
    assert_eq!(heard(&wecom).len(), 1);
    assert!(heard(&wecom)[0].contains("3号楼电梯困人"), "the red one at once: {:?}", heard(&wecom));
    let mails = s.mailer.sent().await.len();
    assert!(mails >= 2, "mail is not held: {mails}");
    // The secretary sees when the held message goes, in the API and on the issue's page.
    let shown = app.get(&format!("/api/v1/issues/{routine}/deliveries"), &secretary).await;
    let robot = shown.body.as_array().unwrap().iter().find(|d| d["channel_kind"] == "wecom").unwrap().clone();
    assert_eq!((robot["status"].as_str(), robot["attempts"].as_i64()), (Some("pending"), Some(0)), "{robot}");
    assert_eq!(robot["next_try_at"], "2026-12-08T23:30:00Z", "07:30 in Jincheng: {robot}");
    assert!(shown.body.as_array().unwrap().iter().all(|d| d["status"] != "sent" || d["next_try_at"].is_null()));
    let page = app.pages();
    page.sign_in(SECRETARY).await;
    let html = page.get(&format!("/issues/{routine}")).await.html;
    assert!(html.contains("将于 2026-12-09 07:30 发送"), "{html}");
    // And the command line, for whoever runs the server.
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = ["roundtable", "outbox", "list", "--status", "pending", "--database", app.db_url()];
    let code = roundtable_web::cli::run(args, &mut "".as_bytes(), &mut out, &mut err);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{}", String::from_utf8_lossy(&err));
    let listing = String::from_utf8(out).unwrap();
    let held = listing.lines().find(|l| l.contains("wecom:安尚工作群")).unwrap_or_else(|| panic!("{listing}"));
    assert!(held.contains("next try 2026-12-08 23:30 UTC"), "{held}");
    // Still night: nothing more, and nothing counted as a failed attempt.
    let early = dispatch(at("2026-12-09T07:29:00+08:00")).await.unwrap();
    assert_eq!((early, heard(&wecom).len()), (Default::default(), 1));
    let morning = dispatch(at("2026-12-09T07:30:00+08:00")).await.unwrap();
    assert_eq!((morning.sent, morning.quiet, morning.retried), (1, 0, 0), "{morning:?}");
    assert!(heard(&wecom)[1].contains("楼道灯不亮"), "{:?}", heard(&wecom));

    // The secretary is told on the channels page; without the setting, no such line.
    let html = page.get("/channels").await.html;
    assert!(
        html.contains("id=\"quiet-hours\"") && html.contains("22:00–07:30") && html.contains("在 07:30 发出"),
        "{html}"
    );
    let plain = TestApp::sqlite().build();
    let page = plain.pages();
    page.sign_in(SECRETARY).await;
    assert!(!page.get("/channels").await.html.contains("quiet-hours"));
}
