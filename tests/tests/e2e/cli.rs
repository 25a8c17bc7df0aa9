//! End-to-end: the real `roundtable` command line against the real workflow files.

use std::process::ExitCode;

use roundtable_e2e::repo;

fn roundtable(args: &[&str]) -> (ExitCode, String, String) {
    roundtable_with_input(args, "")
}

/// Runs the command with `input` as standard input (passwords).
fn roundtable_with_input(args: &[&str], input: &str) -> (ExitCode, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("roundtable").chain(args.iter().copied());
    let code = roundtable_web::cli::run(argv, &mut input.as_bytes(), &mut out, &mut err);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

/// A directory of the test's own, removed with it (a run leaves nothing in /tmp).
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("roundtable-e2e-{name}-")).tempdir().unwrap()
}

#[test]
fn workflow_check_prints_the_states_and_transitions_of_the_shipped_workflows() {
    let dir = repo().join("workflows");
    let (code, out, err) = roundtable(&["workflow", "check", dir.to_str().unwrap()]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.contains("workflow `issue`"), "{out}");
    assert!(
        out.contains("states: raised (initial), assigned, committed, resolved, paused, verified (terminal)"),
        "{out}"
    );
    assert!(
        out.contains(
            "commit          assigned -> committed  by @responsible, secretary; requires commitment_text, due_date"
        ),
        "{out}"
    );
    assert!(out.contains("overdue                in committed at due 0m -> flag_overdue, escalate"), "{out}");
    assert!(
        out.contains("yellow_unresolved      in committed at raised 5wd -> remind_responsible, remind_secretary"),
        "working days print as written: {out}"
    );
    assert!(out.ends_with("1 workflow OK\n"), "{out}");
}

#[test]
fn workflow_check_reports_every_error_of_every_file_and_exits_1() {
    let dir_kept = scratch("broken");
    let dir = dir_kept.path();
    let good = std::fs::read_to_string(repo().join("workflows/issue.toml")).unwrap();
    std::fs::write(dir.join("a.toml"), good.replace("to = \"resolved\"", "to = \"fixed\"")).unwrap();
    std::fs::write(dir.join("b.toml"), "[workflow\nname = 1").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a workflow").unwrap();
    let (code, out, err) = roundtable(&["workflow", "check", dir.to_str().unwrap()]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(out.is_empty(), "{out}");
    let a = dir.join("a.toml").display().to_string();
    let b = dir.join("b.toml").display().to_string();
    assert!(err.contains(&format!("{a}:167:6: unknown state `fixed`")), "{err}");
    assert!(err.contains(&format!("{b}:1:10: ")), "{err}");
    assert!(err.ends_with("2 errors found\n"), "{err}");
    // One file, as a community's own workflow is checked before it is named in its settings.
    let (code, _, err) = roundtable(&["workflow", "check", &a]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains(&format!("{a}:167:6: unknown state `fixed`")) && err.ends_with("1 error found\n"), "{err}");
    let shipped = repo().join("workflows/issue.toml");
    let (code, out, err) = roundtable(&["workflow", "check", shipped.to_str().unwrap()]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.ends_with("1 workflow OK\n"), "{out}");
}

#[test]
fn workflow_check_explains_a_missing_or_empty_directory() {
    let (code, _, err) = roundtable(&["workflow", "check", "/nonexistent/roundtable"]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("/nonexistent/roundtable:1:1: cannot read directory"), "{err}");
    let empty_kept = scratch("empty");
    let empty = empty_kept.path();
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
    assert!(readme.contains(&format!("```mermaid\n{out}```")), "README's diagram is out of date; paste:\n{out}");
}

#[test]
fn bad_arguments_are_a_usage_error() {
    let (code, _, err) = roundtable(&["workflow", "frobnicate"]);
    assert_eq!(code, ExitCode::from(2));
    assert!(err.contains("unrecognized subcommand"), "{err}");
}

#[test]
fn migrate_creates_the_sqlite_database_and_is_idempotent() {
    let dir_kept = scratch("migrate");
    let dir = dir_kept.path();
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
    let (code, out, err) = roundtable(&["migrate", "--database", "postgres://rt:hunter2@127.0.0.1:1/rt"]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(out.is_empty());
    assert!(err.starts_with("error: cannot open the database at postgres://rt:***@127.0.0.1:1/rt: "), "{err}");
    assert!(!err.contains("hunter2"));
    let (code, _, err) = roundtable(&["migrate", "--database", "mongodb://x"]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("unsupported database URL"), "{err}");
}

#[test]
fn a_deployment_is_set_up_from_the_command_line() {
    let dir_kept = scratch("setup");
    let dir = dir_kept.path();
    let url = format!("sqlite://{}", dir.join("rt.db").display());
    let db = ["--database", url.as_str()];
    let run = |args: &[&str], input: &str| {
        let mut all = args.to_vec();
        all.extend(db);
        roundtable_with_input(&all, input)
    };
    let (code, _, err) = run(&["user", "add", "--login", "li", "--name", "李明", "--role", "property"], "password-1\n");
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("no community yet"), "{err}");
    for args in [
        &["setup", "community", "--name", "东圣社区"][..],
        &[
            "setup",
            "compound",
            "--name",
            "君悦湾",
            "--building",
            "1号楼",
            "--building",
            " 2号楼",
            "--building",
            "1号楼",
        ],
        &[
            "setup",
            "org",
            "--name",
            "安尚物业",
            "--kind",
            "property_company",
            "--email",
            "office@anshang.example",
            "--compound",
            "君悦湾",
        ],
    ] {
        let (code, out, err) = run(args, "");
        assert_eq!(code, ExitCode::SUCCESS, "{args:?}: {err}");
        assert!(out.starts_with("added "), "{out}");
    }
    let add =
        ["user", "add", "--login", "li@anshang.example", "--name", "李明", "--role", "property", "--org", "安尚物业"];
    let (code, _, err) = run(&add, "short\n");
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("at least 8 characters"), "{err}");
    let (code, out, err) = run(&add, "s3cret-pass\n");
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.starts_with("added li@anshang.example"), "{out}");
    let (code, _, err) = run(&add, "s3cret-pass\n");
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("login already exists"), "{err}");
    let (code, _, err) = run(&["setup", "org", "--name", "x", "--kind", "landlord"], "");
    assert_eq!(code, ExitCode::from(2), "a bad kind is a usage error");
    assert!(err.contains("landlord"), "{err}");

    let store = roundtable_store::Db::open(&url, Default::default()).unwrap();
    let conn = &mut *store.conn().unwrap();
    let (user, hash) = roundtable_store::directory::user_by_login(conn, "li@anshang.example").unwrap().unwrap();
    assert!(roundtable_web::auth::verify_password("s3cret-pass", &hash));
    let actor = roundtable_store::directory::actor(conn, user.id).unwrap();
    assert_eq!(actor.memberships[0].kind, roundtable_core::OrgKind::PropertyCompany);

    // The compound's buildings, a name given twice made once; a building leader's among them.
    let compound = roundtable_store::directory::compounds(conn, user.community).unwrap()[0].id;
    let buildings = roundtable_store::directory::buildings(conn, compound).unwrap();
    assert_eq!(buildings.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["1号楼", "2号楼"]);
    let leader = |extra: &[&'static str]| {
        let mut args = vec!["user", "add", "--login", "ye@example.org", "--name", "叶莉", "--compound", "君悦湾"];
        args.extend_from_slice(extra);
        run(&args, "s3cret-pass\n")
    };
    for (extra, refused) in [
        (&["--role", "building_leader"][..], "needs `--building`"),
        (&["--role", "building_leader", "--building", "9号楼"], "no building named or numbered `9号楼`"),
        (&["--role", "resident", "--building", "1号楼"], "`--building` is for a building leader"),
        (&["--role", "resident", "--phone", "call me"], "--phone: a phone number of 5 to 20 digits"),
        (&["--role", "resident", "--email", "叶莉"], "--email: an e-mail address"),
        (&["--role", "property"], "--org: property staff belong to their company"),
    ] {
        let (code, _, err) = leader(extra);
        assert_eq!(code, ExitCode::FAILURE, "{extra:?}");
        assert!(err.contains(refused), "{extra:?}: {err}");
    }
    // Where the account works, as the admin page asks: a resident's compound.
    let homeless = ["user", "add", "--login", "ye@example.org", "--name", "叶莉", "--role", "resident"];
    let (code, _, err) = run(&homeless, "s3cret-pass\n");
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("--compound: residents, grid secretaries and building leaders belong to a compound"), "{err}");
    let both = ["--role", "resident", "--role", "building_leader", "--building", "2号楼", "--phone", "138-0013-8000"];
    let (code, _, err) = leader(&both);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let (ye, _) = roundtable_store::directory::user_by_login(conn, "ye@example.org").unwrap().unwrap();
    assert_eq!(ye.buildings, [buildings[1].id], "she speaks for 2号楼");
    // Kept by its digits: she signs in with her number as she types it anywhere.
    assert_eq!(ye.phone.as_deref(), Some("13800138000"));
    let by_phone = roundtable_store::directory::user_for_sign_in(conn, "13800138000", Some("13800138000")).unwrap();
    assert_eq!(by_phone.map(|(u, _)| u.id), Some(ye.id));

    let (code, out, err) = run(&["user", "passwd", "--login", "li@anshang.example"], "new-password-2\n");
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert_eq!(out, "password changed for li@anshang.example; 0 token(s) revoked\n");
    let (_, hash) = roundtable_store::directory::user_by_login(conn, "li@anshang.example").unwrap().unwrap();
    assert!(roundtable_web::auth::verify_password("new-password-2", &hash));
    assert!(!roundtable_web::auth::verify_password("s3cret-pass", &hash));
    // On the account's trail, by the command line (no person).
    let filter = roundtable_store::audit::AuditFilter { subject_id: Some(user.id.to_string()), ..Default::default() };
    let (trail, _) = roundtable_store::audit::list(conn, user.community, &filter, 10).unwrap();
    let lines: Vec<_> =
        trail.iter().map(|e| (e.action.as_str(), e.actor, e.details.get("via").map(String::as_str))).collect();
    assert_eq!(lines, [("password_set", None, Some("command line")), ("account_created", None, Some("command line"))]);
}

#[test]
fn an_account_is_made_or_its_password_set_with_its_audit_entry_or_not_at_all() {
    let dir_kept = scratch("atomic");
    let url = format!("sqlite://{}", dir_kept.path().join("rt.db").display());
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--database", url.as_str()]);
        roundtable_with_input(&all, "s3cret-pass\n")
    };
    assert_eq!(run(&["setup", "community", "--name", "东圣社区"]).0, ExitCode::SUCCESS);
    let add = ["user", "add", "--login", "wang@example.org", "--name", "王明", "--role", "secretary"];
    assert_eq!(run(&add).0, ExitCode::SUCCESS);
    let db = roundtable_store::Db::open(&url, Default::default()).unwrap();
    // The audit trail cannot be written: neither change may happen without its entry.
    roundtable_store::testing::execute(&db, "ALTER TABLE audit_log RENAME TO audit_log_gone").unwrap();
    let other = ["user", "add", "--login", "li@example.org", "--name", "李明", "--role", "supervisor"];
    let (code, _, err) = run(&other);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.starts_with("error: "), "{err}");
    let (code, _, _) = roundtable_with_input(
        &["user", "passwd", "--login", "wang@example.org", "--database", &url],
        "new-password-2\n",
    );
    assert_eq!(code, ExitCode::FAILURE);
    let conn = &mut *db.conn().unwrap();
    assert!(roundtable_store::directory::user_by_login(conn, "li@example.org").unwrap().is_none(), "no account");
    let (_, hash) = roundtable_store::directory::user_by_login(conn, "wang@example.org").unwrap().unwrap();
    assert!(roundtable_web::auth::verify_password("s3cret-pass", &hash), "the old password stands");
}

#[test]
fn agenda_build_by_hand_builds_once_per_meeting() {
    let dir_kept = scratch("agenda");
    let dir = dir_kept.path();
    let url = format!("sqlite://{}", dir.join("rt.db").display());
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--database", url.as_str()]);
        roundtable(&all)
    };
    assert_eq!(run(&["setup", "community", "--name", "东圣社区"]).0, ExitCode::SUCCESS);
    let (code, out, err) = run(&["agenda", "build", "--meeting", "2027-02-07"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert_eq!(
        out, "built the draft agenda of the 2027-02-07 meeting: 3 items\n",
        "announcements, scorecard, other business"
    );
    let (code, out, _) = run(&["agenda", "build", "--meeting", "2027-02-07"]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert_eq!(out, "the agenda of the 2027-02-07 meeting was built before; nothing changed\n");
    let (code, _, err) = run(&["agenda", "build", "--meeting", "2027-02-14"]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("not the first Sunday"), "{err}");
    // Days that are not days, or outside the years dates keep to: said so, nothing built.
    for (typed, said) in [
        ("2027-02-30", "`2027-02-30` is not a day of the calendar: YYYY-MM-DD"),
        ("7 Feb 2027", "`7 Feb 2027` is not a day of the calendar"),
        ("2200-02-02", "`2200-02-02` is not between the years 2000 and 2100"),
    ] {
        let (code, out, err) = run(&["agenda", "build", "--meeting", typed]);
        assert_ne!(code, ExitCode::SUCCESS, "{typed}");
        assert!(err.contains(said) && out.is_empty(), "{typed}: {err}");
    }
}

#[test]
fn a_database_serves_several_communities_from_the_command_line() {
    let dir_kept = scratch("tenants");
    let dir = dir_kept.path();
    let url = format!("sqlite://{}", dir.join("rt.db").display());
    let run = |args: &[&str], input: &str| {
        let mut all = args.to_vec();
        all.extend(["--database", url.as_str()]);
        roundtable_with_input(&all, input)
    };
    assert_eq!(run(&["setup", "community", "--name", "东圣社区"], "").0, ExitCode::SUCCESS);
    assert_eq!(run(&["setup", "compound", "--name", "君悦湾"], "").0, ExitCode::SUCCESS, "one: no need to say which");
    let (code, out, _) = run(&["setup", "community", "--name", "西城社区"], "");
    assert_eq!(code, ExitCode::SUCCESS);
    let west = out.trim().rsplit(' ').next().unwrap().to_owned();
    // Two: a command that needs one says so and names them.
    let (code, _, err) = run(&["setup", "compound", "--name", "西城花园"], "");
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("2 communities") && err.contains("--community") && err.contains("西城社区"), "{err}");
    let (code, _, err) = run(&["setup", "compound", "--community", "北城社区", "--name", "西城花园"], "");
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("no community named or numbered `北城社区`"), "{err}");
    // By name or by id.
    for args in [
        &["setup", "compound", "--community", "西城社区", "--name", "西城花园"][..],
        &[
            "setup",
            "org",
            "--community",
            west.as_str(),
            "--name",
            "西城物业",
            "--kind",
            "property_company",
            "--compound",
            "西城花园",
        ],
    ] {
        let (code, _, err) = run(args, "");
        assert_eq!(code, ExitCode::SUCCESS, "{args:?}: {err}");
    }
    // A compound of the other community is not found from this one.
    let (code, _, err) = run(
        &["setup", "org", "--community", "东圣社区", "--name", "x", "--kind", "unit", "--compound", "西城花园"],
        "",
    );
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("no compound"), "{err}");
    let add = [
        "user",
        "add",
        "--community",
        "西城社区",
        "--login",
        "wang@xicheng.example",
        "--name",
        "王",
        "--role",
        "property",
        "--org",
        "西城物业",
    ];
    let (code, _, err) = run(&add, "s3cret-pass\n");
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let (code, _, err) =
        run(&["setup", "meeting", "--community", "西城社区", "--time", "09:30", "--place", "西城社区活动室"], "");
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let (code, _, err) = run(&["setup", "meeting", "--community", "西城社区", "--time", "9点半"], "");
    assert_eq!(code, ExitCode::from(2), "a time that is not HH:MM is a usage error");
    assert!(err.contains("HH:MM"), "{err}");
    let (code, out, err) = run(&["agenda", "build", "--community", "西城社区", "--meeting", "2027-02-07"], "");
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.starts_with("built the draft agenda of the 2027-02-07 meeting"), "{out}");

    let store = roundtable_store::Db::open(&url, Default::default()).unwrap();
    let conn = &mut *store.conn().unwrap();
    let (user, _) = roundtable_store::directory::user_by_login(conn, "wang@xicheng.example").unwrap().unwrap();
    assert_eq!(user.community.to_string(), west, "the account is the west community's");
    let east =
        roundtable_store::directory::communities(conn).unwrap().into_iter().find(|c| c.name == "东圣社区").unwrap();
    let names: Vec<String> =
        roundtable_store::directory::compounds(conn, east.id).unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["君悦湾"], "each community its own compounds");
    // West City's meeting is at its own time and place; Dongsheng's at the deployment's.
    let meetings = roundtable_store::meetings::meetings(conn, user.community).unwrap();
    let built = meetings.iter().find(|m| m.slot.to_string() == "2027-02-07").expect("the built meeting");
    assert_eq!(built.place, "西城社区活动室");
    assert_eq!(built.starts_at.with_timezone(&chrono_tz::Asia::Shanghai).format("%H:%M").to_string(), "09:30");
}

#[test]
fn a_backup_is_a_checked_copy_that_restores_on_both_databases() {
    let counts = |db: &roundtable_store::Db| roundtable_store::backup::counts(&mut db.conn().unwrap()).unwrap();
    // SQLite: a copy of the demo, checked and counted, the same as the original.
    let app = roundtable_e2e::TestApp::sqlite().build();
    let kept = scratch("backup");
    let to = kept.path().join("copy.db");
    let args = ["backup", "--database", app.db_url(), "--to", to.to_str().unwrap()];
    let (code, out, err) = roundtable(&args);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.contains("integrity ok") && out.contains(" issues"), "{out}");
    let copy = roundtable_store::Db::open(&format!("sqlite://{}", to.display()), Default::default()).unwrap();
    let original = counts(&app.state.db);
    assert!(original.iter().any(|(t, n)| *t == "issues" && *n > 0), "the demo has issues: {original:?}");
    assert_eq!(counts(&copy), original);
    let (code, _, err) = roundtable(&args);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("never overwrites"), "{err}");

    // PostgreSQL: pg_dump, read back, restored into an empty database with the same rows.
    let Some(builder) = roundtable_e2e::TestApp::postgres() else {
        eprintln!("skipped: backup on PostgreSQL ({} is not set)", roundtable_e2e::POSTGRES_ENV);
        return;
    };
    let app = builder.build();
    let kept = scratch("backup-pg");
    let dump = kept.path().join("rt.dump");
    let (code, out, err) = roundtable(&["backup", "--database", app.db_url(), "--to", dump.to_str().unwrap()]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.contains("pg_dump custom format") && out.contains("pg_restore"), "{out}");
    let empty = roundtable_store::testing::EmptyPostgres::new().unwrap();
    let restored = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &empty.url])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    let restored = roundtable_store::Db::open(&empty.url, Default::default()).unwrap();
    assert_eq!(counts(&restored), counts(&app.state.db));
}

#[test]
fn outbox_list_and_retry_explain_themselves() {
    let dir_kept = scratch("outbox");
    let dir = dir_kept.path();
    let url = format!("sqlite://{}", dir.join("rt.db").display());
    let (code, out, err) = roundtable(&["outbox", "list", "--database", &url]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert_eq!(out, "0 dead notifications\n");
    let (code, _, err) = roundtable(&["outbox", "list", "--status", "lost", "--database", &url]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("pending, sent or dead"), "{err}");
    let (code, _, err) = roundtable(&["outbox", "retry", "nope", "--database", &url]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("no dead notification nope"), "{err}");
}

#[test]
fn a_community_keeps_its_own_workflow_language_and_settings() {
    let dir_kept = scratch("own-settings");
    let dir = dir_kept.path();
    let workflows = dir.join("workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::copy(repo().join("workflows/issue.toml"), workflows.join("issue.toml")).unwrap();
    std::fs::write(workflows.join("issue_strict.toml"), roundtable_e2e::strict_workflow()).unwrap();
    let config = dir.join("roundtable.toml");
    let url = format!("sqlite://{}", dir.join("rt.db").display());
    std::fs::write(&config, format!("workflows = {:?}\n[database]\nurl = {url:?}\n", workflows.display().to_string()))
        .unwrap();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--config", config.to_str().unwrap()]);
        roundtable(&all)
    };
    for name in ["东圣社区", "西城社区"] {
        assert_eq!(run(&["setup", "community", "--name", name]).0, ExitCode::SUCCESS);
    }
    let (code, _, err) = run(&["setup", "community", "--name", "北城社区", "--locale", "fr"]);
    assert_eq!(code, ExitCode::FAILURE);
    assert!(err.contains("`fr` is not a language"), "{err}");
    // Shown as it is: the deployment's everywhere.
    let (code, shown, err) = run(&["setup", "settings", "--community", "西城社区"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(shown.contains("workflow = \"issue\"\n") && !shown.contains("# own"), "{shown}");
    let own = dir.join("west.toml");
    std::fs::write(&own, "[meeting]\nagenda_lead_days = 7\n\n[scorecard]\nweight_satisfaction = 0.6\n").unwrap();
    let (code, shown, err) = run(&[
        "setup",
        "settings",
        "--community",
        "西城社区",
        "--workflow",
        "issue_strict",
        "--locale",
        "EN",
        "--file",
        own.to_str().unwrap(),
    ]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    for line in [
        "workflow = \"issue_strict\"  # own",
        "locale = \"en\"",
        "agenda_lead_days = 7  # own",
        "weight_satisfaction = 0.6  # own",
        "length_minutes = 120\n",
    ] {
        assert!(shown.contains(line), "{line}: {shown}");
    }
    // Refused, each naming why, and nothing changed.
    let bad = dir.join("bad.toml");
    for (args, why) in [
        (vec!["--workflow", "issue_lite"], "no workflow named `issue_lite`"),
        (vec!["--locale", "fr"], "`fr` is not a language"),
        (vec!["--file", bad.to_str().unwrap()], "cannot read"),
    ] {
        let mut all = vec!["setup", "settings", "--community", "西城社区"];
        all.extend(args);
        let (code, _, err) = run(&all);
        assert_eq!(code, ExitCode::FAILURE, "{all:?}");
        assert!(err.contains(why), "{why}: {err}");
    }
    for (text, why) in [
        ("[meeting]\nagenda_lead_days = \"soon\"\n", "[meeting]"),
        ("[meeting]\nplace = \"楼下\"\n", "setup meeting --place"),
        ("[mail]\nfrom = \"x@y.example\"\n", "not a community's setting"),
        ("[scorecard]\nweight_response = 500\n", "not a weight"),
    ] {
        std::fs::write(&bad, text).unwrap();
        let (code, _, err) = run(&["setup", "settings", "--community", "西城社区", "--file", bad.to_str().unwrap()]);
        assert_eq!(code, ExitCode::FAILURE, "{text}");
        assert!(err.contains(why) && err.contains("bad.toml"), "{why}: {err}");
    }
    let (_, shown, _) = run(&["setup", "settings", "--community", "西城社区"]);
    assert!(shown.contains("agenda_lead_days = 7  # own") && shown.contains("locale = \"en\""), "{shown}");
    // The other community is untouched.
    let (_, theirs, _) = run(&["setup", "settings", "--community", "东圣社区"]);
    assert!(!theirs.contains("# own") && theirs.contains("locale = \"zh-CN\""), "{theirs}");

    // A server whose workflows lack West City's refuses to start, and says whose.
    std::fs::remove_file(workflows.join("issue_strict.toml")).unwrap();
    let loaded = roundtable_web::config::Config::load(Some(&config)).unwrap();
    let refused = roundtable_web::server::boot(&loaded).err().expect("refused");
    assert!(refused.contains("西城社区") && refused.contains("issue_strict"), "{refused}");
    // --clear forgets the own keys; `--workflow ""` goes back to the default.
    let (code, shown, err) = run(&["setup", "settings", "--community", "西城社区", "--clear", "--workflow", ""]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(!shown.contains("# own") && shown.contains("workflow = \"issue\""), "{shown}");
    assert!(roundtable_web::server::boot(&loaded).is_ok());
}

#[test]
fn names_typed_on_the_command_line_are_checked_and_kept_apart() {
    let dir_kept = scratch("names");
    let url = format!("sqlite://{}", dir_kept.path().join("rt.db").display());
    let run = |args: &[&str], input: &str| {
        let mut all = args.to_vec();
        all.extend(["--database", url.as_str()]);
        roundtable_with_input(&all, input)
    };
    let refused = |args: &[&str], input: &str, why: &str| {
        let (code, out, err) = run(args, input);
        assert_eq!(code, ExitCode::FAILURE, "{args:?}: {out}");
        assert!(err.contains(why), "{args:?}: {err}");
    };
    assert_eq!(run(&["setup", "community", "--name", " 东圣社区\u{200b} "], "").0, ExitCode::SUCCESS);
    let long = "社".repeat(101);
    for (name, why) in [
        ("", "1–100 visible characters"),
        ("\u{200b}\u{feff}", "1–100 visible characters"),
        (long.as_str(), "1–100 visible characters"),
        ("东\u{1}圣", "control character (U+0001)"),
        ("东圣社区", "a community is named `东圣社区` already"),
    ] {
        refused(&["setup", "community", "--name", name], "", why);
    }
    refused(&["setup", "community", "--name", "西城社区", "--street", "开发区\u{7}街道"], "", "control character");
    refused(&["setup", "street", "--name", "街\u{1b}[31m"], "", "control character (U+001B)");
    refused(&["setup", "meeting", "--time", "09:30", "--place", "\u{8}"], "", "control character");
    assert_eq!(run(&["setup", "compound", "--name", "君悦湾"], "").0, ExitCode::SUCCESS);
    refused(&["setup", "compound", "--name", " 君悦湾"], "", "a compound named `君悦湾` already");
    // Its second phase, added later: a name given twice makes one building; one it has,
    // one of nothing visible, an unknown compound are refused, and nothing is added.
    let add = |names: &[&'static str]| {
        let mut args = vec!["setup", "buildings", "--compound", "君悦湾"];
        names.iter().for_each(|n| args.extend(["--building", n]));
        args
    };
    let (code, out, err) = run(&add(&["7号楼", " 8号楼 ", "7号楼"]), "");
    assert_eq!(code, ExitCode::SUCCESS, "{out}{err}");
    refused(&add(&["9号楼", "8号楼"]), "", "the compound has `8号楼` already");
    refused(&add(&["9号楼", "\u{200b}"]), "", "the building's name must be 1–100 visible characters");
    refused(&add(&["9号楼\u{7}"]), "", "control character (U+0007)");
    refused(&["setup", "buildings", "--compound", "西城花园", "--building", "1号楼"], "", "no compound named");
    let (code, _, err) = run(&["setup", "buildings", "--compound", "君悦湾"], "");
    assert!(code == ExitCode::from(2) && err.contains("--building"), "a usage error: {err}");
    let org = ["setup", "org", "--name", "安尚物业", "--kind", "property_company"];
    assert_eq!(run(&org, "").0, ExitCode::SUCCESS);
    refused(&org, "", "an organisation named `安尚物业` already");
    let org = ["setup", "org", "--name", "谢安物业", "--kind", "property_company", "--email", "前台"];
    refused(&org, "", "`前台` is not an e-mail address");
    let user = ["user", "add", "--login", "wang@example.org", "--name", "\u{200d}", "--role", "resident"];
    refused(&user, "s3cret-pass\n", "the name must be 1–100 visible characters");

    let store = roundtable_store::Db::open(&url, Default::default()).unwrap();
    let conn = &mut *store.conn().unwrap();
    let communities = roundtable_store::directory::communities(conn).unwrap();
    assert_eq!(communities.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["东圣社区"], "kept as seen, once");
    assert!(roundtable_store::directory::user_by_login(conn, "wang@example.org").unwrap().is_none());
    let junyue = roundtable_store::directory::compounds(conn, communities[0].id).unwrap()[0].id;
    let buildings = roundtable_store::directory::buildings(conn, junyue).unwrap();
    assert_eq!(buildings.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["7号楼", "8号楼"]);
    let filter = roundtable_store::audit::AuditFilter { subject_id: Some(junyue.to_string()), ..Default::default() };
    let (trail, _) = roundtable_store::audit::list(conn, communities[0].id, &filter, 10).unwrap();
    let actions: Vec<_> = trail.iter().map(|e| e.action).collect();
    assert_eq!(actions, [roundtable_core::audit::AuditAction::BuildingsAdded], "once, for the one that added");
    // Two communities of one name (an older build let that happen): `--community NAME`
    // says so instead of picking one.
    let twin = roundtable_core::Community { id: roundtable_core::CommunityId::new(), ..communities[0].clone() };
    roundtable_store::directory::insert_community(conn, &twin).unwrap();
    refused(
        &["setup", "compound", "--community", "东圣社区", "--name", "西城花园"],
        "",
        "several communities are named",
    );
    let (code, _, err) = run(&["setup", "compound", "--community", &twin.id.to_string(), "--name", "西城花园"], "");
    assert_eq!(code, ExitCode::SUCCESS, "by its id: {err}");
}
