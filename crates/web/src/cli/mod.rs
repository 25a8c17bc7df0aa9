//! The `roundtable` command line.

use secrecy::ExposeSecret;
use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use roundtable_core::{LoadError, WorkflowSet};
use roundtable_store::Db;

use crate::config::Config;
use crate::{demo, server, workflows};

mod accounts;
mod archive;
mod backup;

use accounts::{SetupCommand, UserCommand};

#[derive(Parser, Debug)]
#[command(name = "roundtable", version, about = "The monthly joint meeting (联席会议) as an issue tracker")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the configuration comes from; flags win over files and the environment.
#[derive(Args, Debug, Clone, Default)]
pub(super) struct ConfigArgs {
    /// A TOML file layered over the built-in config/default.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// sqlite://PATH, a file path, or postgres://USER@HOST:PORT/DATABASE (env ROUNDTABLE_DATABASE_URL).
    #[arg(long)]
    database: Option<String>,
}

#[derive(Args, Debug, Clone)]
struct ServeArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// Address to listen on, e.g. 127.0.0.1:8080 (env ROUNDTABLE_LISTEN).
    #[arg(long)]
    listen: Option<String>,
    /// Run no scheduled jobs (for extra instances sharing one database).
    #[arg(long)]
    no_scheduler: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API (migrates first).
    Serve(ServeArgs),
    /// Seed Dongsheng Community into an empty database (SQLite under data/ by default) and serve it.
    Demo(ServeArgs),
    /// Create or update the database schema.
    Migrate(ConfigArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Set up a community, its compounds and organisations (for a real deployment).
    #[command(subcommand)]
    Setup(SetupCommand),
    /// Inspect workflow files.
    #[command(subcommand)]
    Workflow(WorkflowCommand),
    /// Meeting agendas.
    #[command(subcommand)]
    Agenda(AgendaCommand),
    /// Notifications waiting in, or dead in, the outbox.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// A consistent copy of the database while it is in use: SQLite by `VACUUM INTO`,
    /// PostgreSQL by `pg_dump --format=custom` (restore with `pg_restore`).
    Backup {
        #[command(flatten)]
        config: ConfigArgs,
        /// The file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// A community as a portable archive (a directory: JSON lines per table, its photos,
    /// a manifest with checksums), to import into a database of either backend.
    Export {
        #[command(flatten)]
        config: ConfigArgs,
        /// The community's id or exact name (needed only when the database serves several).
        #[arg(long)]
        community: Option<String>,
        /// The directory to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Import an exported community into this database (which must not have it yet),
    /// checked against the archive's checksums before and after.
    Import {
        #[command(flatten)]
        config: ConfigArgs,
        /// The archive's directory.
        #[arg(long)]
        from: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum OutboxCommand {
    /// List notifications by status (pending, sent or dead).
    List {
        #[command(flatten)]
        config: ConfigArgs,
        #[arg(long, default_value = "dead")]
        status: String,
    },
    /// Give a dead notification a fresh set of attempts.
    Retry {
        #[command(flatten)]
        config: ConfigArgs,
        id: String,
    },
}

#[derive(Subcommand, Debug)]
enum AgendaCommand {
    /// Build a meeting's draft agenda now (once per meeting: a second build is refused).
    Build {
        #[command(flatten)]
        config: ConfigArgs,
        /// The community's id or exact name (needed only when the database serves several).
        #[arg(long)]
        community: Option<String>,
        /// The meeting's first Sunday, YYYY-MM-DD (default: the next meeting).
        #[arg(long, value_parser = meeting_day)]
        meeting: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand, Debug)]
enum WorkflowCommand {
    /// Validate every workflow in PATH (a directory, or one file); print their states and
    /// transitions, or every error.
    Check {
        #[arg(default_value = "workflows")]
        path: PathBuf,
    },
    /// Print a workflow file as a Mermaid state diagram.
    Graph { file: PathBuf },
}

/// Runs the command line; output goes to `out`, diagnostics to `err`, passwords come from `input`.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let _ = if e.use_stderr() { write!(err, "{text}") } else { write!(out, "{text}") };
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Workflow(WorkflowCommand::Check { path }) => {
            // A community's own file is checked alone before its setting names it.
            let set = if path.is_file() { workflows::load_files(&[path]) } else { workflows::load_dir(&path) };
            set.map(|set| print_summary(&set, out)).map_err(|e| report(&e))
        }
        Command::Workflow(WorkflowCommand::Graph { file }) => workflows::load_files(&[file])
            .map(|set| {
                for wf in set.iter() {
                    let _ = write!(out, "{}", wf.mermaid());
                }
            })
            .map_err(|e| report(&e)),
        Command::Migrate(args) => migrate(&args, out),
        Command::Serve(args) => serve(args, false, out),
        Command::Demo(args) => serve(args, true, out),
        Command::User(cmd) => accounts::user(cmd, input, out),
        Command::Setup(cmd) => accounts::setup(cmd, out),
        Command::Outbox(cmd) => outbox(cmd, out),
        Command::Backup { config, to } => backup::run(&config, &to, out),
        Command::Export { config, community, to } => archive::export(&config, community.as_deref(), &to, out),
        Command::Import { config, from } => archive::import(&config, &from, out),
        Command::Agenda(AgendaCommand::Build { config, community, meeting }) => {
            build_agenda(&config, community, meeting, out)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(err, "{message}");
            ExitCode::FAILURE
        }
    }
}

pub(super) fn load_config(args: &ConfigArgs) -> Result<Config, String> {
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(url) = &args.database {
        config.database.url = url.clone().into();
    }
    Ok(config)
}

pub(super) fn open_db(args: &ConfigArgs) -> Result<Db, String> {
    let config = load_config(args)?;
    Db::open_and_migrate(config.database.url.expose_secret(), config.db_options())
        .map(|(db, _)| db)
        .map_err(|e| format!("error: {e}"))
}

fn report(errors: &[LoadError]) -> String {
    let mut text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    text.push(format!("{} error{} found", errors.len(), if errors.len() == 1 { "" } else { "s" }));
    text.join("\n")
}

fn migrate(args: &ConfigArgs, out: &mut dyn Write) -> Result<(), String> {
    let config = load_config(args)?;
    let (db, applied) = Db::open_and_migrate(config.database.url.expose_secret(), config.db_options())
        .map_err(|e| format!("error: {e}"))?;
    let _ = if applied.is_empty() {
        writeln!(out, "{} is up to date", db.url())
    } else {
        writeln!(out, "{}: applied {}", db.url(), applied.join(", "))
    };
    Ok(())
}

fn outbox(cmd: OutboxCommand, out: &mut dyn Write) -> Result<(), String> {
    use roundtable_store::outbox;
    match cmd {
        OutboxCommand::List { config, status } => {
            let status: roundtable_core::DeliveryStatus =
                status.parse().map_err(|_| format!("--status is pending, sent or dead, not `{status}`"))?;
            let db = open_db(&config)?;
            let mut conn = db.conn().map_err(|e| e.to_string())?;
            let rows = outbox::with_status(&mut conn, status).map_err(|e| e.to_string())?;
            let ids: Vec<String> = rows.iter().filter_map(|r| r.channel_id.clone()).collect();
            let channels = roundtable_store::channels::names(&mut conn, &ids).map_err(|e| e.to_string())?;
            for r in &rows {
                // Which way: mail, or the channel's kind and name.
                let via = match r.channel_id.as_ref().and_then(|c| channels.get(c)) {
                    Some((kind, name)) => format!("{kind}:{name}"),
                    None => "mail".to_owned(),
                };
                // A send cut off mid-way may have reached the relay: say so.
                let doubt = if r.interrupted > 0 {
                    format!("  in doubt: {} attempt(s) cut off mid-send, may have been delivered twice", r.interrupted)
                } else {
                    String::new()
                };
                // Why a pending one has not gone: when it is tried next (a backoff, a
                // robot's rate limit or quiet hours).
                let next = if status == roundtable_core::DeliveryStatus::Pending {
                    format!("next try {} UTC  ", r.next_attempt_at.format("%Y-%m-%d %H:%M"))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "{}  {:<22} {via:<24} attempts {}  {next}{}{doubt}",
                    r.id,
                    r.effect,
                    r.attempts,
                    r.last_error.as_deref().unwrap_or("")
                );
            }
            let _ = writeln!(out, "{} {status} notification{}", rows.len(), if rows.len() == 1 { "" } else { "s" });
            Ok(())
        }
        OutboxCommand::Retry { config, id } => {
            let db = open_db(&config)?;
            let done = outbox::retry(&mut *db.conn().map_err(|e| e.to_string())?, &id, Utc::now())
                .map_err(|e| e.to_string())?;
            if !done {
                return Err(format!("no dead notification {id}"));
            }
            let _ = writeln!(out, "{id} will be sent again");
            Ok(())
        }
    }
}

/// A meeting's day as typed: a date of the calendar (clap's own parser calls
/// 2026-02-30 "input is out of range"), within the years every date here keeps to.
fn meeting_day(typed: &str) -> Result<chrono::NaiveDate, String> {
    use chrono::Datelike;
    let day = chrono::NaiveDate::parse_from_str(typed.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{typed}` is not a day of the calendar: YYYY-MM-DD, e.g. 2027-01-03"))?;
    if !(2000..=2100).contains(&day.year()) {
        return Err(format!("`{typed}` is not between the years 2000 and 2100"));
    }
    Ok(day)
}

fn build_agenda(
    args: &ConfigArgs,
    community: Option<String>,
    meeting: Option<chrono::NaiveDate>,
    out: &mut dyn Write,
) -> Result<(), String> {
    let config = load_config(args)?;
    let db = open_db(args)?;
    let conn = &mut *db.conn().map_err(|e| e.to_string())?;
    let community = accounts::pick_community(conn, community.as_deref())?;
    let now = Utc::now();
    let slot = match meeting {
        Some(slot) => slot,
        None => {
            let c = roundtable_store::directory::get_community(conn, community).map_err(|e| format!("error: {e}"))?;
            let tz = c.time_zone;
            let today = now.with_timezone(&tz).date_naive();
            roundtable_core::meeting::next_slot(today).ok_or("no next meeting")?
        }
    };
    let instance = format!("cli@{}", std::process::id());
    let workflows = crate::server::load_workflows(&config.workflows)?;
    match crate::jobs::agenda::build_agenda_for(
        conn,
        (&config, &workflows),
        community,
        Some(slot),
        now,
        crate::jobs::agenda::Mode::Claim(&instance),
    )
    .map_err(|e| format!("error: {e}"))?
    {
        crate::jobs::agenda::Built::Built { items, slot, .. } => {
            let _ = writeln!(out, "built the draft agenda of the {slot} meeting: {items} items");
        }
        crate::jobs::agenda::Built::AlreadyBuilt { slot } => {
            let _ = writeln!(out, "the agenda of the {slot} meeting was built before; nothing changed");
        }
        crate::jobs::agenda::Built::NotDue | crate::jobs::agenda::Built::Rebuilt { .. } => {}
    }
    Ok(())
}

fn serve(args: ServeArgs, demo: bool, out: &mut dyn Write) -> Result<(), String> {
    let mut config = load_config(&args.config)?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if demo {
        config.links_follow_listen();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let state = server::boot(&config)?;
        if demo {
            let tz = config.community.time_zone;
            let seed = |which| demo::seed(&state.db, &state.workflows, &state.config, tz, Utc::now(), which);
            match seed(demo::DemoCommunity::Dongsheng)? {
                Some(s) => {
                    let _ = writeln!(out, "Seeded Dongsheng Community (东圣社区): {s}.");
                    // Its neighbour in the same street office, so `/street` compares two.
                    if let Some(n) = seed(demo::DemoCommunity::WestCity)? {
                        let _ = writeln!(out, "Seeded its neighbour West City (西城社区): {n}.");
                    }
                }
                None => {
                    let _ = writeln!(out, "The database already has data; serving it as it is.");
                }
            }
        }
        // Keeps the scheduled jobs alive while serving.
        let _scheduler = if args.no_scheduler {
            tracing::info!("--no-scheduler: this instance runs no scheduled jobs");
            None
        } else {
            Some(crate::jobs::scheduler::start(state.clone(), format!("serve@{}", std::process::id())).await?)
        };
        let _dispatcher = server::spawn_dispatcher(state.clone());
        let listener = server::bind(&config.listen).await?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let mail = crate::mail::Mailer::describe(&config.mail);
        tracing::info!(database = %state.db.url(), %mail, %addr, "serving");
        let _ = writeln!(
            out,
            "roundtable is serving {} on http://{addr}/ (API: http://{addr}/api/v1/openapi.json); mail goes to {mail}",
            state.db.url()
        );
        if demo {
            let _ = writeln!(out, "Demo accounts (password `{}`):", demo::DEMO_PASSWORD);
            for (login, who) in demo::DEMO_ACCOUNTS.iter().chain(&demo::NEIGHBOUR_ACCOUNTS) {
                let _ = writeln!(out, "  {login:<32} {who}");
            }
            let _ = writeln!(out, "Open http://{addr}/ in a browser and sign in with one of them, or try the API:");
            let _ = writeln!(
                out,
                "  curl -s -X POST http://{addr}/api/v1/auth/token -H 'content-type: application/json' \
                 -d '{{\"login\":\"secretary@dongsheng.example\",\"password\":\"demo1234\"}}'"
            );
        }
        let _ = out.flush();
        server::serve(listener, state, server::shutdown_signal()).await
    })
}

fn print_summary(set: &WorkflowSet, out: &mut dyn Write) {
    for wf in set.iter() {
        let _ = writeln!(out, "workflow `{}` ({}) from {}", wf.name, wf.title, wf.source);
        let states: Vec<String> = wf
            .states
            .iter()
            .map(|s| {
                let mut name = s.name.to_string();
                if s.name == wf.initial {
                    name.push_str(" (initial)");
                }
                if s.terminal {
                    name.push_str(" (terminal)");
                }
                name
            })
            .collect();
        let _ = writeln!(out, "  states: {}", states.join(", "));
        let _ = writeln!(out, "  transitions:");
        for t in &wf.transitions {
            let from: Vec<&str> = t.from.iter().map(|s| s.as_str()).collect();
            let who: Vec<String> = t.allow.iter().map(|p| p.to_string()).collect();
            let req: Vec<&str> = t.require.iter().map(|f| f.as_str()).collect();
            let _ = writeln!(
                out,
                "    {:<15} {} -> {}  by {}{}",
                t.name,
                from.join("|"),
                t.to,
                who.join(", "),
                if req.is_empty() { String::new() } else { format!("; requires {}", req.join(", ")) }
            );
        }
        if !wf.timers.is_empty() {
            let _ = writeln!(out, "  timers:");
            for t in &wf.timers {
                let effects: Vec<&str> = t.effects.iter().map(|e| e.as_str()).collect();
                let _ = writeln!(
                    out,
                    "    {:<22} in {} at {} {} -> {}",
                    t.name,
                    t.state,
                    t.anchor,
                    t.offset,
                    effects.join(", ")
                );
            }
        }
    }
    let _ = writeln!(out, "{} workflow{} OK", set.len(), if set.len() == 1 { "" } else { "s" });
}
