//! The `roundtable` command line.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use roundtable_core::{LoadError, WorkflowSet};
use roundtable_store::{Db, DbOptions};

use crate::workflows;

#[derive(Parser, Debug)]
#[command(
    name = "roundtable",
    version,
    about = "The monthly joint meeting (联席会议) as an issue tracker"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Inspect workflow files.
    #[command(subcommand)]
    Workflow(WorkflowCommand),
    /// Create or update the database schema.
    Migrate {
        /// sqlite://PATH, a file path, or postgres://USER@HOST:PORT/DATABASE.
        #[arg(long, env = "ROUNDTABLE_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database: String,
    },
}

/// The embedded default: a SQLite file under `data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/roundtable.db";

#[derive(Subcommand, Debug)]
enum WorkflowCommand {
    /// Validate every workflow in DIR; print their states and transitions, or every error.
    Check {
        #[arg(default_value = "workflows")]
        dir: PathBuf,
    },
    /// Print a workflow file as a Mermaid state diagram.
    Graph { file: PathBuf },
}

/// Runs the command line; output goes to `out`, diagnostics to `err`.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(err, "{text}")
            } else {
                write!(out, "{text}")
            };
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Workflow(WorkflowCommand::Check { dir }) => {
            workflows::load_dir(&dir).map(|set| print_summary(&set, out))
        }
        Command::Workflow(WorkflowCommand::Graph { file }) => {
            workflows::load_files(&[file]).map(|set| {
                for wf in set.iter() {
                    let _ = write!(out, "{}", wf.mermaid());
                }
            })
        }
        Command::Migrate { database } => return migrate(&database, out, err),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(errors) => report(&errors, err),
    }
}

fn migrate(url: &str, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    match Db::open_and_migrate(url, DbOptions::default()) {
        Ok((db, applied)) if applied.is_empty() => {
            let _ = writeln!(out, "{} is up to date", db.url());
            ExitCode::SUCCESS
        }
        Ok((db, applied)) => {
            let _ = writeln!(out, "{}: applied {}", db.url(), applied.join(", "));
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report(errors: &[LoadError], err: &mut dyn Write) -> ExitCode {
    for e in errors {
        let _ = writeln!(err, "{e}");
    }
    let _ = writeln!(
        err,
        "{} error{} found",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    ExitCode::FAILURE
}

fn print_summary(set: &WorkflowSet, out: &mut dyn Write) {
    for wf in set.iter() {
        let _ = writeln!(
            out,
            "workflow `{}` ({}) from {}",
            wf.name, wf.title, wf.source
        );
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
                if req.is_empty() {
                    String::new()
                } else {
                    format!("; requires {}", req.join(", "))
                }
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
                    roundtable_core::workflow::format_offset(t.offset),
                    effects.join(", ")
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "{} workflow{} OK",
        set.len(),
        if set.len() == 1 { "" } else { "s" }
    );
}
