//! `roundtable export` and `roundtable import`: a community as a portable archive and
//! back, into a database of either backend — how a community moves from SQLite to
//! PostgreSQL, or into a street office's deployment.
//!
//! The archive is a directory: `manifest.json` (format, schema version, the community,
//! each table's row count and SHA-256), `tables/<table>.jsonl` (one row a line, see
//! `roundtable_store::archive`) and `photos/<sha256>` (the community's photo files). An
//! import checks every file against the manifest (and every photo file the rows name
//! against its SHA-256) first, copies the photos, writes every row in one transaction,
//! rebuilds the search index, then reads the community back from the target and compares
//! each table's checksum with the manifest's.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use chrono::Utc;
use roundtable_store::archive::{self, TABLES};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{ConfigArgs, accounts::pick_community, load_config, open_db};
use crate::photos::PhotoStore;

const FORMAT: &str = "roundtable-archive";
const VERSION: u64 = 1;

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn io(what: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", what.display())
}

/// The files a community's `photos` rows name: each photo and its thumbnail, by SHA-256.
fn photo_files(lines: &[String]) -> Result<BTreeSet<String>, String> {
    let mut files = BTreeSet::new();
    for line in lines {
        let row: Value = serde_json::from_str(line).map_err(|e| format!("a photo's row: {e}"))?;
        files.extend(["content_hash", "thumb_hash"].iter().filter_map(|k| row[*k].as_str().map(str::to_owned)));
    }
    Ok(files)
}

/// A photo file of the archive, read and checked against the SHA-256 that names it (so a
/// name can only ever be 64 hex digits, never a path).
fn archived_photo(dir: &Path, hash: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(dir.join(hash))
        .map_err(|e| format!("photo {hash} is missing from the archive ({e}): the archive is damaged"))?;
    if sha256(&bytes) != hash {
        return Err(format!("photo {hash} is damaged (its content has another SHA-256): the archive is damaged"));
    }
    Ok(bytes)
}

pub fn export(args: &ConfigArgs, community: Option<&str>, to: &Path, out: &mut dyn Write) -> Result<(), String> {
    if to.exists() {
        return Err(format!("{} exists: an export goes into a new directory", to.display()));
    }
    let config = load_config(args)?;
    let db = open_db(args)?;
    let conn = &mut *db.conn().map_err(|e| e.to_string())?;
    let id = pick_community(conn, community)?.to_string();
    std::fs::create_dir_all(to.join("tables")).map_err(io(to))?;
    std::fs::create_dir_all(to.join("photos")).map_err(io(to))?;
    let mut tables = Vec::new();
    let (mut rows, mut photos) = (0, BTreeSet::new());
    for table in TABLES {
        let lines = archive::rows(conn, table, &id).map_err(|e| format!("{}: {e}", table.name))?;
        if table.name == "photos" {
            photos = photo_files(&lines)?;
        }
        let path = to.join("tables").join(format!("{}.jsonl", table.name));
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&path, body).map_err(io(&path))?;
        tables.push(json!({ "name": table.name, "rows": lines.len(), "sha256": archive::checksum(&lines) }));
        rows += lines.len();
    }
    let store = PhotoStore::new(config.uploads.dir.clone());
    for hash in &photos {
        let from = store.path(hash);
        let target = to.join("photos").join(hash);
        std::fs::copy(&from, &target).map_err(|e| format!("photo {hash} ({}): {e}", from.display()))?;
    }
    let name = roundtable_store::directory::get_community(conn, id.parse().map_err(|_| "a community id")?)
        .map_err(|e| e.to_string())?
        .name;
    let manifest = json!({
        "format": FORMAT,
        "version": VERSION,
        "schema": roundtable_store::schema_version(conn).map_err(|e| e.to_string())?,
        "community": { "id": id, "name": name },
        "exported_at": Utc::now(),
        "tables": tables,
        "photos": photos.len(),
    });
    let path = to.join("manifest.json");
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap_or_default()).map_err(io(&path))?;
    let _ = writeln!(
        out,
        "exported {name} to {}: {rows} rows in {} tables, {} photo files",
        to.display(),
        TABLES.len(),
        photos.len()
    );
    Ok(())
}

pub fn import(args: &ConfigArgs, from: &Path, out: &mut dyn Write) -> Result<(), String> {
    let path = from.join("manifest.json");
    let manifest: Value = serde_json::from_slice(&std::fs::read(&path).map_err(io(&path))?)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if manifest["format"] != FORMAT || manifest["version"] != VERSION {
        return Err(format!("{} is not a roundtable archive of version {VERSION}", from.display()));
    }
    let config = load_config(args)?;
    let db = open_db(args)?;
    let conn = &mut *db.conn().map_err(|e| e.to_string())?;
    let schema = roundtable_store::schema_version(conn).map_err(|e| e.to_string())?;
    if manifest["schema"].as_str() != Some(schema.as_str()) {
        return Err(format!(
            "the archive was made with schema {} and this database has {schema}: export and import with the same roundtable version",
            manifest["schema"]
        ));
    }
    let id = manifest["community"]["id"].as_str().ok_or("the manifest names no community")?.to_owned();
    let name = manifest["community"]["name"].as_str().unwrap_or_default().to_owned();
    let known = roundtable_store::directory::communities(conn).map_err(|e| e.to_string())?;
    if known.iter().any(|c| c.id.to_string() == id) {
        return Err(format!("this database has the community {name} ({id}) already"));
    }
    // Every file checked before anything is written.
    let listed = manifest["tables"].as_array().ok_or("the manifest lists no tables")?;
    let mut data = Vec::new();
    for table in TABLES {
        let entry =
            listed.iter().find(|t| t["name"] == table.name).ok_or(format!("the archive lacks {}", table.name))?;
        let path = from.join("tables").join(format!("{}.jsonl", table.name));
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if entry["rows"] != lines.len() || entry["sha256"].as_str() != Some(archive::checksum(&lines).as_str()) {
            return Err(format!("{} does not match the manifest: the archive is damaged", path.display()));
        }
        data.push((table, lines));
    }
    // Every photo file the rows name, there and whole — a row without its file would
    // answer 500 for ever, and the community could not be imported again.
    let named = data
        .iter()
        .find(|(t, _)| t.name == "photos")
        .map(|(_, lines)| photo_files(lines))
        .unwrap_or(Ok(BTreeSet::new()))?;
    let dir = from.join("photos");
    for hash in &named {
        archived_photo(&dir, hash)?;
    }
    // The files go before the rows, synced, as an upload's do: an import that fails
    // after them leaves files no row names (content-addressed, harmless), never the
    // reverse. Read again rather than held, so memory stays one photo.
    let store = PhotoStore::new(config.uploads.dir.clone());
    for hash in &named {
        store.put_now(hash, &archived_photo(&dir, hash)?).map_err(|e| format!("photo {hash}: {e}"))?;
    }
    // A deployment's own settings (its signing keys) are kept; an empty database takes
    // the archive's, so links already mailed keep working.
    let skipped = archive::import(conn, &data).map_err(|e| format!("nothing was imported: {e}"))?;
    // Read back and compared with what was exported.
    let mut rows = 0;
    for (table, lines) in &data {
        if archive::deployment_wide(table) {
            continue;
        }
        let back = archive::rows(conn, table, &id).map_err(|e| format!("{}: {e}", table.name))?;
        if archive::checksum(&back) != archive::checksum(lines) {
            return Err(format!("{} reads back differently from the archive", table.name));
        }
        rows += back.len();
    }
    let kept =
        if skipped.is_empty() { String::new() } else { format!("; kept this deployment's {}", skipped.join(", ")) };
    let _ =
        writeln!(out, "imported {name}: {rows} rows verified against the archive, {} photo files{kept}", named.len());
    Ok(())
}
