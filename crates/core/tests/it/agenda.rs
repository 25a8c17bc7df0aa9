//! The agenda builder: sections, order, time allowances and the company comparison.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use roundtable_core::agenda::{Agenda, AgendaConfig, AgendaInput, IssueFacts, Reason, Section, build_agenda};
use roundtable_core::{Commitment, CompoundId, Issue, IssueState, OrgId, Urgency, UserId};

use crate::fixture::*;

/// The December meeting: Sunday 6 December 2026, 09:00 Shanghai; November's was 1 November.
fn meeting_at() -> DateTime<Utc> {
    "2026-12-06T01:00:00Z".parse().unwrap()
}

fn last_meeting() -> DateTime<Utc> {
    "2026-11-01T01:00:00Z".parse().unwrap()
}

struct Town {
    w: World,
    junyue: CompoundId,
    dingxiu: CompoundId,
    grid_secretary: UserId,
}

impl Town {
    fn new() -> Town {
        Town { w: World::new(), junyue: CompoundId::new(), dingxiu: CompoundId::new(), grid_secretary: UserId::new() }
    }

    /// An issue raised `days_ago` days before the meeting, in a state, with supporters.
    fn issue(&self, title: &str, compound: CompoundId, state: &str, days_ago: i64, support: u32) -> Issue {
        let mut i = self.w.raise_by(&self.w.supervisor);
        i.title = title.into();
        i.compound = compound;
        i.state = IssueState::new(state);
        i.created_at = meeting_at() - TimeDelta::days(days_ago);
        i.state_entered_at = i.created_at;
        i.support_count = support;
        i
    }

    fn committed(&self, title: &str, org: OrgId, due: NaiveDate, committed_days_ago: i64) -> Issue {
        let mut i = self.issue(title, self.junyue, "committed", committed_days_ago + 2, 0);
        i.responsible_org = Some(org);
        i.commitment = Some(Commitment {
            text: "修".into(),
            due_date: due,
            committed_by: UserId::new(),
            committed_by_org: Some(org),
            meeting: None,
            committed_at: meeting_at() - TimeDelta::days(committed_days_ago),
            dated_at: meeting_at() - TimeDelta::days(committed_days_ago),
        });
        i
    }
}

fn facts(issues: &[Issue]) -> Vec<IssueFacts> {
    issues
        .iter()
        .map(|i| IssueFacts {
            issue: i.into(),
            assigned_at: None,
            resolved_at: None,
            dealt_at: None,
            review_on: None,
            returns_refused: Vec::new(),
        })
        .collect()
}

fn build(t: &Town, facts: &[IssueFacts], config: &AgendaConfig) -> Agenda {
    build_carrying(t, facts, config, &[])
}

fn build_carrying(
    t: &Town,
    facts: &[IssueFacts],
    config: &AgendaConfig,
    carried: &[(Option<roundtable_core::IssueId>, String)],
) -> Agenda {
    build_reviewing(t, facts, config, carried, &[])
}

fn build_reviewing(
    t: &Town,
    facts: &[IssueFacts],
    config: &AgendaConfig,
    carried: &[(Option<roundtable_core::IssueId>, String)],
    reviews: &[(String, NaiveDate)],
) -> Agenda {
    let grid = BTreeSet::from([t.grid_secretary]);
    build_agenda(&AgendaInput {
        issues: facts,
        meeting_at: meeting_at(),
        meeting_day: date(2026, 12, 6),
        last_meeting_at: Some(last_meeting()),
        companies: &[t.w.anshang, t.w.xiean],
        grid_raisers: &grid,
        announcements: "传达上级文件精神",
        carried,
        reviews,
        config,
        tz: chrono_tz::Asia::Shanghai,
    })
}

fn titles(agenda: &Agenda, reason: Reason) -> Vec<&str> {
    agenda.items.iter().filter(|i| i.reason == reason).map(|i| i.title.as_str()).collect()
}

#[test]
fn follow_up_lists_overdue_first_then_kept_promises_then_fixes_awaiting_verification() {
    let t = Town::new();
    let anshang = t.w.anshang;
    let late = t.committed("过期较晚", anshang, date(2026, 12, 1), 20);
    let later = t.committed("过期最早", anshang, date(2026, 11, 20), 30);
    let due_on_the_day = t.committed("今天到期", anshang, date(2026, 12, 6), 5);
    let mut kept = t.committed("按时完成", anshang, date(2026, 11, 25), 25);
    kept.state = IssueState::new("verified");
    let mut old_kept = t.committed("上月之前完成", anshang, date(2026, 10, 25), 60);
    old_kept.state = IssueState::new("verified");
    let mut resolved = t.committed("待验收", anshang, date(2026, 12, 20), 10);
    resolved.state = IssueState::new("resolved");
    // All settled (dealt with after their last change): only their conditions bring them back.
    let list: Vec<IssueFacts> = facts(&[late, later, due_on_the_day, kept, old_kept, resolved])
        .into_iter()
        .map(|f| IssueFacts { dealt_at: Some(meeting_at() - TimeDelta::days(1)), ..f })
        .collect();
    let agenda = build(&t, &list, &AgendaConfig::default());

    let sections: Vec<Section> = agenda.items.iter().map(|i| i.section).collect();
    let mut ordered = sections.clone();
    ordered.sort();
    assert_eq!(sections, ordered, "sections come in order");
    assert_eq!(agenda.items[0].title, "传达上级文件精神");
    assert_eq!(titles(&agenda, Reason::Overdue), ["过期最早", "过期较晚"], "due on the meeting day is not overdue");
    assert_eq!(titles(&agenda, Reason::DueSinceLastMeeting), ["按时完成"]);
    assert_eq!(titles(&agenda, Reason::AwaitingVerification), ["待验收"]);
    let follow: Vec<Reason> =
        agenda.items.iter().filter(|i| i.section == Section::FollowUp).map(|i| i.reason).collect();
    assert_eq!(follow, [Reason::Overdue, Reason::Overdue, Reason::DueSinceLastMeeting, Reason::AwaitingVerification]);
}

#[test]
fn new_issues_go_by_support_then_age_grouped_by_compound_with_grid_top_issues_first() {
    let t = Town::new();
    let a = t.issue("君悦湾 少人支持", t.junyue, "raised", 10, 1);
    let b = t.issue("君悦湾 多人支持", t.junyue, "raised", 5, 9);
    let c = t.issue("君悦湾 同样多 更早", t.junyue, "assigned", 20, 9);
    let d = t.issue("鼎秀华城 一般", t.dingxiu, "raised", 3, 4);
    let mut grid = t.issue("鼎秀华城 网格书记的问题", t.dingxiu, "raised", 60, 2);
    grid.raised_by = t.grid_secretary;
    let before = t.issue("上次会议之前", t.junyue, "raised", 40, 50);
    let committed = t.issue("已经承诺", t.junyue, "committed", 3, 30);
    let agenda = build(&t, &facts(&[a, b, c, d, grid, before, committed]), &AgendaConfig::default());
    let new: Vec<&str> =
        agenda.items.iter().filter(|i| i.section == Section::NewIssues).map(|i| i.title.as_str()).collect();
    assert_eq!(
        new,
        ["上次会议之前", "君悦湾 多人支持", "君悦湾 少人支持", "鼎秀华城 网格书记的问题", "鼎秀华城 一般"],
        "a grid secretary's top issue is listed even when older than the last meeting"
    );
    assert_eq!(titles(&agenda, Reason::Backlog), ["上次会议之前"], "older than the last meeting, never dealt with");
    assert_eq!(titles(&agenda, Reason::AwaitingCommitment), ["君悦湾 同样多 更早"], "assigned 20 days, no promise");
    assert_eq!(titles(&agenda, Reason::Committed), ["已经承诺"], "committed outside a meeting");
}

#[test]
fn urgent_new_issues_come_first_and_bring_their_compound_forward() {
    let t = Town::new();
    let popular = t.issue("君悦湾 多人支持", t.junyue, "raised", 5, 9);
    let yellow = Issue { urgency: Urgency::Yellow, ..t.issue("君悦湾 黄色", t.junyue, "raised", 4, 1) };
    let red = Issue { urgency: Urgency::Red, ..t.issue("鼎秀华城 红色", t.dingxiu, "assigned", 1, 0) };
    let quiet = t.issue("鼎秀华城 一般", t.dingxiu, "raised", 3, 4);
    let agenda = build(&t, &facts(&[popular, yellow, red, quiet]), &AgendaConfig::default());
    let new: Vec<&str> =
        agenda.items.iter().filter(|i| i.section == Section::NewIssues).map(|i| i.title.as_str()).collect();
    assert_eq!(new, ["鼎秀华城 红色", "鼎秀华城 一般", "君悦湾 黄色", "君悦湾 多人支持"]);
}

#[test]
fn an_issue_stays_on_the_agenda_until_a_held_meeting_deals_with_it_and_comes_back_when_it_changes() {
    let t = Town::new();
    let month_old = t.issue("两个月前的路灯", t.junyue, "raised", 60, 6);
    let decided = t.issue("上次会议已讨论", t.junyue, "raised", 45, 3);
    let mut reassigned = t.issue("上次讨论后改派", t.junyue, "assigned", 45, 1);
    reassigned.state_entered_at = meeting_at() - TimeDelta::days(2);
    let mut list = facts(&[month_old, decided, reassigned]);
    list[1].dealt_at = Some(last_meeting());
    // (Decided on, to be heard again in March: a decision that left it unassigned without
    // a day would bring it back at once.)
    list[1].review_on = Some(date(2027, 3, 7));
    list[2].dealt_at = Some(last_meeting());
    let agenda = build(&t, &list, &AgendaConfig::default());
    let listed: Vec<&str> = agenda.items.iter().filter(|i| i.issue.is_some()).map(|i| i.title.as_str()).collect();
    assert_eq!(listed, ["两个月前的路灯", "上次讨论后改派"], "the settled one rests; the changed one is back");
}

#[test]
fn items_past_the_meetings_length_go_to_the_appendix_but_never_grid_top_issues() {
    let t = Town::new();
    let mut issues: Vec<Issue> =
        (0..30).map(|n| t.issue(&format!("问题 {n}"), t.junyue, "raised", 10, 30 - n)).collect();
    let mut grid = t.issue("网格书记的问题", t.dingxiu, "raised", 3, 0);
    grid.raised_by = t.grid_secretary;
    issues.push(grid);
    let cfg = AgendaConfig { meeting_minutes: 60, ..AgendaConfig::default() };
    let agenda = build(&t, &facts(&issues), &cfg);
    // 60 minutes: 10 + 10 + 10 fixed, 5 for the grid issue, 25 left = five new issues.
    let shown: Vec<&str> = agenda
        .items
        .iter()
        .filter(|i| i.reason == Reason::NewIssue && !i.in_appendix)
        .map(|i| i.title.as_str())
        .collect();
    assert_eq!(shown, ["问题 0", "问题 1", "问题 2", "问题 3", "问题 4"]);
    assert_eq!(agenda.items.iter().filter(|i| i.in_appendix).count(), 25);
    assert!(agenda.items.iter().any(|i| i.reason == Reason::GridTopIssue && !i.in_appendix));
    let used: u32 = agenda.items.iter().filter(|i| !i.in_appendix).map(|i| i.minutes).sum();
    assert!(used <= 60, "{used}");
    assert_eq!(agenda.items.last().unwrap().section, Section::OtherBusiness);
}

#[test]
fn what_the_last_meeting_did_not_reach_is_carried_over_once() {
    let t = Town::new();
    let waiting = t.issue("上次没讨论的问题", t.junyue, "assigned", 50, 1);
    let overdue = t.committed("上次推迟但已过期", t.w.anshang, date(2026, 11, 30), 20);
    let mut done = t.issue("已经解决", t.junyue, "verified", 50, 0);
    done.state = IssueState::new("verified");
    let carried = vec![
        (Some(waiting.id), waiting.title.clone()),
        (Some(overdue.id), overdue.title.clone()),
        (Some(done.id), done.title.clone()),
        (None, "小区公约修订".to_owned()),
        (None, "小区公约修订".to_owned()),
    ];
    let agenda = build_carrying(&t, &facts(&[waiting, overdue, done]), &AgendaConfig::default(), &carried);
    assert_eq!(titles(&agenda, Reason::CarriedOver), ["小区公约修订"]);
    assert_eq!(titles(&agenda, Reason::AwaitingCommitment), ["上次没讨论的问题"], "listed once, by what it waits for");
    assert_eq!(titles(&agenda, Reason::Overdue), ["上次推迟但已过期"], "listed once, as overdue");
    assert!(agenda.items.iter().filter(|i| i.reason == Reason::CarriedOver).all(|i| i.section == Section::FollowUp));
}

mod backlog {
    use proptest::prelude::*;

    use super::*;

    /// One random issue: its state, when it was raised and last changed (days before the
    /// meeting), whether and when a held meeting dealt with it, and its commitment's due day.
    #[derive(Debug, Clone)]
    struct Random {
        state: usize,
        raised: i64,
        changed: i64,
        dealt: Option<i64>,
        /// The dealing meeting's decision asked to hear it again, so many days from this
        /// meeting's day (before it: due).
        review_in: Option<i64>,
        due_in: i64,
        support: u32,
        by_grid: bool,
    }

    prop_compose! {
        fn random()(
            state in 0..7usize,
            raised in 0..400i64,
            changed_frac in 0..=100i64,
            dealt in prop::option::of(0..400i64),
            review_in in prop::option::of(-90..90i64),
            due_in in -60..60i64,
            support in 0..20u32,
            by_grid in prop::bool::weighted(0.2),
        ) -> Random {
            Random { state, raised, changed: raised * changed_frac / 100, dealt, review_in, due_in, support, by_grid }
        }
    }

    const STATES: [&str; 7] = ["raised", "assigned", "committed", "resolved", "verified", "rejected", "duplicate"];

    /// The rule, written out independently of the builder: must this issue be on the agenda?
    fn needs_meeting(f: &IssueFacts, day: NaiveDate, patience: TimeDelta) -> bool {
        let i = &f.issue;
        let settled = f.dealt_at.is_some_and(|d| i.state_entered_at <= d);
        let overdue = i.commitment.as_ref().is_some_and(|c| c.due_date < day);
        let review_due = f.review_on.is_some_and(|d| d <= day);
        if i.created_at >= meeting_at() {
            return false; // raised once the meeting had begun: the next one's
        }
        match i.state.as_str() {
            // A decision without a day to hear it again leaves it assigned to no one.
            "raised" => !settled || review_due || f.review_on.is_none(),
            "assigned" => !settled || review_due || i.state_entered_at + patience <= meeting_at(),
            "committed" => !settled || review_due || overdue,
            "resolved" => true,
            _ => false,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Over random histories: every issue the meeting still owes attention is on the
        /// agenda exactly once, none that rests is, and the fixed sections are always there.
        #[test]
        fn no_open_issue_is_lost_and_none_is_listed_twice(issues in prop::collection::vec(random(), 0..60)) {
            let t = Town::new();
            let day = date(2026, 12, 6);
            let list: Vec<IssueFacts> = issues
                .iter()
                .map(|r| {
                    let mut i = t.issue("问题", if r.support % 2 == 0 { t.junyue } else { t.dingxiu }, STATES[r.state], r.raised, r.support);
                    i.state_entered_at = meeting_at() - TimeDelta::days(r.changed);
                    if r.by_grid {
                        i.raised_by = t.grid_secretary;
                    }
                    if ["committed", "resolved", "verified"].contains(&STATES[r.state]) {
                        i.responsible_org = Some(t.w.anshang);
                        i.commitment = Some(Commitment {
                            text: "修".into(),
                            due_date: day + TimeDelta::days(r.due_in),
                            committed_by: UserId::new(),
                            committed_by_org: Some(t.w.anshang),
                            meeting: None,
                            committed_at: i.state_entered_at,
                            dated_at: i.state_entered_at,
                        });
                    }
                    let dealt_at = r.dealt.map(|d| meeting_at() - TimeDelta::days(d));
                    let review_on = r.review_in.filter(|_| dealt_at.is_some()).map(|d| day + TimeDelta::days(d));
                    IssueFacts {
                        issue: (&i).into(),
                        assigned_at: None,
                        resolved_at: None,
                        dealt_at,
                        review_on,
                        returns_refused: Vec::new(),
                    }
                })
                .collect();
            let config = AgendaConfig::default();
            let agenda = build(&t, &list, &config);
            let patience = TimeDelta::days(i64::from(config.commit_within_days));
            let listed: Vec<_> = agenda.items.iter().filter_map(|i| i.issue).collect();
            let unique: BTreeSet<_> = listed.iter().copied().collect();
            prop_assert_eq!(listed.len(), unique.len(), "an issue is listed once");
            for f in &list {
                let kept_promise = f.issue.created_at < meeting_at()
                    && f.issue.state == IssueState::VERIFIED
                    && f.issue.commitment.as_ref().is_some_and(|c| c.due_date >= last_meeting().date_naive() && c.due_date < day);
                let on = unique.contains(&f.issue.id);
                prop_assert!(on == (needs_meeting(f, day, patience) || kept_promise), "{:?} on the agenda: {}", f.issue.state, on);
            }
            for section in [Section::Announcements, Section::Scorecard, Section::OtherBusiness] {
                prop_assert!(agenda.items.iter().any(|i| i.section == section));
            }
        }
    }
}

#[test]
fn an_extension_request_waits_for_the_meeting_even_on_a_settled_commitment() {
    let t = Town::new();
    let anshang = t.w.anshang;
    let mut asked = t.committed("申请延期的", anshang, date(2026, 12, 20), 10);
    asked.extension_request = Some(roundtable_core::ExtensionRequest {
        due_date: date(2027, 1, 20),
        reason: "缺配件".into(),
        by: UserId::new(),
        at: meeting_at() - TimeDelta::days(3),
    });
    let mut overdue_asked = t.committed("逾期又申请的", anshang, date(2026, 12, 1), 20);
    overdue_asked.extension_request = asked.extension_request.clone();
    let quiet = t.committed("按计划进行的", anshang, date(2026, 12, 20), 10);
    // All three settled by an earlier meeting.
    let list: Vec<IssueFacts> = facts(&[asked, overdue_asked, quiet])
        .into_iter()
        .map(|f| IssueFacts { dealt_at: Some(meeting_at() - TimeDelta::days(1)), ..f })
        .collect();
    let agenda = build(&t, &list, &AgendaConfig::default());
    assert_eq!(titles(&agenda, Reason::ExtensionRequested), ["申请延期的"]);
    assert_eq!(titles(&agenda, Reason::Overdue), ["逾期又申请的"], "listed once, as overdue");
    assert!(titles(&agenda, Reason::Committed).is_empty(), "a settled promise on schedule is not repeated");
}

#[test]
fn progress_reported_on_a_settled_promise_does_not_bring_it_back() {
    let t = Town::new();
    let promised = t.committed("配件在途的", t.w.anshang, date(2026, 12, 20), 40);
    // The last meeting dealt with it; a week later the company reported progress.
    let reported =
        t.w.fire(
            &promised,
            &t.w.anshang_staff,
            "report_progress",
            roundtable_core::TransitionFields {
                note: Some("配件已到，周三施工".into()), ..Default::default()
            },
        )
        .issue;
    let list: Vec<IssueFacts> = facts(&[reported])
        .into_iter()
        .map(|f| IssueFacts { dealt_at: Some(meeting_at() - TimeDelta::days(20)), ..f })
        .collect();
    let agenda = build(&t, &list, &AgendaConfig::default());
    assert!(titles(&agenda, Reason::Committed).is_empty(), "not \"committed outside a meeting\"");
    assert!(agenda.items.iter().all(|i| i.title != "配件在途的"), "{:?}", agenda.items);
}

#[test]
fn a_fix_found_wanting_comes_back_to_the_follow_up_as_reopened() {
    let t = Town::new();
    let mut partly = t.committed("部分解决的", t.w.anshang, date(2026, 12, 20), 30);
    partly.verification = Some(roundtable_core::Verification {
        outcome: roundtable_core::VerificationOutcome::PartlyFixed,
        satisfaction: Some(2),
        note: Some("还有一处".into()),
        by: UserId::new(),
        at: meeting_at() - TimeDelta::days(3),
    });
    partly.state_entered_at = meeting_at() - TimeDelta::days(3);
    let plain = t.committed("会外承诺的", t.w.anshang, date(2026, 12, 20), 3);
    let list: Vec<IssueFacts> = facts(&[partly, plain])
        .into_iter()
        .map(|f| IssueFacts { dealt_at: Some(meeting_at() - TimeDelta::days(20)), ..f })
        .collect();
    let agenda = build(&t, &list, &AgendaConfig::default());
    assert_eq!(titles(&agenda, Reason::Reopened), ["部分解决的"]);
    assert_eq!(titles(&agenda, Reason::Committed), ["会外承诺的"]);
}

#[test]
fn a_pause_decided_outside_a_meeting_is_heard_once_and_a_paused_issue_is_carried_while_open() {
    let t = Town::new();
    // Paused by the secretary last week, after the last meeting had dealt with it.
    let mut outside = t.committed("电梯更换待维修资金", t.w.anshang, date(2026, 11, 20), 40);
    outside.state = IssueState::new(IssueState::PAUSED);
    outside.state_entered_at = meeting_at() - TimeDelta::days(7);
    // Paused at the last meeting itself: dealt with, it rests.
    let mut at_meeting = t.issue("外墙改造待业主表决", t.junyue, "paused", 60, 4);
    at_meeting.state_entered_at = last_meeting();
    let unreached = t.issue("上次没讨论的暂缓问题", t.dingxiu, "paused", 50, 0);
    let mut list = facts(&[outside, at_meeting, unreached.clone()]);
    for f in &mut list {
        f.dealt_at = Some(last_meeting() + TimeDelta::hours(2));
    }
    let carried = vec![(Some(unreached.id), unreached.title.clone())];
    let agenda = build_carrying(&t, &list, &AgendaConfig::default(), &carried);
    assert_eq!(titles(&agenda, Reason::Paused), ["电梯更换待维修资金"]);
    assert_eq!(titles(&agenda, Reason::Overdue), Vec::<&str>::new(), "a paused promise is not overdue");
    assert_eq!(titles(&agenda, Reason::CarriedOver), ["上次没讨论的暂缓问题"], "still open: carried over");
    assert!(!agenda.items.iter().any(|i| i.title == "外墙改造待业主表决"));
    let paused = agenda.items.iter().find(|i| i.reason == Reason::Paused).unwrap();
    assert_eq!(paused.section, Section::FollowUp);
}

/// Issues a decision at the last meeting dealt with, each with the day it asked to hear
/// it again (复议), if any.
fn decided_at_the_last_meeting(decided: &[(&Issue, Option<NaiveDate>)]) -> Vec<IssueFacts> {
    decided
        .iter()
        .map(|(i, review_on)| IssueFacts {
            issue: (*i).into(),
            assigned_at: None,
            resolved_at: None,
            dealt_at: Some(last_meeting() + TimeDelta::hours(2)),
            review_on: *review_on,
            returns_refused: Vec::new(),
        })
        .collect()
}

#[test]
fn a_decision_brings_its_item_back_on_the_day_it_asked_to_be_heard_again() {
    let t = Town::new();
    // All decided on at November's meeting and untouched since.
    let due = t.issue("外墙渗水待业委会表决", t.junyue, "raised", 60, 2);
    let on_the_day = t.issue("充电桩选址", t.dingxiu, "paused", 60, 0);
    let later = t.issue("二期绿化补种", t.junyue, "raised", 60, 0);
    let without = t.issue("路灯已报供电局", t.junyue, "raised", 60, 0);
    let mut closed = t.issue("已驳回的", t.junyue, "rejected", 60, 0);
    closed.state_entered_at = last_meeting();
    // Decided in November, then assigned last week: the backlog lists it as it is now.
    let mut moved_on = t.issue("会后已交办", t.dingxiu, "assigned", 60, 0);
    moved_on.state_entered_at = meeting_at() - TimeDelta::days(5);
    let mut overdue = t.committed("逾期的", t.w.anshang, date(2026, 11, 30), 40);
    overdue.state_entered_at = last_meeting() - TimeDelta::days(1);
    let reviews = [
        (&due, Some(date(2026, 12, 1))),
        (&on_the_day, Some(date(2026, 12, 6))),
        (&later, Some(date(2026, 12, 7))),
        (&without, None),
        (&closed, Some(date(2026, 12, 1))),
        (&moved_on, Some(date(2026, 12, 1))),
        (&overdue, Some(date(2026, 12, 1))),
    ];
    let list = decided_at_the_last_meeting(&reviews);
    // Topics without an issue: one due since the last meeting, one due at it (heard
    // then), one due next month, and one due now and carried too (listed once).
    let topics = [
        ("停车管理小组成立情况".to_owned(), date(2026, 12, 6)),
        ("物业费调价听证".to_owned(), date(2026, 11, 1)),
        ("垃圾分类试点".to_owned(), date(2027, 1, 3)),
        ("小区门禁升级".to_owned(), date(2026, 11, 15)),
    ];
    let carried = [(None, "小区门禁升级".to_owned())];
    let agenda = build_reviewing(&t, &list, &AgendaConfig::default(), &carried, &topics);

    assert_eq!(
        titles(&agenda, Reason::ReviewDue),
        ["外墙渗水待业委会表决", "充电桩选址", "停车管理小组成立情况", "小区门禁升级"],
        "due on or before the meeting's day, still open and untouched; topics due since the last meeting"
    );
    assert!(titles(&agenda, Reason::CarriedOver).is_empty(), "a topic both carried and due is listed once");
    assert!(!agenda.items.iter().any(|i| ["二期绿化补种", "已驳回的"].contains(&i.title.as_str())));
    // A decision without a day to hear it again, on an issue still assigned to no one,
    // does not settle it: the meeting hears it until someone answers for it.
    assert_eq!(titles(&agenda, Reason::AwaitingAssignment), ["路灯已报供电局"], "decided, still raised");
    assert_eq!(titles(&agenda, Reason::Backlog), ["会后已交办"], "changed since: listed as it is now");
    assert_eq!(titles(&agenda, Reason::Overdue), ["逾期的"], "listed once, as overdue");
    assert!(agenda.items.iter().filter(|i| i.reason == Reason::ReviewDue).all(|i| i.section == Section::FollowUp));
    let reasons: Vec<Reason> = agenda.items.iter().map(|i| i.reason).collect();
    let review = reasons.iter().position(|r| *r == Reason::ReviewDue).unwrap();
    assert!(review > reasons.iter().position(|r| *r == Reason::Overdue).unwrap(), "after the commitments");
}

/// An issue the secretary lists by hand (raised at the meeting) goes where the planner
/// would put it: among the new issues while nothing is promised, else in the follow-up.
#[test]
fn an_issue_listed_by_hand_goes_where_the_planner_would_put_it() {
    use roundtable_core::agenda::section_of;
    for (state, section) in [
        (IssueState::RAISED, Section::NewIssues),
        (IssueState::ASSIGNED, Section::NewIssues),
        (IssueState::COMMITTED, Section::FollowUp),
        (IssueState::RESOLVED, Section::FollowUp),
        (IssueState::PAUSED, Section::FollowUp),
    ] {
        assert_eq!(section_of(&IssueState::new(state)), section, "{state}");
    }
}

/// A decision that leaves an issue raised — no company, nobody answering for it — does
/// not take it off the agenda: it comes back at each meeting, the most urgent first, in
/// the follow-up, until it is assigned, closed, or heard again on a day the decision set.
#[test]
fn a_decided_issue_still_assigned_to_no_one_comes_back_until_someone_answers_for_it() {
    let t = Town::new();
    let routine = t.issue("绿化带杂草丛生", t.dingxiu, "raised", 120, 2);
    let mut yellow = t.issue("雨水井堵塞", t.dingxiu, "raised", 90, 3);
    yellow.urgency = Urgency::Yellow;
    let later = t.issue("外墙改造待业主表决", t.junyue, "raised", 60, 0);
    // Assigned after the decision: listed as it is now, by the rules for assigned issues.
    let mut assigned = t.issue("会后已交办的道闸故障", t.junyue, "assigned", 60, 0);
    assigned.state_entered_at = meeting_at() - TimeDelta::days(3);
    let mut rejected = t.issue("会后驳回的", t.junyue, "rejected", 60, 0);
    rejected.state_entered_at = meeting_at() - TimeDelta::days(3);
    let list = decided_at_the_last_meeting(&[
        (&routine, None),
        (&yellow, None),
        (&later, Some(date(2027, 3, 7))),
        (&assigned, None),
        (&rejected, None),
    ]);
    let agenda = build_carrying(&t, &list, &AgendaConfig::default(), &[]);
    assert_eq!(
        titles(&agenda, Reason::AwaitingAssignment),
        ["雨水井堵塞", "绿化带杂草丛生"],
        "yellow first, then oldest"
    );
    assert!(
        agenda.items.iter().filter(|i| i.reason == Reason::AwaitingAssignment).all(|i| i.section == Section::FollowUp)
    );
    assert!(!agenda.items.iter().any(|i| ["外墙改造待业主表决", "会后驳回的"].contains(&i.title.as_str())));
    assert_eq!(titles(&agenda, Reason::Backlog), ["会后已交办的道闸故障"]);
}
