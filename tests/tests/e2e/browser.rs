//! The pages in a real browser: Debian's `chromium`, headless, driven by `chromedriver`
//! over WebDriver. Four accounts take an issue from raised to verified, the secretary
//! runs a meeting (publishes the agenda, records a commitment, publishes the minutes),
//! and the main pages are photographed at phone (390 px) and desktop width under
//! `target/screenshots/`. Skipped, saying so, where chromedriver is not installed.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use roundtable_e2e::TestApp;
use serde_json::json;

const SUPERVISOR: &str = "supervisor@dongsheng.example";
const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";
const ADMIN: &str = "admin@dongsheng.example";
const XIEAN: &str = "xiean@dongsheng.example";
const RESIDENT: &str = "resident@dongsheng.example";

/// chromedriver, stopped when the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn installed(path: &str) -> Option<PathBuf> {
    let p = PathBuf::from(path);
    p.exists().then_some(p)
}

async fn start_driver() -> Option<(Driver, String)> {
    let driver = std::env::var("ROUNDTABLE_CHROMEDRIVER")
        .ok()
        .and_then(|p| installed(&p))
        .or_else(|| installed("/usr/bin/chromedriver"));
    let Some(driver) = driver else {
        // CI installs the browser and sets this, so that a missing one fails there.
        assert!(
            std::env::var_os("ROUNDTABLE_REQUIRE_BROWSER").is_none(),
            "ROUNDTABLE_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        eprintln!("skipped: browser tests (no chromedriver; `apt-get install chromium chromium-driver`)");
        return None;
    };
    let port = free_port();
    let child = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((child, url));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on {port}");
}

/// A headless browser session; `phone` emulates a 390 px wide screen.
async fn browser(driver: &str, phone: bool) -> Client {
    let binary = std::env::var("ROUNDTABLE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut options = json!({
        "binary": binary,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run", "--lang=zh-CN", "--window-size=1280,900"],
        // What a phone in Jincheng sends: the pages answer in Chinese.
        "prefs": { "intl.accept_languages": "zh-CN,zh" },
    });
    if phone {
        options["mobileEmulation"] = json!({ "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1.0 } });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("a browser session")
}

fn shots() -> PathBuf {
    let dir = roundtable_e2e::repo().join("target").join("screenshots");
    std::fs::create_dir_all(&dir).expect("target/screenshots can be made");
    dir
}

/// The page has a language, a title and no horizontal scrolling; then its picture.
async fn check_and_shoot(c: &Client, dir: &Path, name: &str) {
    let facts =
        c.execute("return [document.documentElement.lang, document.title];", vec![]).await.expect("the page answers");
    let url = c.current_url().await.expect("a url");
    assert!(!facts[0].as_str().unwrap_or("").is_empty(), "{url}: no lang");
    assert!(facts[1].as_str().unwrap_or("").contains(" · "), "{url}: title {}", facts[1]);
    assert_no_sideways(c).await;
    // A field a thumb has to hit: as tall as the page's text fields (44 px; the agenda's
    // position boxes 36), whatever its type — a month or an address unstyled is 20 px.
    let small = c
        .execute(
            "return [...document.querySelectorAll('input, select, textarea')] \
             .filter(e => !['hidden', 'checkbox', 'radio', 'file'].includes(e.type) && e.offsetHeight > 0 \
                          && e.offsetHeight < 36) \
             .map(e => `${e.id || e.name} (${e.type}): ${e.offsetHeight} px`);",
            vec![],
        )
        .await
        .expect("the page answers");
    assert_eq!(small, json!([]), "{url}: fields too small to tap");
    let png = c.screenshot().await.expect("a screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is written");
}

/// The page does not scroll sideways: what is wider than the window (a table) scrolls in
/// its own box. Measured against the layout viewport (`clientWidth`): on an emulated
/// phone `innerWidth` grows with the content, so it never tells.
async fn assert_no_sideways(c: &Client) {
    let facts = c
        .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];", vec![])
        .await
        .expect("the page answers");
    let url = c.current_url().await.expect("a url");
    let (scroll, width) = (facts[0].as_i64().unwrap_or(0), facts[1].as_i64().unwrap_or(0));
    assert!(scroll <= width, "{url}: {scroll} px of content in a {width} px window scrolls sideways");
}

/// Clicks something that loads a new page, and waits until the old page is gone.
async fn click_through(c: &Client, target: Locator<'_>) {
    let old = c.find(Locator::Css("html")).await.expect("a page");
    let url = c.current_url().await.expect("a url");
    c.find(target).await.unwrap_or_else(|e| panic!("{target:?} on {url}: {e}")).click().await.expect("clicked");
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            c.wait().for_element(Locator::Css("body")).await.expect("the new page");
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("clicking {target:?} did not load a page");
}

/// The width of the first image `selector` finds once it has loaded (lazily: scrolled to,
/// then given up to five seconds); -1 if there is none, 0 if it never loads.
async fn image_width(c: &Client, selector: &str) -> i64 {
    let script = "const i = document.querySelector(arguments[0]); if (!i) return -1; i.scrollIntoView(); \
                  return i.complete ? i.naturalWidth : 0;";
    let mut shown = 0;
    for _ in 0..100 {
        let answer = c.execute(script, vec![json!(selector)]).await.expect("the page answers");
        shown = answer.as_i64().unwrap_or(0);
        if shown != 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shown
}

async fn go(c: &Client, base: &str, path: &str) {
    c.goto(&format!("{base}{path}")).await.expect("the page loads");
}

async fn sign_in(c: &Client, base: &str, login: &str) {
    go(c, base, "/login").await;
    c.find(Locator::Id("login")).await.expect("a login field").send_keys(login).await.expect("typed");
    c.find(Locator::Id("password")).await.expect("a password field").send_keys("demo1234").await.expect("typed");
    click_through(c, Locator::Id("sign-in")).await;
    c.find(Locator::Id("sign-out")).await.expect("signed in");
}

async fn sign_out(c: &Client) {
    click_through(c, Locator::Id("sign-out")).await;
    c.find(Locator::Id("sign-in")).await.expect("signed out");
}

async fn text_of(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id)).await.unwrap_or_else(|_| panic!("#{id}")).text().await.expect("text")
}

/// Opens a transition's form, fills it and sends it.
async fn fire(c: &Client, transition: &str, fields: &[(&str, &str)]) {
    c.find(Locator::Css(&format!("#t-{transition} summary")))
        .await
        .expect("the transition")
        .click()
        .await
        .expect("opened");
    for (field, value) in fields {
        let id = format!("{transition}-{field}");
        let input = c.find(Locator::Id(&id)).await.unwrap_or_else(|_| panic!("#{id}"));
        match input.tag_name().await.expect("a tag").as_str() {
            "select" => input.select_by_value(value).await.expect("chosen"),
            _ if *field == "due_date" => set_value(c, &id, value).await,
            _ => input.send_keys(value).await.expect("typed"),
        }
    }
    click_through(c, Locator::Id(&format!("fire-{transition}"))).await;
    c.find(Locator::Css("p.flash")).await.expect("the issue page again, with a note");
}

/// Date inputs take typed digits in the browser's locale order; set the value instead.
async fn set_value(c: &Client, id: &str, value: &str) {
    c.execute("document.getElementById(arguments[0]).value = arguments[1];", vec![json!(id), json!(value)])
        .await
        .expect("the value is set");
}

/// The day `n` days after the app's today (its clock may be on a meeting day), in Shanghai.
fn in_days(app: &TestApp, n: i64) -> String {
    (app.state.now().with_timezone(&chrono_tz::Asia::Shanghai) + chrono::TimeDelta::days(n)).date_naive().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_accounts_and_a_meeting_in_a_real_browser() {
    let Some((_driver, driver_url)) = start_driver().await else { return };
    // The Monday before a meeting, whatever day the test runs on (see `monday`).
    let app = TestApp::sqlite().at(roundtable_e2e::monday()).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let state = app.state.clone();
    tokio::spawn(roundtable_web::server::serve(listener, state, std::future::pending()));
    let dir = shots();
    let c = browser(&driver_url, false).await;

    // The supervisory committee raises an issue.
    sign_in(&c, &base, SUPERVISOR).await;
    check_and_shoot(&c, &dir, "desktop-home-supervisor").await;
    go(&c, &base, "/issues/new").await;
    check_and_shoot(&c, &dir, "desktop-raise").await;
    c.find(Locator::Id("compound")).await.expect("compounds").select_by_label("君悦湾").await.expect("chosen");
    c.find(Locator::Id("category")).await.expect("categories").select_by_value("facilities").await.expect("chosen");
    c.find(Locator::Id("title")).await.expect("a title").send_keys("5号楼电梯停运三天").await.expect("typed");
    c.find(Locator::Id("description")).await.expect("a description").send_keys("老人上下楼困难").await.expect("typed");
    click_through(&c, Locator::Id("raise-submit")).await;
    // The demo has a stalled lift in Junyue Bay already: it is offered first.
    c.find(Locator::Id("similar")).await.expect("similar open issues are offered");
    check_and_shoot(&c, &dir, "desktop-raise-similar").await;
    click_through(&c, Locator::Id("raise-submit")).await;
    let issue_url = c.current_url().await.expect("a url");
    let issue_path = issue_url.path().to_owned();
    assert_eq!(text_of(&c, "issue-state").await, "已提出");
    sign_out(&c).await;

    // The secretary assigns it to Anshang.
    sign_in(&c, &base, SECRETARY).await;
    go(&c, &base, &issue_path).await;
    let anshang = app.org("安尚物业").to_string();
    fire(&c, "assign", &[("responsible_org", &anshang)]).await;
    assert_eq!(text_of(&c, "issue-state").await, "已交办");
    sign_out(&c).await;

    // Anshang commits on its issue page, then resolves.
    sign_in(&c, &base, ANSHANG).await;
    check_and_shoot(&c, &dir, "desktop-home-property").await;
    go(&c, &base, &issue_path).await;
    fire(&c, "commit", &[("commitment_text", "更换曳引机主板"), ("due_date", &in_days(&app, 7))]).await;
    assert_eq!(text_of(&c, "issue-state").await, "已承诺");
    fire(&c, "resolve", &[("resolution_note", "主板已更换，电梯恢复运行")]).await;
    assert_eq!(text_of(&c, "issue-state").await, "已整改");
    check_and_shoot(&c, &dir, "desktop-issue").await;
    sign_out(&c).await;

    // The supervisory committee verifies.
    sign_in(&c, &base, SUPERVISOR).await;
    go(&c, &base, &issue_path).await;
    fire(&c, "verify", &[("satisfaction", "5"), ("note", "运行正常")]).await;
    assert_eq!(text_of(&c, "issue-state").await, "已验收");
    sign_out(&c).await;

    // Another company's issue is a 403 page; a form stripped of its CSRF token is refused.
    sign_in(&c, &base, XIEAN).await;
    go(&c, &base, &issue_path).await;
    assert_eq!(c.title().await.expect("a title"), "无权访问 · 联席会议");
    check_and_shoot(&c, &dir, "desktop-403").await;
    // A mistyped address is the 404 page, not raw JSON or text.
    go(&c, &base, "/issues/not-an-id").await;
    assert_eq!(c.title().await.expect("a title"), "未找到 · 联席会议");
    check_and_shoot(&c, &dir, "desktop-404").await;
    go(&c, &base, "/").await;
    c.execute("document.querySelector('form[action=\"/lang\"] input[name=_csrf]').remove();", vec![])
        .await
        .expect("the token is removed");
    click_through(&c, Locator::Css("form[action=\"/lang\"] button")).await;
    assert_eq!(c.title().await.expect("a title"), "表单已过期 · 联席会议");
    go(&c, &base, "/").await;
    sign_out(&c).await;

    // An assigned issue for the meeting to commit on.
    let token = app.token(SECRETARY).await;
    let body = json!({"title": "地下车库照明不足", "description": "", "category": "parking",
                      "compound": app.compound("君悦湾").to_string()});
    let raised = app.post("/api/v1/issues", &app.token(SUPERVISOR).await, body).await.body;
    let assign = json!({"transition": "assign", "version": raised["version"], "responsible_org": anshang});
    let reply = app
        .post(&format!("/api/v1/issues/{}/transitions", raised["id"].as_str().expect("an id")), &token, assign)
        .await;
    assert_eq!(reply.status, axum::http::StatusCode::OK, "{}", reply.body);

    // The secretary builds and publishes the agenda, runs the meeting, publishes the minutes.
    sign_in(&c, &base, SECRETARY).await;
    go(&c, &base, "/meetings").await;
    check_and_shoot(&c, &dir, "desktop-meetings").await;
    if c.find(Locator::Id("build-agenda")).await.is_ok() {
        click_through(&c, Locator::Id("build-agenda")).await;
    } else {
        click_through(&c, Locator::Css(".next-meeting a.button")).await;
    }
    check_and_shoot(&c, &dir, "desktop-agenda-draft").await;
    let meeting_path = c.current_url().await.expect("a url").path().to_owned();
    click_through(&c, Locator::Id("publish-agenda")).await;
    assert_eq!(text_of(&c, "agenda-status").await, "已发布");
    app.meeting_day(&meeting_path).await;
    click_through(&c, Locator::Id("open-meeting")).await;
    let item = c
        .find(Locator::XPath("//li[contains(@class,'day-item')][.//a[contains(., '地下车库照明不足')]]"))
        .await
        .expect("the assigned issue is on the agenda");
    let item_id = item.attr("id").await.expect("an id").expect("an id").trim_start_matches("item-").to_owned();
    item.find(Locator::Css("textarea[name=commitment_text]"))
        .await
        .expect("a commitment field")
        .send_keys("本周内加装照明灯")
        .await
        .expect("typed");
    set_value(&c, &format!("dd-{item_id}"), &in_days(&app, 14)).await;
    check_and_shoot(&c, &dir, "desktop-meeting-day").await;
    click_through(&c, Locator::Id(&format!("commit-{item_id}"))).await;
    let recorded = c.find(Locator::Id(&format!("item-{item_id}"))).await.expect("the item").text().await.expect("text");
    assert!(recorded.contains("现场承诺"), "the item shows its commitment: {recorded}");
    // An overdue commitment gets a new date at the meeting: an extension, with its reason.
    let overdue = c
        .find(Locator::XPath("//li[contains(@class,'day-item')][.//button[contains(., '批准延期')]]"))
        .await
        .expect("an overdue commitment is on the agenda");
    let overdue_id = overdue.attr("id").await.expect("an id").expect("an id").trim_start_matches("item-").to_owned();
    set_value(&c, &format!("dd-{overdue_id}"), &in_days(&app, 30)).await;
    c.find(Locator::Id(&format!("nt-{overdue_id}")))
        .await
        .expect("a reason field")
        .send_keys("配件已到，业主同意延期")
        .await
        .expect("typed");
    check_and_shoot(&c, &dir, "desktop-meeting-day-extend").await;
    click_through(&c, Locator::Id(&format!("commit-{overdue_id}"))).await;
    let extended =
        c.find(Locator::Id(&format!("item-{overdue_id}"))).await.expect("the item").text().await.expect("text");
    assert!(extended.contains("现场承诺"), "recorded: {extended}");
    click_through(&c, Locator::Id("close-meeting")).await;
    c.find(Locator::Id("remarks")).await.expect("remarks").send_keys("各单位按期落实。").await.expect("typed");
    click_through(&c, Locator::Id("save-minutes")).await;
    click_through(&c, Locator::Id("publish-minutes")).await;
    assert_eq!(text_of(&c, "minutes-status").await, "已发布");
    let shown = text_of(&c, "minutes").await;
    assert!(
        shown.contains("本周内加装照明灯") && shown.contains("各单位按期落实。"),
        "the minutes on their page: {shown}"
    );
    check_and_shoot(&c, &dir, "desktop-minutes").await;
    // The meeting's history: every step, by whom.
    go(&c, &base, &meeting_path).await;
    let history = text_of(&c, "history").await;
    assert!(history.contains("发布了会议纪要") && history.contains("王俊勇"), "{history}");
    check_and_shoot(&c, &dir, "desktop-meeting-history").await;
    go(&c, &base, &format!("{meeting_path}/minutes")).await;
    let print =
        c.find(Locator::Id("print-link")).await.expect("a print view").attr("href").await.expect("href").expect("href");
    go(&c, &base, &print).await;
    let minutes = c.source().await.expect("the minutes");
    assert!(
        minutes.contains("本周内加装照明灯") && minutes.contains("各单位按期落实。"),
        "the commitment and the remarks are minuted"
    );
    // The commitment is the issue's, made at this meeting.
    let issue = app.get(&format!("/api/v1/issues/{}", raised["id"].as_str().expect("an id")), &token).await.body;
    assert_eq!(issue["state"], "committed");
    assert_eq!(issue["commitment"]["meeting"].as_str(), meeting_path.strip_prefix("/meetings/"));
    // A past month: the demo's first held meeting, its minutes and its comparison.
    let past = app.get("/api/v1/meetings", &token).await.body;
    let first = past.as_array().expect("meetings").iter().rev().find(|m| m["status"] == "closed").expect("a held one");
    let month_of_first = first["slot"].as_str().expect("a slot")[..7].to_owned();
    let first = first["id"].as_str().expect("an id");
    go(&c, &base, &format!("/meetings/{first}/minutes")).await;
    assert_eq!(text_of(&c, "minutes-status").await, "已发布", "the demo's meetings are minuted");
    check_and_shoot(&c, &dir, "desktop-past-minutes").await;
    go(&c, &base, &format!("/scorecard?meeting={first}")).await;
    let month = c.source().await.expect("the comparison");
    let heading = c.find(Locator::Css("h1")).await.expect("a heading").text().await.expect("its text");
    assert!(heading.contains(&month_of_first) && month.contains("scorecard"), "a past month's comparison: {heading}");
    check_and_shoot(&c, &dir, "desktop-past-scorecard").await;
    go(&c, &base, "/").await;
    sign_out(&c).await;
    c.close().await.expect("the session ends");

    // An invitation for a notice board, to photograph with its QR code and sign-up page.
    let body = json!({"role": "resident", "compound": app.compound("君悦湾").to_string(), "uses": 50,
                      "note": "5号楼 2单元 公告栏"});
    let invitation = app.post("/api/v1/invitations", &token, body).await.body;
    let invitation_id = invitation["id"].as_str().expect("an invitation").to_owned();
    let join_url = invitation["url"].as_str().expect("a link").to_owned();
    let join_path = join_url[join_url.find("/join/").expect("a join link")..].to_owned();

    // The main pages on a phone.
    let phone = browser(&driver_url, true).await;
    go(&phone, &base, &join_path).await;
    check_and_shoot(&phone, &dir, "phone-join").await;
    // A promise whose photo the secretary marked public: the board shows it.
    let parts = [roundtable_e2e::Part::file("photo", "gate.jpg", "image/jpeg", roundtable_e2e::images::jpeg(800, 600))];
    let photo =
        app.multipart("/api/v1/photos", &token, &parts).await.body[0]["id"].as_str().expect("a photo").to_owned();
    let body = json!({"title": "东门道闸抬杆失灵", "category": "facilities",
                      "compound": app.compound("公园里").to_string(), "photos": [photo]});
    let gate = app.post("/api/v1/issues", &token, body).await.body;
    let jincheng = app.org("锦程物业").to_string();
    let gate = crate::api_flow::fire(&app, SECRETARY, &gate, "assign", json!({"responsible_org": jincheng})).await;
    // Due ten days after the test's clock (which stands at a meeting day by now).
    let due = (app.state.now() + chrono::TimeDelta::days(10)).date_naive().to_string();
    let promise = json!({"commitment_text": "十天内更换道闸电机", "due_date": due});
    crate::api_flow::fire(&app, "jincheng@dongsheng.example", &gate, "commit", promise).await;
    let marked = app
        .call(
            axum::http::Method::PUT,
            &format!("/api/v1/photos/{photo}/public"),
            Some(&token),
            Some(json!({"public": true})),
        )
        .await;
    assert!(marked.status.is_success(), "{}", marked.body);
    // The public commitments board, no sign-in, on a phone.
    go(&phone, &base, "/board").await;
    phone.find(Locator::Id("promises")).await.expect("the promises are listed");
    let shown = image_width(&phone, &format!("#promises img[src='/public/photos/{photo}/thumbnail']")).await;
    assert!(shown > 0, "the public photo's thumbnail loads without sign-in: {shown}");
    check_and_shoot(&phone, &dir, "phone-board").await;
    phone.execute("document.getElementById('board-flow').scrollIntoView();", vec![]).await.expect("scrolled");
    check_and_shoot(&phone, &dir, "phone-board-charts").await;
    phone.execute("document.getElementById('board-on-time').scrollIntoView();", vec![]).await.expect("scrolled");
    check_and_shoot(&phone, &dir, "phone-board-on-time").await;
    // A promise's meeting: its public minutes (or agenda), styled by their own sheet,
    // which the page's content security policy allows by its hash.
    click_through(&phone, Locator::Css("#promises a[href*='/meetings/']")).await;
    let centred = phone
        .execute("return getComputedStyle(document.querySelector('h1')).textAlign;", vec![])
        .await
        .expect("the document answers");
    assert_eq!(centred, json!("center"), "the document's own style applies");
    let png = phone.screenshot().await.expect("a screenshot");
    std::fs::write(dir.join("phone-public-minutes.png"), png).expect("the screenshot is written");
    go(&phone, &base, "/login").await;
    check_and_shoot(&phone, &dir, "phone-login").await;
    sign_in(&phone, &base, SECRETARY).await;
    for (name, path) in [
        ("phone-home-secretary", "/".to_owned()),
        ("phone-issues", "/issues".into()),
        ("phone-issue", issue_path.clone()),
        ("phone-raise", "/issues/new".into()),
        ("phone-meetings", "/meetings".into()),
        ("phone-meeting", meeting_path.clone()),
        ("phone-meeting-day", format!("{meeting_path}/day")),
        ("phone-minutes", format!("{meeting_path}/minutes")),
        ("phone-scorecard", "/scorecard".into()),
        ("phone-account", "/account".into()),
        ("phone-forgot", "/password/forgot".into()),
        ("phone-invitations", "/invitations".into()),
        ("phone-invitation", format!("/invitations/{invitation_id}")),
        ("phone-notices", "/notices".into()),
    ] {
        go(&phone, &base, &path).await;
        check_and_shoot(&phone, &dir, name).await;
    }
    // A notice reads left-aligned; only the invitation's card, with its QR code, is centred.
    for (path, selector, centred) in
        [(format!("{meeting_path}/day"), "p.notice", false), (format!("/invitations/{invitation_id}"), "#notice", true)]
    {
        go(&phone, &base, &path).await;
        let script = "return getComputedStyle(document.querySelector(arguments[0])).textAlign;";
        let align = phone.execute(script, vec![json!(selector)]).await.expect("the page answers");
        assert_eq!(align == json!("center"), centred, "{selector} on {path}: {align}");
    }
    // The printable agenda and minutes, opened on a phone: their company comparison
    // scrolls in its own box.
    for (name, path) in [("phone-agenda-print", format!("{meeting_path}/agenda/print")), ("phone-minutes-print", print)]
    {
        go(&phone, &base, &path).await;
        assert_no_sideways(&phone).await;
        let png = phone.screenshot().await.expect("a screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is written");
    }
    // The calendar's months fit a phone: a long place wraps, so each month's status shows
    // without scrolling the table sideways.
    go(&phone, &base, "/meetings").await;
    let fit = phone
        .execute(
            "const t = document.querySelector('table.calendar'); return [t.scrollWidth, t.parentElement.clientWidth];",
            vec![],
        )
        .await
        .expect("the page answers");
    assert!(fit[0].as_i64() <= fit[1].as_i64(), "the calendar is {} px in a {} px card", fit[0], fit[1]);
    go(&phone, &base, "/").await;
    phone.execute("document.getElementById('home-flow').scrollIntoView();", vec![]).await.expect("scrolled");
    check_and_shoot(&phone, &dir, "phone-home-charts").await;
    sign_out(&phone).await;
    // A resident on her phone raises an issue with a photo of it.
    sign_in(&phone, &base, RESIDENT).await;
    go(&phone, &base, "/issues/new").await;
    let photo_dir = tempfile::tempdir().expect("a temporary directory");
    let photo_file = photo_dir.path().join("IMG_2048.jpg");
    std::fs::write(&photo_file, roundtable_e2e::images::jpeg(1200, 900)).expect("the photo is written");
    phone.find(Locator::Id("category")).await.expect("categories").select_by_value("building").await.expect("chosen");
    phone.find(Locator::Id("title")).await.expect("a title").send_keys("单元门口台阶破损").await.expect("typed");
    phone
        .find(Locator::Id("photo"))
        .await
        .expect("a photo input")
        .send_keys(&photo_file.display().to_string())
        .await
        .expect("chosen");
    check_and_shoot(&phone, &dir, "phone-raise-photo").await;
    click_through(&phone, Locator::Id("raise-submit")).await;
    if phone.find(Locator::Id("similar")).await.is_ok() {
        // Offered similar issues first; the photo rides along to the final raise.
        phone.find(Locator::Css("#uploaded img")).await.expect("the photo is kept while she decides");
        click_through(&phone, Locator::Id("raise-submit")).await;
    }
    let shown = image_width(&phone, "ul.photos img").await;
    assert!(shown > 0, "the photo's thumbnail is shown on her issue: {shown}");
    check_and_shoot(&phone, &dir, "phone-issue-photo").await;
    sign_out(&phone).await;
    sign_in(&phone, &base, ADMIN).await;
    go(&phone, &base, "/admin").await;
    check_and_shoot(&phone, &dir, "phone-admin").await;
    // An Open311 key for the hotline, shown once on the page that issues it.
    phone.find(Locator::Id("k-name")).await.expect("the key form").send_keys("12345 热线").await.expect("typed");
    click_through(&phone, Locator::Id("issue-key")).await;
    let key = phone.find(Locator::Id("new-key")).await.expect("the new key").text().await.expect("its text");
    assert!(key.starts_with("o311_"), "{key}");
    phone.execute("document.getElementById('open311').scrollIntoView();", vec![]).await.expect("scrolled");
    check_and_shoot(&phone, &dir, "phone-admin-open311-key").await;
    // A webhook for an integrator: its signing secret shown on the answering page once.
    click_through(&phone, Locator::Id("channels-link")).await;
    phone.find(Locator::Id("ch-kind")).await.expect("the kinds").select_by_value("webhook").await.expect("chosen");
    phone.find(Locator::Id("ch-name")).await.expect("a name").send_keys("12345 平台").await.expect("typed");
    let url = phone.find(Locator::Id("ch-url")).await.expect("the address");
    url.send_keys("https://hooks.example/roundtable").await.expect("typed");
    click_through(&phone, Locator::Id("add-channel")).await;
    let secret = phone.find(Locator::Css("#new-secret code")).await.expect("the secret").text().await.expect("text");
    assert!(secret.starts_with("whsec_"), "{secret}");
    check_and_shoot(&phone, &dir, "phone-channels-webhook-secret").await;
    // Which notices of an issue went out which way (the demo's mail).
    go(&phone, &base, "/issues?state=committed").await;
    click_through(&phone, Locator::Css("ul.issues a")).await;
    phone.execute("document.getElementById('deliveries').scrollIntoView();", vec![]).await.expect("scrolled");
    check_and_shoot(&phone, &dir, "phone-issue-deliveries").await;
    // The street office compares its communities.
    sign_out(&phone).await;
    sign_in(&phone, &base, "street@dongsheng.example").await;
    click_through(&phone, Locator::Css("a[href='/street']")).await;
    phone.find(Locator::Id("street-companies")).await.expect("the companies compared");
    check_and_shoot(&phone, &dir, "phone-street").await;
    // …and opens one community's tracker, read-only, down to an issue.
    click_through(&phone, Locator::Css("#street-communities a[href^='/street/communities/']")).await;
    check_and_shoot(&phone, &dir, "phone-street-issues").await;
    click_through(&phone, Locator::Css("ul.issues a")).await;
    assert!(phone.find(Locator::Css("form[action$='/transitions']")).await.is_err(), "nothing to fire");
    check_and_shoot(&phone, &dir, "phone-street-issue").await;
    phone.close().await.expect("the session ends");

    let c = browser(&driver_url, false).await;
    sign_in(&c, &base, SECRETARY).await;
    for (name, path) in [("desktop-issues", "/issues"), ("desktop-scorecard", "/scorecard")] {
        go(&c, &base, path).await;
        check_and_shoot(&c, &dir, name).await;
    }
    c.close().await.expect("the session ends");
    let taken = std::fs::read_dir(&dir).expect("screenshots").count();
    assert!(taken >= 20, "{taken} screenshots");
}
