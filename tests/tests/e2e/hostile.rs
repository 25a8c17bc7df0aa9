//! Hostile and careless input, on both databases: control characters, blank and
//! zero-width text, dates of other millennia, a burst of identical requests, a calendar
//! with every month skipped — each a clear 4xx (or a page that says so), nothing stored,
//! never a 5xx.

use axum::http::{Method, StatusCode};
use chrono::Datelike;
use roundtable_e2e::{Part, Reply, TestApp, on_both_databases};
use serde_json::json;

use crate::api_flow::{fire, in_days, raise, try_fire};

on_both_databases!(
    control_characters_are_refused_with_422_naming_the_field,
    one_user_supporting_an_issue_32_times_at_once_counts_once,
    a_dispatcher_whose_lease_ran_out_leaves_the_mail_to_the_one_that_claimed_it_since,
);

/// On a meeting-day morning the month of that day's meeting is still to come; and the
/// meeting that moves to a day of another millennium must not be under way already.
mod on_a_monday {
    use super::*;
    roundtable_e2e::on_both_databases!(at roundtable_e2e::monday();
        with_every_month_skipped_there_is_no_next_meeting_and_nothing_fails,
        blank_zero_width_text_and_dates_of_other_millennia_are_refused,
    );
}

const SECRETARY: &str = "secretary@dongsheng.example";

fn refused(r: &Reply, field: &str, problem: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.content_type(), "application/problem+json");
    let errors = r.body["errors"].as_array().expect("field errors");
    assert!(
        errors.iter().any(|e| e["field"] == field && e["problem"] == problem),
        "expected {field}: {problem} in {}",
        r.body
    );
}

async fn issue_count(app: &TestApp, token: &str) -> usize {
    app.get("/api/v1/issues?limit=200", token).await.body["items"].as_array().unwrap().len()
}

async fn control_characters_are_refused_with_422_naming_the_field(app: TestApp) {
    let secretary = app.token(SECRETARY).await;
    let compound = app.compound("君悦湾").to_string();
    let before = issue_count(&app, &secretary).await;
    for bad in ["地下室漏水\u{0}", "\u{1b}[31m红字", "a\u{7f}", "a\u{85}b", "\u{202e}gnp.exe", "\u{2067}漏水"]
    {
        let body = json!({"title": bad, "category": "building", "compound": compound});
        refused(&app.post("/api/v1/issues", &secretary, body).await, "title", "control_character");
    }
    let nested =
        json!({"title": "x", "description": "ok\n", "category": "building", "compound": compound, "extra": ["\u{0}"]});
    refused(&app.post("/api/v1/issues", &secretary, nested).await, "extra[0]", "control_character");
    refused(&app.get("/api/v1/issues?q=%00", &secretary).await, "q", "control_character");
    assert_eq!(issue_count(&app, &secretary).await, before, "nothing was stored");

    // Line breaks and tabs are text: kept in a description, made one space in a title (a
    // title pasted from a chat must not split a mail's subject or a calendar entry).
    let ok = json!({"title": "漏水\t三楼\r\n 地下室", "description": "第一行\r\n第二行", "category": "building",
        "compound": compound, "unit": "3号楼\n2单元"});
    let r = app.post("/api/v1/issues", &secretary, ok).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["title"], "漏水 三楼 地下室");
    assert_eq!(r.body["unit"], "3号楼 2单元");
    assert_eq!(r.body["description"], "第一行\r\n第二行");

    let issue = raise(&app, "路灯不亮").await;
    let r = try_fire(&app, SECRETARY, &issue, "reject", json!({"reason": "重复\u{0}"})).await;
    refused(&r, "reason", "control_character");
    let slot = app.get("/api/v1/meetings/next", &secretary).await.body["slot"].as_str().unwrap().to_owned();
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/meetings/slots/{slot}"),
            Some(&secretary),
            Some(json!({"place": "会议室\u{0}"})),
        )
        .await;
    refused(&r, "place", "control_character");
    // Signing in, unauthenticated.
    let r = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": "secretary\u{0}", "password": "demo1234"})),
        )
        .await;
    refused(&r, "login", "control_character");
    // A form from a page: an error page, not a 500.
    let pages = app.pages();
    let page = pages.submit("/login", "/login", &[("login", "secretary\u{0}"), ("password", "x")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.html);
    assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    // It says what to mend, in which field, and that nothing was saved.
    assert!(page.html.contains("<li>账号: 含有看不见的控制字符"), "{}", page.html);
    assert!(page.html.contains("未被接受"), "{}", page.html);
    let raiser = app.pages().accept_language("en");
    raiser.sign_in(SECRETARY).await;
    let fields = [("title", "\u{202e}gnp.exe"), ("category", "building"), ("compound", compound.as_str())];
    let stored = issue_count(&app, &secretary).await;
    let page = raiser.submit("/issues/new", "/issues", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.html);
    assert!(page.html.contains("<li>Title: contains an invisible control character"), "{}", page.html);
    assert!(page.html.contains("what you typed is still there"), "{}", page.html);
    // The raise form as a browser sends it with its photo field: multipart.
    let parts = vec![
        Part::text("title", "\u{202e}gnp.exe"),
        Part::text("category", "building"),
        Part::text("compound", &compound),
    ];
    let page = raiser.submit_multipart("/issues/new", "/issues", parts).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.html);
    assert!(page.html.contains("<li>Title: contains an invisible control character"), "{}", page.html);
    assert_eq!(issue_count(&app, &secretary).await, stored, "nothing more was stored");
}

async fn blank_zero_width_text_and_dates_of_other_millennia_are_refused(app: TestApp) {
    let secretary = app.token(SECRETARY).await;
    let compound = app.compound("君悦湾").to_string();
    for blank in ["\u{200B}\u{200B}\u{200B}", "\u{FEFF} \u{3000}", "\u{2060}\u{200D}"] {
        let body = json!({"title": blank, "category": "building", "compound": compound});
        refused(&app.post("/api/v1/issues", &secretary, body).await, "title", "empty");
    }
    let issue = raise(&app, "楼道堆物").await;
    refused(&try_fire(&app, SECRETARY, &issue, "reject", json!({"reason": "\u{200B}"})).await, "reason", "empty");
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &issue, "assign", json!({"responsible_org": anshang})).await;
    for due in ["7673-01-01", "2101-01-01"] {
        let r =
            try_fire(&app, SECRETARY, &assigned, "commit", json!({"commitment_text": "清理", "due_date": due})).await;
        refused(&r, "due_date", "date_out_of_range");
    }
    assert_eq!(
        try_fire(
            &app,
            SECRETARY,
            &assigned,
            "commit",
            json!({"commitment_text": "清理", "due_date": in_days(&app, 7)})
        )
        .await
        .status,
        StatusCode::OK
    );
    // Meetings of the year 50 or 7673 do not exist: nothing can be built, moved or opened.
    for slot in ["0050-12-04", "7673-01-01"] {
        let build =
            app.call(Method::POST, &format!("/api/v1/meetings/slots/{slot}/agenda"), Some(&secretary), None).await;
        assert_eq!(build.status, StatusCode::NOT_FOUND, "{}", build.body);
        let skip = json!({"skip": true, "reason": "test"});
        let moved =
            app.call(Method::PUT, &format!("/api/v1/meetings/slots/{slot}"), Some(&secretary), Some(skip)).await;
        assert_eq!(moved.status, StatusCode::NOT_FOUND, "{}", moved.body);
    }
    // A meeting moved to another millennium is refused; `HH:MM` is the documented form.
    let slot = app.get("/api/v1/meetings/next", &secretary).await.body["slot"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/meetings/slots/{slot}");
    let far = app.call(Method::PUT, &path, Some(&secretary), Some(json!({"starts_at": "7673-01-01T09:00"}))).await;
    refused(&far, "starts_at", "date_out_of_range");
    let local = format!("{slot}T14:30");
    let moved = app.call(Method::PUT, &path, Some(&secretary), Some(json!({"starts_at": local}))).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
}

async fn one_user_supporting_an_issue_32_times_at_once_counts_once(app: TestApp) {
    let issue = raise(&app, "单元门禁损坏").await;
    let path = format!("/api/v1/issues/{}/support", issue["id"].as_str().unwrap());
    let secretary = app.token(SECRETARY).await;
    let replies =
        futures_util::future::join_all((0..32).map(|_| app.call(Method::PUT, &path, Some(&secretary), None))).await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["support_count"], 1, "{}", r.body);
    }
}

/// The first Sundays from this month on, for `months` months.
/// The first Sundays after the app's today, for `months` months.
fn first_sundays(app: &TestApp, months: u32) -> Vec<chrono::NaiveDate> {
    let today = app.state.now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    (0..months)
        .filter_map(|k| today.with_day(1)?.checked_add_months(chrono::Months::new(k)))
        .filter_map(|m| roundtable_core::meeting::first_sunday(m.year(), m.month()))
        .filter(|d| *d > today)
        .collect()
}

async fn with_every_month_skipped_there_is_no_next_meeting_and_nothing_fails(app: TestApp) {
    let secretary = app.token(SECRETARY).await;
    for slot in first_sundays(&app, 40) {
        let body = json!({"skip": true, "reason": "测试：全部取消"});
        let r = app.call(Method::PUT, &format!("/api/v1/meetings/slots/{slot}"), Some(&secretary), Some(body)).await;
        assert_eq!(r.status, StatusCode::OK, "{slot}: {}", r.body);
    }
    let next = app.get("/api/v1/meetings/next", &secretary).await;
    assert_eq!(next.status, StatusCode::NOT_FOUND, "{}", next.body);
    assert!(next.body["detail"].as_str().unwrap().contains("no meeting is scheduled"), "{}", next.body);
    assert_eq!(app.get("/api/v1/meetings", &secretary).await.status, StatusCode::OK);
    let pages = app.pages();
    pages.sign_in(SECRETARY).await;
    for path in ["/", "/meetings", "/scorecard"] {
        let page = pages.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        assert!(page.html.contains("none-scheduled"), "{path} says no meeting is scheduled");
    }
}

// ---- the edge: redirects, error pages and headers (no database difference) ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_and_language_only_go_back_to_paths_of_this_site() {
    let app = TestApp::sqlite().build();
    for next in
        ["/\t/evil.example/", "//evil.example", "/\\evil.example", "/a\r\nSet-Cookie: x=1", "https://evil.example/"]
    {
        let pages = app.pages();
        let login = pages.get(&format!("/login?next={}", urlencode(next))).await;
        assert_eq!(login.status, StatusCode::OK);
        let fields = [("login", SECRETARY), ("password", "demo1234"), ("next", next)];
        let signed_in = pages.submit("/login", "/login", &fields).await;
        assert_eq!((signed_in.status, signed_in.location()), (StatusCode::SEE_OTHER, "/"), "{next:?}");
        let lang = pages.submit("/", "/lang", &[("lang", "en"), ("next", next)]).await;
        assert_eq!((lang.status, lang.location()), (StatusCode::SEE_OTHER, "/"), "{next:?}");
    }
    let pages = app.pages();
    let fields = [("login", SECRETARY), ("password", "demo1234"), ("next", "/issues?q=漏水")];
    let signed_in = pages.submit("/login", "/login", &fields).await;
    assert_eq!(signed_in.location(), "/issues?q=%E6%BC%8F%E6%B0%B4");
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The route patterns the server declares, read from its sources, so that a route added
/// later is covered without being listed here.
fn declared_routes() -> Vec<String> {
    let sources = [
        include_str!("../../../crates/web/src/pages/mod.rs"),
        include_str!("../../../crates/web/src/api/mod.rs"),
        include_str!("../../../crates/web/src/open311/mod.rs"),
    ];
    let mut routes: Vec<String> = sources
        .iter()
        .flat_map(|s| s.split(".route(\"").skip(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    routes.sort();
    routes.dedup();
    routes
}

/// A garbled id in any route (a link cut short, a guess), or a garbled filter, is a page
/// or a problem that says so — never axum's plain-text "Invalid URL: Cannot parse …",
/// never a 5xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbled_id_or_filter_in_any_address_is_answered_in_the_callers_terms() {
    let app = TestApp::sqlite().build();
    let routes = declared_routes();
    assert!(routes.len() > 60 && routes.iter().any(|r| r.contains("due.ics")), "{routes:?}");
    let pages = app.pages();
    pages.sign_in(SECRETARY).await;
    let token = app.token(SECRETARY).await;
    let garbled_ids = routes.iter().filter(|r| r.contains('{')).map(|route| {
        route
            .split('/')
            .map(|segment| if segment.contains('{') { "not-an-id" } else { segment })
            .collect::<Vec<_>>()
            .join("/")
    });
    // And filters a hand-edited address garbled, on the pages that read them.
    let board = format!("/communities/{}/board", app.community());
    let garbled_queries = ["/login?next=/a&next=/b", "/issues?state=garbage", "/scorecard?month=a&month=b"]
        .into_iter()
        .map(str::to_owned)
        .chain([format!("{board}?status=garbage")]);
    for path in garbled_ids.chain(garbled_queries) {
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let page = pages.request(method.clone(), &path, Some(&[])).await;
            let api = app.raw(method.clone(), &path, Some(&token), Some("application/json"), b"{}".to_vec()).await;
            for (who, status, content_type, text) in [
                ("a browser", page.status, page.headers["content-type"].to_str().unwrap().to_owned(), page.html),
                ("a client", api.status, api.content_type().to_owned(), api.body.to_string()),
            ] {
                assert!(!status.is_server_error(), "{method} {path} to {who}: {status}");
                assert!(!content_type.starts_with("text/plain"), "{method} {path} to {who}: {content_type} {text}");
                if who == "a browser" {
                    assert!(!text.contains("Cannot parse"), "{method} {path} to {who}: {text}");
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_get_error_pages_with_the_security_headers_and_json_gets_nosniff() {
    let app = TestApp::sqlite().build();
    let pages = app.pages();
    pages.sign_in(SECRETARY).await;
    let cases = [
        (Method::GET, "/issues/garbage", StatusCode::NOT_FOUND),
        (Method::GET, "/no/such/page", StatusCode::NOT_FOUND),
        (Method::DELETE, "/issues", StatusCode::METHOD_NOT_ALLOWED),
        (Method::GET, "/meetings/not-a-uuid/day", StatusCode::NOT_FOUND),
    ];
    for (method, path, status) in cases {
        let page = pages.request(method.clone(), path, None).await;
        assert_eq!(page.status, status, "{method} {path}: {}", page.html);
        assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"), "{method} {path}");
        assert!(page.html.contains("<html"), "{method} {path}: {}", page.html);
        for h in ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"] {
            assert!(page.headers.contains_key(h), "{method} {path} lacks {h}");
        }
        assert!(!page.headers.contains_key("strict-transport-security"), "no HSTS over plain HTTP");
    }
    let api = app.call(Method::GET, "/api/v1/issues", None, None).await;
    assert_eq!(api.headers["x-content-type-options"], "nosniff");
    // A method the route does not take: the problem says what the status says.
    let wrong = app.call(Method::DELETE, "/api/v1/issues", None, None).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.body["status"], 405, "{}", wrong.body);
    assert_eq!(wrong.body["type"], "urn:roundtable:problem:method-not-allowed", "{}", wrong.body);
    assert_eq!(api.content_type(), "application/problem+json");

    let secure = TestApp::sqlite().secure_cookies().build();
    let r = secure.call(Method::GET, "/healthz", None, None).await;
    assert!(r.headers["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    let page = secure.pages().get("/login").await;
    assert!(page.headers.contains_key("strict-transport-security"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_send_is_sent_again_with_the_same_message_id_and_shown_in_doubt() {
    use roundtable_store::outbox;
    use roundtable_web::mail::dispatch_once;
    let app = TestApp::sqlite().build();
    let raised = raise(&app, "电梯经常停运").await;
    fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": app.org("安尚物业").to_string()})).await;
    let state = &app.state;
    let now = state.now();
    // A dispatcher claims the row and hands it to the relay, then dies before recording it.
    let claimed = {
        let conn = &mut *state.db.conn().unwrap();
        let claimed = outbox::claim_due(conn, now, chrono::TimeDelta::minutes(5), 100).unwrap();
        assert_eq!(outbox::mark_sending(conn, &claimed, now).unwrap().len(), claimed.len());
        claimed
    };
    assert_eq!(claimed.len(), 1);
    // After the lease, the next dispatcher sends it again, with the same Message-ID.
    let later = now + chrono::TimeDelta::minutes(6);
    let report = dispatch_once(&state.db, &state.mailer, &state.email, &state.config.mail, later, 100).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let sent = state.mailer.sent().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].message_id, claimed[0].message_id);
    let rows = outbox::with_status(&mut state.db.conn().unwrap(), roundtable_core::DeliveryStatus::Sent).unwrap();
    let row = rows.iter().find(|r| r.id == claimed[0].id).expect("the row is sent");
    assert_eq!(row.interrupted, 1, "the cut-off attempt is on record");
    // `roundtable outbox list` says so.
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = ["roundtable", "outbox", "list", "--status", "sent", "--database", app.db_url()];
    let code = roundtable_web::cli::run(args, &mut "".as_bytes(), &mut out, &mut err);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{}", String::from_utf8_lossy(&err));
    let listing = String::from_utf8(out).unwrap();
    let line = listing.lines().find(|l| l.starts_with(&claimed[0].id)).expect("the row is listed");
    assert!(line.contains("in doubt: 1 attempt(s) cut off mid-send"), "{line}");
}

/// A dispatcher slow to start sending (a long chunk before, a paused machine) can outlive
/// its lease; another dispatcher then claims the same rows. The first must not send them
/// too: that would be a repeat nobody counted as cut off.
async fn a_dispatcher_whose_lease_ran_out_leaves_the_mail_to_the_one_that_claimed_it_since(app: TestApp) {
    use roundtable_store::outbox;
    let raised = raise(&app, "楼道灯不亮").await;
    fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": app.org("安尚物业").to_string()})).await;
    let conn = &mut *app.state.db.conn().unwrap();
    let (now, lease) = (app.state.now(), chrono::TimeDelta::minutes(1));
    let first = outbox::claim_due(conn, now, lease, 100).unwrap();
    assert!(!first.is_empty());
    let later = now + lease + chrono::TimeDelta::seconds(1);
    let second = outbox::claim_due(conn, later, lease, 100).unwrap();
    assert_eq!(second.iter().map(|r| &r.id).collect::<Vec<_>>(), first.iter().map(|r| &r.id).collect::<Vec<_>>());
    assert_eq!(
        outbox::mark_sending(conn, &first, later).unwrap(),
        Vec::<String>::new(),
        "the first claim was taken over"
    );
    let marked = outbox::mark_sending(conn, &second, later).unwrap();
    assert_eq!(marked.len(), second.len(), "the second claim sends them");
    // Once being sent, a claim after the lease counts the attempt as cut off.
    let third = outbox::claim_due(conn, later + lease + chrono::TimeDelta::seconds(1), lease, 100).unwrap();
    assert!(third.iter().all(|r| r.interrupted == 1), "{third:?}");
}

// ---- anything at all: the public inputs under a property test ----

mod fuzz {
    use axum::http::Method;
    use proptest::prelude::*;
    use roundtable_e2e::TestApp;
    use serde_json::Value;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            "\\PC{0,20}".prop_map(Value::String),
            any::<String>().prop_map(Value::String),
            prop::sample::select(vec![
                "assign",
                "commit",
                "reject",
                "raised",
                "2026-12-06",
                "0050-12-04",
                "9999-99-99",
                "building",
                "\u{0}",
                "\u{200B}",
                "<script>alert(1)</script>",
                "../../etc/passwd",
            ])
            .prop_map(|s| Value::String(s.into())),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop::sample::select(vec![
                            "title",
                            "description",
                            "category",
                            "compound",
                            "transition",
                            "version",
                            "reason",
                            "due_date",
                            "commitment_text",
                            "responsible_org",
                            "satisfaction",
                            "login",
                            "password",
                            "place",
                            "starts_at",
                            "skip",
                            "order",
                            "add",
                            "announcements",
                            "text",
                            "locale",
                            "outcome",
                            "attendees",
                            "org",
                            "x",
                        ]),
                        inner,
                    ),
                    0..6,
                )
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            ]
        })
    }

    fn query() -> impl Strategy<Value = String> {
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    "state", "q", "order", "limit", "cursor", "compound", "overdue", "format", "x",
                ]),
                any::<String>(),
            ),
            0..4,
        )
        .prop_map(|pairs| serde_urlencoded::to_string(&pairs).unwrap_or_default())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

        /// JSON bodies, raw bytes and query strings of any shape, on the routes that take
        /// them: never a 5xx, and (through the harness) never an answer the OpenAPI
        /// document does not describe.
        #[test]
        fn no_input_makes_the_api_fail(body in json_value(), bytes in prop::collection::vec(any::<u8>(), 0..64), q in query()) {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            let app = app();
            rt.block_on(async {
                let token = app.token(super::SECRETARY).await;
                let issue = app.get("/api/v1/issues?limit=1", &token).await.body["items"][0]["id"].as_str().unwrap().to_owned();
                let slot = app.get("/api/v1/meetings/next", &token).await.body["slot"].as_str().unwrap_or("2026-12-06").to_owned();
                let routes = [
                    (Method::POST, "/api/v1/issues".to_owned()),
                    (Method::POST, format!("/api/v1/issues/{issue}/transitions")),
                    (Method::PUT, format!("/api/v1/meetings/slots/{slot}")),
                    (Method::POST, "/api/v1/auth/token".to_owned()),
                    (Method::PATCH, "/api/v1/me".to_owned()),
                ];
                for (method, path) in routes {
                    let r = app.call(method.clone(), &path, Some(&token), Some(body.clone())).await;
                    assert!(r.status.as_u16() < 500, "{method} {path} {body}: {} {}", r.status, r.body);
                    let r = app.raw(method.clone(), &path, Some(&token), Some("application/json"), bytes.clone()).await;
                    assert!(r.status.as_u16() < 500, "{method} {path} {bytes:?}: {} {}", r.status, r.body);
                }
                for path in ["/api/v1/issues", "/api/v1/meetings"] {
                    let r = app.get(&format!("{path}?{q}"), &token).await;
                    assert!(r.status.as_u16() < 500, "{path}?{q}: {} {}", r.status, r.body);
                }
            });
        }

    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

        /// Forms of any content posted to the pages with a valid CSRF token: never a 5xx.
        #[test]
        fn no_form_makes_a_page_fail(
            fields in prop::collection::vec(
                (prop::sample::select(vec!["title", "description", "category", "compound", "transition", "version",
                    "reason", "due_date", "login", "password", "next", "lang", "slot", "starts_at", "skip", "text"]),
                 any::<String>()),
                0..6,
            ),
        ) {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            let app = app();
            rt.block_on(async {
                let pages = app.pages();
                pages.sign_in(super::SECRETARY).await;
                let issue = app.get("/api/v1/issues?limit=1", &app.token(super::SECRETARY).await).await.body["items"][0]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                for action in ["/issues".to_owned(), format!("/issues/{issue}/transitions"), "/meetings/schedule".to_owned(), "/lang".to_owned()] {
                    let page = pages.submit("/", &action, &fields).await;
                    assert!(page.status.as_u16() < 500, "{action} {fields:?}: {} {}", page.status, page.html);
                }
            });
        }
    }

    /// One seeded app for all cases (seeding the demo takes a second).
    fn app() -> &'static TestApp {
        static APP: std::sync::OnceLock<TestApp> = std::sync::OnceLock::new();
        APP.get_or_init(|| TestApp::sqlite().build())
    }
}
