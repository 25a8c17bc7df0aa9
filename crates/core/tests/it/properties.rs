//! Property tests: random actors firing random requests never leave the declared
//! graph, never do what the file forbids, and only ever move the version up by one.

use proptest::prelude::*;
use roundtable_core::{Actor, Denial, Issue, IssueId, Role, TransitionFields, TransitionRequest, WaitingFor, apply};

use crate::fixture::*;

/// Who may fire what in workflows/issue.toml, written out by hand as an oracle
/// independent of the engine's own permission code.
fn file_allows(w: &World, issue: &Issue, actor: &Actor, transition: &str) -> bool {
    let role = |r| actor.has_role(r);
    let responsible = issue.responsible_org.is_some_and(|o| actor.is_member_of(o));
    let raiser = issue.raised_by == actor.user || issue.raised_by_org.is_some_and(|o| actor.is_member_of(o));
    actor.community == w.community
        && match transition {
            "assign" | "reassign" | "reject" | "mark_duplicate" | "extend" | "refuse_extension" | "pause"
            | "resume" | "refuse_return" => role(Role::Secretary) || role(Role::Admin),
            "commit" | "report_progress" => responsible || role(Role::Secretary),
            "resolve" | "request_extension" | "request_return" => responsible,
            "verify" | "reopen" | "partly_fixed" => raiser || role(Role::Supervisor),
            _ => false,
        }
}

#[derive(Debug, Clone)]
struct Step {
    actor: usize,
    transition: usize,
    stale: bool,
    org: usize,
    due_offset: i64,
    text: usize,
    satisfaction: i64,
    self_duplicate: bool,
    with: [bool; 8],
    /// Send exactly the fields the transition needs, with sane values.
    well_formed: bool,
}

prop_compose! {
    fn step()(
        actor in 0..9usize,
        transition in 0..TRANSITIONS.len(),
        stale in prop::bool::weighted(0.1),
        org in 0..2usize,
        due_offset in -3..30i64,
        text in 0..3usize,
        satisfaction in -1..7i64,
        self_duplicate in any::<bool>(),
        with in any::<[bool; 8]>(),
        well_formed in prop::bool::weighted(0.8),
    ) -> Step {
        Step { actor, transition, stale, org, due_offset, text, satisfaction, self_duplicate, with, well_formed }
    }
}

/// The default workflow's transitions plus one it does not declare.
const TRANSITIONS: [&str; 18] = [
    "assign",
    "reassign",
    "commit",
    "request_return",
    "refuse_return",
    "report_progress",
    "request_extension",
    "extend",
    "refuse_extension",
    "resolve",
    "verify",
    "reopen",
    "partly_fixed",
    "pause",
    "resume",
    "reject",
    "mark_duplicate",
    "nonsense",
];

fn well_formed(w: &World, issue: &Issue, transition: &str, s: &Step) -> TransitionFields {
    let other_org = if issue.responsible_org == Some(w.anshang) { w.xiean } else { w.anshang };
    let due = now().date_naive().checked_add_signed(chrono::TimeDelta::days(s.due_offset.abs())).unwrap();
    match transition {
        "assign" => assign_to(other_org),
        "reassign" => TransitionFields { reason: Some("换人".into()), ..assign_to(other_org) },
        "commit" => commitment(due),
        "request_extension" | "extend" => {
            let current = issue.commitment.as_ref().map_or(due, |c| c.due_date.max(due));
            let later = current.checked_add_signed(chrono::TimeDelta::days(1 + s.due_offset.abs())).unwrap();
            TransitionFields { due_date: Some(later), reason: Some("缺配件".into()), ..Default::default() }
        }
        "refuse_extension" | "refuse_return" => reason("不同意"),
        "request_return" => reason("属开发商保修范围"),
        "report_progress" => TransitionFields { note: Some("配件已到".into()), ..Default::default() },
        "resolve" => resolution(),
        "verify" => satisfaction(s.satisfaction.clamp(1, 5)),
        "reopen" | "partly_fixed" | "reject" => reason("不行"),
        "mark_duplicate" => TransitionFields { duplicate_of: Some(IssueId::new()), ..Default::default() },
        "pause" => TransitionFields { waiting_for: Some(WaitingFor::OwnersVote), ..reason("待业主表决") },
        _ => TransitionFields::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_stay_in_the_declared_graph(steps in prop::collection::vec(step(), 1..40)) {
        let w = World::new();
        let actors = [&w.secretary, &w.admin, &w.supervisor, &w.supervisor_colleague, &w.anshang_staff, &w.xiean_staff, &w.grid, &w.resident, &w.outsider];
        let mut issue = w.raise_by(&w.supervisor);
        let declared: Vec<&str> = w.wf.transitions.iter().map(|t| t.name.as_str()).collect();
        prop_assert_eq!(&declared[..], &TRANSITIONS[..17]);
        let mut versions = vec![issue.version];
        for s in steps {
            let actor = actors[s.actor];
            let name = TRANSITIONS[s.transition];
            let text = ["修好", "   ", ""][s.text].to_string();
            let f = s.with;
            let fields = TransitionFields {
                responsible_org: f[0].then_some([w.anshang, w.xiean][s.org]),
                commitment_text: f[1].then(|| text.clone()),
                due_date: f[1].then(|| now().date_naive().checked_add_signed(chrono::TimeDelta::days(s.due_offset)).unwrap()),
                resolution_note: f[2].then(|| text.clone()),
                satisfaction: f[3].then_some(s.satisfaction),
                reason: f[4].then(|| text.clone()),
                duplicate_of: f[5].then(|| if s.self_duplicate { issue.id } else { IssueId::new() }),
                note: f[6].then(|| text.clone()),
                meeting: None,
                urgency: None,
                waiting_for: f[7].then_some(WaitingFor::MaintenanceFund),
            };
            let fields = if s.well_formed { well_formed(&w, &issue, name, &s) } else { fields };
            let version = if s.stale { issue.version + 1 } else { issue.version };
            let req = TransitionRequest { transition: name.into(), version, fields };
            let before = issue.clone();
            match apply(&w.wf, &issue, actor, &req, now()) {
                Ok(out) => {
                    let t = w.wf.transition(name).expect("only declared transitions succeed");
                    prop_assert!(t.from.contains(&before.state), "{name} fired from {}", before.state);
                    prop_assert_eq!(&out.issue.state, &t.to);
                    prop_assert!(w.wf.state(out.issue.state.as_str()).is_some());
                    prop_assert!(file_allows(&w, &before, actor, name), "{name} by {:?} was allowed", actor.roles);
                    prop_assert!(!s.stale);
                    prop_assert_eq!(out.issue.version, before.version + 1);
                    prop_assert_eq!(out.event.version, out.issue.version);
                    prop_assert_eq!(out.event.from.as_ref(), Some(&before.state));
                    prop_assert!(!w.wf.is_terminal(before.state.as_str()));
                    if let Some(c) = &out.issue.commitment {
                        prop_assert!(!c.text.trim().is_empty());
                    }
                    // A failed verification is counted, whichever of the two answers.
                    if ["reopen", "partly_fixed"].contains(&name) {
                        prop_assert_eq!(out.issue.reopen_count, before.reopen_count + 1);
                    }
                    // Only a granted extension moves a standing promise's date, always
                    // later, counted once; a request leaves the date alone.
                    let (was, is) = (before.commitment.as_ref(), out.issue.commitment.as_ref());
                    match name {
                        "extend" => {
                            prop_assert!(is.unwrap().due_date > was.unwrap().due_date);
                            prop_assert_eq!(out.issue.extension_count, before.extension_count + 1);
                            prop_assert_eq!(out.extension.as_ref().map(|x| x.from), was.map(|c| c.due_date));
                            prop_assert!(out.issue.extension_request.is_none());
                        }
                        "request_extension" | "refuse_extension" | "resolve" | "verify" | "reopen" | "partly_fixed" => {
                            prop_assert_eq!(is.map(|c| c.due_date), was.map(|c| c.due_date));
                            prop_assert_eq!(out.issue.extension_count, before.extension_count);
                            prop_assert_eq!(out.issue.extension_request.is_some(), name == "request_extension" || (before.extension_request.is_some() && name != "refuse_extension"));
                        }
                        // A report on the way changes nothing but the version: the state
                        // as it was entered, the promise, its date, any request.
                        "report_progress" => {
                            prop_assert_eq!(is, was);
                            prop_assert_eq!(out.issue.state_entered_at, before.state_entered_at);
                            prop_assert_eq!(&out.issue.extension_request, &before.extension_request);
                        }
                        _ => prop_assert!(out.extension.is_none()),
                    }
                    // A request to hand the issue back stands only while the issue stays
                    // assigned to whoever asked; asking and its refusal leave the issue as
                    // it was entered.
                    match name {
                        "request_return" => {
                            prop_assert!(out.issue.return_request.is_some());
                            prop_assert_eq!(out.issue.state_entered_at, before.state_entered_at);
                        }
                        "refuse_return" => {
                            prop_assert!(before.return_request.is_some() && out.issue.return_request.is_none());
                            prop_assert_eq!(out.issue.state_entered_at, before.state_entered_at);
                        }
                        _ if out.issue.state != before.state || out.issue.responsible_org != before.responsible_org => {
                            prop_assert!(out.issue.return_request.is_none());
                        }
                        _ => prop_assert_eq!(&out.issue.return_request, &before.return_request),
                    }
                    issue = out.issue;
                    versions.push(issue.version);
                }
                Err(denial) => {
                    // A permitted, well-formed request in the right state may only fail on fields.
                    if let Denial::NotAllowed { .. } = denial {
                        prop_assert!(!file_allows(&w, &before, actor, name));
                    }
                    if s.stale && name != "nonsense" && actor.community == w.community {
                        prop_assert!(matches!(denial, Denial::Stale { .. }), "{denial:?}");
                    }
                    prop_assert_eq!(&issue, &before);
                }
            }
        }
        prop_assert!(versions.windows(2).all(|v| v[1] == v[0] + 1), "versions {versions:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever a workflow file holds — the shipped one cut, spliced or sprinkled with
    /// bytes — loading it answers `Ok` or a list of located errors; it never panics.
    #[test]
    fn any_workflow_file_loads_or_is_refused_without_panicking(
        cut in 0usize..6000,
        splice in "[\\PC\\n\\t\\[\\]=\"#{}.,0-9a-z_-]{0,40}",
        at in 0usize..6000,
    ) {
        let shipped = include_str!("../../../../workflows/issue.toml");
        let mut text: String = shipped.chars().take(cut.min(shipped.chars().count())).collect();
        let at = at.min(text.chars().count());
        let byte = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
        text.insert_str(byte, &splice);
        text.push_str(&shipped.chars().skip(cut).collect::<String>());
        match roundtable_core::WorkflowSet::from_sources([("fuzz.toml", text.as_str())]) {
            Ok(_) => {}
            Err(errors) => prop_assert!(!errors.is_empty() && errors.iter().all(|e| e.to_string().starts_with("fuzz.toml:"))),
        }
    }
}
