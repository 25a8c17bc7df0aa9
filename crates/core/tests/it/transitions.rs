//! Every transition of the default workflow, and every way it can be refused.

use chrono::NaiveDate;
use roundtable_core::workflow::Guard;
use roundtable_core::{
    Denial, Effect, Field, FieldError, FieldProblem, IssueId, TransitionFields, VerificationOutcome, WaitingFor,
};

use crate::fixture::*;

fn field_errors(result: Result<roundtable_core::Outcome, Denial>) -> Vec<(Field, FieldProblem)> {
    match result {
        Err(Denial::Invalid { errors }) => {
            errors.into_iter().map(|FieldError { field, problem }| (field, problem)).collect()
        }
        other => panic!("expected invalid fields, got {other:?}"),
    }
}

fn not_allowed(result: Result<roundtable_core::Outcome, Denial>) {
    assert!(matches!(result, Err(Denial::NotAllowed { .. })), "expected NotAllowed, got {result:?}");
}

#[test]
fn the_full_cycle_records_every_step_with_its_actor() {
    let w = World::new();
    let raised = w.raise_by(&w.supervisor);
    assert_eq!(raised.state, "raised");
    assert_eq!(raised.version, 1);
    assert_eq!(raised.raised_by_org, Some(w.supervisory));

    let assigned = w.fire(&raised, &w.secretary, "assign", assign_to(w.anshang));
    assert_eq!(assigned.issue.state, "assigned");
    assert_eq!(assigned.issue.responsible_org, Some(w.anshang));
    assert_eq!(assigned.effects, vec![Effect::NotifyResponsible]);

    let committed = w.fire(&assigned.issue, &w.anshang_staff, "commit", commitment(date(2026, 12, 20)));
    let c = committed.issue.commitment.clone().unwrap();
    assert_eq!(
        (c.due_date, c.committed_by, c.committed_by_org),
        (date(2026, 12, 20), w.anshang_staff.user, Some(w.anshang))
    );
    assert_eq!(committed.effects, vec![Effect::NotifyRaiser]);

    let resolved = w.fire(&committed.issue, &w.anshang_staff, "resolve", resolution());
    assert_eq!(resolved.issue.resolution_note.as_deref(), Some("防水层已更换"));
    assert_eq!(resolved.effects, vec![Effect::RequestVerification]);

    let verified = w.fire(&resolved.issue, &w.supervisor, "verify", satisfaction(5));
    let v = verified.issue.verification.clone().unwrap();
    assert_eq!((v.outcome, v.satisfaction, v.by), (VerificationOutcome::Verified, Some(5), w.supervisor.user));
    assert_eq!(verified.issue.state, "verified");
    assert!(w.wf.is_terminal("verified"));

    let events = [&assigned, &committed, &resolved, &verified].map(|o| &o.event);
    let steps: Vec<_> = events.iter().map(|e| (e.version, e.transition.as_str(), e.actor)).collect();
    assert_eq!(
        steps,
        vec![
            (2, "assign", w.secretary.user),
            (3, "commit", w.anshang_staff.user),
            (4, "resolve", w.anshang_staff.user),
            (5, "verify", w.supervisor.user),
        ]
    );
    assert_eq!(events[1].from.as_ref().unwrap(), "assigned");
    assert_eq!(events[1].actor_org, Some(w.anshang), "Anshang acted for Anshang");
    assert_eq!(verified.issue.version, 5);
}

#[test]
fn assign_is_for_secretaries_and_needs_a_responsible_organisation() {
    let w = World::new();
    let raised = w.raise_by(&w.grid);
    for who in [&w.supervisor, &w.anshang_staff, &w.grid, &w.resident] {
        not_allowed(w.try_fire(&raised, who, "assign", assign_to(w.anshang)));
    }
    assert_eq!(w.fire(&raised, &w.admin, "assign", assign_to(w.xiean)).issue.responsible_org, Some(w.xiean));
    assert_eq!(
        field_errors(w.try_fire(&raised, &w.secretary, "assign", TransitionFields::default())),
        vec![(Field::ResponsibleOrg, FieldProblem::Missing)]
    );
    let extra = TransitionFields { satisfaction: Some(3), ..assign_to(w.anshang) };
    assert_eq!(
        field_errors(w.try_fire(&raised, &w.secretary, "assign", extra)),
        vec![(Field::Satisfaction, FieldProblem::NotAccepted)]
    );
}

#[test]
fn reassign_moves_the_issue_and_drops_the_old_commitment() {
    let w = World::new();
    let committed = w.committed();
    let fields = TransitionFields { reason: Some("属谐安物业管辖".into()), ..assign_to(w.xiean) };
    let out = w.fire(&committed, &w.secretary, "reassign", fields);
    assert_eq!(out.issue.state, "assigned");
    assert_eq!(out.issue.responsible_org, Some(w.xiean));
    assert_eq!(out.issue.commitment, None);
    assert_eq!(out.effects, vec![Effect::NotifyResponsible, Effect::NotifyPreviousResponsible]);

    let same = TransitionFields { reason: Some("x".into()), ..assign_to(w.anshang) };
    assert_eq!(
        field_errors(w.try_fire(&committed, &w.secretary, "reassign", same)),
        vec![(Field::ResponsibleOrg, FieldProblem::Unchanged)]
    );
    assert_eq!(
        field_errors(w.try_fire(&committed, &w.secretary, "reassign", assign_to(w.xiean))),
        vec![(Field::Reason, FieldProblem::Missing)]
    );
}

#[test]
fn only_the_responsible_company_or_the_secretary_commits() {
    let w = World::new();
    let assigned = w.assigned();
    not_allowed(w.try_fire(&assigned, &w.xiean_staff, "commit", commitment(date(2026, 12, 20))));
    not_allowed(w.try_fire(&assigned, &w.supervisor, "commit", commitment(date(2026, 12, 20))));

    // On the spot at the meeting: the secretary records Anshang's promise.
    let meeting = roundtable_core::MeetingId::new();
    let fields = TransitionFields { meeting: Some(meeting), ..commitment(date(2026, 12, 31)) };
    let c = w.fire(&assigned, &w.secretary, "commit", fields).issue.commitment.unwrap();
    assert_eq!((c.meeting, c.committed_by_org, c.committed_by), (Some(meeting), Some(w.anshang), w.secretary.user));
}

#[test]
fn a_commitment_needs_words_and_a_date_not_in_the_past_in_local_time() {
    let w = World::new();
    let assigned = w.assigned();
    // It is already 6 December in Shanghai though still the 5th in UTC.
    assert_eq!(
        field_errors(w.try_fire(&assigned, &w.anshang_staff, "commit", commitment(date(2026, 12, 5)))),
        vec![(Field::DueDate, FieldProblem::InPast { today: date(2026, 12, 6) })]
    );
    assert!(w.try_fire(&assigned, &w.anshang_staff, "commit", commitment(date(2026, 12, 6))).is_ok());

    let blank = TransitionFields { commitment_text: Some("   ".into()), ..commitment(date(2026, 12, 9)) };
    assert_eq!(
        field_errors(w.try_fire(&assigned, &w.anshang_staff, "commit", blank)),
        vec![(Field::CommitmentText, FieldProblem::Empty)]
    );
    let long = TransitionFields { commitment_text: Some("修".repeat(2001)), ..commitment(date(2026, 12, 9)) };
    assert_eq!(
        field_errors(w.try_fire(&assigned, &w.anshang_staff, "commit", long)),
        vec![(Field::CommitmentText, FieldProblem::TooLong { max_chars: 2000 })]
    );
    // Every problem at once, so a form can show them all.
    let errors = field_errors(w.try_fire(&assigned, &w.anshang_staff, "commit", TransitionFields::default()));
    assert_eq!(errors, vec![(Field::CommitmentText, FieldProblem::Missing), (Field::DueDate, FieldProblem::Missing)]);

    let padded = TransitionFields { commitment_text: Some("  换水泵 \n".into()), ..commitment(date(2026, 12, 9)) };
    let out = w.fire(&assigned, &w.anshang_staff, "commit", padded);
    assert_eq!(out.issue.commitment.unwrap().text, "换水泵");
    assert_eq!(out.event.fields.commitment_text.as_deref(), Some("换水泵"));
}

#[test]
fn resolve_is_for_the_responsible_organisation_with_a_note() {
    let w = World::new();
    let committed = w.committed();
    for who in [&w.xiean_staff, &w.secretary, &w.supervisor] {
        not_allowed(w.try_fire(&committed, who, "resolve", resolution()));
    }
    assert_eq!(
        field_errors(w.try_fire(&committed, &w.anshang_staff, "resolve", TransitionFields::default())),
        vec![(Field::ResolutionNote, FieldProblem::Missing)]
    );
}

#[test]
fn verify_is_for_the_raisers_and_the_supervisory_committee() {
    let w = World::new();
    let resolved = w.resolved();
    for who in [&w.anshang_staff, &w.secretary, &w.grid, &w.resident] {
        not_allowed(w.try_fire(&resolved, who, "verify", satisfaction(4)));
    }
    // The raiser's organisation.
    assert!(w.try_fire(&resolved, &w.supervisor_colleague, "verify", satisfaction(4)).is_ok());
    // A resident who raised the issue may verify it too.
    let own = w.fire(
        &w.fire(
            &w.fire(
                &w.fire(&w.raise_by(&w.resident), &w.secretary, "assign", assign_to(w.anshang)).issue,
                &w.anshang_staff,
                "commit",
                commitment(date(2026, 12, 9)),
            )
            .issue,
            &w.anshang_staff,
            "resolve",
            resolution(),
        )
        .issue,
        &w.resident,
        "verify",
        satisfaction(3),
    );
    assert_eq!(own.issue.state, "verified");

    for bad in [0, 6, -1] {
        assert_eq!(
            field_errors(w.try_fire(&resolved, &w.supervisor, "verify", satisfaction(bad))),
            vec![(Field::Satisfaction, FieldProblem::OutOfRange { min: 1, max: 5 })]
        );
    }
}

#[test]
fn reopen_sends_the_issue_back_to_the_committed_party() {
    let w = World::new();
    let resolved = w.resolved();
    assert_eq!(
        field_errors(w.try_fire(&resolved, &w.supervisor, "reopen", TransitionFields::default())),
        vec![(Field::Reason, FieldProblem::Missing)]
    );
    not_allowed(w.try_fire(&resolved, &w.anshang_staff, "reopen", reason("x")));

    let out = w.fire(&resolved, &w.supervisor, "reopen", reason("墙面仍然渗水"));
    assert_eq!(out.issue.state, "committed");
    assert_eq!(out.issue.reopen_count, 1);
    assert!(out.issue.commitment.is_some(), "the promise still stands");
    let v = out.issue.verification.unwrap();
    assert_eq!((v.outcome, v.note.as_deref()), (VerificationOutcome::NotFixed, Some("墙面仍然渗水")));
    assert_eq!(out.effects, vec![Effect::NotifyResponsible, Effect::NotifySecretary], "internal effects stay inside");
}

#[test]
fn reject_and_duplicate_close_the_issue_with_a_reason() {
    let w = World::new();
    let raised = w.raise_by(&w.grid);
    not_allowed(w.try_fire(&raised, &w.supervisor, "reject", reason("x")));
    let rejected = w.fire(&raised, &w.secretary, "reject", reason("不属于社区事务"));
    assert_eq!(
        (rejected.issue.state.as_str(), rejected.issue.closing_reason.as_deref()),
        ("rejected", Some("不属于社区事务"))
    );
    assert!(matches!(
        w.try_fire(&rejected.issue, &w.secretary, "assign", assign_to(w.anshang)),
        Err(Denial::WrongState { .. })
    ));

    let itself = TransitionFields { duplicate_of: Some(raised.id), ..Default::default() };
    assert_eq!(
        field_errors(w.try_fire(&raised, &w.secretary, "mark_duplicate", itself)),
        vec![(Field::DuplicateOf, FieldProblem::SelfReference)]
    );
    let other = IssueId::new();
    let dup = w.fire(
        &raised,
        &w.secretary,
        "mark_duplicate",
        TransitionFields { duplicate_of: Some(other), ..Default::default() },
    );
    assert_eq!((dup.issue.state.as_str(), dup.issue.duplicate_of), ("duplicate", Some(other)));
}

#[test]
fn wrong_state_stale_version_unknown_transition_and_other_community_are_denied() {
    let w = World::new();
    let raised = w.raise_by(&w.supervisor);
    assert!(matches!(w.try_fire(&raised, &w.anshang_staff, "resolve", resolution()), Err(Denial::WrongState { .. })));
    assert!(matches!(
        w.try_fire(&raised, &w.secretary, "approve", TransitionFields::default()),
        Err(Denial::UnknownTransition { .. })
    ));
    assert_eq!(w.try_fire(&raised, &w.outsider, "assign", assign_to(w.anshang)), Err(Denial::OtherCommunity));

    let req =
        roundtable_core::TransitionRequest { transition: "assign".into(), version: 7, fields: assign_to(w.anshang) };
    assert_eq!(
        roundtable_core::apply(&w.wf, &raised, &w.secretary, &req, now()),
        Err(Denial::Stale { sent: 7, current: 1 })
    );
}

#[test]
fn resolve_without_a_commitment_fails_its_guard() {
    let w = World::new();
    let mut odd = w.committed();
    odd.commitment = None; // e.g. imported data
    assert_eq!(
        w.try_fire(&odd, &w.anshang_staff, "resolve", resolution()),
        Err(Denial::Precondition { guard: Guard::HasCommitment })
    );
}

#[test]
fn available_lists_only_what_the_viewer_may_fire_now() {
    let w = World::new();
    let names = |issue, actor| w.wf.available(issue, actor).map(|t| t.name.as_str()).collect::<Vec<_>>();
    let raised = w.raise_by(&w.supervisor);
    assert_eq!(names(&raised, &w.secretary), ["assign", "reject", "mark_duplicate"]);
    assert!(names(&raised, &w.anshang_staff).is_empty());
    let assigned = w.assigned();
    assert_eq!(names(&assigned, &w.anshang_staff), ["commit", "request_return"]);
    assert!(names(&assigned, &w.xiean_staff).is_empty());
    let resolved = w.resolved();
    assert_eq!(names(&resolved, &w.supervisor), ["verify", "reopen", "partly_fixed"]);
    let committed = w.committed();
    assert_eq!(names(&committed, &w.anshang_staff), ["report_progress", "request_extension", "resolve"]);
    assert_eq!(
        names(&committed, &w.secretary),
        ["reassign", "report_progress", "extend", "pause"],
        "nothing asked, nothing to refuse"
    );
    assert!(names(&raised, &w.outsider).is_empty());
}

fn later(due: NaiveDate, why: &str) -> TransitionFields {
    TransitionFields { due_date: Some(due), reason: Some(why.into()), ..Default::default() }
}

#[test]
fn an_extension_is_asked_for_by_the_company_and_granted_or_refused_by_the_secretary() {
    let w = World::new();
    let committed = w.committed(); // due 2026-12-20
    // Only the responsible company asks; the date must move later and not into the past.
    not_allowed(w.try_fire(&committed, &w.xiean_staff, "request_extension", later(date(2027, 1, 10), "缺配件")));
    assert_eq!(
        field_errors(w.try_fire(&committed, &w.anshang_staff, "request_extension", later(date(2026, 12, 20), "x"))),
        vec![(Field::DueDate, FieldProblem::NotLater { current: date(2026, 12, 20) })]
    );
    assert_eq!(
        field_errors(w.try_fire(
            &committed,
            &w.anshang_staff,
            "request_extension",
            TransitionFields { due_date: Some(date(2027, 1, 10)), ..Default::default() }
        )),
        vec![(Field::Reason, FieldProblem::Missing)]
    );
    // Nothing to refuse yet: not offered, and refused as a precondition.
    assert!(!w.wf.available(&committed, &w.secretary).any(|t| t.name == "refuse_extension"));
    assert_eq!(
        w.try_fire(&committed, &w.secretary, "refuse_extension", reason("不同意")).unwrap_err(),
        Denial::Precondition { guard: Guard::ExtensionRequested }
    );

    let asked = w.fire(&committed, &w.anshang_staff, "request_extension", later(date(2027, 1, 10), "缺配件"));
    assert_eq!(asked.issue.state, "committed");
    assert_eq!(asked.issue.commitment.as_ref().unwrap().due_date, date(2026, 12, 20), "the date stays until granted");
    let request = asked.issue.extension_request.clone().unwrap();
    assert_eq!((request.due_date, request.reason.as_str()), (date(2027, 1, 10), "缺配件"));
    assert_eq!(asked.effects, vec![Effect::NotifySecretary]);
    assert!(asked.extension.is_none());
    // The company cannot grant itself more time.
    not_allowed(w.try_fire(&asked.issue, &w.anshang_staff, "extend", later(date(2027, 1, 10), "x")));

    // Refused: the request is gone, the date and the count stay.
    let refused = w.fire(&asked.issue, &w.secretary, "refuse_extension", reason("材料已到货"));
    assert_eq!(refused.issue.extension_request, None);
    assert_eq!((refused.issue.extension_count, refused.issue.commitment.unwrap().due_date), (0, date(2026, 12, 20)));

    // Granted: the new date, counted, with the old one in the extension record.
    let granted = w.fire(&asked.issue, &w.secretary, "extend", later(date(2027, 1, 10), "会议同意"));
    let c = granted.issue.commitment.clone().unwrap();
    assert_eq!((c.due_date, granted.issue.extension_count), (date(2027, 1, 10), 1));
    assert_eq!(c.committed_at, committed.commitment.as_ref().unwrap().committed_at, "the promise keeps its day");
    assert_eq!(granted.issue.extension_request, None, "a grant settles the request");
    let x = granted.extension.clone().unwrap();
    assert_eq!((x.from, x.to, x.reason.as_str()), (date(2026, 12, 20), date(2027, 1, 10), "会议同意"));
    assert_eq!((x.by, x.requested_by), (w.secretary.user, Some(w.anshang_staff.user)));
    assert_eq!(granted.effects, vec![Effect::NotifyResponsible, Effect::NotifyRaiser]);

    // A second, unasked extension at the meeting counts twice; a new promise starts afresh.
    let twice = w.fire(&granted.issue, &w.secretary, "extend", later(date(2027, 2, 1), "春节停工"));
    assert_eq!((twice.issue.extension_count, twice.extension.unwrap().requested_by), (2, None));
    let reassigned = w.fire(
        &twice.issue,
        &w.secretary,
        "reassign",
        TransitionFields { responsible_org: Some(w.xiean), reason: Some("换单位".into()), ..Default::default() },
    );
    let again = w.fire(&reassigned.issue, &w.xiean_staff, "commit", commitment(date(2026, 12, 30)));
    assert_eq!(again.issue.extension_count, 0);
}

#[test]
fn an_overdue_commitment_can_be_extended_but_not_into_the_past() {
    let w = World::new();
    let mut overdue = w.committed();
    overdue.commitment.as_mut().unwrap().due_date = date(2026, 11, 30);
    assert_eq!(
        field_errors(w.try_fire(&overdue, &w.secretary, "extend", later(date(2026, 12, 1), "x"))),
        vec![(Field::DueDate, FieldProblem::InPast { today: date(2026, 12, 6) })]
    );
    let out = w.fire(&overdue, &w.secretary, "extend", later(date(2026, 12, 31), "业主同意"));
    assert_eq!(out.extension.unwrap().from, date(2026, 11, 30));
    assert_eq!(out.issue.commitment.unwrap().due_date, date(2026, 12, 31));
}

#[test]
fn partly_fixed_reopens_as_such_with_a_reason_and_counts_as_a_reopen() {
    let w = World::new();
    let resolved = w.resolved();
    assert_eq!(
        field_errors(w.try_fire(&resolved, &w.supervisor, "partly_fixed", TransitionFields::default())),
        vec![(Field::Reason, FieldProblem::Missing)]
    );
    not_allowed(w.try_fire(&resolved, &w.anshang_staff, "partly_fixed", reason("x")));
    let out = w.fire(
        &resolved,
        &w.supervisor,
        "partly_fixed",
        TransitionFields { satisfaction: Some(2), ..reason("3 号楼好了，5 号楼还漏") },
    );
    assert_eq!((out.issue.state.as_str(), out.issue.reopen_count), ("committed", 1));
    let v = out.issue.verification.unwrap();
    assert_eq!(
        (v.outcome, v.satisfaction, v.note.as_deref()),
        (VerificationOutcome::PartlyFixed, Some(2), Some("3 号楼好了，5 号楼还漏"))
    );
    assert!(out.issue.commitment.is_some(), "the rest is still owed");
    assert_eq!(out.effects, vec![Effect::NotifyResponsible, Effect::NotifySecretary]);
}

#[test]
fn a_paused_issue_waits_for_others_and_resumes_for_a_fresh_commitment() {
    let w = World::new();
    let waiting = |what| TransitionFields {
        waiting_for: Some(what),
        reason: Some("需业主表决动用维修资金".into()),
        ..Default::default()
    };
    let committed = w.committed();
    // The secretary pauses, saying what for and why; the company cannot pause itself.
    not_allowed(w.try_fire(&committed, &w.anshang_staff, "pause", waiting(WaitingFor::OwnersVote)));
    assert_eq!(
        field_errors(w.try_fire(&committed, &w.secretary, "pause", reason("等一等"))),
        [(Field::WaitingFor, FieldProblem::Missing)]
    );
    let paused = w.fire(&committed, &w.secretary, "pause", waiting(WaitingFor::MaintenanceFund));
    assert_eq!(paused.issue.state, "paused");
    assert_eq!(paused.event.fields.waiting_for, Some(WaitingFor::MaintenanceFund));
    assert_eq!(paused.effects, [Effect::NotifyResponsible, Effect::NotifyRaiser]);
    assert!(paused.issue.commitment.is_some(), "the promise made so far stays on record");
    // While it waits, the company neither resolves it nor asks for more time.
    for (transition, fields) in [("resolve", resolution()), ("commit", commitment(date(2027, 1, 10)))] {
        assert!(matches!(
            w.try_fire(&paused.issue, &w.anshang_staff, transition, fields),
            Err(Denial::WrongState { .. })
        ));
    }
    not_allowed(w.try_fire(&paused.issue, &w.anshang_staff, "resume", TransitionFields::default()));
    // Resumed: back to the company, which promises afresh.
    let resumed = w.fire(&paused.issue, &w.secretary, "resume", TransitionFields::default());
    assert_eq!(resumed.issue.state, "assigned");
    assert!(resumed.issue.commitment.is_none());
    assert_eq!(resumed.effects, [Effect::NotifyResponsible, Effect::NotifyRaiser]);
    let recommitted = w.fire(&resumed.issue, &w.anshang_staff, "commit", commitment(date(2027, 3, 31))).issue;
    assert_eq!(recommitted.commitment.map(|c| c.due_date), Some(date(2027, 3, 31)));
    // The owners may vote it down: the secretary closes it with that reason.
    let voted = w.fire(&w.assigned(), &w.secretary, "pause", waiting(WaitingFor::OwnersVote)).issue;
    let closed = w.fire(&voted, &w.secretary, "reject", reason("业主表决未通过")).issue;
    assert_eq!(closed.state, "rejected");
    assert_eq!(closed.closing_reason.as_deref(), Some("业主表决未通过"));
}

#[test]
fn the_company_reports_progress_and_the_issue_stays_as_it_was_entered() {
    let w = World::new();
    let committed = w.committed();
    let note = |text: &str| TransitionFields { note: Some(text.into()), ..Default::default() };
    // Only the company answering for it (or the secretary), only with something to say.
    not_allowed(w.try_fire(&committed, &w.xiean_staff, "report_progress", note("x")));
    not_allowed(w.try_fire(&committed, &w.supervisor, "report_progress", note("x")));
    assert_eq!(
        field_errors(w.try_fire(&committed, &w.anshang_staff, "report_progress", TransitionFields::default())),
        vec![(Field::Note, FieldProblem::Missing)]
    );
    // A promise not yet made has no progress: the company commits first.
    assert!(!w.wf.available(&w.assigned(), &w.anshang_staff).any(|t| t.name == "report_progress"));

    let mut later = committed.clone();
    later.state_entered_at = committed.state_entered_at - chrono::TimeDelta::days(9);
    let out = w.fire(&later, &w.anshang_staff, "report_progress", note("配件已到，周三施工"));
    assert_eq!(out.issue.state, "committed");
    assert_eq!(out.issue.version, later.version + 1, "a step like any other: a stale form is refused");
    assert_eq!(out.issue.state_entered_at, later.state_entered_at, "it does not enter its state anew");
    assert_eq!(out.issue.commitment, later.commitment, "the promise and its date stay");
    assert_eq!(out.effects, vec![Effect::NotifyRaiser]);
    assert_eq!(
        (out.event.transition.as_str(), out.event.fields.note.as_deref()),
        ("report_progress", Some("配件已到，周三施工"))
    );
    // A step that moves the issue still enters its state when it happens.
    let fixed = w.fire(&out.issue, &w.anshang_staff, "resolve", resolution());
    assert!(fixed.issue.state_entered_at > later.state_entered_at);
    let secretary = w.fire(&later, &w.secretary, "report_progress", note("物业电话告知：已联系厂家"));
    assert_eq!(secretary.issue.state_entered_at, later.state_entered_at);
}

#[test]
fn the_company_asks_to_hand_back_an_issue_not_its_own_and_the_secretary_decides() {
    let w = World::new();
    let mut assigned = w.assigned();
    assigned.state_entered_at -= chrono::TimeDelta::days(5);
    // Only the company it was handed to asks, and says whose it is.
    not_allowed(w.try_fire(&assigned, &w.xiean_staff, "request_return", reason("x")));
    not_allowed(w.try_fire(&assigned, &w.secretary, "request_return", reason("x")));
    assert_eq!(
        field_errors(w.try_fire(&assigned, &w.anshang_staff, "request_return", TransitionFields::default())),
        vec![(Field::Reason, FieldProblem::Missing)]
    );
    // Nothing asked: nothing to refuse.
    assert!(!w.wf.available(&assigned, &w.secretary).any(|t| t.name == "refuse_return"));
    assert_eq!(
        w.try_fire(&assigned, &w.secretary, "refuse_return", reason("x")).unwrap_err(),
        Denial::Precondition { guard: Guard::ReturnRequested }
    );
    // A promise made is not handed back: commit and the request are the assignment's answers.
    assert!(!w.wf.available(&w.committed(), &w.anshang_staff).any(|t| t.name == "request_return"));

    let asked = w.fire(&assigned, &w.anshang_staff, "request_return", reason("属开发商保修范围"));
    assert_eq!((asked.issue.state.as_str(), asked.issue.responsible_org), ("assigned", Some(w.anshang)));
    let request = asked.issue.return_request.clone().unwrap();
    assert_eq!((request.reason.as_str(), request.by), ("属开发商保修范围", w.anshang_staff.user));
    assert_eq!(asked.effects, vec![Effect::NotifySecretary]);
    assert_eq!(asked.issue.state_entered_at, assigned.state_entered_at, "asking buys no time");
    assert!(w.wf.available(&asked.issue, &w.secretary).any(|t| t.name == "refuse_return"));

    // Refused: it stays the company's, its time still counted from the assignment.
    let refused = w.fire(&asked.issue, &w.secretary, "refuse_return", reason("属物业服务范围"));
    assert_eq!(refused.issue.return_request, None);
    assert_eq!(refused.issue.responsible_org, Some(w.anshang));
    assert_eq!(refused.issue.state_entered_at, assigned.state_entered_at);
    assert_eq!(refused.effects, vec![Effect::NotifyResponsible]);

    // Handed on: the request is settled with the new party.
    let handed = w.fire(
        &asked.issue,
        &w.secretary,
        "reassign",
        TransitionFields { responsible_org: Some(w.xiean), reason: Some("退回成立".into()), ..Default::default() },
    );
    assert_eq!((handed.issue.responsible_org, handed.issue.return_request.clone()), (Some(w.xiean), None));
    assert!(handed.issue.state_entered_at > assigned.state_entered_at, "the new party's time starts now");
    // A promise after all settles it too.
    let promised = w.fire(&asked.issue, &w.anshang_staff, "commit", commitment(date(2026, 12, 30)));
    assert_eq!(promised.issue.return_request, None);
}
