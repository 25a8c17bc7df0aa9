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
