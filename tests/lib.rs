//! The end-to-end harness: `TestApp` runs the real router (every middleware included)
//! over a throwaway database seeded with the Dongsheng demo, and speaks HTTP to it
//! in-process.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use roundtable_core::{CompoundId, OrgId, UserId};
use roundtable_store::directory;
use roundtable_store::testing::TestDb;
use roundtable_web::config::Config;
use roundtable_web::demo;
use roundtable_web::state::AppState;
use serde_json::Value;
use tower::ServiceExt;

pub use roundtable_store::testing::POSTGRES_ENV;

pub mod contract;
pub mod robot_sink;

/// What a request got back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The body's `field` as a string (panics with the body if absent).
    pub fn str(&self, field: &str) -> &str {
        self.body[field].as_str().unwrap_or_else(|| panic!("no string `{field}` in {}", self.body))
    }
}

pub struct TestAppBuilder {
    db: TestDb,
    config: Config,
    clock: Option<chrono::DateTime<chrono::Utc>>,
    /// Photos go here, and go away with the app.
    uploads: tempfile::TempDir,
}

impl TestAppBuilder {
    /// Freezes the clock (the demo is seeded relative to it), for reproducible documents.
    pub fn at(mut self, now: chrono::DateTime<chrono::Utc>) -> Self {
        self.clock = Some(now);
        self
    }

    /// Any setting (the meeting's rules, say).
    pub fn config(mut self, f: impl FnOnce(&mut Config)) -> Self {
        f(&mut self.config);
        self
    }

    /// Mail settings (e.g. a transport that fails).
    pub fn mail(mut self, f: impl FnOnce(&mut roundtable_web::config::MailConfig)) -> Self {
        f(&mut self.config.mail);
        self
    }

    /// Session cookies marked Secure, as behind HTTPS.
    pub fn secure_cookies(mut self) -> Self {
        self.config.http.secure_cookies = true;
        self
    }

    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.http.body_limit_bytes = bytes;
        self
    }

    pub fn build(self) -> TestApp {
        let shipped = std::fs::read_to_string(repo().join("workflows/issue.toml")).expect("the shipped workflow");
        let workflows = roundtable_core::WorkflowSet::from_sources([
            ("workflows/issue.toml", shipped.as_str()),
            ("issue_strict.toml", strict_workflow().as_str()),
        ])
        .expect("the workflows load");
        // The clock stands where `at` put it (or runs, without), until `set_now` moves it.
        let clock = std::sync::Arc::new(Mutex::new(self.clock));
        let reading = clock.clone();
        let state =
            AppState::new(self.db.db.clone(), workflows, self.config).with_clock(std::sync::Arc::new(move || {
                reading.lock().unwrap_or_else(|e| e.into_inner()).unwrap_or_else(chrono::Utc::now)
            }));
        let tz = "Asia/Shanghai".parse().expect("a known zone");
        demo::seed(&state.db, &state.workflows, &state.config, tz, state.now(), demo::DemoCommunity::Dongsheng)
            .expect("the demo seeds")
            .expect("the database was empty");
        let router = roundtable_web::app::router(state.clone());
        TestApp { state, router, db: self.db, tokens: Mutex::new(HashMap::new()), clock, uploads: self.uploads }
    }
}

/// A second workflow, `issue_strict`, for a community that wants the owners' supervisory
/// committee alone to accept fixes: the shipped one with `verify` for supervisors only.
pub fn strict_workflow() -> String {
    let shipped = std::fs::read_to_string(repo().join("workflows/issue.toml")).expect("the shipped workflow");
    let verify = "name = \"verify\"\nfrom = [\"resolved\"]\nto = \"verified\"\nallow = [\"@raiser\", \"@raiser_org\", \"supervisor\"]";
    assert!(shipped.contains(verify), "the shipped workflow's verify transition changed: update strict_workflow");
    shipped.replacen("name = \"issue\"", "name = \"issue_strict\"", 1).replacen(
        verify,
        &verify.replace("[\"@raiser\", \"@raiser_org\", \"supervisor\"]", "[\"supervisor\"]"),
        1,
    )
}

pub fn repo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the repo").to_path_buf()
}

impl TestAppBuilder {
    fn new(db: TestDb) -> Self {
        let uploads = tempfile::tempdir().expect("a temporary directory");
        let mut config = test_config();
        config.uploads.dir = uploads.path().to_path_buf();
        TestAppBuilder { db, config, clock: None, uploads }
    }
}

/// One part of a `multipart/form-data` body: a field, or a file when `file_name` is set.
pub struct Part<'a> {
    pub name: &'a str,
    pub file_name: Option<&'a str>,
    pub content_type: &'a str,
    pub bytes: Vec<u8>,
}

impl<'a> Part<'a> {
    pub fn text(name: &'a str, value: &str) -> Self {
        Part { name, file_name: None, content_type: "text/plain; charset=utf-8", bytes: value.as_bytes().to_vec() }
    }

    pub fn file(name: &'a str, file_name: &'a str, content_type: &'a str, bytes: Vec<u8>) -> Self {
        Part { name, file_name: Some(file_name), content_type, bytes }
    }
}

/// The content type (with its boundary) and the body of a multipart form.
pub fn multipart_body(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----roundtable-test-boundary-7d1f";
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"", p.name).as_bytes(),
        );
        if let Some(f) = p.file_name {
            body.extend_from_slice(format!("; filename=\"{f}\"").as_bytes());
        }
        body.extend_from_slice(format!("\r\nContent-Type: {}\r\n\r\n", p.content_type).as_bytes());
        body.extend_from_slice(&p.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Test images: a PNG or JPEG of a given size, with a pattern so it compresses like a photo.
pub mod images {
    use std::io::Cursor;

    fn picture(width: u32, height: u32) -> image::RgbImage {
        image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, ((x ^ y) % 256) as u8])
        })
    }

    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        picture(width, height).write_to(&mut out, image::ImageFormat::Png).expect("encodes");
        out.into_inner()
    }

    pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        picture(width, height).write_to(&mut out, image::ImageFormat::Jpeg).expect("encodes");
        out.into_inner()
    }

    /// A PNG whose header claims `width` × `height` pixels but whose data is a few bytes:
    /// decoding it would need gigabytes.
    pub fn bomb(width: u32, height: u32) -> Vec<u8> {
        let small = png(1, 1);
        let mut out = small.clone();
        // IHDR's width and height sit at bytes 16..24; its CRC at 29..33 covers bytes 12..29.
        out[16..20].copy_from_slice(&width.to_be_bytes());
        out[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&out[12..29]);
        out[29..33].copy_from_slice(&crc.to_be_bytes());
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}

/// The defaults, with mail kept in memory.
fn test_config() -> Config {
    let mut config = Config::defaults();
    config.mail.transport = roundtable_web::config::MailTransport::Memory;
    // Tests move the clock across days (to a meeting's day); sessions outlive the jump.
    config.http.session_hours = 24 * 30;
    // Tests send to robots at whatever hour they run; the quiet hours' own test sets them.
    config.mail.robot_quiet_hours = None;
    config
}

/// The real router over a seeded throwaway database.
pub struct TestApp {
    pub state: AppState,
    router: Router,
    db: TestDb,
    tokens: Mutex<HashMap<String, String>>,
    clock: std::sync::Arc<Mutex<Option<chrono::DateTime<chrono::Utc>>>>,
    uploads: tempfile::TempDir,
}

impl TestApp {
    /// Sends the mail due now and answers every mail sent so far (none given up on).
    pub async fn dispatched(&self) -> Vec<roundtable_web::mail::Sent> {
        let s = &self.state;
        let round = roundtable_web::mail::dispatch_once(&s.db, &s.mailer, &s.email, &s.config.mail, s.now(), 500);
        assert_eq!(round.await.expect("the dispatcher runs").dead, 0);
        s.mailer.sent().await
    }

    /// Moves the clock (and stops it there): the meeting day comes, a due date passes.
    pub fn set_now(&self, now: chrono::DateTime<chrono::Utc>) {
        *self.clock.lock().unwrap_or_else(|e| e.into_inner()) = Some(now);
    }

    /// Moves the clock to the start of the meeting at `path` (`/api/v1/meetings/{id}` or
    /// `/meetings/{id}`), so that it can be opened.
    pub async fn meeting_day(&self, path: &str) {
        let id = path.rsplit('/').next().expect("a meeting path");
        let id: roundtable_core::MeetingId = id.parse().expect("a meeting id");
        let record = self
            .state
            .db
            .run(move |conn| roundtable_store::meetings::get_meeting(conn, id))
            .await
            .expect("the meeting exists");
        self.set_now(record.meeting.starts_at);
    }

    pub fn sqlite() -> TestAppBuilder {
        TestAppBuilder::new(TestDb::sqlite())
    }

    /// `None` (and a line saying so) when no PostgreSQL server is configured.
    pub fn postgres() -> Option<TestAppBuilder> {
        Some(TestAppBuilder::new(TestDb::postgres()?))
    }

    /// The directory photos are stored in.
    pub fn uploads_dir(&self) -> &std::path::Path {
        self.uploads.path()
    }

    /// Every file under the photo directory (hidden temporary files included).
    pub fn stored_files(&self) -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() { walk(&path, out) } else { out.push(path) }
            }
        }
        let mut out = Vec::new();
        walk(self.uploads.path(), &mut out);
        out
    }

    /// Sends a `multipart/form-data` body of `parts`.
    pub async fn multipart(&self, path: &str, token: &str, parts: &[Part<'_>]) -> Reply {
        let (content_type, body) = multipart_body(parts);
        self.raw(Method::POST, path, Some(token), Some(&content_type), body).await
    }

    /// A GET with no session or token (a public view), optionally with `If-None-Match`.
    pub async fn anonymous(&self, path: &str, etag: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut req = Request::builder().uri(path);
        if let Some(tag) = etag {
            req = req.header(header::IF_NONE_MATCH, tag);
        }
        let response =
            self.router.clone().oneshot(req.body(Body::empty()).expect("a valid request")).await.expect("answers");
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = response.into_body().collect().await.expect("a readable body").to_bytes().to_vec();
        (status, headers, bytes)
    }

    /// A GET whose answer is bytes (an image), with its status and headers.
    pub async fn bytes(&self, path: &str, token: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let req = Request::builder()
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("a valid request");
        let response = self.router.clone().oneshot(req).await.expect("the router answers");
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = response.into_body().collect().await.expect("a readable body").to_bytes().to_vec();
        (status, headers, bytes)
    }

    /// The database URL, for opening it as another instance would.
    pub fn db_url(&self) -> &str {
        &self.db.url
    }

    /// Sends a request; `body` is sent as JSON.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let bytes = body.map(|b| b.to_string().into_bytes());
        let content_type = bytes.as_ref().map(|_| "application/json");
        self.raw(method, path, token, content_type, bytes.unwrap_or_default()).await
    }

    /// `call` with these request headers too.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        let bytes = body.map(|b| b.to_string().into_bytes());
        let content_type = bytes.as_ref().map(|_| "application/json");
        self.raw_with(method, path, token, content_type, headers, bytes.unwrap_or_default()).await
    }

    /// Sends exactly these bytes with this content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        bytes: Vec<u8>,
    ) -> Reply {
        self.raw_with(method, path, token, content_type, &[], bytes).await
    }

    pub async fn raw_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        headers: &[(&str, &str)],
        bytes: Vec<u8>,
    ) -> Reply {
        let mut req = Request::builder().method(method.clone()).uri(path);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let response = self
            .router
            .clone()
            .oneshot(req.body(Body::from(bytes)).expect("a valid request"))
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let collected = response.into_body().collect().await.expect("a readable body").to_bytes();
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if let Some(violation) = contract::violation(&method, path, status, content_type, &collected) {
            panic!("the response contradicts the OpenAPI document: {violation}");
        }
        let body = if collected.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&collected)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&collected).into_owned()))
        };
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// A token for a demo account (password `demo1234`), signed in once per app.
    pub async fn token(&self, login: &str) -> String {
        if let Some(t) = self.tokens.lock().expect("not poisoned").get(login) {
            return t.clone();
        }
        let t = self.fresh_token(login).await;
        self.tokens.lock().expect("not poisoned").insert(login.to_owned(), t.clone());
        t
    }

    /// Forgets the shared tokens (after a call that ended every session but its own).
    pub fn forget_tokens(&self) {
        self.tokens.lock().expect("not poisoned").clear();
    }

    /// A new token, not shared with other calls (for tests that revoke it).
    pub async fn fresh_token(&self, login: &str) -> String {
        let reply = self
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({"login": login, "password": demo::DEMO_PASSWORD})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "sign-in of {login}: {}", reply.body);
        reply.str("token").to_owned()
    }

    fn conn(&self) -> roundtable_store::Result<roundtable_store::PooledConn> {
        self.state.db.conn()
    }

    pub fn compound(&self, name: &str) -> CompoundId {
        let community = self.community();
        let list = directory::compounds(&mut self.conn().expect("a connection"), community).expect("compounds");
        list.into_iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no compound {name}")).id
    }

    pub fn org(&self, name: &str) -> OrgId {
        let community = self.community();
        let list = directory::organisations(&mut self.conn().expect("a connection"), community).expect("organisations");
        list.into_iter().find(|o| o.name == name).unwrap_or_else(|| panic!("no organisation {name}")).id
    }

    pub fn user(&self, login: &str) -> UserId {
        directory::user_by_login(&mut self.conn().expect("a connection"), login)
            .expect("users")
            .expect("the user exists")
            .0
            .id
    }

    pub fn community(&self) -> roundtable_core::CommunityId {
        directory::communities(&mut self.conn().expect("a connection")).expect("communities")[0].id
    }

    /// Fails if `text` (`what`, for the message) names anyone but company staff (whose
    /// names are their company's business) or holds anyone's e-mail address or phone.
    /// Another community in the same database, with a compound, a property company named
    /// `company` and four accounts (password `demo1234`): `secretary@<slug>.example`,
    /// `admin@…`, `wang@…` (the company's) and `resident@…`. Returns their logins.
    pub fn add_community(&self, name: &str, slug: &str, street: Option<&str>, company: &str) -> Vec<String> {
        use roundtable_core::{Community, Compound, CompoundId, OrgKind, Organisation, Role, User};
        let conn = &mut *self.conn().expect("a connection");
        let now = chrono::Utc::now();
        let community = Community::new(name, chrono_tz::Asia::Shanghai, "zh-CN", now);
        let id = community.id;
        directory::insert_community(conn, &community).unwrap();
        directory::set_street(conn, id, street).unwrap();
        let compound = Compound {
            id: CompoundId::new(),
            community: id,
            name: format!("{name}花园"),
            created_at: now,
            location: None,
        };
        directory::insert_compound(conn, &compound).unwrap();
        let org = Organisation {
            id: OrgId::new(),
            community: id,
            kind: OrgKind::PropertyCompany,
            name: company.into(),
            contact_emails: vec![format!("office@{slug}.example")],
            compound: Some(compound.id),
            created_at: now,
        };
        directory::insert_organisation(conn, &org).unwrap();
        let hash = roundtable_web::auth::hash_password(demo::DEMO_PASSWORD).unwrap();
        let mut logins = Vec::new();
        for (who, role) in [
            ("secretary", Role::Secretary),
            ("admin", Role::Admin),
            ("wang", Role::Property),
            ("resident", Role::Resident),
        ] {
            let login = format!("{who}@{slug}.example");
            let user = User {
                id: UserId::new(),
                community: id,
                login: login.clone(),
                display_name: format!("{name} {role}"),
                email: Some(login.clone()),
                phone: None,
                roles: vec![role],
                locale: None,
                compound: Some(compound.id),
                buildings: Vec::new(),
                organisations: if role == Role::Property { vec![org.id] } else { Vec::new() },
                disabled: false,
                created_at: now,
            };
            directory::insert_user(conn, &user, &hash).unwrap();
            logins.push(login);
        }
        logins
    }

    pub fn assert_nothing_private(&self, text: &str, what: &str) {
        let users = directory::list_users(&mut self.conn().expect("a connection"), self.community()).expect("users");
        for u in users.iter().filter(|u| !u.roles.contains(&roundtable_core::Role::Property)) {
            assert!(!text.contains(&u.display_name), "{} in {what}", u.display_name);
            for private in u.email.iter().chain(u.phone.iter()) {
                assert!(!text.contains(private.as_str()), "{private} in {what}");
            }
        }
    }
}

/// A page as a browser without script gets it.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub html: String,
}

impl Page {
    /// Where a redirect goes.
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The first value of `name="…" value="…"` in the page (hidden fields, inputs).
    pub fn field(&self, name: &str) -> Option<String> {
        let at = self.html.find(&format!("name=\"{name}\" value=\""))?;
        let rest = &self.html[at + name.len() + 15..];
        Some(rest[..rest.find('"')?].to_owned())
    }

    /// Every `href="/issues/<id>"` in the page, in order.
    pub fn links(&self, prefix: &str) -> Vec<String> {
        let needle = format!("href=\"{prefix}");
        self.html
            .match_indices(&needle)
            .filter_map(|(i, _)| {
                let rest = &self.html[i + 6..];
                Some(rest[..rest.find('"')?].to_owned())
            })
            .collect()
    }
}

/// A cookie-keeping client for the pages, speaking to the router in-process.
pub struct PageClient<'a> {
    app: &'a TestApp,
    cookies: Mutex<HashMap<String, String>>,
    accept_language: Option<String>,
}

impl TestApp {
    pub fn pages(&self) -> PageClient<'_> {
        PageClient { app: self, cookies: Mutex::new(HashMap::new()), accept_language: None }
    }
}

impl PageClient<'_> {
    pub fn accept_language(mut self, value: &str) -> Self {
        self.accept_language = Some(value.to_owned());
        self
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("not poisoned").get(name).cloned()
    }

    /// Puts a cookie in this browser's jar, as a script or a copied profile would.
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies.lock().expect("not poisoned").insert(name.to_owned(), value.to_owned());
    }

    pub async fn request(&self, method: Method, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        match form {
            Some(fields) => {
                let body = serde_urlencoded::to_string(fields).expect("pairs of strings encode");
                self.send(method, path, Some("application/x-www-form-urlencoded".into()), body.into_bytes()).await
            }
            None => self.send(method, path, None, Vec::new()).await,
        }
    }

    async fn send(&self, method: Method, path: &str, content_type: Option<String>, body: Vec<u8>) -> Page {
        let mut req = Request::builder().method(method).uri(path).header(header::ACCEPT, "text/html,*/*;q=0.8");
        let jar =
            self.cookies.lock().expect("not poisoned").iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>();
        if !jar.is_empty() {
            req = req.header(header::COOKIE, jar.join("; "));
        }
        if let Some(l) = &self.accept_language {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let response = self
            .app
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).expect("a valid request"))
            .await
            .expect("answers");
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap_or("");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                let mut jar = self.cookies.lock().expect("not poisoned");
                if v.is_empty() || text.contains("Max-Age=0") {
                    jar.remove(k);
                } else {
                    jar.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("a readable body").to_bytes();
        Page { status, headers, html: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.request(Method::GET, path, None).await
    }

    /// Posts a form as the page at `from` would: with that page's CSRF token.
    pub async fn submit(&self, from: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(from).await;
        let csrf = page.field("_csrf").unwrap_or_else(|| panic!("{from} has no form: {}", page.html));
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.request(Method::POST, action, Some(&all)).await
    }

    /// Posts a multipart form (with photos) as the page at `from` would.
    pub async fn submit_multipart(&self, from: &str, action: &str, parts: Vec<Part<'_>>) -> Page {
        let page = self.get(from).await;
        let csrf = page.field("_csrf").unwrap_or_else(|| panic!("{from} has no form: {}", page.html));
        let mut all = vec![Part::text("_csrf", &csrf)];
        all.extend(parts);
        self.post_multipart(action, &all).await
    }

    /// Posts these parts as they are (a form's fields read from its page beforehand).
    pub async fn post_multipart(&self, action: &str, parts: &[Part<'_>]) -> Page {
        let (content_type, body) = multipart_body(parts);
        self.send(Method::POST, action, Some(content_type), body).await
    }

    /// Signs in a demo account through the sign-in form.
    pub async fn sign_in(&self, login: &str) -> Page {
        let page = self.submit("/login", "/login", &[("login", login), ("password", demo::DEMO_PASSWORD)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-in of {login}: {}", page.html);
        page
    }
}

/// Monday 30 November 2026, 10:00 in Shanghai: the clock of tests that name the meetings
/// of December 2026 or later months, or that need the next meeting some days off (on a
/// meeting day, or once those months are past, they would test another situation).
pub fn monday() -> chrono::DateTime<chrono::Utc> {
    "2026-11-30T02:00:00Z".parse().expect("an RFC 3339 instant")
}

/// Declares async tests once and runs them on SQLite and, when configured, PostgreSQL.
/// `at roundtable_e2e::monday(); …` freezes their clock there (the demo is seeded relative
/// to it), for tests that name the meetings of particular months.
#[macro_export]
macro_rules! on_both_databases {
    (at $clock:expr; $($name:ident),* $(,)?) => {
        $crate::on_both_databases!(@with (|b: $crate::TestAppBuilder| b.at($clock)); $($name),*);
    };
    (@with $prepare:tt; $($name:ident),*) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(($prepare)($crate::TestApp::sqlite()).build()).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                match $crate::TestApp::postgres() {
                    Some(builder) => super::$name(($prepare)(builder).build()).await,
                    None => eprintln!("skipped: {} on PostgreSQL ({} is not set)", stringify!($name), $crate::POSTGRES_ENV),
                }
            })*
        }
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_databases!(@with (|b: $crate::TestAppBuilder| b); $($name),*);
    };
}

/// A small SMTP server for tests and benchmarks: it speaks just enough SMTP to take mail
/// on 127.0.0.1 and records what it was sent.
pub mod smtp_sink {
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};

    /// One message as the sink received it: the envelope recipients and the raw data.
    #[derive(Clone, Debug)]
    pub struct Received {
        pub rcpt: Vec<String>,
        pub data: String,
    }

    /// Speaks just enough SMTP (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to take mail.
    pub struct Sink {
        pub port: u16,
        got: Arc<Mutex<Vec<Received>>>,
    }

    impl Sink {
        /// Listens on 127.0.0.1:`port` (0: any free port).
        pub fn start(port: u16) -> Sink {
            Sink::slow(port, std::time::Duration::ZERO)
        }

        /// A relay that takes `delay` to accept each message (a dispatcher is mid-send
        /// for a while).
        pub fn slow(port: u16, delay: std::time::Duration) -> Sink {
            let listener = TcpListener::bind(("127.0.0.1", port)).expect("the port is free");
            let port = listener.local_addr().unwrap().port();
            let got: Arc<Mutex<Vec<Received>>> = Arc::default();
            let store = got.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let store = store.clone();
                    std::thread::spawn(move || session(stream, &store, delay));
                }
            });
            Sink { port, got }
        }

        pub fn received(&self) -> Vec<Received> {
            self.got.lock().unwrap().clone()
        }
    }

    fn session(stream: TcpStream, store: &Mutex<Vec<Received>>, delay: std::time::Duration) {
        // Replies go out at once, as a real server's would (no Nagle stalls).
        let _ = stream.set_nodelay(true);
        let mut out = stream.try_clone().unwrap();
        let mut lines = BufReader::new(stream);
        let _ = out.write_all(b"220 sink ESMTP\r\n");
        let mut rcpt = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let command = line.trim_end().to_uppercase();
            let reply: &[u8] = if command.starts_with("EHLO") {
                b"250-sink\r\n250 8BITMIME\r\n"
            } else if command.starts_with("RCPT TO:") {
                rcpt.push(line.trim_end()[8..].trim().trim_matches(['<', '>']).to_owned());
                b"250 ok\r\n"
            } else if command == "DATA" {
                let _ = out.write_all(b"354 go on\r\n");
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(&line);
                }
                std::thread::sleep(delay);
                store.lock().unwrap().push(Received { rcpt: std::mem::take(&mut rcpt), data });
                b"250 queued\r\n"
            } else if command == "QUIT" {
                let _ = out.write_all(b"221 bye\r\n");
                return;
            } else if command.starts_with("RSET") {
                rcpt.clear();
                b"250 ok\r\n"
            } else {
                b"250 ok\r\n"
            };
            let _ = out.write_all(reply);
        }
    }
}
