//! Twelve months of a community's life through the API, with a moving clock: issues are
//! raised every day (the days just before each meeting too), some assigned and left
//! without a commitment, some committed and let slip, some resolved and verified; every
//! first Sunday a draft is built five days ahead, published and the meeting held, deciding
//! on some items and not reaching others. At every meeting, each issue still open is on
//! the agenda or was dealt with at an earlier held meeting and has not changed since.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use roundtable_e2e::TestApp;
use serde_json::{Value, json};

use crate::api_flow::try_fire;

const SECRETARY: &str = "secretary@dongsheng.example";
const ANSHANG: &str = "anshang@dongsheng.example";
const SUPERVISOR: &str = "supervisor@dongsheng.example";

/// What the test knows of an issue, independently of the server's own bookkeeping.
struct Tracked {
    issue: Value,
    /// When it last changed state (raised, or a transition the test fired).
    changed: DateTime<Utc>,
    /// When a closed meeting last recorded a decision on it (that meeting's close).
    dealt: Option<DateTime<Utc>>,
}

/// A small deterministic generator: the same history on every run and database.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % sides
    }
}

fn at(day: NaiveDate, hour_utc: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour_utc, 0, 0).unwrap().and_utc()
}

fn open_state(issue: &Value) -> bool {
    ["raised", "assigned", "committed", "resolved"].contains(&issue["state"].as_str().unwrap_or(""))
}

async fn fire(app: &TestApp, login: &str, t: &mut Tracked, transition: &str, fields: Value, now: DateTime<Utc>) {
    let reply = try_fire(app, login, &t.issue, transition, fields).await;
    assert_eq!(reply.status, StatusCode::OK, "{transition}: {}", reply.body);
    t.issue = reply.body;
    t.changed = now;
}

async fn twelve_months(app: TestApp) {
    let (secretary, supervisor) = (app.token(SECRETARY).await, app.token(SUPERVISOR).await);
    let anshang = app.org("安尚物业").to_string();
    let compound = app.compound("君悦湾").to_string();
    let mut dice = Dice(2026);
    let mut tracked: BTreeMap<String, Tracked> = BTreeMap::new();
    let mut day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let mut meetings = 0;
    for k in 0..12u32 {
        let month = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().checked_add_months(chrono::Months::new(k)).unwrap();
        let slot = roundtable_core::meeting::first_sunday(month.year(), month.month()).unwrap();
        let mut built = None;
        while day < slot {
            let now = at(day, 2); // 10:00 in Shanghai
            app.set_now(now);
            let title = format!("{day} 问题");
            let body = json!({"title": title, "category": "building", "compound": compound});
            let raised = app.post("/api/v1/issues", &supervisor, body).await;
            assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
            tracked.insert(raised.str("id").to_owned(), Tracked { issue: raised.body, changed: now, dealt: None });
            // The day's work on one issue of each kind, chosen by the dice.
            let pick = |dice: &mut Dice, tracked: &BTreeMap<String, Tracked>, state: &str| {
                let ids: Vec<String> =
                    tracked.iter().filter(|(_, t)| t.issue["state"] == state).map(|(id, _)| id.clone()).collect();
                (!ids.is_empty()).then(|| ids[dice.roll(ids.len() as u64) as usize].clone())
            };
            if dice.roll(3) > 0
                && let Some(id) = pick(&mut dice, &tracked, "raised")
            {
                let fields = json!({"responsible_org": anshang});
                fire(&app, SECRETARY, tracked.get_mut(&id).unwrap(), "assign", fields, now).await;
            }
            if dice.roll(3) == 0
                && let Some(id) = pick(&mut dice, &tracked, "assigned")
            {
                let due = day + TimeDelta::days(dice.roll(20) as i64 + 1);
                let fields = json!({"commitment_text": "限期整改", "due_date": due.to_string()});
                fire(&app, ANSHANG, tracked.get_mut(&id).unwrap(), "commit", fields, now).await;
            }
            if dice.roll(4) == 0
                && let Some(id) = pick(&mut dice, &tracked, "committed")
            {
                let fields = json!({"resolution_note": "已处理"});
                fire(&app, ANSHANG, tracked.get_mut(&id).unwrap(), "resolve", fields, now).await;
            }
            if dice.roll(3) == 0
                && let Some(id) = pick(&mut dice, &tracked, "resolved")
            {
                fire(&app, SUPERVISOR, tracked.get_mut(&id).unwrap(), "verify", json!({"satisfaction": 4}), now).await;
            }
            if day == slot - TimeDelta::days(5) {
                let build = format!("/api/v1/meetings/slots/{slot}/agenda");
                let r = app.call(Method::POST, &build, Some(&secretary), None).await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                built = Some(format!("/api/v1/meetings/{}", r.str("id")));
            }
            day = day.succ_opt().unwrap();
        }
        let path = built.expect("the draft was built five days ahead");

        // The meeting day: publish at 08:00, open, check, decide on every other item.
        app.set_now(at(slot - TimeDelta::days(1), 23) + TimeDelta::minutes(30));
        for step in ["agenda/publish", "open"] {
            let r = app.call(Method::POST, &format!("{path}/{step}"), Some(&secretary), None).await;
            assert_eq!(r.status, StatusCode::OK, "{slot} {step}: {}", r.body);
        }
        let detail = app.get(&path, &secretary).await.body;
        let items = detail["items"].as_array().unwrap();
        let on: BTreeSet<&str> = items.iter().filter_map(|i| i["issue"].as_str()).collect();
        for (id, t) in &tracked {
            let settled = t.dealt.is_some_and(|d| t.changed <= d);
            if open_state(&t.issue) && !settled {
                assert!(
                    on.contains(id.as_str()),
                    "{slot}: {} ({}) is open and owed a meeting",
                    t.issue["title"],
                    t.issue["state"]
                );
            }
        }
        let mut decided = Vec::new();
        for (n, item) in items.iter().enumerate().filter(|(_, i)| i["issue"].is_string()) {
            if n % 2 == 0 {
                let outcome = format!("{path}/items/{}/outcome", item["id"].as_str().unwrap());
                let r = app.post(&outcome, &secretary, json!({"outcome": "decision"})).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                decided.push(item["issue"].as_str().unwrap().to_owned());
            }
        }
        let closed_at = at(slot, 3);
        app.set_now(closed_at);
        assert_eq!(
            app.call(Method::POST, &format!("{path}/close"), Some(&secretary), None).await.status,
            StatusCode::OK
        );
        for id in decided {
            if let Some(t) = tracked.get_mut(&id) {
                t.dealt = Some(closed_at);
            }
        }
        meetings += 1;
        day = slot.succ_opt().unwrap();
    }
    assert_eq!(meetings, 12);
    assert!(tracked.len() > 300, "a year of issues: {}", tracked.len());
}

/// Twelve months on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twelve_months_of_meetings_lose_no_issue_on_sqlite() {
    let builder = TestApp::sqlite();
    twelve_months(year_long(builder).build()).await;
}

/// Twelve months on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twelve_months_of_meetings_lose_no_issue_on_postgres() {
    match TestApp::postgres() {
        Some(builder) => twelve_months(year_long(builder).build()).await,
        None => eprintln!("skipped: twelve_months_of_meetings_lose_no_issue_on_postgres (no PostgreSQL configured)"),
    }
}

/// The clock starts the day after November's meeting; tokens outlive the year.
fn year_long(builder: roundtable_e2e::TestAppBuilder) -> roundtable_e2e::TestAppBuilder {
    builder.at("2026-11-02T02:00:00Z".parse().unwrap()).config(|c| c.auth.token_ttl_hours = 24 * 500)
}
