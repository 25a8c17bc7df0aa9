//! The real `roundtable serve` process: it boots on an empty SQLite file, answers, and
//! on SIGTERM stops accepting but finishes the request already in flight.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn http(addr: &str, request: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("the server accepts");
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// `roundtable serve` on a fresh SQLite file at a free port, logging at `log`; the
/// process, the address it announced, and the temporary directory to keep alive.
fn serve(log: &str, stderr: Stdio) -> (std::process::Child, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut child = Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(format!("sqlite://{}", dir.path().join("rt.db").display()))
        .current_dir(&repo)
        .env("ROUNDTABLE_LOG", log)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner = lines.next().expect("a banner").unwrap();
    let addr = banner.split("http://").nth(1).and_then(|s| s.split('/').next()).expect("the address").to_owned();
    (child, addr, dir)
}

#[test]
fn serve_boots_answers_and_drains_in_flight_requests_on_sigterm() {
    let (mut child, addr, _dir) = serve("warn", Stdio::inherit());

    let health = http(&addr, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.to_lowercase().contains("x-request-id:"), "requests get an id: {health}");
    let ready = http(&addr, "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");

    // A request whose body has not arrived yet is in flight when SIGTERM comes.
    let body = r#"{"login":"nobody","password":"whatever"}"#;
    let mut slow = TcpStream::connect(&addr).unwrap();
    write!(slow, "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    slow.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    slow.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "the in-flight request was answered: {answer}");

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            assert!(exit.success(), "{exit}");
            break;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(TcpStream::connect(&addr).is_err(), "nothing listens any more");
}

/// Requests that log (a failed sign-in does) are answered, and their lines reach stderr:
/// the command must not hold the stderr lock while it serves.
#[test]
fn requests_that_log_are_answered_and_logged() {
    let (mut child, addr, _dir) = serve("info", Stdio::piped());
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let ask = |request: &str| {
        let mut s = TcpStream::connect(&addr).expect("the server accepts");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    };
    let body = r#"{"login":"nobody","password":"whatever"}"#;
    let wrong = ask(&format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    assert!(wrong.starts_with("HTTP/1.1 401"), "a failed sign-in is answered: {wrong:?}");
    let health = ask("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(health.starts_with("HTTP/1.1 200"), "and so is the next request: {health:?}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let logged = std::iter::from_fn(|| rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).ok())
        .any(|line| line.contains("failed sign-in"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(logged, "the failed sign-in is logged");
}

/// `roundtable ARGS` in `dir` with `env` added; its exit status, stdout and stderr.
fn run_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_documented_environment_variables_take_effect() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere.db");
    let url = format!("sqlite://{}", elsewhere.display());
    let (ok, out, err) = run_in(dir.path(), &["migrate"], &[("ROUNDTABLE_DATABASE_URL", &url)]);
    assert!(ok, "{err}");
    assert!(out.contains("elsewhere.db"), "{out}");
    assert!(elsewhere.exists(), "ROUNDTABLE_DATABASE_URL names the database migrated");
    assert!(!dir.path().join("data/roundtable.db").exists(), "the default database is left alone");

    // ROUNDTABLE_SMTP_URL and a SECTION__KEY variable: serve sends by SMTP, and says where
    // (without the password) — it used to refuse with "smtp_url is empty".
    let mut child = Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args(["serve", "--listen", "127.0.0.1:0", "--no-scheduler"])
        .current_dir(dir.path())
        .env("ROUNDTABLE_LOG", "warn")
        .env("ROUNDTABLE_DATABASE_URL", &url)
        .env("ROUNDTABLE_MAIL__TRANSPORT", "smtp")
        .env("ROUNDTABLE_SMTP_URL", "smtp://mailer:s3cret@127.0.0.1:2525")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let banner = BufReader::new(child.stdout.take().unwrap()).lines().next().map(|l| l.unwrap());
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let banner = banner.unwrap_or_else(|| panic!("no banner: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(banner.contains("elsewhere.db"), "{banner}");
    assert!(banner.contains("mail goes to SMTP smtp://127.0.0.1:2525"), "{banner}");
    assert!(!banner.contains("s3cret"), "{banner}");
}

#[test]
fn a_roundtable_variable_that_names_no_setting_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run_in(dir.path(), &["migrate"], &[("ROUNDTABLE_DATABSE_URL", "sqlite://typo.db")]);
    assert!(!ok, "a typo must not fall back to the default database");
    assert!(err.contains("ROUNDTABLE_DATABSE_URL names no setting"), "{err}");
    assert!(!dir.path().join("data").exists(), "nothing was created");
    let (ok, _, err) = run_in(dir.path(), &["migrate"], &[("ROUNDTABLE_AUTH_TOKEN_TTL_HOURS", "1")]);
    assert!(!ok);
    assert!(err.contains("ROUNDTABLE_<SECTION>__<KEY>"), "the message shows the right form: {err}");
}

/// Signs in as `login` from the loopback address `from` (127.0.0.x: each is another
/// client to the server); the status line and the Retry-After header.
fn sign_in_from(addr: &str, from: &str, login: &str, password: &str) -> (u16, Option<u64>) {
    // std cannot choose the source address of a connection; tokio's socket can.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let stream = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
        socket.connect(addr.parse().unwrap()).await.unwrap()
    });
    let mut s = stream.into_std().unwrap();
    s.set_nonblocking(false).unwrap();
    let body = format!(r#"{{"login":"{login}","password":"{password}"}}"#);
    write!(
        s,
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let retry = answer
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("retry-after: ").map(str::to_owned))
        .and_then(|v| v.trim().parse().ok());
    (status, retry)
}

/// Throttling that cannot be turned against a user, with real client addresses: someone
/// guessing from elsewhere neither locks the secretary out of her own desk nor shuts out
/// a neighbour behind the same address.
#[test]
fn failed_sign_ins_elsewhere_do_not_lock_out_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut child = Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args(["demo", "--listen", "127.0.0.1:0", "--no-scheduler", "--database"])
        .arg(format!("sqlite://{}", dir.path().join("rt.db").display()))
        .current_dir(&repo)
        .env("ROUNDTABLE_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.split("http://").nth(1).and_then(|s| s.split('/').next()).map(str::to_owned))
        .expect("the address");
    let (secretary, grid) = ("secretary@dongsheng.example", "grid@dongsheng.example");
    assert_eq!(sign_in_from(&addr, "127.0.0.1", secretary, "demo1234").0, 201);
    assert_eq!(sign_in_from(&addr, "127.0.0.4", grid, "demo1234").0, 201);

    // Someone at 127.0.0.2 guesses the secretary's password.
    let guesses: Vec<u16> = (0..8).map(|_| sign_in_from(&addr, "127.0.0.2", secretary, "guess").0).collect();
    assert_eq!(&guesses[..5], &[401; 5], "{guesses:?}");
    assert!(guesses[5..].iter().all(|s| *s == 429), "the guesser's own address is stopped: {guesses:?}");
    // She signs in from her own desk as always.
    assert_eq!(sign_in_from(&addr, "127.0.0.1", secretary, "demo1234").0, 201);
    // From a new place she is slowed down at most a few seconds, never locked out.
    let (status, retry) = sign_in_from(&addr, "127.0.0.3", secretary, "demo1234");
    assert!(status == 201 || (status == 429 && retry.is_some_and(|r| r <= 300)), "{status} {retry:?}");

    // 25 failures for many logins from 127.0.0.4 (one NAT): its known user still gets in.
    for i in 0..25 {
        sign_in_from(&addr, "127.0.0.4", &format!("nobody{i}@example"), "x");
    }
    assert_eq!(sign_in_from(&addr, "127.0.0.4", grid, "demo1234").0, 201);

    // A login far longer than any account's is refused before any work (not kept).
    let long = "a".repeat(5000);
    assert_eq!(sign_in_from(&addr, "127.0.0.5", &long, "x").0, 422);
    let _ = child.kill();
    let _ = child.wait();
}
