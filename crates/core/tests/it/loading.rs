//! Loading validates everything and reports `file:line:col: reason`.

use roundtable_core::{Workflow, WorkflowSet};

use crate::fixture::DEFAULT_WORKFLOW;

/// A small valid workflow; tests break one line of it at a time.
const MINI: &str = r#"[workflow]
name = "mini"
initial = "open"

[[state]]
name = "open"

[[state]]
name = "done"
terminal = true

[[transition]]
name = "close"
from = ["open"]
to = "done"
allow = ["secretary"]
require = ["reason"]
effects = ["notify_raiser"]

[[timer]]
name = "nudge"
state = "open"
anchor = "entered"
offset = "3d"
effects = ["remind_secretary"]
"#;

fn errors(text: &str) -> Vec<String> {
    match Workflow::from_toml("mini.toml", text) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

/// Replaces `from` with `to` in MINI and expects exactly one error at `line:col` with `message`.
#[track_caller]
fn expect_one(from: &str, to: &str, at: &str, message: &str) {
    assert!(MINI.contains(from), "fixture lacks {from:?}");
    let errors = errors(&MINI.replacen(from, to, 1));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let expected = format!("mini.toml:{at}: ");
    assert!(errors[0].starts_with(&expected), "{} does not start with {expected}", errors[0]);
    assert!(errors[0].contains(message), "{} lacks {message:?}", errors[0]);
}

#[test]
fn the_default_workflow_and_the_mini_one_are_valid() {
    let wf = Workflow::from_toml("workflows/issue.toml", DEFAULT_WORKFLOW).unwrap();
    let states: Vec<&str> = wf.states.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(states, ["raised", "assigned", "committed", "resolved", "paused", "verified", "rejected", "duplicate"]);
    let transitions: Vec<&str> = wf.transitions.iter().map(|t| t.name.as_str()).collect();
    let expected = "assign reassign commit request_return refuse_return report_progress request_extension extend refuse_extension resolve verify reopen partly_fixed pause resume reject mark_duplicate";
    assert_eq!(transitions.join(" "), expected);
    assert_eq!(wf.initial, "raised");
    Workflow::from_toml("mini.toml", MINI).unwrap();
}

#[test]
fn malformed_toml() {
    expect_one("to = \"done\"", "to = \"done", "15:11", "invalid basic string");
}

#[test]
fn unknown_state() {
    expect_one("to = \"done\"", "to = \"dune\"", "15:6", "unknown state `dune` (declared states: done, open)");
    expect_one("from = [\"open\"]", "from = [\"opne\"]", "14:9", "unknown state `opne`");
    expect_one("state = \"open\"", "state = \"shut\"", "22:9", "unknown state `shut`");
}

#[test]
fn unknown_role_and_relation() {
    expect_one("allow = [\"secretary\"]", "allow = [\"mayor\"]", "16:10", "unknown role `mayor`");
    expect_one("allow = [\"secretary\"]", "allow = [\"property@landlord\"]", "16:10", "unknown relation `landlord`");
}

#[test]
fn unknown_guard_effect_field_and_anchor() {
    expect_one(
        "require = [\"reason\"]",
        "require = [\"reason\"]\nguards = [\"is_sunny\"]",
        "18:11",
        "unknown guard `is_sunny`",
    );
    expect_one("effects = [\"notify_raiser\"]", "effects = [\"send_fax\"]", "18:12", "unknown effect `send_fax`");
    expect_one("require = [\"reason\"]", "require = [\"colour\"]", "17:12", "unknown field `colour`");
    expect_one("anchor = \"entered\"", "anchor = \"sunrise\"", "23:10", "unknown timer anchor `sunrise`");
    expect_one(
        "offset = \"3d\"",
        "offset = \"3d\"\nurgency = [\"red\", \"orange\"]",
        "25:19",
        "unknown urgency `orange` (expected one of: routine, yellow, red)",
    );
    expect_one("offset = \"3d\"", "offset = \"3d\"\nurgency = [\"red\", \"red\"]", "25:19", "duplicate urgency `red`");
}

#[test]
fn unknown_keys_are_errors_not_silently_ignored() {
    expect_one("terminal = true", "terminal = true\ncolour = \"red\"", "11:1", "unknown field `colour`");
}

#[test]
fn duplicate_names() {
    expect_one(
        "[[transition]]",
        "[[state]]\nname = \"open\"\n\n[[transition]]",
        "13:8",
        "duplicate state `open` (first defined on line 6)",
    );
    let doubled = MINI.replacen(
        "[[timer]]",
        "[[transition]]\nname = \"close\"\nfrom = [\"open\"]\nto = \"done\"\nallow = [\"admin\"]\n\n[[timer]]",
        1,
    );
    let e = errors(&doubled);
    assert_eq!(e, ["mini.toml:21:8: duplicate transition `close` (first defined on line 13)"]);
}

#[test]
fn no_initial_state() {
    expect_one("initial = \"open\"\n", "", "1:1", "no initial state");
}

#[test]
fn unreachable_state() {
    let text = format!("{MINI}\n[[state]]\nname = \"limbo\"\nterminal = true\n");
    assert_eq!(errors(&text), ["mini.toml:28:8: state `limbo` is unreachable from the initial state `open`"]);
}

#[test]
fn state_with_no_path_to_a_terminal_state() {
    let text = MINI.replacen("[[transition]]", "[[state]]\nname = \"stuck\"\n\n[[transition]]\nname = \"park\"\nfrom = [\"open\"]\nto = \"stuck\"\nallow = [\"admin\"]\n\n[[transition]]", 1);
    assert_eq!(errors(&text), ["mini.toml:13:8: state `stuck` has no path to a terminal state"]);
}

#[test]
fn bad_durations() {
    expect_one("offset = \"3d\"", "offset = \"three days\"", "24:10", "bad duration `three days`");
    expect_one("offset = \"3d\"", "offset = \"3y\"", "24:10", "bad duration `3y`");
    expect_one("offset = \"3d\"", "offset = \"1d2wd\"", "24:10", "or of working days, `5wd`");
    expect_one("offset = \"3d\"", "offset = \"300wd\"", "24:10", "bad duration `300wd`");
    let wf = Workflow::from_toml("mini.toml", &MINI.replacen("offset = \"3d\"", "offset = \"3wd\"", 1)).unwrap();
    assert_eq!(wf.timers[0].offset, roundtable_core::workflow::TimerOffset::WorkingDays(3));
}

#[test]
fn structural_mistakes() {
    expect_one("allow = [\"secretary\"]", "allow = []", "16:9", "allows nobody");
    expect_one(
        "require = [\"reason\"]",
        "require = [\"reason\"]\nguards = [\"due_date_not_past\"]",
        "18:11",
        "needs the field `due_date`",
    );
    expect_one(
        "require = [\"reason\"]",
        "require = [\"commitment_text\"]",
        "17:12",
        "must be required together with `due_date`",
    );
    // An extension moves the date of the promise already made: `due_date` alone, but never without it.
    expect_one(
        "effects = [\"notify_raiser\"]",
        "effects = [\"record_extension\"]",
        "13:8",
        "extends a commitment: it must require `due_date`",
    );
    // A report on the way keeps the issue where it is: never on a step that moves it.
    expect_one(
        "effects = [\"notify_raiser\"]",
        "effects = [\"record_progress\"]",
        "13:8",
        "records progress: the issue stays where it is, so `from` must be [\"done\"]",
    );
    // So does a request to hand the issue back: a step that moved it would drop it.
    expect_one(
        "effects = [\"notify_raiser\"]",
        "effects = [\"request_return\"]",
        "13:8",
        "asks to return the issue: it stays where it is, so `from` must be [\"done\"]",
    );
    let alone = MINI.replacen("require = [\"reason\"]", "require = [\"due_date\", \"reason\"]", 1);
    Workflow::from_toml("mini.toml", &alone.replacen("[\"notify_raiser\"]", "[\"record_extension\"]", 1)).unwrap();
    expect_one("initial = \"open\"", "initial = \"done\"", "3:11", "initial state `done` is terminal");
    expect_one(
        "effects = [\"remind_secretary\"]",
        "effects = [\"record_reopen\"]",
        "25:12",
        "belongs to transitions, not timers",
    );
    expect_one("name = \"close\"", "name = \"Close Now\"", "13:8", "invalid transition name `Close Now`");
}

#[test]
fn every_error_of_a_file_is_reported_at_once_in_line_order() {
    let text = MINI
        .replacen("to = \"done\"", "to = \"dune\"", 1)
        .replacen("offset = \"3d\"", "offset = \"soon\"", 1)
        .replacen("allow = [\"secretary\"]", "allow = [\"mayor\"]", 1);
    let e = errors(&text);
    let lines: Vec<&str> = e.iter().map(|e| e.split(':').nth(1).unwrap()).collect();
    // No cascade: the graph is judged only once its names are right.
    assert_eq!(lines, ["15", "16", "24"], "{e:#?}");
}

#[test]
fn a_set_refuses_two_workflows_with_one_name() {
    let e = WorkflowSet::from_sources([("a.toml", MINI), ("b.toml", MINI)]).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].to_string(), "b.toml:1:1: duplicate workflow name `mini` (also in a.toml)");
    let set = WorkflowSet::from_sources([("issue.toml", DEFAULT_WORKFLOW), ("mini.toml", MINI)]).unwrap();
    assert_eq!(set.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["issue", "mini"]);
}

#[test]
fn the_mermaid_graph_shows_every_edge() {
    let wf = Workflow::from_toml("workflows/issue.toml", DEFAULT_WORKFLOW).unwrap();
    let g = wf.mermaid();
    assert!(g.starts_with("stateDiagram-v2\n    [*] --> raised\n"));
    assert!(g.contains("    resolved --> committed: reopen (@raiser, @raiser_org, supervisor)\n"));
    assert!(g.contains("    committed --> assigned: reassign (secretary, admin)\n"));
    assert!(g.ends_with("    duplicate --> [*]\n"));
    assert!(g.contains("    committed --> committed: extend (secretary, admin)\n"));
    assert!(g.contains("    paused --> assigned: resume (secretary, admin)\n"));
    assert!(g.contains("    committed --> committed: report_progress (@responsible, secretary)\n"));
    assert!(g.contains("    assigned --> assigned: request_return (@responsible)\n"));
    assert_eq!(g.matches("-->").count(), 1 + 22 + 3);
}
