//! The parties' corrections and the minutes' publication: a correction asked while the
//! minutes are being published is in before (and publication waits for its answer) or
//! refused after — never published minutes with a correction nobody answered.

use std::sync::Barrier;

use chrono::{Datelike, TimeDelta, Utc};
use roundtable_core::{Meeting, MeetingId, MeetingStatus, RevisionStatus};
use roundtable_store::{StoreError, corrections, meetings, minutes, on_both_databases};

use crate::harness::*;

on_both_databases!(a_correction_and_the_publication_never_pass_each_other);

/// A closed meeting of `town`, `months` after this one (one meeting a month).
fn closed(town: &Town, months: u32) -> Meeting {
    let at = now().with_timezone(&Utc);
    let day = now().date_naive();
    let slot = day.checked_add_months(chrono::Months::new(months)).unwrap().with_day(6).unwrap();
    Meeting {
        id: MeetingId::new(),
        community: town.community,
        slot,
        starts_at: at,
        place: "社区党群服务中心".into(),
        status: MeetingStatus::Closed,
        announcements: String::new(),
        skip_reason: None,
        opened_at: Some(at),
        closed_at: Some(at + TimeDelta::hours(2)),
        created_at: at,
    }
}

fn a_correction_and_the_publication_never_pass_each_other(t: &TestDb) {
    let town = Town::build(&t.db);
    let at = now().with_timezone(&Utc) + TimeDelta::hours(3);
    let (mut asked_first, mut published_first) = (0, 0);
    for round in 0..24 {
        let m = closed(&town, round);
        meetings::insert_meeting(&mut t.db.conn().unwrap(), &m).unwrap();
        let ask =
            || corrections::ask(&mut t.db.conn().unwrap(), &m, town.anshang, town.anshang_staff.user, "记录有误", at);
        let publish = || {
            minutes::add_revision(&mut t.db.conn().unwrap(), &m, RevisionStatus::Published, "", town.secretary.user, at)
        };
        // PostgreSQL runs writes side by side: the two race. SQLite's writes take turns
        // (one writer thread): each order in turn.
        let (asked, published) = if t.url.starts_with("postgres") {
            let start = Barrier::new(2);
            std::thread::scope(|s| {
                let asking = s.spawn(|| {
                    start.wait();
                    ask()
                });
                let publishing = s.spawn(|| {
                    start.wait();
                    publish()
                });
                (asking.join().unwrap(), publishing.join().unwrap())
            })
        } else if round % 2 == 0 {
            let asked = ask();
            (asked, publish())
        } else {
            let published = publish();
            (ask(), published)
        };
        let conn = &mut t.db.conn().unwrap();
        let stored = corrections::corrections(conn, m.id).unwrap();
        let is_published =
            minutes::revisions(conn, m.id).unwrap().iter().any(|r| r.status == RevisionStatus::Published);
        match (asked, published) {
            (Ok(corrections::Asked::New(_)), Err(StoreError::Unanswered(1))) => {
                asked_first += 1;
                assert_eq!((stored.len(), is_published), (1, false));
            }
            (Err(StoreError::Conflict { .. }), Ok(_)) => {
                published_first += 1;
                assert_eq!((stored.len(), is_published), (0, true));
            }
            other => panic!("round {round}: the correction and the publication passed each other: {other:?}"),
        }
    }
    eprintln!("asked first {asked_first}, published first {published_first} on {}", t.url.split(':').next().unwrap());
}
