//! The public calendar feed: read back with a standard iCalendar parser, moved and skipped
//! meetings round-trip, nothing private in it, the setting that turns it off.

use axum::http::{Method, StatusCode, header};
use icalendar::{Calendar, Component, EventLike};
use roundtable_e2e::TestApp;
use serde_json::json;

const SECRETARY: &str = "secretary@dongsheng.example";

/// The feed with no session: status, ETag and body.
async fn feed(app: &TestApp, etag: Option<&str>) -> (StatusCode, String, String) {
    let path = format!("/communities/{}/meetings.ics", app.community());
    let (status, headers, bytes) = app.anonymous(&path, etag).await;
    let tag = headers.get(header::ETAG).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    if status == StatusCode::OK {
        assert_eq!(headers[header::CONTENT_TYPE], "text/calendar; charset=utf-8");
    }
    (status, tag, String::from_utf8(bytes).expect("UTF-8"))
}

fn events(text: &str) -> Vec<icalendar::Event> {
    let calendar: Calendar = text.parse().unwrap_or_else(|e| panic!("the feed parses: {e}\n{text}"));
    calendar.components.iter().filter_map(|c| c.as_event().cloned()).collect()
}

/// The public page the feed's event for a month links, as a path, after checking that
/// someone without an account can read it (not a 404, not the sign-in page).
pub async fn feed_link(app: &TestApp, slot: chrono::NaiveDate) -> String {
    let (_, _, text) = feed(app, None).await;
    let uid = format!("meeting-{slot}@{}.roundtable", app.community());
    let all = events(&text);
    let event = all.iter().find(|e| e.get_uid() == Some(uid.as_str())).expect("the month's event");
    let url = event.property_value("URL").expect("a link");
    assert_eq!(event.get_description(), Some(url), "the link in the text too");
    let path = url[url.find("/communities/").unwrap_or_else(|| panic!("a public page: {url}"))..].to_owned();
    readable(app, &path).await;
    path
}

/// The link on the public board's line of the promise on `title`, checked readable like
/// `feed_link`; `None` when the line names its meeting without a link.
pub async fn board_link(app: &TestApp, title: &str) -> Option<String> {
    let (_, _, bytes) = app.anonymous(&format!("/communities/{}/board", app.community()), None).await;
    let html = String::from_utf8(bytes).unwrap();
    let line = &html[html.find(&format!("<strong>{title}</strong>")).expect("the promise's line")..];
    let line = &line[..line.find("</li>").unwrap()];
    let at = line.find("href=\"/communities/")?;
    let link = line[at + 6..][..line[at + 6..].find('"').unwrap()].to_owned();
    readable(app, &link).await;
    Some(link)
}

async fn readable(app: &TestApp, path: &str) {
    let (status, _, body) = app.anonymous(path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&body));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meeting_feed_parses_and_follows_moves_and_skips() {
    // On a Monday: the next meeting's Saturday before is still ahead (on a Saturday
    // afternoon or a Sunday it is past, and the move below would rightly be refused).
    let app = TestApp::sqlite().at(roundtable_e2e::monday()).build();
    let (status, tag, text) = feed(&app, None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai"), "{text}");
    let all = events(&text);
    assert!(all.len() >= 6 + 11, "six held, a year ahead: {}", all.len());
    // Nothing of anyone's in it (phone numbers by assert_nothing_private: a bare "139" would
    // match the community's id in the UIDs now and then).
    for private in ["叶莉", "王俊勇", "@dongsheng.example"] {
        assert!(!text.contains(private), "{private} in the feed");
    }
    app.assert_nothing_private(&text, "the meetings feed");
    // Asked again unchanged: 304.
    assert_eq!(feed(&app, Some(&tag)).await.0, StatusCode::NOT_MODIFIED);
    // Subscribers have no account: a held meeting links its public minutes (it linked the
    // sign-in page), a month nobody has prepared the public board.
    let held = all.iter().filter(|e| e.property_value("URL").is_some_and(|u| u.ends_with("/minutes"))).count();
    assert_eq!(held, 6, "the demo's six held meetings");
    let secretary = app.token(SECRETARY).await;
    let next = app.get("/api/v1/meetings/next", &secretary).await.body;
    let slot: chrono::NaiveDate = next["slot"].as_str().unwrap().parse().unwrap();
    let later = roundtable_core::meeting::next_slot(slot + chrono::Days::new(40)).unwrap();
    assert!(feed_link(&app, later).await.ends_with("/board"));

    // The next meeting is moved to the Saturday before at 14:30, the one after is skipped.
    let saturday = slot.pred_opt().unwrap();
    let moved = app
        .call(
            Method::PUT,
            &format!("/api/v1/meetings/slots/{slot}"),
            Some(&secretary),
            Some(json!({"starts_at": format!("{saturday}T14:30"), "place": "社区活动室"})),
        )
        .await;
    assert!(moved.status.is_success(), "{}", moved.body);
    let following = roundtable_core::meeting::next_slot(slot + chrono::Days::new(1)).unwrap();
    let skipped = app
        .call(
            Method::PUT,
            &format!("/api/v1/meetings/slots/{following}"),
            Some(&secretary),
            Some(json!({"skip": true, "reason": "春节"})),
        )
        .await;
    assert!(skipped.status.is_success(), "{}", skipped.body);
    let (status, new_tag, text) = feed(&app, Some(&tag)).await;
    assert_eq!(status, StatusCode::OK, "changed: not 304");
    assert_ne!(new_tag, tag);
    let all = events(&text);
    let uid = |s: chrono::NaiveDate| format!("meeting-{s}@{}.roundtable", app.community());
    let find = |s| all.iter().find(|e| e.get_uid() == Some(uid(s).as_str())).expect("the month's event").clone();
    let moved = find(slot);
    assert!(text.contains(&format!("DTSTART;TZID=Asia/Shanghai:{}T143000", saturday.format("%Y%m%d"))), "{text}");
    assert_eq!(moved.get_location(), Some("社区活动室"));
    assert_eq!(moved.property_value("SEQUENCE"), Some("1"), "raised by the move");
    let cancelled = find(following);
    assert_eq!(cancelled.property_value("STATUS"), Some("CANCELLED"));
    assert_eq!(cancelled.property_value("SEQUENCE"), Some("1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_views_turned_off_answer_404() {
    let app = TestApp::sqlite().config(|c| c.public.enabled = false).build();
    assert_eq!(feed(&app, None).await.0, StatusCode::NOT_FOUND);
    // Open311 too, reading and posting.
    for path in ["/open311/v2/discovery.json", "/open311/v2/services.xml", "/open311/v2/requests.json"] {
        assert_eq!(app.anonymous(path, None).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let post = app
        .raw(
            Method::POST,
            "/open311/v2/requests.json",
            None,
            Some("application/x-www-form-urlencoded"),
            b"x=1".to_vec(),
        )
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    let app = TestApp::sqlite().build();
    let unknown = format!("/communities/{}/meetings.ics", uuid::Uuid::now_v7());
    assert_eq!(app.anonymous(&unknown, None).await.0, StatusCode::NOT_FOUND);
}

roundtable_e2e::on_both_databases!(the_public_board_shows_every_promise_and_no_personal_data);

async fn the_public_board_shows_every_promise_and_no_personal_data(app: TestApp) {
    // A promise falling due in two days says so beside its date, as the lists do.
    let soon = crate::api_flow::raise(&app, "（公示）本周到期").await;
    let anshang = json!({"responsible_org": app.org("安尚物业").to_string()});
    let soon = crate::api_flow::fire(&app, SECRETARY, &soon, "assign", anshang).await;
    let promise = json!({"commitment_text": "尽快处理", "due_date": crate::api_flow::in_days(&app, 2)});
    crate::api_flow::fire(&app, "anshang@dongsheng.example", &soon, "commit", promise).await;
    // An overdue promise extended once, so the board has all it shows.
    let first = app.anonymous("/board", None).await;
    assert_eq!(first.0, StatusCode::SEE_OTHER);
    let board = format!("/communities/{}/board", app.community());
    assert_eq!(first.1[header::LOCATION], board.as_str());
    let filtered = app.anonymous("/board?state=committed&month=2026-11", None).await;
    assert_eq!(filtered.1[header::LOCATION], format!("{board}?state=committed&month=2026-11").as_str(), "filters kept");
    let (status, headers, bytes) = app.anonymous(&board, None).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(bytes).unwrap();
    assert!(html.contains("承诺公示") && html.contains("id=\"promises\""), "{html}");
    assert!(html.contains("id=\"board-scorecard\""), "the companies compared, with the formula");
    let line = &html[html.find("（公示）本周到期").expect("the new promise")..];
    let line = &line[..line.find("</li>").unwrap()];
    let said = format!("{} <span class=\"due-soon\">（还剩 2 天）</span>", crate::api_flow::in_days(&app, 2));
    assert!(line.contains(&said), "{line}");
    // A promise is its own sentence, its date on a line of its own ("…反馈。，时限" before).
    assert!(html.contains("反馈。</p>") && html.contains("<p class=\"meta\">时限 20"), "{html}");
    // A chart of the year, drawn on the server, with its numbers as a table beside it.
    assert!(html.contains("<svg") && html.contains("\">每月新增、整改与逾期问题数</title>"), "{html}");
    let table = &html[html.find("class=\"chart-table\"").expect("the chart's table")..];
    assert!(table.matches("<th scope=\"row\">").count() >= 12, "a row a month");
    // Each chart is named by its own title (no id twice on the page).
    let labels: Vec<&str> = html.split("aria-labelledby=\"").skip(1).map(|r| &r[..r.find('"').unwrap()]).collect();
    assert_eq!(labels.len(), 3, "three charts");
    for label in &labels {
        assert_eq!(html.matches(&format!("id=\"{label}\"")).count(), 1, "{label} names one title");
    }
    // Each company's on-time rate over the held meetings, with the counts behind it.
    let on_time = &html[html.find("id=\"board-on-time\"").expect("the on-time chart")..];
    assert!(on_time.contains("<polyline") || on_time.contains("<circle"), "{on_time}");
    assert!(on_time.contains("安尚物业") && on_time.contains("<td>"), "{on_time}");
    // The age of the open issues: every open issue in one of four spans.
    let ages = &html[html.find("id=\"board-ages\"").expect("the ages chart")..];
    let ages = &ages[..ages.find("</table>").unwrap()];
    let counted: u32 = ages.split("<td>").skip(1).map(|c| c[..c.find('<').unwrap()].parse::<u32>().unwrap()).sum();
    let secretary = app.token(SECRETARY).await;
    let open = app.get("/api/v1/issues?state=raised,assigned,committed,resolved,paused&limit=200", &secretary).await;
    assert_eq!(counted as usize, open.body["items"].as_array().unwrap().len(), "{ages}");
    // The minutes a promise was made at are public too (the link on its line).
    let at = html.find("/meetings/").expect("a line links its meeting");
    let start = html[..at].rfind('"').unwrap() + 1;
    let link = html[start..at + html[at..].find('"').unwrap()].to_owned();
    let (status, _, bytes) = app.anonymous(&link, None).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let minutes = String::from_utf8(bytes).unwrap();
    assert!(minutes.contains("东圣社区"), "{minutes}");
    let unknown = format!("/communities/{}/meetings/{}/minutes", app.community(), uuid::Uuid::now_v7());
    assert_eq!(app.anonymous(&unknown, None).await.0, StatusCode::NOT_FOUND);
    // No raiser, no contact data, no unit of anyone's; no attendee's name in the minutes.
    app.assert_nothing_private(&html, "the board");
    app.assert_nothing_private(&minutes, &link);
    let mut conn = app.state.db.conn().unwrap();
    for attendee in ["李明", "赵刚", "刘主任"] {
        assert!(!minutes.contains(attendee), "{attendee} in the public minutes");
    }
    let filter = roundtable_store::IssueFilter::default();
    let page = roundtable_store::PageRequest { limit: 200, ..Default::default() };
    let all = roundtable_store::issues::list_issues(&mut conn, app.community(), &filter, &page).unwrap();
    for unit in all.items.iter().filter_map(|i| i.unit.as_deref()) {
        assert!(!html.contains(&format!("· {unit}")) && !html.contains(&format!(">{unit}<")), "unit {unit} shown");
    }
    // Cacheable: unchanged, it is 304.
    let tag = headers[header::ETAG].to_str().unwrap().to_owned();
    assert_eq!(app.anonymous(&board, Some(&tag)).await.0, StatusCode::NOT_MODIFIED);
    // Filters: a company's promises only; a bad month is refused.
    let anshang = app.org("安尚物业");
    let (_, _, bytes) = app.anonymous(&format!("{board}?company={anshang}"), None).await;
    let only = String::from_utf8(bytes).unwrap();
    assert!(only.contains("安尚物业") && !only.contains("· 谐安物业"), "{only}");
    // A filter that cannot be read is named, with the way to the board without filters;
    // a company or compound not of this community is not an empty board.
    let nobody = uuid::Uuid::now_v7();
    for (query, said) in [
        ("month=2026-13", "月份: 格式不正确"),
        ("state=nope", "状态: 在本社区不存在"),
        (&format!("company={nobody}") as &str, "责任单位: 在本社区不存在"),
        (&format!("compound={nobody}&month=2026-11"), "小区: 在本社区不存在"),
    ] {
        let (status, _, bytes) = app.anonymous(&format!("{board}?{query}"), None).await;
        let page = String::from_utf8(bytes).unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.contains(said), "{query}: {page}");
        assert!(page.contains(&format!("href=\"{board}\" id=\"without-query\"")), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_is_off_when_public_views_are() {
    let app = TestApp::sqlite().config(|c| c.public.enabled = false).build();
    let board = format!("/communities/{}/board", app.community());
    assert_eq!(app.anonymous(&board, None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_subscribes_to_its_commitments_falling_due() {
    let app = TestApp::sqlite().build();
    let anshang = app.org("安尚物业");
    let raised = crate::api_flow::raise(&app, "消防通道堆物").await;
    let assigned = crate::api_flow::fire(&app, SECRETARY, &raised, "assign", json!({"responsible_org": anshang})).await;
    let due = crate::api_flow::in_days(&app, 6);
    let body = json!({"commitment_text": "三日内清理", "due_date": due});
    crate::api_flow::fire(&app, "anshang@dongsheng.example", &assigned, "commit", body).await;
    let path = format!("/communities/{}/companies/{anshang}/due.ics", app.community());
    let (status, _, bytes) = app.anonymous(&path, None).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).unwrap();
    let all = events(&text);
    let secretary = app.token(SECRETARY).await;
    let open =
        app.get(&format!("/api/v1/issues?state=committed&responsible_org={anshang}&limit=200"), &secretary).await;
    let expected = open.body["items"].as_array().unwrap();
    assert_eq!(all.len(), expected.len(), "{text}");
    assert!(!expected.is_empty(), "the demo has open promises of Anshang's");
    for e in &all {
        assert!(e.get_summary().is_some_and(|s| s.starts_with("承诺到期：")), "{e:?}");
    }
    assert!(text.contains(&format!("DTSTART;VALUE=DATE:{}", due.replace('-', ""))), "all-day, on the due date: {text}");
    for private in ["叶莉", "张秀兰", "@dongsheng.example"] {
        assert!(!text.contains(private), "{private} in the feed");
    }
    app.assert_nothing_private(&text, "the company's feed");
    let unknown = format!("/communities/{}/companies/{}/due.ics", app.community(), uuid::Uuid::now_v7());
    assert_eq!(app.anonymous(&unknown, None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secretarys_home_and_the_scorecard_page_show_the_years_charts() {
    let app = TestApp::sqlite().build();
    let secretary = app.pages();
    secretary.sign_in(SECRETARY).await;
    let home = secretary.get("/").await.html;
    for id in ["home-flow", "home-ages"] {
        let at = home.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id} on the secretary's home: {home}"));
        let section = &home[at..];
        let section = &section[..section.find("</section>").unwrap()];
        assert!(section.contains("<svg") && section.contains("class=\"chart-table\""), "{section}");
    }
    // The demo has promises that fell due unkept: the flow counts them month by month.
    let flow = &home[home.find("id=\"home-flow\"").unwrap()..];
    let flow = &flow[..flow.find("</table>").unwrap()];
    assert!(flow.contains("到期未兑现"), "{flow}");
    let unkept: u32 = flow
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .map(|row| row.split("<td>").nth(3).and_then(|c| c[..c.find('<').unwrap()].parse::<u32>().ok()).unwrap())
        .sum();
    assert!(unkept > 0, "{flow}");
    // The scorecard page: each company's on-time rate, and the flow.
    let scorecard = secretary.get("/scorecard").await.html;
    assert!(
        scorecard.contains("id=\"scorecard-on-time\"") && scorecard.contains("id=\"scorecard-flow\""),
        "{scorecard}"
    );
    // A resident's home has none of it.
    let resident = app.pages();
    resident.sign_in("resident@dongsheng.example").await;
    assert!(!resident.get("/").await.html.contains("home-flow"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_speaks_english_to_an_english_browser() {
    let app = TestApp::sqlite().build();
    let reader = app.pages().accept_language("en");
    let board = reader.get(&format!("/communities/{}/board", app.community())).await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.html.contains("<html lang=\"en\""), "{}", &board.html[..200]);
    for text in ["Commitments board", "Issues raised, resolved and overdue, month by month", "Fell due unkept"] {
        assert!(board.html.contains(text), "{text}");
    }
    assert!(!board.html.contains("承诺公示"), "no Chinese page title");
}
