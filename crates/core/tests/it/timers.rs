//! "Which timers are due for this issue at time T" for the default workflow.

use chrono::{DateTime, TimeDelta, TimeZone};
use chrono_tz::{Asia::Shanghai, Tz};
use roundtable_core::Effect;

use crate::fixture::*;

fn due_names(w: &World, issue: &roundtable_core::Issue, at: DateTime<Tz>) -> Vec<String> {
    w.wf.due_timers(issue, at).into_iter().map(|d| d.timer.name.clone()).collect()
}

#[test]
fn an_unassigned_issue_reminds_the_secretary_after_three_days() {
    let w = World::new();
    let raised = w.raise_by(&w.supervisor);
    assert!(due_names(&w, &raised, now() + TimeDelta::days(3) - TimeDelta::minutes(1)).is_empty());
    let due = w.wf.due_timers(&raised, now() + TimeDelta::days(3));
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].timer.effects, vec![Effect::RemindSecretary]);
    assert_eq!(due[0].fire_at, raised.created_at + TimeDelta::days(3));
}

#[test]
fn commitments_remind_two_days_ahead_and_escalate_when_the_day_has_ended_in_shanghai() {
    let w = World::new();
    let committed = w.committed(); // due 2026-12-20
    let sh = |d, h, m| Shanghai.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap();
    assert!(due_names(&w, &committed, sh(18, 23, 59)).is_empty());
    assert_eq!(due_names(&w, &committed, sh(19, 0, 0)), ["due_soon"]);
    assert_eq!(due_names(&w, &committed, sh(20, 23, 59)), ["due_soon"], "the due day itself is not overdue");
    assert_eq!(due_names(&w, &committed, sh(21, 0, 0)), ["due_soon", "overdue"]);
    let overdue = &w.wf.due_timers(&committed, sh(21, 0, 0))[1];
    assert_eq!(overdue.timer.effects, vec![Effect::FlagOverdue, Effect::Escalate]);
    // Midnight in Shanghai is 16:00 UTC the day before.
    assert_eq!(overdue.fire_at.to_rfc3339(), "2026-12-20T16:00:00+00:00");
}

#[test]
fn timers_only_run_in_their_state() {
    let w = World::new();
    let resolved = w.resolved();
    let far = now() + TimeDelta::days(13);
    assert!(due_names(&w, &resolved, far).is_empty(), "a resolved issue is not overdue");
    assert_eq!(due_names(&w, &resolved, now() + TimeDelta::days(14)), ["verification_reminder"]);
    let verified = w.fire(&resolved, &w.supervisor, "verify", satisfaction(5)).issue;
    assert!(due_names(&w, &verified, now() + TimeDelta::days(400)).is_empty());
}
