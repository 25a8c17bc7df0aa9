//! The agenda job over a simulated year: one draft agenda per meeting, on time, never
//! twice — through restarts, a catch-up after downtime, two instances, and by hand.

use chrono::{DateTime, TimeDelta, Utc};
use roundtable_core::meeting::first_sunday;
use roundtable_e2e::{TestApp, on_both_databases};
use roundtable_store::{Db, DbOptions, agenda, meetings};
use roundtable_web::jobs::agenda::{Built, tick};

// They simulate 2027 from its first day, from before any of its meetings.
on_both_databases!(
    at roundtable_e2e::monday();
    a_simulated_year_builds_twelve_agendas_on_time_and_none_twice,
    a_server_that_was_down_catches_up_until_the_meetings_day_is_over,
    two_instances_build_each_agenda_once,
);

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Another process on the same database: a new pool, no shared memory.
fn instance(app: &TestApp) -> Db {
    Db::open(app.db_url(), DbOptions::default()).unwrap()
}

fn slots_built(app: &TestApp, year: i32) -> Vec<String> {
    let conn = &mut *app.state.db.conn().unwrap();
    agenda::job_runs_of(conn, agenda::AGENDA_JOB)
        .unwrap()
        .into_iter()
        .map(|(slot, _)| slot.split(':').nth(1).unwrap().to_owned())
        .filter(|s| s.starts_with(&year.to_string()))
        .collect()
}

async fn a_simulated_year_builds_twelve_agendas_on_time_and_none_twice(app: TestApp) {
    let config = (&*app.state.config, &app.state.workflows);
    let mut now = at("2027-01-01T00:00:00Z");
    let mut db = instance(&app);
    let mut built_at = Vec::new();
    let mut n = 0;
    while now < at("2027-12-20T00:00:00Z") {
        // Every five days the server restarts: a new pool, nothing remembered.
        if n % 20 == 0 {
            db = instance(&app);
        }
        for result in tick(&db, config, now, "sim").await.unwrap() {
            if let Built::Built { slot, .. } = result {
                built_at.push((slot, now));
            }
        }
        now += TimeDelta::hours(6);
        n += 1;
    }
    let expected: Vec<String> = (1..=12).map(|m| first_sunday(2027, m).unwrap().to_string()).collect();
    assert_eq!(slots_built(&app, 2027), expected, "one agenda per month, by its first Sunday");
    assert_eq!(built_at.len(), 12, "{built_at:?}");
    for (slot, when) in &built_at {
        // Five days before 09:00 Shanghai (01:00 UTC) on the slot; ticks are six hours apart.
        let due = slot.and_hms_opt(1, 0, 0).unwrap().and_utc() - TimeDelta::days(5);
        let first_tick = *when == at("2027-01-01T00:00:00Z");
        assert!(first_tick || (*when >= due && *when < due + TimeDelta::hours(6)), "{slot} built at {when}, due {due}");
    }
    // Each has its meeting row and a non-empty agenda.
    let conn = &mut *app.state.db.conn().unwrap();
    let rows = meetings::meetings(conn, app.community()).unwrap();
    for slot in expected {
        let m = rows.iter().find(|m| m.slot.to_string() == slot).expect("a meeting row");
        assert_eq!(m.starts_at.with_timezone(&chrono_tz::Asia::Shanghai).time().to_string(), "09:00:00");
        let items = agenda::agenda_items(conn, m.id).unwrap();
        assert_eq!(items.first().unwrap().section.as_str(), "announcements");
        assert_eq!(items.last().unwrap().section.as_str(), "other_business");
    }
}

async fn a_server_that_was_down_catches_up_until_the_meetings_day_is_over(app: TestApp) {
    let config = (&*app.state.config, &app.state.workflows);
    let db = instance(&app);
    // Down from before the build time (29 December) until 2 January 21:00 UTC.
    let results = tick(&db, config, at("2027-01-02T21:00:00Z"), "late").await.unwrap();
    assert!(matches!(results[0], Built::Built { .. }), "{results:?}");
    // Down through February's whole window, back half an hour after the meeting began: it
    // can still be held that day, so its draft is built.
    let results = tick(&db, config, at("2027-02-07T01:30:00Z"), "late").await.unwrap();
    assert!(matches!(results[0], Built::Built { .. }), "{results:?}");
    // Down through March's, back the day after (Monday 00:00 in Shanghai): too late.
    let results = tick(&db, config, at("2027-03-07T16:00:00Z"), "late").await.unwrap();
    assert_eq!(results, [Built::NotDue]);
    assert_eq!(slots_built(&app, 2027), ["2027-01-03", "2027-02-07"]);
}

async fn two_instances_build_each_agenda_once(app: TestApp) {
    let config = (&*app.state.config, &app.state.workflows);
    let (a, b) = (instance(&app), instance(&app));
    let now = at("2027-03-02T01:00:00Z");
    let (ra, rb) = tokio::join!(tick(&a, config, now, "a"), tick(&b, config, now, "b"));
    let mut results: Vec<String> = ra
        .unwrap()
        .into_iter()
        .chain(rb.unwrap())
        .map(|r| format!("{r:?}").split(' ').next().unwrap().to_owned())
        .collect();
    results.sort();
    assert_eq!(results, ["AlreadyBuilt", "Built"]);
    let conn = &mut *app.state.db.conn().unwrap();
    let march: Vec<_> = agenda::job_runs_of(conn, agenda::AGENDA_JOB)
        .unwrap()
        .into_iter()
        .filter(|(s, _)| s.ends_with("2027-03-07"))
        .collect();
    assert_eq!(march.len(), 1);
}
