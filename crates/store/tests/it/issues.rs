//! Issues, transitions, timelines, lists: the repository behaviour on both databases.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{Days, TimeDelta, Utc};
use roundtable_core::{Issue, IssueState, TransitionFields, TransitionRequest, VerificationOutcome, apply};
use roundtable_store::{IssueFilter, IssueOrder, PageRequest, StoreError, issues};

use crate::harness::*;
use roundtable_store::on_both_databases;

on_both_databases!(
    a_full_cycle_round_trips_with_its_timeline_and_outbox,
    a_stale_version_is_a_conflict_and_changes_nothing,
    thirty_two_threads_one_winner_per_version_no_gaps,
    lists_filter_and_page_stably_under_inserts,
    open_commitments_due_before_a_date,
    support_is_one_per_user,
    a_step_keeps_the_support_given_while_it_was_decided,
    the_async_helper_runs_on_the_pool,
    concurrent_writes_commit_together_and_fail_alone,
    what_an_issue_shows_beside_it_is_read_in_one_query,
    a_step_is_the_same_statements_however_many_are_told,
);

fn fields() -> TransitionFields {
    TransitionFields::default()
}

fn a_full_cycle_round_trips_with_its_timeline_and_outbox(t: &TestDb) {
    let town = Town::build(&t.db);
    let raised = town.raise(&t.db, "地下室漏水", town.junyue);
    let conn = &mut *t.db.conn().unwrap();
    assert_eq!(issues::get_issue(conn, raised.id).unwrap(), raised, "the raised issue reads back as written");

    let assigned = town.assign(&t.db, &raised, town.anshang);
    let due = now().date_naive() + Days::new(14);
    let committed = town.fire(
        &t.db,
        &assigned,
        &town.anshang_staff,
        "commit",
        TransitionFields { commitment_text: Some("更换防水层".into()), due_date: Some(due), ..fields() },
    );
    let resolved = town.fire(
        &t.db,
        &committed,
        &town.anshang_staff,
        "resolve",
        TransitionFields { resolution_note: Some("已更换".into()), ..fields() },
    );
    let verified = town.fire(
        &t.db,
        &resolved,
        &town.supervisor,
        "verify",
        TransitionFields { satisfaction: Some(5), note: Some("很好".into()), ..fields() },
    );

    let stored = issues::get_issue(conn, raised.id).unwrap();
    assert_eq!(stored, verified, "every field survives the round trip, to the microsecond");
    assert_eq!(stored.state, IssueState::VERIFIED);
    assert_eq!(stored.commitment.as_ref().unwrap().due_date, due);
    assert_eq!(stored.verification.as_ref().unwrap().outcome, VerificationOutcome::Verified);

    let timeline = issues::timeline(conn, raised.id).unwrap();
    let steps: Vec<_> = timeline.iter().map(|e| (e.version, e.transition.as_str(), e.actor)).collect();
    assert_eq!(
        steps,
        vec![
            (1, "raise", town.supervisor.user),
            (2, "assign", town.secretary.user),
            (3, "commit", town.anshang_staff.user),
            (4, "resolve", town.anshang_staff.user),
            (5, "verify", town.supervisor.user),
        ]
    );
    assert_eq!(timeline[2].fields.commitment_text.as_deref(), Some("更换防水层"));

    let outbox = issues::outbox_effects(conn, raised.id).unwrap();
    let effects: Vec<&str> = outbox.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(effects, ["notify_responsible", "notify_raiser", "request_verification", "notify_responsible"]);
    assert!(outbox.iter().all(|(_, status)| status == "pending"));
}

fn a_stale_version_is_a_conflict_and_changes_nothing(t: &TestDb) {
    let town = Town::build(&t.db);
    let raised = town.raise(&t.db, "路灯不亮", town.junyue);
    let to_anshang = town.outcome(
        &raised,
        &town.secretary,
        "assign",
        TransitionFields { responsible_org: Some(town.anshang), ..fields() },
    );
    let to_xiean = town.outcome(
        &raised,
        &town.secretary,
        "assign",
        TransitionFields { responsible_org: Some(town.xiean), ..fields() },
    );
    let conn = &mut *t.db.conn().unwrap();
    issues::record_transition(conn, &to_anshang).unwrap();
    match issues::record_transition(conn, &to_xiean) {
        Err(StoreError::Conflict { current }) => assert_eq!(current, 2),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let stored = issues::get_issue(conn, raised.id).unwrap();
    assert_eq!(stored.responsible_org, Some(town.anshang));
    assert_eq!(issues::timeline(conn, raised.id).unwrap().len(), 2);
    assert_eq!(issues::outbox_effects(conn, raised.id).unwrap().len(), 1, "the loser queued no mail");

    let mut ghost = to_xiean.clone();
    ghost.issue.id = roundtable_core::IssueId::new();
    assert!(matches!(issues::record_transition(conn, &ghost), Err(StoreError::NotFound)));
}

fn thirty_two_threads_one_winner_per_version_no_gaps(t: &TestDb) {
    const THREADS: u32 = 32;
    const WINS_EACH: u32 = 3;
    let town = Arc::new(Town::build(&t.db));
    let raised = town.raise(&t.db, "电梯故障", town.junyue);
    let assigned = town.assign(&t.db, &raised, town.anshang);
    let conflicts = Arc::new(AtomicU32::new(0));
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            let (db, town, conflicts) = (t.db.clone(), town.clone(), conflicts.clone());
            s.spawn(move || {
                let mut wins = 0;
                while wins < WINS_EACH {
                    let conn = &mut *db.conn().unwrap();
                    let current = issues::get_issue(conn, assigned.id).unwrap();
                    let other = if current.responsible_org == Some(town.anshang) { town.xiean } else { town.anshang };
                    let req = TransitionRequest {
                        transition: "reassign".into(),
                        version: current.version,
                        fields: TransitionFields {
                            responsible_org: Some(other),
                            reason: Some("轮换".into()),
                            ..Default::default()
                        },
                    };
                    let out = apply(&town.wf, &current, &town.secretary, &req, now()).unwrap();
                    match issues::record_transition(conn, &out) {
                        Ok(()) => wins += 1,
                        Err(StoreError::Conflict { current: v }) => {
                            assert!(v > current.version, "a conflict reports the newer version");
                            conflicts.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => panic!("unexpected error under contention: {e}"),
                    }
                }
            });
        }
    });
    let conn = &mut *t.db.conn().unwrap();
    let stored = issues::get_issue(conn, assigned.id).unwrap();
    assert_eq!(stored.version, 2 + THREADS * WINS_EACH, "every win is one version");
    let versions: Vec<u32> = issues::timeline(conn, assigned.id).unwrap().iter().map(|e| e.version).collect();
    assert_eq!(versions, (1..=stored.version).collect::<Vec<_>>(), "the event log has no gaps and no repeats");
    eprintln!("{} conflicts were refused on {}", conflicts.load(Ordering::Relaxed), t.url.split(':').next().unwrap());
}

fn lists_filter_and_page_stably_under_inserts(t: &TestDb) {
    let town = Town::build(&t.db);
    let start = now().with_timezone(&Utc) - TimeDelta::days(30);
    let mut raised = Vec::new();
    for i in 0..25 {
        let compound = if i % 2 == 0 { town.junyue } else { town.dingxiu };
        let title = if i % 5 == 0 { format!("漏水 {i}") } else { format!("噪音 {i}") };
        raised.push(town.raise_at(&t.db, &title, compound, start + TimeDelta::hours(i)));
    }
    let conn = &mut *t.db.conn().unwrap();
    // Supporters: issue i gets i % 4 supports.
    let supporters = [town.secretary.user, town.supervisor.user, town.anshang_staff.user];
    for (i, issue) in raised.iter().enumerate() {
        for user in supporters.iter().take(i % 4) {
            issues::add_support(conn, issue, *user, start).unwrap();
        }
    }

    // Newest first, pages of 10, with 3 issues raised between page 1 and page 2.
    let all = IssueFilter::default();
    let p1 = issues::list_issues(conn, town.community, &all, &PageRequest { limit: 10, ..Default::default() }).unwrap();
    assert_eq!(
        p1.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        raised.iter().rev().take(10).map(|i| i.id).collect::<Vec<_>>()
    );
    for n in 0..3 {
        town.raise(&t.db, &format!("新问题 {n}"), town.junyue);
    }
    let mut seen: Vec<_> = p1.items.iter().map(|i| i.id).collect();
    let mut cursor = p1.next_cursor.clone();
    while let Some(c) = cursor {
        let page = issues::list_issues(
            conn,
            town.community,
            &all,
            &PageRequest { limit: 10, cursor: Some(c), ..Default::default() },
        )
        .unwrap();
        seen.extend(page.items.iter().map(|i| i.id));
        cursor = page.next_cursor;
    }
    assert_eq!(seen, raised.iter().rev().map(|i| i.id).collect::<Vec<_>>(), "no issue skipped or repeated");

    // Most supported first, ties newest first, across pages.
    let mut by_support = Vec::new();
    let mut cursor = None;
    loop {
        let req = PageRequest { order: IssueOrder::Support, limit: 7, cursor };
        let page = issues::list_issues(
            conn,
            town.community,
            &IssueFilter { compound: Some(town.dingxiu), ..Default::default() },
            &req,
        )
        .unwrap();
        by_support.extend(page.items.iter().map(|i| (i.support_count, i.id)));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let mut expected: Vec<_> =
        raised.iter().enumerate().filter(|(i, _)| i % 2 == 1).map(|(i, r)| ((i % 4) as u32, r.id)).collect();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(by_support, expected);

    // The narrow listing reads the same pages, with the same cursors and values.
    let mut cursor = None;
    loop {
        let req = PageRequest { order: IssueOrder::Support, limit: 7, cursor };
        let whole = issues::list_issues(conn, town.community, &all, &req).unwrap();
        let narrow = issues::list_listings(conn, town.community, &all, &req).unwrap();
        assert_eq!(narrow.next_cursor, whole.next_cursor);
        let shown: Vec<_> = whole
            .items
            .iter()
            .map(|i| (i.id, i.state.clone(), i.title.clone(), i.compound, i.support_count, i.version, i.created_at))
            .collect();
        let listed: Vec<_> = narrow
            .items
            .iter()
            .map(|l| (l.id, l.state.clone(), l.title.clone(), l.compound, l.support_count, l.version, l.created_at))
            .collect();
        assert_eq!(listed, shown);
        cursor = whole.next_cursor;
        if cursor.is_none() {
            break;
        }
    }

    // Text (LIKE wildcards are literal), state, responsible organisation, raiser.
    let mut text = |q: &str| {
        issues::list_issues(
            conn,
            town.community,
            &IssueFilter { text: Some(q.into()), ..Default::default() },
            &PageRequest::default(),
        )
        .unwrap()
        .items
        .len()
    };
    assert_eq!(text("漏水"), 5);
    assert_eq!(text("请尽快"), 28, "descriptions are searched too");
    assert_eq!(text("%"), 0);
    town.assign(&t.db, &raised[3], town.xiean);
    let filtered = issues::list_issues(
        conn,
        town.community,
        &IssueFilter {
            states: vec!["assigned".into()],
            responsible_org: Some(town.xiean),
            raised_by: Some(town.supervisor.user),
            ..Default::default()
        },
        &PageRequest::default(),
    )
    .unwrap();
    assert_eq!(filtered.items.iter().map(|i| i.id).collect::<Vec<_>>(), [raised[3].id]);

    // Another community sees none of it; a forged cursor is refused.
    let other = Town::build(&t.db);
    assert!(issues::list_issues(conn, other.community, &all, &PageRequest::default()).unwrap().items.is_empty());
    for bad in ["n.not-an-id", "s.x.0190", "garbage", "o.0190a000-0000-7000-8000-000000000000"] {
        let req = PageRequest { cursor: Some(bad.into()), ..Default::default() };
        assert!(matches!(issues::list_issues(conn, town.community, &all, &req), Err(StoreError::BadCursor)), "{bad}");
    }
}

fn open_commitments_due_before_a_date(t: &TestDb) {
    let town = Town::build(&t.db);
    let today = now().date_naive();
    let mut committed = Vec::new();
    for (n, days) in [(0, 20u64), (1, 3), (2, 10)] {
        let issue = town.raise(&t.db, &format!("承诺 {n}"), town.junyue);
        let issue = town.assign(&t.db, &issue, town.anshang);
        let issue = town.fire(
            &t.db,
            &issue,
            &town.anshang_staff,
            "commit",
            TransitionFields {
                commitment_text: Some("修".into()),
                due_date: Some(today + Days::new(days)),
                ..fields()
            },
        );
        committed.push(issue);
    }
    let conn = &mut *t.db.conn().unwrap();
    let due = issues::commitments_due_before(conn, town.community, today + Days::new(15)).unwrap();
    assert_eq!(due.iter().map(|i| i.id).collect::<Vec<_>>(), [committed[1].id, committed[2].id], "earliest due first");
    let overdue = IssueFilter { overdue_on: Some(today + Days::new(11)), ..Default::default() };
    let listed = issues::list_issues(conn, town.community, &overdue, &PageRequest::default()).unwrap();
    let mut ids: Vec<_> = listed.items.iter().map(|i| i.id).collect();
    ids.sort();
    let mut expected = [committed[1].id, committed[2].id];
    expected.sort();
    assert_eq!(ids, expected, "due on day 3 and day 10 are overdue on day 11; day 20 is not");
}

fn support_is_one_per_user(t: &TestDb) {
    let town = Town::build(&t.db);
    let issue = town.raise(&t.db, "垃圾清运不及时", town.junyue);
    let conn = &mut *t.db.conn().unwrap();
    let at = now().with_timezone(&Utc);
    assert_eq!(issues::add_support(conn, &issue, town.resident.user, at).unwrap(), 1);
    assert_eq!(issues::add_support(conn, &issue, town.resident.user, at).unwrap(), 1, "twice counts once");
    assert_eq!(issues::add_support(conn, &issue, town.secretary.user, at).unwrap(), 2);
    assert_eq!(issues::withdraw_support(conn, issue.id, town.resident.user).unwrap(), 1);
    assert_eq!(
        issues::withdraw_support(conn, issue.id, town.resident.user).unwrap(),
        1,
        "withdrawing twice is harmless"
    );
    assert_eq!(issues::get_issue(conn, issue.id).unwrap().support_count, 1);
    assert_eq!(issues::get_issue(conn, issue.id).unwrap().version, 1, "support is not a workflow change");
}

/// Support is not a workflow change (it leaves the version as it is), so a step decided
/// on the issue as read before neighbours supported it must not write their count back.
fn a_step_keeps_the_support_given_while_it_was_decided(t: &TestDb) {
    let town = Town::build(&t.db);
    let read = town.raise(&t.db, "垃圾清运不及时", town.junyue);
    let at = now().with_timezone(&Utc);
    {
        let conn = &mut *t.db.conn().unwrap();
        issues::add_support(conn, &read, town.resident.user, at).unwrap();
        assert_eq!(issues::add_support(conn, &read, town.supervisor.user, at).unwrap(), 2);
    }
    let assigned = town.assign(&t.db, &read, town.anshang);
    assert_eq!(assigned.version, 2, "the version the step was decided on still matched");
    let conn = &mut *t.db.conn().unwrap();
    let stored = issues::get_issue(conn, read.id).unwrap();
    assert_eq!((stored.state.as_str(), stored.support_count), ("assigned", 2));
    assert_eq!(issues::withdraw_support(conn, read.id, town.resident.user).unwrap(), 1, "counted from the kept two");
}

fn the_async_helper_runs_on_the_pool(t: &TestDb) {
    let town = Town::build(&t.db);
    let issue = town.raise(&t.db, "绿化带杂草", town.junyue);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let db = t.db.clone();
    let got = rt.block_on(db.run(move |conn| issues::get_issue(conn, issue.id))).unwrap();
    assert_eq!(got.title, "绿化带杂草");
    let missing = rt.block_on(t.db.run(|conn| issues::get_issue(conn, roundtable_core::IssueId::new())));
    assert!(matches!(missing, Err(StoreError::NotFound)));
    // A panic in the work is a bug, told apart from an unreachable database.
    let read: Result<(), StoreError> = rt.block_on(t.db.run(|_| panic!("a bug")));
    assert!(matches!(read, Err(StoreError::Panicked(_))), "{read:?}");
    let write: Result<(), StoreError> = rt.block_on(t.db.write(|_| panic!("a bug")));
    assert!(matches!(write, Err(StoreError::Panicked(_))), "{write:?}");
    t.db.ping().unwrap();
}

/// Many writes at once (on SQLite, committed in groups by one thread): each answers
/// after its data is durable and visible — in the search index too, which the SQLite
/// writer fills once per group; one that fails leaves nothing behind and takes nothing
/// else down with it.
fn concurrent_writes_commit_together_and_fail_alone(t: &TestDb) {
    let town = Town::build(&t.db);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut made = Vec::new();
    let handles: Vec<_> = (0..60)
        .map(|n| {
            let new = roundtable_core::NewIssue {
                title: format!("并发 {n}"),
                description: String::new(),
                category: "building".into(),
                urgency: Default::default(),
                compound: town.junyue,
                building: None,
                unit: None,
            };
            let (issue, event) = roundtable_core::Issue::raise(&town.wf, new, &town.supervisor, chrono::Utc::now());
            made.push(issue.id);
            let db = t.db.clone();
            rt.spawn(async move {
                db.write(move |conn| {
                    issues::insert_issue(conn, &issue, &event)?;
                    // Every fifth write fails after writing: its issue must not remain.
                    if n % 5 == 0 { Err(StoreError::Corrupt(format!("boom {n}"))) } else { Ok(issue.id) }
                })
                .await
            })
        })
        .collect();
    let results: Vec<_> = rt.block_on(async {
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    });
    let conn = &mut *t.db.conn().unwrap();
    for (n, (result, id)) in results.iter().zip(&made).enumerate() {
        let stored = issues::get_issue(conn, *id);
        if n % 5 == 0 {
            assert!(matches!(result, Err(StoreError::Corrupt(m)) if *m == format!("boom {n}")), "{n}: {result:?}");
            assert!(matches!(stored, Err(StoreError::NotFound)), "the failed write {n} left its issue behind");
        } else {
            assert_eq!(result.as_ref().ok(), Some(id), "{n}");
            assert!(stored.is_ok(), "write {n} answered before its issue was stored");
        }
    }
    let q = roundtable_core::search::query("并发").unwrap();
    let mut found = roundtable_store::search::matching(conn, town.community, &q, 100).unwrap();
    found.sort();
    let mut kept: Vec<_> = made.iter().enumerate().filter(|(n, _)| n % 5 != 0).map(|(_, id)| *id).collect();
    kept.sort();
    assert_eq!(found, kept, "each stored issue is found once, no failed one");
}

/// `get_with_raiser` and `beside` (one query each), and `get_for_reader` (both in one),
/// agree with the separate reads they replace: the raiser, the proxy report, who follows (by decision, else as a member of
/// the responsible company), whether there are duplicates.
fn what_an_issue_shows_beside_it_is_read_in_one_query(t: &TestDb) {
    use roundtable_core::{Household, ProxyReport};
    use roundtable_store::{directory, notices};
    let town = Town::build(&t.db);
    let raised = town.raise(&t.db, "地下室漏水", town.junyue);
    let conn = &mut *t.db.conn().unwrap();
    let (issue, raiser) = issues::get_with_raiser(conn, raised.id).unwrap();
    assert_eq!(issue, raised);
    assert_eq!(raiser, directory::person(conn, raised.raised_by).unwrap());
    assert!(matches!(issues::get_with_raiser(conn, roundtable_core::IssueId::new()), Err(StoreError::NotFound)));

    let nothing = issues::beside(conn, &raised, town.anshang_staff.user).unwrap();
    assert_eq!(nothing, issues::Beside { proxy: None, following: false, has_duplicates: false, has_photos: false });

    // Assigned: the company's staff follow without deciding to; a resident does not.
    let assigned = town.assign(&t.db, &raised, town.anshang);
    assert!(issues::beside(conn, &assigned, town.anshang_staff.user).unwrap().following);
    assert!(!issues::beside(conn, &assigned, town.resident.user).unwrap().following);
    let at = now().with_timezone(&Utc);
    notices::set_following(conn, assigned.id, town.community, town.anshang_staff.user, false, at).unwrap();
    assert!(!issues::beside(conn, &assigned, town.anshang_staff.user).unwrap().following, "a decision wins");
    notices::set_following(conn, assigned.id, town.community, town.resident.user, true, at).unwrap();
    assert!(issues::beside(conn, &assigned, town.resident.user).unwrap().following);

    let report = ProxyReport { households: 3, contacts: vec![Household { name: "张三".into(), phone: None }] };
    issues::insert_proxy_report(conn, &assigned, &report).unwrap();
    let other = town.raise(&t.db, "地下室又漏水", town.junyue);
    town.fire(
        &t.db,
        &other,
        &town.secretary,
        "mark_duplicate",
        TransitionFields { duplicate_of: Some(assigned.id), ..fields() },
    );
    let beside = issues::beside(conn, &assigned, town.resident.user).unwrap();
    // Reading one issue takes all of it in one statement: the same answers.
    for (issue, reader) in [
        (&assigned, town.resident.user),
        (&assigned, town.anshang_staff.user),
        (&other, town.resident.user),
        (&raised, town.secretary.user),
    ] {
        let stored = issues::get_issue(conn, issue.id).unwrap();
        let (issue, raiser) = issues::get_with_raiser(conn, issue.id).unwrap();
        let expected = (issue, raiser, issues::beside(conn, &stored, reader).unwrap());
        assert_eq!(issues::get_for_reader(conn, stored.id, reader).unwrap(), expected);
    }
    assert!(issues::get_for_reader(conn, assigned.id, town.resident.user).unwrap().2.has_duplicates);
    let nobody = roundtable_core::IssueId::new();
    assert!(matches!(issues::get_for_reader(conn, nobody, town.resident.user), Err(StoreError::NotFound)));
    assert_eq!(beside.proxy, Some(report));
    assert_eq!(beside.proxy, issues::proxy_report(conn, assigned.id).unwrap());
    assert!(beside.has_duplicates);
    assert!(!issues::beside(conn, &other, town.resident.user).unwrap().has_duplicates);
}

/// Inside the write's transaction, raising an issue and taking a step are a fixed number
/// of statements, however many people a step tells: on PostgreSQL each statement is a
/// round trip, so the rows of each go as one (docs/performance.md). And everyone is still
/// told: each member of the company, the raiser, not the one who took the step.
fn a_step_is_the_same_statements_however_many_are_told(t: &TestDb) {
    use diesel::connection::{Connection, InstrumentationEvent};
    use diesel::prelude::*;
    use roundtable_core::{NewIssue, Role, User, UserId};
    use roundtable_store::schema::{follows, notices, outbox};
    use roundtable_store::{DbConn, directory};

    let town = Town::build(&t.db);
    let conn = &mut *t.db.conn().unwrap();
    let on_postgres = matches!(conn, DbConn::Pg(_));
    let statements = Arc::new(AtomicU32::new(0));
    let counter = statements.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    // The statements `write` sends inside a transaction already open, as `Db::write` runs it.
    let counted = |conn: &mut DbConn, write: &dyn Fn(&mut DbConn) -> roundtable_store::Result<()>| {
        conn.transaction(|conn| {
            statements.store(0, Ordering::SeqCst);
            write(conn)?;
            Ok::<_, StoreError>(statements.load(Ordering::SeqCst))
        })
        .unwrap()
    };
    let at = now().with_timezone(&Utc);
    let raise = |title: &str| {
        let new = NewIssue {
            title: title.into(),
            description: "雨后积水".into(),
            category: "building".into(),
            urgency: Default::default(),
            compound: town.junyue,
            building: None,
            unit: None,
        };
        Issue::raise(&town.wf, new, &town.supervisor, at)
    };
    let (first, event) = raise("地下室漏水");
    let raising = counted(conn, &|conn| issues::insert_issue(conn, &first, &event));
    let assign = |issue: &Issue| {
        town.outcome(
            issue,
            &town.secretary,
            "assign",
            TransitionFields { responsible_org: Some(town.anshang), ..fields() },
        )
    };
    let one_member = counted(conn, &|conn| issues::record_transition(conn, &assign(&first)));

    // Five more people at the company: each is told of the next assignment.
    for n in 0..5 {
        let user = User {
            id: UserId::new(),
            community: town.community,
            login: format!("anshang-{n}-{}", UserId::new().0.simple()),
            display_name: format!("安尚{n}"),
            email: None,
            phone: None,
            roles: vec![Role::Property],
            locale: None,
            compound: Some(town.junyue),
            buildings: Vec::new(),
            organisations: vec![town.anshang],
            disabled: false,
            created_at: at,
        };
        directory::insert_user(conn, &user, "$argon2id$test").unwrap();
    }
    let (second, event) = raise("楼道灯不亮");
    counted(conn, &|conn| issues::insert_issue(conn, &second, &event));
    let six_members = counted(conn, &|conn| issues::record_transition(conn, &assign(&second)));
    let (third, event) = raise("电梯异响");
    counted(conn, &|conn| issues::insert_issue(conn, &third, &event));
    counted(conn, &|conn| issues::record_transition(conn, &assign(&third)));

    let told: Vec<String> =
        notices::table.filter(notices::issue_id.eq(second.id.to_string())).select(notices::user_id).load(conn).unwrap();
    assert_eq!(told.len(), 7, "six at the company and the raiser; not the secretary who assigned it");
    assert!(told.contains(&town.supervisor.user.to_string()) && !told.contains(&town.secretary.user.to_string()));
    let raiser_follows: i64 =
        follows::table.filter(follows::issue_id.eq(second.id.to_string())).count().get_result(conn).unwrap();
    assert_eq!(raiser_follows, 1, "the raiser follows the issue raised");
    let queued: i64 =
        outbox::table.filter(outbox::issue_id.eq(second.id.to_string())).count().get_result(conn).unwrap();
    assert_eq!(queued, 1, "one mail to the company");
    assert_eq!(issues::timeline(conn, second.id).unwrap().len(), 2);

    if on_postgres {
        // Raising: the issue, its first step, the raiser's following and the search entry
        // as one statement. A step: the issue's update, who follows, the company's members,
        // the robot channels, then its rows as one.
        assert_eq!((raising, one_member, six_members), (1, 5, 5));
        // Each prepared once and kept, one for each shape (a raise; a step telling two,
        // one telling seven): PostgreSQL parsing and planning them afresh at every write
        // was a quarter of its work (perf, docs/performance.md).
        let kept: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH s0 AS (INSERT%')",
        ))
        .get_result(conn)
        .unwrap();
        assert_eq!(kept, 3, "three shapes of write, each prepared once");
    } else {
        // In the process, a statement a row: five more notices, five more statements.
        assert_eq!(six_members, one_member + 5);
    }
}
