//! Local imitations of the services notices go to besides mail, each checking what it is
//! sent as the real one would: a WeCom group robot (`/cgi-bin/webhook/send?key=`), a
//! DingTalk custom robot (`/robot/send?access_token=&timestamp=&sign=`, the signature
//! checked) and an integrator's webhook receiver (the HMAC signature and its replay window
//! checked). Each answers the documented errors, rate limits included, and can be made to
//! fail (an outage).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// What the sink imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    WeCom,
    DingTalk,
    Webhook,
}

/// One message taken: the JSON body and, for webhooks, the delivery id.
#[derive(Clone, Debug)]
pub struct Received {
    pub body: Value,
    pub delivery: Option<String>,
}

#[derive(Default)]
struct Inner {
    got: Vec<Received>,
    /// Messages taken in the current minute (the test says when a minute passes).
    this_minute: usize,
    /// Refused for speed.
    throttled: usize,
    /// Refused for a bad key, token or signature.
    refused: usize,
    failing: bool,
    now: Option<DateTime<Utc>>,
}

/// A sink listening on 127.0.0.1.
pub struct Sink {
    pub port: u16,
    pub kind: Kind,
    /// The robot's key / access token, or the webhook's path.
    pub token: String,
    /// DingTalk's signing secret, or the webhook's HMAC key (set once the channel is made).
    secret: Arc<Mutex<String>>,
    /// Messages it takes a minute; more are refused as the real robot refuses them.
    limit: usize,
    inner: Arc<Mutex<Inner>>,
}

type Shared = (Kind, String, Arc<Mutex<String>>, usize, Arc<Mutex<Inner>>);

impl Sink {
    /// Listens on `port` (0: any free port), taking `limit` messages a minute.
    pub fn start(kind: Kind, port: u16, limit: usize) -> Sink {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let token = format!("tok{port}x");
        let (secret, inner): (Arc<Mutex<String>>, Arc<Mutex<Inner>>) = Default::default();
        let shared: Shared = (kind, token.clone(), secret.clone(), limit, inner.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = Router::new()
                    .route("/cgi-bin/webhook/send", post(wecom))
                    .route("/robot/send", post(dingtalk))
                    .route("/hook", post(webhook))
                    .with_state(Arc::new(shared));
                axum::serve(listener, app).await.unwrap();
            });
        });
        Sink { port, kind, token, secret, limit, inner }
    }

    /// The address to register the channel with.
    pub fn url(&self) -> String {
        match self.kind {
            Kind::WeCom => format!("http://127.0.0.1:{}/cgi-bin/webhook/send?key={}", self.port, self.token),
            Kind::DingTalk => format!("http://127.0.0.1:{}/robot/send?access_token={}", self.port, self.token),
            Kind::Webhook => format!("http://127.0.0.1:{}/hook", self.port),
        }
    }

    pub fn set_secret(&self, secret: &str) {
        *self.secret.lock().unwrap() = secret.to_owned();
    }

    /// A minute passes: the rate limit's count starts again.
    pub fn next_minute(&self) {
        self.inner.lock().unwrap().this_minute = 0;
    }

    /// The webhook receiver's clock, for its replay window (the real clock without).
    pub fn set_now(&self, now: DateTime<Utc>) {
        self.inner.lock().unwrap().now = Some(now);
    }

    /// An outage: every request is answered with the service's "busy, try later" error.
    pub fn set_failing(&self, failing: bool) {
        self.inner.lock().unwrap().failing = failing;
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().got.clone()
    }

    /// How many requests were refused as too fast, and how many as badly signed.
    pub fn refusals(&self) -> (usize, usize) {
        let i = self.inner.lock().unwrap();
        (i.throttled, i.refused)
    }

    pub fn limit(&self) -> usize {
        self.limit
    }
}

fn answer(code: i64, message: &str) -> Response {
    axum::Json(json!({ "errcode": code, "errmsg": message })).into_response()
}

/// The robots' common checks: a markdown message, the rate limit, the outage.
fn take(state: &Shared, body: &Bytes, text_field: &str, busy_code: i64, delivery: Option<String>) -> Response {
    let (_, _, _, limit, inner) = state;
    let mut inner = inner.lock().unwrap();
    if inner.failing {
        return answer(-1, "system busy");
    }
    let Ok(body) = serde_json::from_slice::<Value>(body) else { return answer(40035, "invalid json") };
    let text = body["markdown"][text_field].as_str().unwrap_or_default();
    if body["msgtype"] != "markdown" || text.is_empty() || text.len() > 4096 {
        return answer(40008, "invalid message type");
    }
    if inner.this_minute >= *limit {
        inner.throttled += 1;
        return answer(busy_code, "api freq out of limit");
    }
    inner.this_minute += 1;
    inner.got.push(Received { body, delivery });
    answer(0, "ok")
}

async fn wecom(State(state): State<Arc<Shared>>, Query(q): Query<Vec<(String, String)>>, body: Bytes) -> Response {
    let key = q.iter().find(|(k, _)| k == "key").map(|(_, v)| v.as_str());
    if key != Some(state.1.as_str()) {
        state.4.lock().unwrap().refused += 1;
        return answer(93000, "invalid webhook url");
    }
    take(&state, &body, "content", 45009, None)
}

async fn dingtalk(State(state): State<Arc<Shared>>, Query(q): Query<Vec<(String, String)>>, body: Bytes) -> Response {
    let get = |name: &str| q.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let secret = state.2.lock().unwrap().clone();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{}\n{secret}", get("timestamp")).as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    if get("access_token") != state.1 || get("sign") != expected {
        state.4.lock().unwrap().refused += 1;
        return answer(310000, "sign not match");
    }
    take(&state, &body, "text", 130101, None)
}

async fn webhook(State(state): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let inner = &state.4;
    if inner.lock().unwrap().failing {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let signature = header("x-roundtable-signature");
    let (t, v1) = signature
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?.parse::<i64>().ok()?, v.strip_prefix("v1=")?.to_owned())))
        .unwrap_or((0, String::new()));
    let secret = state.2.lock().unwrap().clone();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&body);
    let signed = hex::decode(&v1).is_ok_and(|v| mac.verify_slice(&v).is_ok());
    let now = inner.lock().unwrap().now.unwrap_or_else(Utc::now).timestamp();
    // The replay window a receiver keeps: five minutes either way.
    if !signed || (now - t).abs() > 300 {
        inner.lock().unwrap().refused += 1;
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else { return StatusCode::BAD_REQUEST.into_response() };
    let delivery = Some(header("x-roundtable-delivery"));
    let mut inner = inner.lock().unwrap();
    inner.got.push(Received { body, delivery });
    StatusCode::NO_CONTENT.into_response()
}
