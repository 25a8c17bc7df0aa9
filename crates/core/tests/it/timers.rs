//! "Which timers are due for this issue at time T" for the default workflow.

use chrono::{DateTime, TimeDelta, TimeZone};
use chrono_tz::{Asia::Shanghai, Tz};
use roundtable_core::{Effect, Issue, NewIssue, TransitionFields, Urgency, WaitingFor, WorkCalendar};

use crate::fixture::*;

fn due_names(w: &World, issue: &roundtable_core::Issue, at: DateTime<Tz>) -> Vec<String> {
    w.wf.due_timers(issue, at, &w.calendar).into_iter().map(|d| d.timer.name.clone()).collect()
}

#[test]
fn an_unassigned_issue_reminds_the_secretary_after_three_days() {
    let w = World::new();
    let raised = w.raise_by(&w.supervisor);
    assert!(due_names(&w, &raised, now() + TimeDelta::days(3) - TimeDelta::minutes(1)).is_empty());
    let due = w.wf.due_timers(&raised, now() + TimeDelta::days(3), &w.calendar);
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
    let overdue = &w.wf.due_timers(&committed, sh(21, 0, 0), &w.calendar)[1];
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

#[test]
fn an_urgent_issue_runs_its_own_timers_and_the_secretary_may_grade_it_again() {
    let w = World::new();
    let red = Issue { urgency: Urgency::Red, ..w.raise_by(&w.resident) };
    let hours = |h| now() + TimeDelta::hours(h);
    assert!(due_names(&w, &red, hours(2) - TimeDelta::minutes(1)).is_empty());
    assert_eq!(due_names(&w, &red, hours(2)), ["red_unassigned"]);
    // The same issue, routine: nothing until the usual three days.
    let routine = Issue { urgency: Urgency::Routine, ..red.clone() };
    assert!(due_names(&w, &routine, hours(71)).is_empty());
    // Assigned: the company is reminded from 12 hours after the raise, both from 24.
    let assigned = w.fire(&red, &w.secretary, "assign", assign_to(w.anshang)).issue;
    assert_eq!(assigned.urgency, Urgency::Red, "kept when the secretary does not grade it again");
    assert!(due_names(&w, &assigned, hours(12) - TimeDelta::minutes(1)).is_empty());
    let due = w.wf.due_timers(&assigned, hours(12), &w.calendar);
    assert_eq!(due.iter().map(|d| d.timer.name.as_str()).collect::<Vec<_>>(), ["red_uncommitted"]);
    assert_eq!(due[0].timer.effects, [Effect::RemindResponsible, Effect::RemindSecretary]);
    let committed = w.fire(&assigned, &w.anshang_staff, "commit", commitment(date(2026, 12, 20))).issue;
    assert_eq!(due_names(&w, &committed, hours(24)), ["red_unresolved"]);
    // Graded routine when assigning: no urgent timer runs, and the step says so.
    let graded = w.fire(
        &red,
        &w.secretary,
        "assign",
        TransitionFields { urgency: Some(Urgency::Routine), ..assign_to(w.anshang) },
    );
    assert_eq!(graded.issue.urgency, Urgency::Routine);
    assert_eq!(graded.event.fields.urgency, Some(Urgency::Routine));
    assert!(due_names(&w, &graded.issue, hours(24 * 6)).is_empty());
    // Yellow waits working days, not hours: raised on a Sunday, the secretaries hear when
    // Monday has ended.
    let yellow = Issue { urgency: Urgency::Yellow, ..w.raise_by(&w.resident) };
    let tuesday = Shanghai.with_ymd_and_hms(2026, 12, 8, 0, 0, 0).unwrap();
    assert!(due_names(&w, &yellow, tuesday - TimeDelta::minutes(1)).is_empty());
    assert_eq!(due_names(&w, &yellow, tuesday), ["yellow_unassigned"]);
    // Only the secretary grades: the company may not send it with its commitment.
    let denied = w.try_fire(
        &assigned,
        &w.anshang_staff,
        "commit",
        TransitionFields { urgency: Some(Urgency::Routine), ..commitment(date(2026, 12, 20)) },
    );
    assert!(denied.is_err(), "{denied:?}");
}

#[test]
fn a_raise_of_some_urgency_says_so_in_its_first_step() {
    let w = World::new();
    let new = |urgency| NewIssue {
        title: "电梯困人".into(),
        description: String::new(),
        category: "facilities".into(),
        urgency,
        compound: roundtable_core::CompoundId::new(),
        building: None,
        unit: None,
    };
    let at = now().with_timezone(&chrono::Utc);
    let (issue, event) = Issue::raise(&w.wf, new(Urgency::Red), &w.resident, at);
    assert_eq!((issue.urgency, event.fields.urgency), (Urgency::Red, Some(Urgency::Red)));
    let (issue, event) = Issue::raise(&w.wf, new(Urgency::Routine), &w.resident, at);
    assert_eq!((issue.urgency, event.fields.urgency), (Urgency::Routine, None));
}

#[test]
fn a_paused_issue_is_never_overdue_and_the_secretary_is_asked_after_two_months() {
    let w = World::new();
    let fields = TransitionFields {
        waiting_for: Some(WaitingFor::OwnersVote),
        reason: Some("外墙改造需业主表决".into()),
        ..Default::default()
    };
    let committed = w.committed(); // due 2026-12-20
    assert_eq!(due_names(&w, &committed, now() + TimeDelta::days(20)), ["due_soon", "overdue"]);
    let paused = w.fire(&committed, &w.secretary, "pause", fields).issue;
    let days = |d| now() + TimeDelta::days(d);
    assert!(due_names(&w, &paused, days(60) - TimeDelta::minutes(1)).is_empty(), "the due date passes quietly");
    let due = w.wf.due_timers(&paused, days(60), &w.calendar);
    assert_eq!(due.iter().map(|d| d.timer.name.as_str()).collect::<Vec<_>>(), ["pause_review"]);
    assert_eq!(due[0].timer.effects, vec![Effect::RemindSecretary]);
}

/// When the named timer fires for `issue` by `calendar`, as Shanghai's local time.
fn fires(w: &World, name: &str, issue: &Issue, calendar: &WorkCalendar) -> String {
    let timer = w.wf.timers.iter().find(|t| t.name == name).expect("a timer of the default workflow");
    let at = timer.fire_at(issue, Shanghai, calendar).expect("it applies");
    at.with_timezone(&Shanghai).format("%a %Y-%m-%d %H:%M").to_string()
}

#[test]
fn a_yellow_issue_counts_working_days_by_the_calendar_across_the_national_day_holiday() {
    let w = World::new();
    let weekdays_only = WorkCalendar::default();
    let raised_at = |m, d| Shanghai.with_ymd_and_hms(2026, m, d, 10, 0, 0).unwrap().with_timezone(&chrono::Utc);
    let yellow = |issue: Issue, at| Issue { urgency: Urgency::Yellow, created_at: at, state_entered_at: at, ..issue };
    // Raised on Wednesday 30 September: 1–7 October are the holiday, Saturday the 10th is
    // worked in its place. Five working days: 8, 9, 10, 12, 13 October.
    let committed = yellow(w.committed(), raised_at(9, 30));
    assert_eq!(fires(&w, "yellow_unresolved", &committed, &w.calendar), "Wed 2026-10-14 00:00");
    assert_eq!(fires(&w, "yellow_unresolved", &committed, &weekdays_only), "Thu 2026-10-08 00:00");
    let assigned = yellow(w.assigned(), raised_at(9, 30));
    assert_eq!(fires(&w, "yellow_uncommitted", &assigned, &w.calendar), "Sat 2026-10-10 00:00");
    // Raised on Friday the 9th: the next working day is the Saturday worked.
    let raised = yellow(w.raise_by(&w.resident), raised_at(10, 9));
    assert_eq!(fires(&w, "yellow_unassigned", &raised, &w.calendar), "Sun 2026-10-11 00:00");
    assert_eq!(fires(&w, "yellow_unassigned", &raised, &weekdays_only), "Tue 2026-10-13 00:00");
    // The next timer is what the issue page announces: for the committed one, the fifth
    // working day rather than its promise (due 20 December); nothing once all have fired.
    let on = |m, d| Shanghai.with_ymd_and_hms(2026, m, d, 12, 0, 0).unwrap();
    let next = w.wf.next_timer(&committed, on(10, 2), &w.calendar).expect("a timer to come");
    assert_eq!(
        (next.timer.name.as_str(), next.fire_at.to_rfc3339().as_str()),
        ("yellow_unresolved", "2026-10-13T16:00:00+00:00")
    );
    let next = w.wf.next_timer(&committed, on(10, 14), &w.calendar).expect("the promise's timers");
    assert_eq!(next.timer.name, "due_soon");
    assert!(w.wf.next_timer(&committed, on(12, 31), &w.calendar).is_none(), "all fired");
    // The clock timers are untouched by the calendar: 2 hours are 2 hours on a holiday.
    let red = Issue { urgency: Urgency::Red, ..raised.clone() };
    assert_eq!(fires(&w, "red_unassigned", &red, &w.calendar), "Fri 2026-10-09 12:00");
    // Before the Spring Festival (15–23 February, with Saturdays 14 and 28 worked): raised
    // on Friday 13 February, one working day is Saturday the 14th, five are 14, 24, 25, 26, 27.
    let before = yellow(w.committed(), raised_at(2, 13));
    assert_eq!(fires(&w, "yellow_unresolved", &before, &w.calendar), "Sat 2026-02-28 00:00");
}
