//! `roundtable backup --to FILE`: a consistent copy of the database while the server runs,
//! checked before it is reported as done.
//!
//! SQLite is copied by `VACUUM INTO` (a snapshot, also with writers at work) and the copy
//! opened, checked by SQLite (`PRAGMA integrity_check`) and counted. PostgreSQL is dumped
//! by its own `pg_dump` in the custom format (the tool that knows every type and keeps
//! up with the server), its password handed over in `PGPASSWORD` rather than on the
//! command line, and the dump's table of contents read back with `pg_restore --list`.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use roundtable_store::{Db, DbOptions, DbUrl, backup};
use secrecy::ExposeSecret;

use super::{ConfigArgs, load_config};

pub fn run(args: &ConfigArgs, to: &Path, out: &mut dyn Write) -> Result<(), String> {
    if to.exists() {
        return Err(format!("{} exists: a backup never overwrites a file", to.display()));
    }
    let config = load_config(args)?;
    let url = config.database.url.expose_secret().to_owned();
    match DbUrl::parse(&url).map_err(|e| format!("error: {e}"))? {
        DbUrl::Sqlite(_) => sqlite(&url, config.db_options(), to, out),
        DbUrl::Postgres(url) => postgres(&url, to, out),
    }
}

fn sqlite(url: &str, options: DbOptions, to: &Path, out: &mut dyn Write) -> Result<(), String> {
    let db = Db::open(url, options).map_err(|e| format!("error: {e}"))?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    backup::sqlite_copy(&mut conn, to).map_err(|e| format!("the copy failed: {e}"))?;
    let copy = Db::open(&format!("sqlite://{}", to.display()), DbOptions::default()).map_err(|e| e.to_string())?;
    let mut copy = copy.conn().map_err(|e| e.to_string())?;
    let check = backup::sqlite_integrity(&mut copy).map_err(|e| e.to_string())?;
    if check != "ok" {
        return Err(format!("the copy at {} fails SQLite's check: {check}", to.display()));
    }
    let counts = backup::counts(&mut copy).map_err(|e| e.to_string())?;
    let listed: Vec<String> = counts.iter().map(|(t, n)| format!("{n} {t}")).collect();
    let _ = writeln!(out, "backed up to {} (SQLite, integrity ok): {}", to.display(), listed.join(", "));
    Ok(())
}

fn postgres(url: &str, to: &Path, out: &mut dyn Write) -> Result<(), String> {
    let mut parsed = reqwest::Url::parse(url).map_err(|_| "the PostgreSQL URL does not parse".to_owned())?;
    let password = parsed.password().map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned());
    let _ = parsed.set_password(None);
    let mut dump = Command::new("pg_dump");
    dump.args(["--format=custom", "--no-owner", "--file"]).arg(to).arg("--dbname").arg(parsed.as_str());
    if let Some(p) = password {
        dump.env("PGPASSWORD", p);
    }
    let how = "install PostgreSQL's client tools (Debian: postgresql-client) of the server's version or newer, \
               or run: pg_dump --format=custom --file FILE DATABASE_URL";
    let done = dump.output().map_err(|e| format!("cannot run pg_dump ({e}): {how}"))?;
    if !done.status.success() {
        let _ = std::fs::remove_file(to);
        return Err(format!("pg_dump failed: {}", String::from_utf8_lossy(&done.stderr).trim()));
    }
    let list =
        Command::new("pg_restore").arg("--list").arg(to).output().map_err(|e| format!("cannot run pg_restore: {e}"))?;
    let toc = String::from_utf8_lossy(&list.stdout);
    let tables = toc.lines().filter(|l| l.contains(" TABLE DATA ")).count();
    if !list.status.success() || tables == 0 {
        return Err(format!(
            "the dump at {} does not read back: {}",
            to.display(),
            String::from_utf8_lossy(&list.stderr).trim()
        ));
    }
    let _ = writeln!(
        out,
        "backed up to {} (pg_dump custom format, {tables} tables); restore into an empty database with: pg_restore --no-owner --dbname DATABASE_URL {}",
        to.display(),
        to.display()
    );
    Ok(())
}
