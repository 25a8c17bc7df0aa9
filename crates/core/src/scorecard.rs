//! The company comparison (三率, in the style of the 12345 hotline's assessment): per
//! property company, over the month since the last meeting and over a rolling six months,
//!
//! - **response rate**: of the issues assigned to it, those it committed to within
//!   `commit_within_days` or on the spot at the next meeting (one still inside that time,
//!   i.e. before the next meeting has passed, is not judged yet), to a date within `max_commitment_days` — a promise a year away
//!   is no answer;
//! - **on-time resolution rate**: of its commitments that fell due or were resolved, those
//!   resolved by the due date — an extended one is not on time unless
//!   `extensions_count_as_on_time`, and a fix that was reopened is not a fix;
//! - **satisfaction rate**: of its verified fixes, those rated `satisfied_from` or better;
//! - **first-time verification rate**: of its verified fixes, those never reopened;
//!
//! plus counts of overdue, extended and reopened commitments, and of the requests to hand
//! an issue back that were turned down (退回不成立: the 12345 hotlines' 不当退单). The composite score (0–100)
//! weighs the first three rates by the configured weights, over the rates that have any
//! issue to count (a company is not punished or rewarded for what it was never given).
//! Only a company with at least `min_issues_to_rank` issues (received + resolved) is ranked,
//! and one with a commitment overdue for more than `long_overdue_days` is never ranked above
//! one without: broken promises cannot be outweighed by quick easy ones.

use chrono::{DateTime, Days, Months, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::agenda::{AgendaInput, IssueFacts};
use crate::ids::OrgId;
use crate::issue::{IssueState, VerificationOutcome};

/// The next first Sunday is at most five weeks after any day: a commitment made on the
/// spot at a meeting within this time of assignment was made at the next meeting.
const NEXT_MEETING: TimeDelta = TimeDelta::days(35);

/// `n` of `m`, kept as counts so every rate can be shown as "3/4 · 75%".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub n: u32,
    pub m: u32,
}

impl Rate {
    /// The rate as a fraction; `None` when there was nothing to count.
    pub fn value(self) -> Option<f64> {
        (self.m > 0).then(|| f64::from(self.n) / f64::from(self.m))
    }

    /// The rate in whole percent, rounded half up.
    pub fn percent(self) -> Option<u32> {
        (self.m > 0).then(|| (self.n * 200 + self.m) / (self.m * 2))
    }
}

/// How the comparison weighs and judges; see the module documentation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreRules {
    pub weight_response: f64,
    pub weight_resolution: f64,
    pub weight_satisfaction: f64,
    /// A verification rated at least this (1–5) is satisfied.
    pub satisfied_from: u8,
    /// Whether a fix by an extended due date counts as on time.
    pub extensions_count_as_on_time: bool,
    /// A commitment overdue for longer than this ranks its company below all without one.
    pub long_overdue_days: u32,
}

impl Default for ScoreRules {
    fn default() -> Self {
        ScoreRules {
            weight_response: 0.3,
            weight_resolution: 0.35,
            weight_satisfaction: 0.35,
            satisfied_from: 4,
            extensions_count_as_on_time: false,
            long_overdue_days: 30,
        }
    }
}

/// One company over one window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Issues assigned to it in the window.
    pub received: u32,
    pub response: Rate,
    pub resolution: Rate,
    pub satisfaction: Rate,
    pub first_time: Rate,
    /// Commitments whose date was extended in the window.
    pub extended: u32,
    /// Issues verified or reopened in the window that were reopened at least once.
    pub reopened: u32,
    /// Its requests to hand an issue back turned down in the window (退回不成立): an issue
    /// that was its own after all. Counted, not scored. Absent from comparisons stored
    /// before it was counted.
    #[serde(default)]
    pub returns_refused: u32,
    /// The weighted composite, 0–100; `None` with nothing to rate.
    pub score: Option<f64>,
    /// 1 = best; `None` when not ranked.
    pub rank: Option<u32>,
}

/// One company's row of the comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreRow {
    pub org: OrgId,
    /// Since the last meeting.
    pub month: Window,
    /// The six months before the meeting.
    pub half_year: Window,
    /// Open commitments past their due date at the meeting…
    pub overdue: u32,
    /// …of which overdue for longer than `long_overdue_days`.
    pub long_overdue: u32,
}

/// The comparison for the meeting `input` describes, the month starting at `since`.
pub fn scorecard(input: &AgendaInput<'_>, since: DateTime<Utc>) -> Vec<ScoreRow> {
    let cfg = input.config;
    let rules = &cfg.scoring;
    let day = input.meeting_day;
    let half_year_from = input.meeting_at.checked_sub_months(Months::new(6)).unwrap_or(since).min(since);
    let long_before = day.checked_sub_days(Days::new(u64::from(rules.long_overdue_days))).unwrap_or(day);
    let mut rows: Vec<ScoreRow> = input
        .companies
        .iter()
        .map(|&org| {
            let mine: Vec<&IssueFacts> = input.issues.iter().filter(|f| f.issue.responsible_org == Some(org)).collect();
            let overdue_since = |f: &&&IssueFacts| {
                f.issue.state == IssueState::COMMITTED && f.issue.commitment.as_ref().is_some_and(|c| c.due_date < day)
            };
            let overdue: Vec<&&IssueFacts> = mine.iter().filter(overdue_since).collect();
            let long = overdue.iter().filter(|f| f.issue.commitment.as_ref().is_some_and(|c| c.due_date < long_before));
            // Whose request was refused, whoever has the issue now.
            let refused: Vec<DateTime<Utc>> = input
                .issues
                .iter()
                .flat_map(|f| &f.returns_refused)
                .filter(|(_, asked_by)| *asked_by == org)
                .map(|(at, _)| *at)
                .collect();
            ScoreRow {
                org,
                month: window(input, &mine, &refused, since),
                half_year: window(input, &mine, &refused, half_year_from),
                overdue: overdue.len() as u32,
                long_overdue: long.count() as u32,
            }
        })
        .collect();
    rank(&mut rows, cfg.min_issues_to_rank, |r| &mut r.month);
    rank(&mut rows, cfg.min_issues_to_rank, |r| &mut r.half_year);
    rows
}

fn window(input: &AgendaInput<'_>, mine: &[&IssueFacts], refused: &[DateTime<Utc>], from: DateTime<Utc>) -> Window {
    let (cfg, to) = (input.config, input.meeting_at);
    let rules = &cfg.scoring;
    let inside = |t: DateTime<Utc>| t >= from && t < to;
    let local_day = |t: DateTime<Utc>| t.with_timezone(&input.tz).date_naive();
    let (from_day, to_day) = (local_day(from), input.meeting_day);
    let patience = TimeDelta::days(i64::from(cfg.commit_within_days));
    let horizon = Days::new(u64::from(cfg.max_commitment_days));
    // A date beyond the limit as first promised (an extension is the secretary's decision).
    let far_off = |f: &IssueFacts, c: &crate::agenda::Promise| {
        f.issue.extension_count == 0
            && local_day(c.committed_at).checked_add_days(horizon).is_some_and(|l| c.due_date > l)
    };

    let received: Vec<&&IssueFacts> = mine.iter().filter(|f| f.assigned_at.is_some_and(inside)).collect();
    let mut response = Rate::default();
    for f in &received {
        let Some(assigned) = f.assigned_at else { continue };
        match &f.issue.commitment {
            Some(c) => {
                response.m += 1;
                let waited = c.committed_at - assigned;
                let in_time = waited <= patience || (c.meeting.is_some() && waited <= NEXT_MEETING);
                response.n += u32::from(in_time && !far_off(f, c));
            }
            // Still inside its time to commit — a week, or until the next meeting, where
            // companies commit on the spot: not judged yet. Nor while it is paused: it
            // waits for others, and the company is assigned it afresh when it resumes.
            None if assigned + patience.max(NEXT_MEETING) > to => {}
            None if f.issue.state == IssueState::PAUSED => {}
            None => response.m += 1,
        }
    }

    let mut resolution = Rate::default();
    for f in mine {
        let Some(c) = &f.issue.commitment else { continue };
        let fixed = [IssueState::RESOLVED, IssueState::VERIFIED].contains(&f.issue.state.as_str());
        let resolved_here = f.resolved_at.is_some_and(inside);
        // A pause stops the clock, but does not mend a promise already broken: one paused
        // after its due date had passed fell due unkept all the same.
        let broken_before_pause =
            f.issue.state == IssueState::PAUSED && c.due_date < local_day(f.issue.state_entered_at);
        let still_owed = f.issue.state == IssueState::COMMITTED || broken_before_pause;
        let fell_due_open = still_owed && c.due_date >= from_day && c.due_date < to_day && !resolved_here;
        if !(resolved_here || fell_due_open) {
            continue;
        }
        resolution.m += 1;
        let in_time = f.resolved_at.is_some_and(|r| local_day(r) <= c.due_date);
        let extension_ok = f.issue.extension_count == 0 || rules.extensions_count_as_on_time;
        resolution.n += u32::from(resolved_here && fixed && in_time && extension_ok);
    }

    let verified: Vec<&&IssueFacts> = mine
        .iter()
        .filter(|f| {
            f.issue.verification.as_ref().is_some_and(|v| v.outcome == VerificationOutcome::Verified && inside(v.at))
        })
        .collect();
    let satisfied = verified
        .iter()
        .filter(|f| {
            f.issue.verification.as_ref().and_then(|v| v.satisfaction).is_some_and(|s| s >= rules.satisfied_from)
        })
        .count() as u32;
    let first_time = verified.iter().filter(|f| f.issue.reopen_count == 0).count() as u32;
    let reopened = mine
        .iter()
        .filter(|f| f.issue.reopen_count > 0 && f.issue.verification.as_ref().is_some_and(|v| inside(v.at)))
        .count() as u32;
    let extended = mine
        .iter()
        .filter(|f| f.issue.extension_count > 0 && f.issue.commitment.as_ref().is_some_and(|c| inside(c.dated_at)))
        .count() as u32;
    let mut w = Window {
        received: received.len() as u32,
        response,
        resolution,
        satisfaction: Rate { n: satisfied, m: verified.len() as u32 },
        first_time: Rate { n: first_time, m: verified.len() as u32 },
        extended,
        reopened,
        returns_refused: refused.iter().filter(|t| inside(**t)).count() as u32,
        score: None,
        rank: None,
    };
    w.score = composite(&w, rules);
    w
}

/// The weighted mean of the rates that have anything to count, 0–100.
fn composite(w: &Window, rules: &ScoreRules) -> Option<f64> {
    let parts = [
        (w.response, rules.weight_response),
        (w.resolution, rules.weight_resolution),
        (w.satisfaction, rules.weight_satisfaction),
    ];
    let (sum, weights) = parts
        .iter()
        .filter_map(|(rate, weight)| Some((rate.value()? * weight, *weight)))
        .fold((0.0, 0.0), |(s, ws), (v, w)| (s + v, ws + w));
    (weights > 0.0).then(|| (sum / weights * 1000.0).round() / 10.0)
}

/// Ranks the companies with enough issues: no long-overdue commitment first, then by
/// score. Equal places share a rank.
fn rank(rows: &mut [ScoreRow], min_issues: u32, of: impl Fn(&mut ScoreRow) -> &mut Window) {
    let key = |r: &mut ScoreRow| {
        let long = r.long_overdue > 0;
        let w = of(r);
        (long, w.score.unwrap_or(0.0))
    };
    let mut ranked: Vec<(usize, (bool, f64))> = Vec::new();
    for (i, r) in rows.iter_mut().enumerate() {
        let w = of(r);
        w.rank = None;
        if w.score.is_some() && w.received + w.resolution.m >= min_issues {
            ranked.push((i, key(r)));
        }
    }
    ranked.sort_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.total_cmp(&a.1.1)));
    let mut previous: Option<((bool, f64), u32)> = None;
    for (n, (i, k)) in ranked.into_iter().enumerate() {
        let place = match previous {
            Some((pk, place)) if pk == k => place,
            _ => n as u32 + 1,
        };
        of(&mut rows[i]).rank = Some(place);
        previous = Some((k, place));
    }
}
