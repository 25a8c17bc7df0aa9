//! Working days (工作日历): a yellow issue's timers count by the deployment's calendar, so
//! the National Day holiday does not run against the company and the Saturday worked in
//! its place does; the administration page says which year the calendar still lacks, and
//! an administrator enters it there when the State Council publishes it — or the street
//! office, once for all the communities of its street.

use chrono::{DateTime, Utc};
use roundtable_core::WorkCalendar;
use roundtable_e2e::{TestApp, on_both_databases};
use roundtable_web::jobs::reminders;
use serde_json::{Value, json};

use crate::api_flow::fire;
use crate::urgency::{raise, timers};

// Wednesday 30 September 2026, 10:00 in Jincheng: the eve of the National Day holiday.
on_both_databases!(
    at super::at("2026-09-30T02:00:00Z");
    a_yellow_issue_raised_before_the_national_day_holiday_is_due_after_it,
    the_administrator_enters_next_years_holidays_and_working_days_count_by_them,
    the_street_office_enters_next_years_holidays_once_for_all_its_communities,
);

const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";
const ADMIN: &str = "admin@dongsheng.example";
const STREET: &str = "street@dongsheng.example";
const UNRESOLVED: [&str; 2] = ["yellow_unresolved:remind_responsible", "yellow_unresolved:remind_secretary"];

fn at(instant: &str) -> DateTime<Utc> {
    instant.parse().expect("an RFC 3339 instant")
}

/// A yellow issue raised now, assigned to 安尚物业 and promised for 20 October.
async fn yellow_and_committed(app: &TestApp) -> Value {
    let issue = raise(app, "消防通道被车辆占用", Some("yellow")).await;
    assert_eq!(issue.body["urgency"], "yellow", "{}", issue.body);
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(app, SECRETARY, &issue.body, "assign", json!({"responsible_org": anshang})).await;
    fire(app, ANSHANG, &assigned, "commit", json!({"commitment_text": "劝离并加装隔离桩", "due_date": "2026-10-20"}))
        .await
}

async fn tick(app: &TestApp, now: &str) {
    let state = &app.state;
    reminders::tick(&state.db, &state.workflows, &state.calendars(), at(now)).await.unwrap();
}

async fn a_yellow_issue_raised_before_the_national_day_holiday_is_due_after_it(app: TestApp) {
    let issue = yellow_and_committed(&app).await;
    // The issue says when the workflow acts next: at the end of the fifth working day, not
    // of its promise (20 October) — in the API and on its page.
    assert_eq!(issue["next_timer"]["timer"], "yellow_unresolved", "{issue}");
    assert_eq!(issue["next_timer"]["at"], "2026-10-13T16:00:00Z");
    assert_eq!(issue["next_timer"]["effects"], json!(["remind_responsible", "remind_secretary"]));
    let company = app.pages();
    company.sign_in(ANSHANG).await;
    let page = company.get(&format!("/issues/{}", issue["id"].as_str().unwrap())).await;
    let next = page.html.split("id=\"next-timer\">").nth(1).and_then(|s| s.split("</dd>").next()).expect("the line");
    assert!(next.starts_with("2026-10-14 00:00 · 黄色问题：提出已满 5 个工作日，仍未办结"), "{next}");
    // Five working days: 8, 9, 10 (the Saturday worked), 12 and 13 October. Counted by the
    // weekday alone they would have ended with the holiday, on the 7th.
    tick(&app, "2026-10-08T01:00:00Z").await;
    assert!(timers(&app, &issue).is_empty(), "not due over the holiday: {:?}", timers(&app, &issue));
    tick(&app, "2026-10-13T15:59:00Z").await;
    assert!(timers(&app, &issue).is_empty(), "Tuesday the 13th is the fifth working day");
    tick(&app, "2026-10-13T16:00:00Z").await;
    assert_eq!(timers(&app, &issue), UNRESOLVED, "its end, midnight in Jincheng");
    // Then the next is the promise's: two days before its day ends.
    app.set_now(at("2026-10-14T01:00:00Z"));
    let path = format!("/api/v1/issues/{}", issue["id"].as_str().unwrap());
    let now = app.get(&path, &app.token(SECRETARY).await).await.body;
    assert_eq!(
        (now["next_timer"]["timer"].as_str(), now["next_timer"]["at"].as_str()),
        (Some("due_soon"), Some("2026-10-18T16:00:00Z"))
    );

    // The administration page says what the calendar holds; from December, that 2027 is
    // missing and what to do about it, in both languages.
    let admin = app.pages();
    admin.sign_in(ADMIN).await;
    let page = admin.get("/admin").await;
    assert!(page.html.contains("工作日历") && page.html.contains("2026"), "{}", page.html);
    assert!(!page.html.contains("calendar-missing"), "2026 is held and October is not a month before 2027");
    app.set_now(at("2026-12-05T02:00:00Z"));
    admin.sign_in(ADMIN).await; // two months on: a new session
    let page = admin.get("/admin").await;
    assert!(page.html.contains("工作日历尚无 2027 年的节假日安排"), "{}", page.html);
    let english = app.pages().accept_language("en-GB,en;q=0.9");
    english.sign_in(ADMIN).await;
    let page = english.get("/admin").await;
    assert!(page.html.contains("The calendar holds no public holidays for 2027"), "{} {}", page.status, page.html);
    // The secretary does not administer the deployment: the page is not hers.
    let secretary = app.pages();
    secretary.sign_in(SECRETARY).await;
    assert_eq!(secretary.get("/admin").await.status, axum::http::StatusCode::FORBIDDEN);
}

/// A made-up 2027 (the State Council's is not out when this is written): the Spring
/// Festival from Saturday 6 to Sunday 14 February, Saturday the 20th worked.
fn arrangement_2027() -> Value {
    json!({
        "holidays": [
            "2027-01-01/2027-01-03 元旦",
            "2027-02-06/2027-02-14 春节",
            "2027-04-03/2027-04-05 清明节",
            "2027-05-01/2027-05-05 劳动节",
            "2027-06-12/2027-06-14 端午节",
            "2027-09-15/2027-09-17 中秋节",
            "2027-10-01/2027-10-07 国庆节",
        ],
        "workdays": ["2027-02-20", "2027-09-26 国庆节调休", "2027-10-09"],
    })
}

async fn the_administrator_enters_next_years_holidays_and_working_days_count_by_them(app: TestApp) {
    // Saturday 5 December 2026: the notice for 2027 is out, the calendar lacks it.
    app.set_now(at("2026-12-05T02:00:00Z"));
    let (admin, secretary) = (app.token(ADMIN).await, app.token(SECRETARY).await);
    let resident = app.token("resident@dongsheng.example").await;
    let seen = app.get("/api/v1/workdays", &resident).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!((seen.body["missing"].clone(), seen.body["years"][0]["year"].clone()), (json!(2027), json!(2026)));
    assert_eq!(seen.body["years"][0]["source"], "configuration");
    assert_eq!(seen.body["years"][0]["holiday_days"], 33, "2026's seven holidays: {}", seen.body);
    let put = |token: String, year: &str, body: Value| {
        let path = format!("/api/v1/workdays/{year}");
        let app = &app;
        async move { app.call(axum::http::Method::PUT, &path, Some(&token), Some(body)).await }
    };
    assert_eq!(put(secretary.clone(), "2027", arrangement_2027()).await.status, 403, "not an administrator");

    // Mistakes in copying the notice are refused by line, and nothing is kept.
    let refused = |holidays: Value, workdays: Value| {
        put(admin.clone(), "2027", json!({"holidays": holidays, "workdays": workdays}))
    };
    let codes = |r: &roundtable_e2e::Reply| -> Vec<String> {
        r.body["errors"].as_array().map_or(vec![], |a| {
            a.iter().map(|e| format!("{}:{}", e["field"].as_str().unwrap(), e["problem"].as_str().unwrap())).collect()
        })
    };
    for (holidays, workdays, expected) in [
        (json!(["2027-02-30 春节"]), json!([]), "holidays:not_a_day"),
        (json!(["2027-02-14/2027-02-06"]), json!([]), "holidays:backwards"),
        (json!(["2028-01-01"]), json!([]), "holidays:outside_year"),
        (json!(["2027-02-06/2027-03-14"]), json!([]), "holidays:span_too_long"),
        (json!(["2027-01-01"]), json!(["2027-02-08"]), "workdays:not_a_weekend"),
        (json!(["2027-02-06/2027-02-14"]), json!(["2027-02-07"]), "workdays:both"),
        (json!([]), json!(["2027-02-20"]), "holidays:missing"),
        (json!(["2027-01-01 元\u{0}旦"]), json!([]), "holidays[0]:control_character"),
        (json!(["\u{200B}", "2027-01-011"]), json!([]), "holidays:not_a_day"),
    ] {
        let r = refused(holidays.clone(), workdays).await;
        assert_eq!((r.status.as_u16(), codes(&r)), (422, vec![expected.to_owned()]), "{holidays}: {}", r.body);
    }
    let two = refused(json!(["2027-01-01", "元旦", "2027-10-01/2027-10-70"]), json!([])).await;
    assert_eq!(codes(&two), ["holidays:not_a_day", "holidays:not_a_day"], "every bad line: {}", two.body);
    assert_eq!(two.body["errors"][0]["item"], "元旦", "the line is named");
    let long = refused(json!([format!("2027-01-01 {}", "元".repeat(41))]), json!([])).await;
    assert_eq!((long.status.as_u16(), long.body["errors"][0]["max_chars"].clone()), (422, json!(40)), "{}", long.body);
    let far = put(admin.clone(), "2029", arrangement_2027()).await;
    assert_eq!((far.status.as_u16(), codes(&far)), (422, vec!["year:out_of_range".to_owned()]), "{}", far.body);
    assert_eq!(put(admin.clone(), "二〇二七", arrangement_2027()).await.status, 404, "no such year");
    let wrong_type = refused(json!("2027-01-01"), json!([])).await;
    assert_eq!(wrong_type.status, 422, "{}", wrong_type.body);
    let unknown = put(admin.clone(), "2027", json!({"holidays": ["2027-01-01"], "holiday": []})).await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    let raw = app
        .raw(
            axum::http::Method::PUT,
            "/api/v1/workdays/2027",
            Some(&admin),
            Some("application/json"),
            b"{\"holidays\": [".to_vec(),
        )
        .await;
    assert_eq!(raw.status, 400);
    assert_eq!(app.get("/api/v1/workdays", &admin).await.body["missing"], 2027, "nothing kept");

    // Another community's administrator enters their own year; the community's is kept.
    app.add_community("西城社区", "xicheng", None, "西城物业");
    let west = app.token("admin@xicheng.example").await;
    let theirs = put(west.clone(), "2027", json!({"holidays": ["2027-01-01 元旦"]})).await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert_eq!(app.get("/api/v1/workdays", &admin).await.body["missing"], 2027, "not Dongsheng's");

    // Entered, it is in force at once: the calendar, the meeting calendar's marks, timers.
    let entered = put(admin.clone(), "2027", arrangement_2027()).await;
    assert_eq!(entered.status, 200, "{}", entered.body);
    assert_eq!((entered.body["holiday_days"].clone(), entered.body["workday_days"].clone()), (json!(33), json!(3)));
    assert_eq!(entered.body["holidays"][1], json!({"first": "2027-02-06", "last": "2027-02-14", "name": "春节"}));
    let seen = app.get("/api/v1/workdays", &resident).await.body;
    assert_eq!(seen["missing"], Value::Null, "{seen}");
    assert_eq!((seen["years"][1]["year"].clone(), seen["years"][1]["source"].clone()), (json!(2027), json!("entered")));
    assert_eq!(seen["years"][1]["entered_by"], Value::Null, "who entered it is for administrators");
    let by = app.get("/api/v1/workdays", &admin).await.body["years"][1]["entered_by"].clone();
    assert!(by.as_str().is_some_and(|n| !n.is_empty()), "{by}");
    let audit = app.get("/api/v1/audit?subject=calendar", &admin).await.body;
    assert_eq!(audit["items"][0]["action"], "holidays_entered", "{audit}");
    assert!(
        audit["items"][0]["details"]["holidays"].as_str().unwrap().contains("2027-02-06/2027-02-14 春节"),
        "{audit}"
    );
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1), "refusals are not on the trail");

    let admin_pages = app.pages();
    admin_pages.sign_in(ADMIN).await;
    assert!(!admin_pages.get("/admin").await.html.contains("calendar-missing"));
    let meetings = admin_pages.get("/meetings").await.html;
    let february = meetings.split("<tr").find(|r| r.contains("2027-02-07 09:00")).expect("February's row");
    assert!(february.contains("badge day-holiday"), "the Spring Festival's Sunday: {february}");

    // A yellow issue raised on Friday 5 February 2027 and promised for the 26th is to be
    // fixed by the end of its fifth working day: Friday the 19th, after the Spring Festival
    // — counted by the weekday alone it would be the 12th.
    app.set_now(at("2027-02-05T02:00:00Z"));
    app.forget_tokens();
    let issue = raise(&app, "单元门禁失灵，春节期间无法进出", Some("yellow")).await;
    assert_eq!(issue.status, 201, "{}", issue.body);
    let anshang = app.org("安尚物业").to_string();
    let assigned = fire(&app, SECRETARY, &issue.body, "assign", json!({"responsible_org": anshang})).await;
    let committed =
        fire(&app, ANSHANG, &assigned, "commit", json!({"commitment_text": "更换门禁主板", "due_date": "2027-02-26"}))
            .await;
    assert_eq!(committed["next_timer"]["timer"], "yellow_unresolved", "{committed}");
    assert_eq!(committed["next_timer"]["at"], "2027-02-19T16:00:00Z");

    // Entered again (the notice corrected), the year is replaced, not added to: the 11th,
    // 12th, 15th, 16th and 17th are the five.
    let mut corrected = arrangement_2027();
    corrected["holidays"][1] = json!("2027-02-06/2027-02-10 春节");
    let again = put(app.token(ADMIN).await, "2027", corrected).await;
    assert_eq!((again.status.as_u16(), again.body["holiday_days"].clone()), (200, json!(29)), "{}", again.body);
    let path = format!("/api/v1/issues/{}", issue.body["id"].as_str().unwrap());
    let now = app.get(&path, &app.token(SECRETARY).await).await.body;
    assert_eq!(now["next_timer"]["at"], "2027-02-17T16:00:00Z", "{now}");

    // A restarted server reads what was entered.
    let state = &app.state;
    let restarted =
        roundtable_web::state::AppState::new(state.db.clone(), (*state.workflows).clone(), (*state.config).clone());
    let calendar = restarted.calendar_of(app.community());
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2027, m, d).unwrap();
    assert!(
        !calendar.is_working_day(day(2, 10))
            && calendar.is_working_day(day(2, 11))
            && calendar.is_working_day(day(2, 20))
    );
    assert!(calendar.covers(2026), "the configuration's years stay");
    let communities = roundtable_store::directory::communities(&mut state.db.conn().unwrap()).unwrap();
    let west_id = communities.iter().find(|c| c.name == "西城社区").expect("the second community").id;
    let theirs = restarted.calendar_of(west_id);
    assert!(theirs.is_working_day(day(2, 10)) && !theirs.is_working_day(day(1, 1)), "each community its own");
    let west_view = app.get("/api/v1/workdays", &app.token("admin@xicheng.example").await).await.body;
    assert_eq!(west_view["years"][1]["holiday_days"], 1, "{west_view}");
}

/// `[calendar]` takes effect: a deployment that lists no holidays counts weekdays only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_holidays_the_weekdays_alone_are_counted() {
    let app = TestApp::sqlite().at(at("2026-09-30T02:00:00Z")).config(|c| c.calendar = WorkCalendar::default()).build();
    let issue = yellow_and_committed(&app).await;
    tick(&app, "2026-10-07T15:59:00Z").await;
    assert!(timers(&app, &issue).is_empty());
    tick(&app, "2026-10-07T16:00:00Z").await;
    assert_eq!(timers(&app, &issue), UNRESOLVED, "1, 2, 5, 6 and 7 October");
}

/// The first Sunday is the joint meeting's day, and often not an ordinary Sunday: in 2026
/// four of twelve were a holiday or worked (调休). The calendar page says so, and the
/// secretary, who may move the meeting, is told she may.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meeting_calendar_marks_a_first_sunday_that_is_a_holiday_or_worked() {
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let holidays = (1..=7).map(|d| day(2026, 10, d)).chain((1..=3).map(|d| day(2027, 1, d)));
    let calendar = WorkCalendar::new(holidays, [day(2027, 2, 7)]).unwrap();
    let app = TestApp::sqlite().at(roundtable_e2e::monday()).config(|c| c.calendar = calendar).build();
    let row = |html: &str, when: &str| -> String {
        html.split("<tr").find(|r| r.contains(when)).unwrap_or_else(|| panic!("{when}'s row: {html}")).to_owned()
    };
    let pages = app.pages();
    pages.sign_in(SECRETARY).await;
    let page = pages.get("/meetings").await;
    let january = row(&page.html, "2027-01-03 09:00");
    assert!(january.contains(r#"<span class="badge day-holiday">法定节假日</span>"#), "{january}");
    assert!(january.contains("可在下方改期"), "{january}");
    let february = row(&page.html, "2027-02-07 09:00");
    assert!(february.contains(r#"<span class="badge day-make_up_workday">调休上班日</span>"#), "{february}");
    let october = row(&page.html, "2026-10-04 09:00");
    assert!(october.contains("法定节假日") && !october.contains("改期"), "past, held on it: {october}");
    assert!(!row(&page.html, "2026-12-06 09:00").contains("badge day-"), "an ordinary Sunday");

    // The home page's next meeting (December's, an ordinary Sunday) has no badge; on the
    // last day of November with December skipped, January's is next and has.
    assert!(!pages.get("/").await.html.contains("badge day-"));
    let skip = [("slot", "2026-12-06"), ("skip", "1"), ("reason", "社区换届选举")];
    assert_eq!(pages.submit("/meetings", "/meetings/schedule", &skip).await.status, axum::http::StatusCode::SEE_OTHER);
    let home = pages.get("/").await.html;
    assert!(home.contains(r#"2027-01-03 09:00</strong> <span class="badge day-holiday">法定节假日</span>"#), "{home}");

    // Moved to the Sunday after, January's meeting is on an ordinary day.
    let fields = [("slot", "2027-01-03"), ("starts_at", "2027-01-10T09:00")];
    let moved = pages.submit("/meetings", "/meetings/schedule", &fields).await;
    assert_eq!(moved.status, axum::http::StatusCode::SEE_OTHER, "{}", moved.html);
    let page = pages.get("/meetings").await;
    assert!(!row(&page.html, "2027-01-10 09:00").contains("badge day-"), "{}", page.html);

    // A resident sees the day for what it is, not the secretary's hint.
    let resident = app.pages();
    resident.sign_in("resident@dongsheng.example").await;
    let february = row(&resident.get("/meetings").await.html, "2027-02-07 09:00");
    assert!(february.contains("调休上班日") && !february.contains("改期"), "{february}");
}

/// The administrator enters a year on the working-day calendar page: refused lines are
/// named and what was typed stays; saved, the page lists it day by day with weekdays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_enters_a_year_on_the_working_day_calendar_page() {
    use axum::http::StatusCode;
    let app = TestApp::sqlite().at(at("2026-12-05T02:00:00Z")).build();
    let admin = app.pages();
    admin.sign_in(ADMIN).await;
    let card = admin.get("/admin").await.html;
    assert!(card.contains(r#"href="/admin/workdays""#) && card.contains("calendar-missing"), "{card}");
    let page = admin.get("/admin/workdays").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("尚无 2027 年的节假日安排"), "the missing year is chosen first: {}", page.html);
    assert!(page.html.contains(r#"action="/admin/workdays/2027""#), "{}", page.html);
    // 2026, from the configuration, reads as its notice does.
    let y2026 = admin.get("/admin/workdays?year=2026").await.html;
    assert!(y2026.contains("来自配置文件") && y2026.contains("法定节假日共 33 天，调休上班 6 天"), "{y2026}");
    assert!(y2026.contains("2026-10-01（周四） – 2026-10-07（周三）"), "{y2026}");
    assert!(y2026.contains("2026-02-15/2026-02-23\n2026-04-04/2026-04-06\n"), "the form holds the year: {y2026}");

    let typed = "2027-01-01/2027-01-03 元旦\n2027-13-01 <b>春节</b>\n";
    let refused = admin
        .submit("/admin/workdays", "/admin/workdays/2027", &[("holidays", typed), ("workdays", "2027-02-08")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.html);
    assert!(
        refused.html.contains(
            "不是日期：应写作 2027-10-01 或 2027-10-01/2027-10-07，后面可加名称：“2027-13-01 &lt;b&gt;春节&lt;/b&gt;”"
        ),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("不是周六或周日"), "{}", refused.html);
    assert!(
        refused.html.contains("2027-13-01 &lt;b&gt;春节&lt;/b&gt;\n</textarea>"),
        "typed text kept, escaped: {}",
        refused.html
    );
    assert!(!refused.html.contains("<b>春节"), "escaped");

    // The notice pasted whole fills the lists, to check: nothing is saved by reading it.
    let notice = "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n\
                  二、春节：2月6日（农历腊月三十、周六）至14日（周日）放假调休，共9天。2月20日（周六）上班。\n";
    let read = admin.submit("/admin/workdays", "/admin/workdays/2027/notice", &[("notice", notice)]).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.html);
    assert!(read.html.contains("已从通知读出 2 个假期、1 个调休上班日"), "{}", read.html);
    assert!(
        read.html.contains(">2027-01-01/2027-01-03 元旦\n2027-02-06/2027-02-14 春节\n</textarea>"),
        "{}",
        read.html
    );
    assert!(read.html.contains(">2027-02-20 春节\n</textarea>"), "{}", read.html);
    assert!(admin.get("/admin/workdays").await.html.contains("尚无 2027 年的节假日安排"), "not saved");
    let junk = admin.submit("/admin/workdays", "/admin/workdays/2027/notice", &[("notice", "<b>春节快乐</b>")]).await;
    assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(junk.html.contains("未能从中读出假期日期") && !junk.html.contains("<b>春节"), "{}", junk.html);

    let holidays = "2027-01-01/2027-01-03 元旦\n2027-02-06/2027-02-14 春节\n2027-10-01/2027-10-07 国庆节";
    let saved = admin
        .submit(
            "/admin/workdays?year=2027",
            "/admin/workdays/2027",
            &[("holidays", holidays), ("workdays", "2027-02-20\n2027-10-09")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.location(), "/admin/workdays?year=2027&done=holidays_entered");
    let page = admin.get(saved.location()).await.html;
    assert!(page.contains("节假日安排已保存"), "{page}");
    assert!(page.contains("2027-02-06（周六） – 2027-02-14（周日） · 春节"), "{page}");
    assert!(page.contains("法定节假日共 19 天，调休上班 2 天"), "{page}");
    assert!(page.contains("录入。") && !page.contains("calendar-missing"), "{page}");
    // In English the weekdays are said so.
    let english = app.pages().accept_language("en");
    english.sign_in(ADMIN).await;
    assert!(english.get("/admin/workdays?year=2027").await.html.contains("2027-02-06 (Sat) – 2027-02-14 (Sun) · 春节"));

    // Not the secretary's page, and not without the form's token.
    let secretary = app.pages();
    secretary.sign_in(SECRETARY).await;
    assert_eq!(secretary.get("/admin/workdays").await.status, StatusCode::FORBIDDEN);
    let forged = secretary.submit("/", "/admin/workdays/2027", &[("holidays", "2027-01-01")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let no_token =
        admin.request(axum::http::Method::POST, "/admin/workdays/2027", Some(&[("holidays", "2027-01-01")])).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN, "{}", no_token.html);
    assert!(admin.get("/admin/workdays?year=2027").await.html.contains("法定节假日共 19 天"), "nothing changed");
}

/// The street office enters the State Council's notice once, and every community of its
/// street counts by it — not another street's; all or none, a community whose own other
/// years disagree named; on each community's trail.
async fn the_street_office_enters_next_years_holidays_once_for_all_its_communities(app: TestApp) {
    use axum::http::{Method, StatusCode};
    app.set_now(at("2026-12-05T02:00:00Z"));
    let west = app.add_community("西城社区", "xicheng", Some("开发区街道"), "西城物业");
    let north = app.add_community("北门社区", "beimen", Some("北门街道"), "北门物业");
    let (west_admin, north_admin) = (app.token(&west[1]).await, app.token(&north[1]).await);
    let street = app.token(STREET).await;
    let overview = app.get("/api/v1/street/workdays", &street).await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    assert_eq!(overview.body["street"], "开发区街道");
    let names: Vec<&str> =
        overview.body["communities"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["东圣社区", "西城社区"], "its street's, not North Gate's: {}", overview.body);
    assert!(overview.body["communities"].as_array().unwrap().iter().all(|c| c["missing"] == 2027));

    // The street's page says which communities lack next year, and where to enter it.
    let pages = app.pages();
    pages.sign_in(STREET).await;
    let page = pages.get("/street").await.html;
    let missing = page.split(r#"<div id="street-calendar-missing""#).nth(1).expect("the missing year said").to_owned();
    assert!(missing.contains("尚无 2027 年节假日安排：东圣社区、西城社区。"), "{missing}");
    assert!(page.contains(r#"<a href="/street/workdays" id="street-workdays">"#), "{page}");

    let put = |token: &str, path: &str, body: Value| {
        let (app, token, path) = (&app, token.to_owned(), path.to_owned());
        async move { app.call(Method::PUT, &path, Some(&token), Some(body)).await }
    };
    let street_2027 = "/api/v1/street/workdays/2027";
    for who in [ADMIN, SECRETARY, "resident@dongsheng.example"] {
        let r = put(&app.token(who).await, street_2027, arrangement_2027()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
    }
    assert_eq!(app.get("/api/v1/street/workdays", &app.token(ADMIN).await).await.status, StatusCode::FORBIDDEN);
    let bad = put(&street, street_2027, json!({"holidays": ["2027-02-30 春节"]})).await;
    assert_eq!(
        (bad.status, bad.body["errors"][0]["problem"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("not_a_day"))
    );
    // West City's administrator had the last Sunday of 2026 worked; a notice that makes
    // it New Year's holiday disagrees with West City's 2026 — named, and nobody's kept.
    let own = json!({"holidays": ["2026-10-01/2026-10-07 国庆节"], "workdays": ["2026-12-27"]});
    assert_eq!(put(&west_admin, "/api/v1/workdays/2026", own).await.status, StatusCode::OK);
    let mut clash = arrangement_2027();
    clash["holidays"][0] = json!("2026-12-27/2027-01-01 元旦");
    let refused = put(&street, street_2027, clash).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.body["errors"][0]["field"], "workdays", "{}", refused.body);
    let said = refused.body["errors"][0]["message"].as_str().unwrap();
    assert!(said.contains("with the other years of 西城社区") && said.contains("2026-12-27"), "{said}");
    let overview = app.get("/api/v1/street/workdays", &street).await.body;
    assert!(
        overview["communities"].as_array().unwrap().iter().all(|c| c["missing"] == 2027),
        "nothing kept: {overview}"
    );

    // Entered on the street's page: every community of the street counts by it at once.
    let form = pages.get("/street/workdays").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("开发区街道下辖 2 个社区"), "{}", form.html);
    let listed = form.html.split(r#"id="street-communities""#).nth(1).unwrap().split("</section>").next().unwrap();
    assert_eq!(listed.matches("未录入").count(), 2, "{listed}");
    assert!(
        form.html.contains(r#"action="/street/workdays/2027""#) && form.html.contains("为 2 个社区保存 2027 年安排")
    );
    let holidays = "2027-01-01/2027-01-03 元旦\n2027-02-06/2027-02-14 春节\n2027-10-01/2027-10-07 国庆节";
    let saved = pages
        .submit("/street/workdays", "/street/workdays/2027", &[("holidays", holidays), ("workdays", "2027-02-20")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.location(), "/street/workdays?year=2027&done=holidays_entered_street");
    let page = pages.get(saved.location()).await.html;
    assert!(page.contains("节假日安排已保存到街道的每个社区"), "{page}");
    let listed = page.split(r#"id="street-communities""#).nth(1).unwrap().split("</section>").next().unwrap();
    assert_eq!(listed.matches("录入。").count(), 2, "{listed}");
    assert!(listed.contains("法定节假日共 19 天，调休上班 1 天"), "{listed}");
    assert!(!pages.get("/street").await.html.contains("street-calendar-missing"), "none lacks 2027 now");

    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2027, m, d).unwrap();
    for (who, token) in [("东圣社区", app.token(ADMIN).await), ("西城社区", west_admin.clone())] {
        let seen = app.get("/api/v1/workdays", &token).await.body;
        let y2027 = seen["years"].as_array().unwrap().iter().find(|y| y["year"] == 2027).expect("2027").clone();
        assert_eq!((y2027["source"].clone(), y2027["holiday_days"].clone()), (json!("entered"), json!(19)), "{who}");
        assert_eq!(y2027["entered_by"], "刘芳", "{who}: the street office entered it");
        assert_eq!(seen["missing"], Value::Null, "{who}");
        let audit = app.get("/api/v1/audit?subject=calendar", &token).await.body;
        let entry = audit["items"].as_array().unwrap().iter().find(|e| e["details"]["street"].is_string());
        let entry = entry.unwrap_or_else(|| panic!("{who}: {audit}"));
        assert_eq!(entry["details"]["street"], "开发区街道", "{who}: {entry}");
        assert!(entry["details"]["holidays"].as_str().unwrap().contains("2027-02-06/2027-02-14 春节"), "{entry}");
    }
    let communities = roundtable_store::directory::communities(&mut app.state.db.conn().unwrap()).unwrap();
    let id = |name: &str| communities.iter().find(|c| c.name == name).unwrap().id;
    assert!(!app.state.calendar_of(id("西城社区")).is_working_day(day(2, 10)), "in force at once");
    assert!(app.state.calendar_of(id("西城社区")).is_working_day(day(2, 20)), "the make-up Saturday");
    assert!(app.state.calendar_of(id("北门社区")).is_working_day(day(2, 10)), "another street's community is not");
    assert_eq!(app.get("/api/v1/workdays", &north_admin).await.body["missing"], 2027);
    assert!(!app.state.calendar_of(id("西城社区")).is_working_day(day(1, 1)));

    // Each community's administrator still enters its own year (and the street's page
    // then names who did).
    let corrected = json!({"holidays": ["2027-01-01 元旦", "2027-02-06/2027-02-10 春节"]});
    assert_eq!(put(&west_admin, "/api/v1/workdays/2027", corrected).await.status, StatusCode::OK);
    let street_view = app.get("/api/v1/street/workdays", &street).await.body;
    let west_2027 =
        &street_view["communities"][1]["years"].as_array().unwrap().iter().find(|y| y["year"] == 2027).unwrap().clone();
    assert_eq!(west_2027["holiday_days"], 6, "{street_view}");
    // Not the street's page for an administrator, nor the community's for the street.
    let admin = app.pages();
    admin.sign_in(ADMIN).await;
    assert_eq!(admin.get("/street/workdays").await.status, StatusCode::FORBIDDEN);
    assert_eq!(pages.get("/admin/workdays").await.status, StatusCode::FORBIDDEN);
    let forged = admin.submit("/", "/street/workdays/2027", &[("holidays", "2027-01-01")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Once December's meeting is past, January's falls in the New Year's holiday the
    // notice gave: the street's page marks it — for Dongsheng, not for West City, whose
    // administrator since gave New Year's Day alone.
    app.set_now(at("2026-12-10T02:00:00Z"));
    let page = pages.get("/street").await.html;
    let meetings = page.split(r#"id="street-meetings""#).nth(1).unwrap().split("</section>").next().unwrap();
    let marked = r#"2027-01-03 09:00 <span class="badge day-holiday">法定节假日</span>"#;
    assert!(meetings.contains(&format!("<strong>东圣社区</strong> · {marked}")), "{meetings}");
    assert!(meetings.contains("<strong>西城社区</strong> · 2027-01-03 09:00 · "), "{meetings}");
}
