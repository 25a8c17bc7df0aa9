//! The company comparison (三率) on a fixture computed by hand: an ordinary company, one
//! that promises far-off dates, one with a single issue and one with a long-broken promise.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use roundtable_core::agenda::{AgendaConfig, AgendaInput, IssueFacts, build_agenda};
use roundtable_core::scorecard::{Rate, ScoreRow};
use roundtable_core::{Commitment, IssueState, OrgId, UserId, Verification, VerificationOutcome};

use crate::fixture::*;

/// The December meeting (Sunday 6 December 2026, 09:00 Shanghai); November's was 1 November.
fn meeting_at() -> DateTime<Utc> {
    "2026-12-06T01:00:00Z".parse().unwrap()
}

fn ago(days: i64) -> DateTime<Utc> {
    meeting_at() - TimeDelta::days(days)
}

fn day(offset: i64) -> NaiveDate {
    date(2026, 12, 6) + TimeDelta::days(offset)
}

/// One issue's story, in days before the meeting (due: days after the meeting day).
#[derive(Clone, Copy, Default)]
struct Story {
    assigned: i64,
    /// Days after assignment it was committed, if it was.
    committed_after: Option<i64>,
    due: i64,
    resolved: Option<i64>,
    /// Satisfaction of the verification (half a day after resolution).
    verified: Option<u8>,
    reopens: u32,
    extensions: u32,
}

fn facts(w: &World, org: OrgId, s: Story) -> IssueFacts {
    let mut i = w.raise_by(&w.supervisor);
    i.created_at = ago(s.assigned + 1);
    i.responsible_org = Some(org);
    i.state = IssueState::new("assigned");
    if let Some(after) = s.committed_after {
        let at = ago(s.assigned - after);
        i.state = IssueState::new("committed");
        i.commitment = Some(Commitment {
            text: "修".into(),
            due_date: day(s.due),
            committed_by: UserId::new(),
            committed_by_org: Some(org),
            meeting: None,
            committed_at: at,
            dated_at: if s.extensions > 0 { ago(5) } else { at },
        });
    }
    i.extension_count = s.extensions;
    i.reopen_count = s.reopens;
    if let Some(r) = s.resolved {
        i.state = IssueState::new("resolved");
        if let Some(satisfaction) = s.verified {
            i.state = IssueState::new("verified");
            i.verification = Some(Verification {
                outcome: VerificationOutcome::Verified,
                satisfaction: Some(satisfaction),
                note: None,
                by: UserId::new(),
                at: ago(r) + TimeDelta::hours(12),
            });
        }
    }
    IssueFacts {
        issue: (&i).into(),
        assigned_at: Some(ago(s.assigned)),
        resolved_at: s.resolved.map(ago),
        dealt_at: None,
        review_on: None,
        returns_refused: Vec::new(),
    }
}

struct Fixture {
    /// 安尚: an ordinary month.
    ordinary: OrgId,
    /// 谐安: commits at once, to dates a year away.
    far_off: OrgId,
    /// 沁园: one issue, done perfectly.
    single: OrgId,
    /// 鸿运: a perfect month, and one promise broken 40 days ago.
    broken: OrgId,
    issues: Vec<IssueFacts>,
}

fn fixture() -> Fixture {
    let w = World::new();
    let (ordinary, far_off, single, broken) = (OrgId::new(), OrgId::new(), OrgId::new(), OrgId::new());
    let assigned = Story { assigned: 20, ..Story::default() };
    let mut issues = vec![
        // 安尚. Response: a1, a2 in time (2 and 3 days), a3 late (10); a4 has until the next
        // meeting to commit, so is not judged yet → 2/3.
        // Resolution: a1 by its date (29 Nov ≤ 1 Dec), a2 a day late; a3 not due → 1/2.
        // Satisfaction: 5 and 3 → 1/2. First time: a2 was reopened → 1/2.
        facts(
            &w,
            ordinary,
            Story { committed_after: Some(2), due: -5, resolved: Some(7), verified: Some(5), ..assigned },
        ),
        facts(
            &w,
            ordinary,
            Story { committed_after: Some(3), due: -2, resolved: Some(1), verified: Some(3), reopens: 1, ..assigned },
        ),
        facts(&w, ordinary, Story { committed_after: Some(10), due: 10, extensions: 1, ..assigned }),
        facts(&w, ordinary, assigned),
    ];
    // 谐安: three commitments the day after assignment, due in 400 days: not a response.
    for _ in 0..3 {
        issues.push(facts(&w, far_off, Story { committed_after: Some(1), due: 400, ..assigned }));
    }
    // 沁园: one issue, committed at once, fixed early, rated 5 — too few to rank.
    issues.push(facts(
        &w,
        single,
        Story {
            assigned: 10,
            committed_after: Some(1),
            due: 5,
            resolved: Some(3),
            verified: Some(5),
            ..Story::default()
        },
    ));
    // 鸿运: three perfect issues this month and one from August, due 40 days ago, still open.
    for _ in 0..3 {
        issues.push(facts(
            &w,
            broken,
            Story { committed_after: Some(1), due: -3, resolved: Some(6), verified: Some(5), ..assigned },
        ));
    }
    issues.push(facts(&w, broken, Story { assigned: 100, committed_after: Some(1), due: -40, ..Story::default() }));
    Fixture { ordinary, far_off, single, broken, issues }
}

fn scorecard(f: &Fixture, config: &AgendaConfig) -> Vec<ScoreRow> {
    let grid = BTreeSet::new();
    build_agenda(&AgendaInput {
        issues: &f.issues,
        meeting_at: meeting_at(),
        meeting_day: date(2026, 12, 6),
        last_meeting_at: Some("2026-11-01T01:00:00Z".parse().unwrap()),
        companies: &[f.ordinary, f.far_off, f.single, f.broken],
        grid_raisers: &grid,
        announcements: "",
        carried: &[],
        reviews: &[],
        config,
        tz: chrono_tz::Asia::Shanghai,
    })
    .scorecard
}

fn row(rows: &[ScoreRow], org: OrgId) -> &ScoreRow {
    rows.iter().find(|r| r.org == org).expect("every company has a row")
}

fn close(score: Option<f64>, expected: f64) -> bool {
    score.is_some_and(|s| (s - expected).abs() < 0.051)
}

#[test]
fn the_three_rates_and_the_composite_match_the_hand_computation() {
    let f = fixture();
    let rows = scorecard(&f, &AgendaConfig::default());
    let a = row(&rows, f.ordinary);
    let m = &a.month;
    assert_eq!(m.received, 4);
    assert_eq!(m.response, Rate { n: 2, m: 3 });
    assert_eq!(m.resolution, Rate { n: 1, m: 2 });
    assert_eq!(m.satisfaction, Rate { n: 1, m: 2 });
    assert_eq!(m.first_time, Rate { n: 1, m: 2 });
    assert_eq!((m.extended, m.reopened, a.overdue, a.long_overdue), (1, 1, 0, 0));
    // 0.3·⅔ + 0.35·½ + 0.35·½ = 0.55.
    assert!(close(m.score, 55.0), "{m:?}");
    assert_eq!(m.response.percent(), Some(67));
    assert_eq!(Rate { n: 1, m: 2 }.percent(), Some(50));
    assert_eq!(Rate { n: 2, m: 3 }.percent(), Some(67));
}

#[test]
fn far_off_dates_earn_no_response_and_a_single_issue_is_not_ranked() {
    let f = fixture();
    let rows = scorecard(&f, &AgendaConfig::default());
    let x = row(&rows, f.far_off);
    assert_eq!(x.month.response, Rate { n: 0, m: 3 }, "a promise a year away is no response");
    assert_eq!((x.month.resolution.m, x.month.satisfaction.m), (0, 0), "nothing fell due, nothing verified");
    assert!(close(x.month.score, 0.0), "only the response counts, and it is nil: {:?}", x.month);
    let s = row(&rows, f.single);
    assert!(close(s.month.score, 100.0));
    assert_eq!(s.month.rank, None, "1 received + 1 resolved < min_issues_to_rank 3");
}

#[test]
fn a_long_broken_promise_ranks_below_every_company_without_one() {
    let f = fixture();
    let rows = scorecard(&f, &AgendaConfig::default());
    let b = row(&rows, f.broken);
    assert_eq!((b.overdue, b.long_overdue), (1, 1));
    // The month: three perfect issues (August's is outside it) — 100, yet ranked last.
    assert_eq!((b.month.response, b.month.resolution), (Rate { n: 3, m: 3 }, Rate { n: 3, m: 3 }));
    assert!(close(b.month.score, 100.0));
    let ranks: Vec<Option<u32>> =
        [f.ordinary, f.far_off, f.single, f.broken].iter().map(|o| row(&rows, *o).month.rank).collect();
    assert_eq!(ranks, [Some(1), Some(2), None, Some(3)]);
    // Six months: August's commitment is received, in time, and fell due unresolved.
    let h = &b.half_year;
    assert_eq!((h.received, h.response, h.resolution), (4, Rate { n: 4, m: 4 }, Rate { n: 3, m: 4 }));
    // 0.3·1 + 0.35·¾ + 0.35·1 = 0.9125.
    assert!(close(h.score, 91.25), "{h:?}");
    assert_eq!(h.rank, Some(3));
    // Allowing 50 days before a broken promise weighs: 鸿运 leads.
    let mut lenient = AgendaConfig::default();
    lenient.scoring.long_overdue_days = 50;
    let rows = scorecard(&f, &lenient);
    assert_eq!((row(&rows, f.broken).long_overdue, row(&rows, f.broken).month.rank), (0, Some(1)));
}

#[test]
fn weights_satisfaction_threshold_and_extensions_are_configurable() {
    let f = fixture();
    let mut config = AgendaConfig::default();
    config.scoring.weight_response = 1.0;
    config.scoring.weight_resolution = 0.0;
    config.scoring.weight_satisfaction = 0.0;
    assert!(close(row(&scorecard(&f, &config), f.broken).half_year.score, 100.0), "response only");
    let mut config = AgendaConfig::default();
    config.scoring.satisfied_from = 3;
    assert_eq!(row(&scorecard(&f, &config), f.ordinary).month.satisfaction, Rate { n: 2, m: 2 });

    // An extended commitment fixed by its new date: late by default, on time if configured.
    let mut f = fixture();
    let extended = f.issues.iter_mut().find(|i| i.issue.extension_count == 1).unwrap();
    extended.issue.state = IssueState::new("resolved");
    extended.resolved_at = Some(ago(2));
    let rows = scorecard(&f, &AgendaConfig::default());
    assert_eq!(row(&rows, f.ordinary).month.resolution, Rate { n: 1, m: 3 });
    let mut config = AgendaConfig::default();
    config.scoring.extensions_count_as_on_time = true;
    assert_eq!(row(&scorecard(&f, &config), f.ordinary).month.resolution, Rate { n: 2, m: 3 });
    // A fix that was reopened (back to committed) is not a fix.
    let reopened = f.issues.iter_mut().find(|i| i.issue.extension_count == 1).unwrap();
    reopened.issue.state = IssueState::new("committed");
    assert_eq!(row(&scorecard(&f, &config), f.ordinary).month.resolution, Rate { n: 1, m: 3 });
}

#[test]
fn a_refused_return_counts_against_the_company_that_asked_and_scores_nothing() {
    let mut f = fixture();
    let cfg = AgendaConfig::default();
    let base = row(&scorecard(&f, &cfg), f.ordinary).clone();
    assert_eq!((base.month.returns_refused, base.half_year.returns_refused), (0, 0));
    // 安尚 asked to hand back one of its issues: refused ten days ago (this month) and, on
    // another, in August (the half year); a third it asked about was handed to 谐安 after
    // a refusal last week: still 安尚's refusal.
    f.issues[0].returns_refused.push((ago(10), f.ordinary));
    f.issues[3].returns_refused.push((ago(100), f.ordinary));
    f.issues[4].returns_refused.push((ago(7), f.ordinary));
    let rows = scorecard(&f, &cfg);
    let counted = row(&rows, f.ordinary);
    assert_eq!((counted.month.returns_refused, counted.half_year.returns_refused), (2, 3));
    assert_eq!(row(&rows, f.far_off).month.returns_refused, 0, "the issue is 谐安's, the request was not");
    // Counted, not scored: the rates, the score and the rank are as before.
    assert_eq!(
        (counted.month.score, counted.month.rank, counted.half_year.score),
        (base.month.score, base.month.rank, base.half_year.score)
    );
}

#[test]
fn a_commitment_on_the_spot_at_the_next_meeting_is_a_response_a_later_one_is_not() {
    let mut f = fixture();
    // 安尚's a3 was committed 10 days after assignment: late — unless made at a meeting.
    let late = f.issues.iter_mut().find(|i| i.issue.extension_count == 1).unwrap();
    late.issue.commitment.as_mut().unwrap().meeting = Some(roundtable_core::MeetingId::new());
    assert_eq!(row(&scorecard(&f, &AgendaConfig::default()), f.ordinary).month.response, Rate { n: 3, m: 3 });
    // Forty days after assignment is past the next meeting, on the spot or not.
    let mut story = Story { assigned: 45, committed_after: Some(40), due: 20, ..Story::default() };
    let mut waited = facts(&World::new(), f.ordinary, story);
    waited.issue.commitment.as_mut().unwrap().meeting = Some(roundtable_core::MeetingId::new());
    f.issues.push(waited);
    story.committed_after = Some(1);
    f.issues.push(facts(&World::new(), f.ordinary, story));
    assert_eq!(row(&scorecard(&f, &AgendaConfig::default()), f.ordinary).half_year.response, Rate { n: 4, m: 5 });
    // Uncommitted 45 days after assignment: past the next meeting, judged (and failed).
    let mut silent = facts(&World::new(), f.ordinary, Story { assigned: 45, ..Story::default() });
    silent.issue.state = IssueState::new("assigned");
    f.issues.push(silent);
    assert_eq!(row(&scorecard(&f, &AgendaConfig::default()), f.ordinary).half_year.response, Rate { n: 4, m: 6 });
}

#[test]
fn an_issue_paused_for_a_vote_or_the_fund_is_neither_unanswered_nor_late() {
    let mut f = fixture();
    let cfg = AgendaConfig::default();
    let base = row(&scorecard(&f, &cfg), f.ordinary).clone();
    let w = World::new();
    let n = f.issues.len();
    // Assigned two months ago and never answered; committed at once, due four days ago, open.
    let stories = [
        Story { assigned: 60, ..Story::default() },
        Story { assigned: 20, committed_after: Some(2), due: -4, ..Story::default() },
    ];
    f.issues.extend(stories.map(|s| facts(&w, f.ordinary, s)));
    let open = row(&scorecard(&f, &cfg), f.ordinary).clone();
    let plus = |r: Rate, n, m| Rate { n: r.n + n, m: r.m + m };
    assert_eq!(open.half_year.response, plus(base.half_year.response, 1, 2));
    assert_eq!(open.month.resolution, plus(base.month.resolution, 0, 1));
    assert_eq!(open.overdue, base.overdue + 1);
    // The same two, paused for the owners' vote and the maintenance fund: the promise made
    // in time still counts as an answer; nothing else counts for or against the company.
    // Paused ten days ago, before the promise fell due.
    for i in &mut f.issues[n..] {
        i.issue.state = IssueState::new(IssueState::PAUSED);
        i.issue.state_entered_at = ago(10);
    }
    let paused = row(&scorecard(&f, &cfg), f.ordinary).clone();
    assert_eq!(paused.half_year.response, plus(base.half_year.response, 1, 1));
    assert_eq!(paused.month.response, plus(base.month.response, 1, 1));
    assert_eq!(paused.month.resolution, base.month.resolution);
    assert_eq!(paused.overdue, base.overdue);
    // Paused only yesterday, after its due date had passed: that promise was broken first.
    f.issues[n + 1].issue.state_entered_at = meeting_at() - TimeDelta::days(1);
    let late = row(&scorecard(&f, &cfg), f.ordinary).clone();
    assert_eq!(late.month.resolution, plus(base.month.resolution, 0, 1), "a pause does not mend a broken promise");
    assert_eq!(late.overdue, base.overdue, "but it is no longer overdue");
}
