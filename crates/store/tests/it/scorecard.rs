//! The company comparison from what the store reads (`agenda_facts`: assignments and
//! resolutions from the timeline, verifications, extensions) on both databases, on a
//! small hand-computed month.

use std::collections::BTreeSet;

use chrono::{DateTime, Days, TimeDelta, Utc};
use roundtable_core::agenda::{Agenda, AgendaConfig, AgendaInput, IssueFacts, Tracked, build_agenda};
use roundtable_core::scorecard::Rate;
use roundtable_core::{Issue, TransitionFields, VerificationOutcome};
use roundtable_store::{agenda, issues, on_both_databases};

use crate::harness::*;

on_both_databases!(
    the_rates_come_from_the_stored_timeline,
    the_planner_reads_each_issue_as_it_is_stored,
    asking_to_hand_an_issue_back_buys_no_time
);

fn commit(town: &Town, t: &TestDb, issue: &Issue, days: u64) -> Issue {
    let due = now().date_naive() + Days::new(days);
    let fields =
        TransitionFields { commitment_text: Some("修".into()), due_date: Some(due), ..TransitionFields::default() };
    town.fire(&t.db, issue, &town.anshang_staff, "commit", fields)
}

fn fix(town: &Town, t: &TestDb, issue: &Issue, satisfaction: i64) -> Issue {
    let note = TransitionFields { resolution_note: Some("好了".into()), ..TransitionFields::default() };
    let resolved = town.fire(&t.db, issue, &town.anshang_staff, "resolve", note);
    let rated = TransitionFields { satisfaction: Some(satisfaction), ..TransitionFields::default() };
    town.fire(&t.db, &resolved, &town.supervisor, "verify", rated)
}

/// The agenda (with its comparison of the two companies) of a meeting at `meeting_at`, the
/// last one held 35 days before.
fn compare(town: &Town, facts: &[IssueFacts], meeting_at: DateTime<Utc>) -> Agenda {
    build_agenda(&AgendaInput {
        issues: facts,
        meeting_at,
        meeting_day: now().date_naive(),
        last_meeting_at: Some(meeting_at - TimeDelta::days(35)),
        companies: &[town.anshang, town.xiean],
        grid_raisers: &BTreeSet::new(),
        announcements: "",
        carried: &[],
        reviews: &[],
        config: &AgendaConfig::default(),
        tz: chrono_tz::Asia::Shanghai,
    })
}

fn the_rates_come_from_the_stored_timeline(t: &TestDb) {
    let town = Town::build(&t.db);
    let assigned: Vec<Issue> = ["电梯", "路灯", "门禁", "水管"]
        .iter()
        .map(|title| {
            let raised = town.raise(&t.db, title, town.junyue);
            town.assign(&t.db, &raised, town.anshang)
        })
        .collect();
    // Two fixed and verified (5 and 3), one committed and extended, one not committed yet.
    let committed: Vec<Issue> = assigned[..3].iter().map(|i| commit(&town, t, i, 10)).collect();
    fix(&town, t, &committed[0], 5);
    fix(&town, t, &committed[1], 3);
    let later = TransitionFields {
        due_date: Some(now().date_naive() + Days::new(20)),
        reason: Some("缺配件".into()),
        ..TransitionFields::default()
    };
    town.fire(&t.db, &committed[2], &town.secretary, "extend", later);

    let meeting_at = now().with_timezone(&Utc) + TimeDelta::hours(9);
    let facts =
        agenda::agenda_facts(&mut t.db.conn().unwrap(), town.community, meeting_at - TimeDelta::days(35), NO_RETURNS)
            .unwrap();
    let built = compare(&town, &facts, meeting_at);
    let a = built.scorecard.iter().find(|r| r.org == town.anshang).unwrap();
    let m = &a.month;
    // Response: three committed at once; the fourth has until the next meeting → 3/3.
    // Resolution: two resolved by their date → 2/2. Satisfied: 5 and 3 → 1/2.
    assert_eq!((m.received, m.response, m.resolution), (4, Rate { n: 3, m: 3 }, Rate { n: 2, m: 2 }));
    assert_eq!((m.satisfaction, m.first_time, m.extended), (Rate { n: 1, m: 2 }, Rate { n: 2, m: 2 }, 1));
    // 0.3·1 + 0.35·1 + 0.35·½ = 0.825.
    assert_eq!((m.score, m.rank), (Some(82.5), Some(1)));
    let x = built.scorecard.iter().find(|r| r.org == town.xiean).unwrap();
    assert_eq!((x.month.received, x.month.score, x.month.rank), (0, None, None));
}

/// The planner reads a narrow row — the verdict and the extensions from columns the
/// database keeps out of their JSON — which must say what the whole issue says.
fn the_planner_reads_each_issue_as_it_is_stored(t: &TestDb) {
    let town = Town::build(&t.db);
    let raise = |title| town.assign(&t.db, &town.raise(&t.db, title, town.junyue), town.anshang);
    let later = |days, reason: &str| TransitionFields {
        due_date: Some(now().date_naive() + Days::new(days)),
        reason: Some(reason.into()),
        ..TransitionFields::default()
    };
    // The longest free text a verdict and a request may hold (4,000 and 2,000 characters)
    // stays out of the index the window is read from: the writes go through.
    let note = TransitionFields { resolution_note: Some("好了".into()), ..TransitionFields::default() };
    let fixed = town.fire(&t.db, &commit(&town, t, &raise("电梯"), 10), &town.anshang_staff, "resolve", note);
    let long = TransitionFields { satisfaction: Some(4), note: Some(varied(4000)), ..TransitionFields::default() };
    let kept = town.fire(&t.db, &fixed, &town.supervisor, "verify", long);
    // Extended, then more time asked for: a count, a new date and a pending request.
    let extended =
        town.fire(&t.db, &commit(&town, t, &raise("路灯"), 10), &town.secretary, "extend", later(20, "缺配件"));
    let asked = town.fire(&t.db, &extended, &town.anshang_staff, "request_extension", later(30, &varied(2000)));
    // Found not fixed: committed again, with the raisers' verdict.
    let note = TransitionFields { resolution_note: Some("好了".into()), ..TransitionFields::default() };
    let resolved = town.fire(&t.db, &commit(&town, t, &raise("门禁"), 10), &town.anshang_staff, "resolve", note);
    let no =
        TransitionFields { reason: Some("还是坏的".into()), satisfaction: Some(2), ..TransitionFields::default() };
    let reopened = town.fire(&t.db, &resolved, &town.supervisor, "reopen", no);
    let plain = town.raise(&t.db, "水管", town.junyue);

    let conn = &mut t.db.conn().unwrap();
    let facts = agenda::agenda_facts(conn, town.community, now().to_utc() - TimeDelta::days(35), NO_RETURNS).unwrap();
    assert_eq!(facts.len(), 4);
    for issue in [&kept, &asked, &reopened, &plain] {
        let stored = issues::get_issue(conn, issue.id).unwrap();
        let read = facts.iter().find(|f| f.issue.id == issue.id).expect("on the planner's list");
        assert_eq!(read.issue, Tracked::from(&stored), "{}", stored.title);
    }
    // What was compared is there to compare.
    let read = |i: &Issue| facts.iter().find(|f| f.issue.id == i.id).unwrap().issue.clone();
    let (asked, reopened, kept) = (read(&asked), read(&reopened), read(&kept));
    assert_eq!(asked.extension_count, 1);
    assert!(asked.extension_requested_at.is_some());
    assert_eq!(asked.commitment.map(|c| c.due_date), Some(now().date_naive() + Days::new(20)), "the extended date");
    assert_eq!(
        reopened.verification.map(|v| (v.outcome, v.satisfaction)),
        Some((VerificationOutcome::NotFixed, Some(2)))
    );
    assert_eq!(kept.verification.map(|v| (v.outcome, v.satisfaction)), Some((VerificationOutcome::Verified, Some(4))));
}

/// No steps to hand an issue back looked for: the tests that have none.
const NO_RETURNS: agenda::Returns<'static> = agenda::Returns { asked: &[], refused: &[] };

/// `n` different-looking CJK characters: text that does not compress to a short entry.
fn varied(n: u32) -> String {
    (0..n).filter_map(|i| char::from_u32(0x4E00 + (i * 7919) % 20_000)).collect()
}

/// A company's time to answer runs from the assignment: asking to hand the issue back,
/// and being refused, does not start it anew — handing it to another party does.
fn asking_to_hand_an_issue_back_buys_no_time(t: &TestDb) {
    let town = Town::build(&t.db);
    let ago = |days| now().with_timezone(&Utc) - TimeDelta::days(days);
    let why = |text: &str| TransitionFields { reason: Some(text.into()), ..TransitionFields::default() };
    let assigned_at = |title| {
        let raised = town.raise_at(&t.db, title, town.junyue, ago(21));
        let to = TransitionFields { responsible_org: Some(town.anshang), ..TransitionFields::default() };
        town.fire_at(&t.db, &raised, &town.secretary, "assign", to, ago(20))
    };
    let promise = || TransitionFields {
        commitment_text: Some("修".into()),
        due_date: Some(now().date_naive() + Days::new(10)),
        ..TransitionFields::default()
    };
    // Anshang's: asked to hand it back two days in, refused on day ten, promised the day after.
    let kept = assigned_at("楼道灯");
    let asked = town.fire_at(&t.db, &kept, &town.anshang_staff, "request_return", why("属开发商保修"), ago(18));
    let refused = town.fire_at(&t.db, &asked, &town.secretary, "refuse_return", why("属物业服务范围"), ago(10));
    town.fire_at(&t.db, &refused, &town.anshang_staff, "commit", promise(), ago(9));
    // Not Anshang's after all: handed to Xie'an three days ago, who promised the next day.
    let handed = assigned_at("燃气管道");
    let asked = town.fire_at(&t.db, &handed, &town.anshang_staff, "request_return", why("归燃气公司"), ago(18));
    let to_xiean = TransitionFields {
        responsible_org: Some(town.xiean),
        reason: Some("退回成立".into()),
        ..TransitionFields::default()
    };
    let moved = town.fire_at(&t.db, &asked, &town.secretary, "reassign", to_xiean, ago(3));
    town.fire_at(&t.db, &moved, &town.secretary, "commit", promise(), ago(2));

    let meeting_at = now().with_timezone(&Utc) + TimeDelta::hours(9);
    let (asked, refused) = (["request_return".to_owned()], ["refuse_return".to_owned()]);
    let returns = agenda::Returns { asked: &asked, refused: &refused };
    let facts =
        agenda::agenda_facts(&mut t.db.conn().unwrap(), town.community, meeting_at - TimeDelta::days(35), returns)
            .unwrap();
    // Anshang's request refused on day ten is Anshang's; the one granted is no refusal.
    let refusals = |title: &str| facts.iter().find(|f| f.issue.title == title).unwrap().returns_refused.clone();
    assert_eq!((refusals("楼道灯"), refusals("燃气管道")), (vec![(ago(10), town.anshang)], vec![]));
    // Read from after the asking (a request pending across the window's start): the
    // refusal inside is still Anshang's.
    let later = agenda::agenda_facts(&mut t.db.conn().unwrap(), town.community, ago(14), returns).unwrap();
    let refused_later = later.iter().find(|f| f.issue.title == "楼道灯").unwrap().returns_refused.clone();
    assert_eq!(refused_later, vec![(ago(10), town.anshang)]);
    let assigned = |title: &str| facts.iter().find(|f| f.issue.title == title).unwrap().assigned_at;
    assert_eq!(assigned("楼道灯"), Some(ago(20)), "the refusal is no new assignment");
    assert_eq!(assigned("燃气管道"), Some(ago(3)), "the reassignment is");
    let built = compare(&town, &facts, meeting_at);
    let month = |org| built.scorecard.iter().find(|r| r.org == org).unwrap().month.clone();
    // Anshang promised eleven days after it was handed the issue, not one: late.
    assert_eq!((month(town.anshang).received, month(town.anshang).response), (1, Rate { n: 0, m: 1 }));
    // Xie'an answered the day after it was handed its issue.
    assert_eq!((month(town.xiean).received, month(town.xiean).response), (1, Rate { n: 1, m: 1 }));
    // One request turned down, counted against the company that asked.
    assert_eq!((month(town.anshang).returns_refused, month(town.xiean).returns_refused), (1, 0));
}
