//! Several real `roundtable serve` processes on one PostgreSQL database, with a local
//! SMTP relay: sessions and tokens work on every instance, the timers' reminders are
//! queued once, and when an instance is killed (SIGKILL) in the middle of sending, the
//! others take its claimed mail over after the lease — every notice arrives, and a repeat
//! is only ever a message the killed instance had handed to the relay (same Message-ID).
//!
//! The instances are this test binary run again as `instances::child_server`, which
//! serves with the settings it is given in the environment (`RT_E2E_CHILD` says it is
//! one: not `ROUNDTABLE_*`, which names settings only).

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use roundtable_e2e::TestApp;
use roundtable_e2e::smtp_sink::Sink;
use serde_json::{Value, json};

const SECRETARY: &str = "secretary@dongsheng.example";

#[test]
#[ignore = "a server process started by several_instances_share_the_work_and_survive_a_kill"]
fn child_server() {
    if std::env::var_os("RT_E2E_CHILD").is_none() {
        return;
    }
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let code = roundtable_web::cli::run(["roundtable", "serve"], &mut &b""[..], &mut out, &mut err);
    std::process::exit(if code == std::process::ExitCode::SUCCESS { 0 } else { 1 });
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A server process on its own port; killed (SIGKILL) when dropped.
struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(db: &str, smtp: u16, uploads: &std::path::Path) -> Instance {
    let port = free_port();
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "instances::child_server", "--ignored", "--nocapture", "--test-threads=1"])
        .env("RT_E2E_CHILD", "1")
        .env("ROUNDTABLE_DATABASE_URL", db)
        .env("ROUNDTABLE_LISTEN", format!("127.0.0.1:{port}"))
        .env("ROUNDTABLE_SMTP_URL", format!("smtp://127.0.0.1:{smtp}"))
        .env("ROUNDTABLE_MAIL__TRANSPORT", "smtp")
        .env("ROUNDTABLE_MAIL__SMTP_CONNECTIONS", "2")
        .env("ROUNDTABLE_MAIL__CLAIM_LEASE_SECONDS", "3")
        .env("ROUNDTABLE_UPLOADS__DIR", uploads)
        .env("ROUNDTABLE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the test binary starts again as a server");
    let mut instance = Instance { child, base: format!("http://127.0.0.1:{port}") };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(Some(status)) = instance.child.try_wait() {
            panic!("the instance on {} stopped: {status}", instance.base);
        }
        if reqwest::get(format!("{}/readyz", instance.base)).await.is_ok_and(|r| r.status().is_success()) {
            return instance;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the instance on {} did not come up", instance.base);
}

async fn api(method: reqwest::Method, url: String, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    if let Some(b) = body {
        request = request.header("content-type", "application/json").body(b.to_string());
    }
    let response = request.send().await.expect("the instance answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Raises an issue through `on` and assigns it to Anshang there; returns its id.
async fn raise_and_assign(app: &TestApp, on: &Instance, token: &str, title: &str) -> String {
    let body = json!({"title": title, "category": "building", "compound": app.compound("君悦湾").to_string()});
    let (status, issue) = api(reqwest::Method::POST, format!("{}/api/v1/issues", on.base), token, Some(body)).await;
    assert_eq!(status, 201, "{issue}");
    let assign = json!({"transition": "assign", "version": 1, "responsible_org": app.org("安尚物业").to_string()});
    let path = format!("{}/api/v1/issues/{}/transitions", on.base, issue["id"].as_str().unwrap());
    let (status, body) = api(reqwest::Method::POST, path, token, Some(assign)).await;
    assert_eq!(status, 200, "{body}");
    issue["id"].as_str().unwrap().to_owned()
}

fn message_id(data: &str) -> Option<String> {
    data.lines().find_map(|l| l.strip_prefix("Message-ID: ")).map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_instances_share_the_work_and_survive_a_kill() {
    let Some(builder) = TestApp::postgres() else {
        eprintln!("skipped: several instances on PostgreSQL ({} is not set)", roundtable_e2e::POSTGRES_ENV);
        return;
    };
    // Four days ago ten issues were raised and never assigned: their reminder is due.
    let app = builder.at(chrono::Utc::now() - chrono::TimeDelta::days(4)).build();
    let mut ours: BTreeSet<String> = BTreeSet::new();
    for n in 0..10 {
        let raised = crate::api_flow::raise(&app, &format!("无人交办 {n}")).await;
        ours.insert(raised["id"].as_str().unwrap().to_owned());
    }
    // A relay that takes a while per message, so a dispatcher is caught mid-send.
    let sink = Sink::slow(0, Duration::from_millis(150));
    let uploads = tempfile::tempdir().unwrap();
    let a = start(app.db_url(), sink.port, uploads.path()).await;
    // A session made on one instance works on the others: an API token made through A.
    let (status, made) = api(
        reqwest::Method::POST,
        format!("{}/api/v1/auth/token", a.base),
        "",
        Some(json!({"login": SECRETARY, "password": "demo1234"})),
    )
    .await;
    assert!(matches!(status, 200 | 201), "{made}");
    let token = made["token"].as_str().unwrap().to_owned();
    for n in 0..20 {
        ours.insert(raise_and_assign(&app, &a, &token, &format!("停车位 {n}")).await);
    }
    // Kill A while it holds claimed mail it has not finished sending.
    let mut conn = app.state.db.conn().unwrap();
    let started = Instant::now();
    loop {
        let sending =
            roundtable_store::outbox::with_status(&mut conn, roundtable_core::DeliveryStatus::Pending).unwrap().len();
        if !sink.received().is_empty() && sending > 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "A started sending");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(a);
    let received_by_then = sink.received().len();

    // Two instances take over; the token and a page session work on both.
    let b = start(app.db_url(), sink.port, uploads.path()).await;
    let c = start(app.db_url(), sink.port, uploads.path()).await;
    let pages = app.pages();
    pages.sign_in(SECRETARY).await;
    let cookie = format!("rt_session={}", pages.cookie("rt_session").unwrap());
    for on in [&b, &c] {
        let (status, me) = api(reqwest::Method::GET, format!("{}/api/v1/me", on.base), &token, None).await;
        assert_eq!((status, me["user"]["login"].as_str()), (200, Some(SECRETARY)), "{}", on.base);
        let page =
            reqwest::Client::new().get(format!("{}/account", on.base)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200, "the page session on {}", on.base);
    }
    for n in 0..20 {
        let on = if n % 2 == 0 { &b } else { &c };
        ours.insert(raise_and_assign(&app, on, &token, &format!("路灯 {n}")).await);
    }
    // Everything goes out.
    let started = Instant::now();
    loop {
        let pending =
            roundtable_store::outbox::with_status(&mut conn, roundtable_core::DeliveryStatus::Pending).unwrap();
        if pending.is_empty() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "still pending: {}", pending.len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let sent = roundtable_store::outbox::with_status(&mut conn, roundtable_core::DeliveryStatus::Sent).unwrap();
    let got = sink.received();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for m in &got {
        *seen.entry(message_id(&m.data).expect("a Message-ID")).or_default() += 1;
    }
    // Every assignment and every reminder arrived.
    let expected: BTreeSet<String> = sent
        .iter()
        .filter(|r| r.channel_id.is_none() && r.issue_id.as_ref().is_some_and(|i| ours.contains(i)))
        .map(|r| r.message_id.clone())
        .collect();
    assert_eq!(expected.len(), 40 + 10, "40 assignments and 10 reminders, each queued once");
    let missing: Vec<_> = expected.iter().filter(|id| !seen.contains_key(*id)).collect();
    assert!(missing.is_empty(), "never arrived: {missing:?}");
    // A repeat is only a message A had handed over when it was killed, with the same id:
    // each repeated copy belongs to a row whose send was cut off at least as often. (A row
    // for several recipients is one message each, `<id.N@…>` beside `<id@…>`.)
    let interrupted: i32 = sent.iter().map(|r| r.interrupted).sum();
    let repeats: usize = seen.values().map(|n| n - 1).sum();
    for (id, n) in seen.iter().filter(|(_, n)| **n > 1) {
        let (local, host) = id.trim_matches(['<', '>']).split_once('@').expect("a Message-ID has a host");
        let row_id = format!("<{}@{host}>", local.split('.').next().unwrap());
        let row = sent.iter().find(|r| r.message_id == row_id).unwrap_or_else(|| panic!("{id}: no row sent it"));
        assert!(n - 1 <= row.interrupted as usize, "{id} came {n} times, its send cut off {} times", row.interrupted);
    }
    assert!(received_by_then < got.len(), "the survivors sent what A left");
    // What A had claimed was claimed again after its lease ran out.
    let taken_over = sent.iter().filter(|r| expected.contains(&r.message_id) && r.attempts >= 2).count();
    eprintln!(
        "killed after {received_by_then} messages; {taken_over} taken over, {interrupted} cut off mid-send, {repeats} repeats"
    );
    assert!(taken_over > 0, "the survivors took over A's claimed rows");
}
