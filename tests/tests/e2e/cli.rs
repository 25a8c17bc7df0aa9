//! End-to-end: the real `roundtable` command line against the real workflow files.

use std::path::PathBuf;
use std::process::ExitCode;

use roundtable_e2e::repo;

fn roundtable(args: &[&str]) -> (ExitCode, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("roundtable").chain(args.iter().copied());
    let code = roundtable_web::cli::run(argv, &mut std::io::empty(), &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("roundtable-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn workflow_check_prints_the_states_and_transitions_of_the_shipped_workflows() {
    let dir = repo().join("workflows");
    let (code, out, err) = roundtable(&["workflow", "check", dir.to_str().unwrap()]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.contains("workflow `issue`"), "{out}");
    assert!(
        out.contains(
            "states: raised (initial), assigned, committed, resolved, verified (terminal)"
        ),
        "{out}"
    );
    assert!(out.contains("commit          assigned -> committed  by @responsible, secretary; requires commitment_text, due_date"), "{out}");
    assert!(
        out.contains("overdue                in committed at due 0m -> flag_overdue, escalate"),
        "{out}"
    );
    assert!(out.ends_with("1 workflow OK\n"), "{out}");
}

#[test]
fn workflow_check_reports_every_error_of_every_file_and_exits_1() {
    let dir = scratch("broken");
    let good = std::fs::read_to_string(repo().join("workflows/issue.toml")).unwrap();
    std::fs::write(
        dir.join("a.toml"),
        good.replace("to = \"resolved\"", "to = \"fixed\""),
    )
    .unwrap();
    std::fs::write(dir.join("b.toml"), "[workflow\nname = 1").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a workflow").unwrap();
    let (code, out, err) = roundtable(&["workflow", "check", dir.to_str().unwrap()]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(out.is_empty(), "{out}");
    let a = dir.join("a.toml").display().to_string();
    let b = dir.join("b.toml").display().to_string();
    assert!(
        err.contains(&format!("{a}:85:6: unknown state `fixed`")),
        "{err}"
    );
    assert!(err.contains(&format!("{b}:1:10: ")), "{err}");
    assert!(err.ends_with("2 errors found\n"), "{err}");
}

#[test]
fn workflow_check_explains_a_missing_or_empty_directory() {
    let (code, _, err) = roundtable(&["workflow", "check", "/nonexistent/roundtable"]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(
        err.contains("/nonexistent/roundtable:1:1: cannot read directory"),
        "{err}"
    );
    let empty = scratch("empty");
    let (code, _, err) = roundtable(&["workflow", "check", empty.to_str().unwrap()]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("no workflow files (*.toml) found"), "{err}");
}

#[test]
fn workflow_graph_prints_mermaid_that_matches_the_readme() {
    let file = repo().join("workflows/issue.toml");
    let (code, out, err) = roundtable(&["workflow", "graph", file.to_str().unwrap()]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.starts_with("stateDiagram-v2\n"));
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```mermaid\n{out}```")),
        "README's diagram is out of date; paste:\n{out}"
    );
}

#[test]
fn bad_arguments_are_a_usage_error() {
    let (code, _, err) = roundtable(&["workflow", "frobnicate"]);
    assert_eq!(code, ExitCode::from(2));
    assert!(err.contains("unrecognized subcommand"), "{err}");
}

#[test]
fn migrate_creates_the_sqlite_database_and_is_idempotent() {
    let dir = scratch("migrate");
    let url = format!("sqlite://{}", dir.join("data/roundtable.db").display());
    let (code, out, err) = roundtable(&["migrate", "--database", &url]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.contains(": applied "), "{out}");
    assert!(dir.join("data/roundtable.db").exists());
    let (code, out, _) = roundtable(&["migrate", "--database", &url]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert!(out.ends_with("is up to date\n"), "{out}");
}

#[test]
fn migrate_explains_a_bad_database_url() {
    let (code, out, err) = roundtable(&[
        "migrate",
        "--database",
        "postgres://rt:hunter2@127.0.0.1:1/rt",
    ]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(out.is_empty());
    assert!(
        err.starts_with("error: cannot open the database at postgres://rt:***@127.0.0.1:1/rt: "),
        "{err}"
    );
    assert!(!err.contains("hunter2"));
    let (code, _, err) = roundtable(&["migrate", "--database", "mongodb://x"]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("unsupported database URL"), "{err}");
}
