//! Working days (工作日历): a yellow issue's timers count by the deployment's calendar, so
//! the National Day holiday does not run against the company and the Saturday worked in
//! its place does; the administration page says which year the calendar still lacks.

use chrono::{DateTime, Utc};
use roundtable_core::WorkCalendar;
use roundtable_e2e::{TestApp, on_both_databases};
use roundtable_web::jobs::reminders;
use serde_json::{Value, json};

use crate::api_flow::fire;
use crate::urgency::{raise, timers};

// Wednesday 30 September 2026, 10:00 in Jincheng: the eve of the National Day holiday.
on_both_databases!(at super::at("2026-09-30T02:00:00Z"); a_yellow_issue_raised_before_the_national_day_holiday_is_due_after_it);

const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";
const ADMIN: &str = "admin@dongsheng.example";
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
    reminders::tick(&state.db, &state.workflows, &state.config.calendar, at(now)).await.unwrap();
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
