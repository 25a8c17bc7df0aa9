//! Reading workflow files from disk; validation itself is core's.

use std::fs;
use std::path::Path;

use roundtable_core::{LoadError, WorkflowSet};

/// Loads every `*.toml` in `dir` (sorted by name). Any unreadable file, an empty
/// directory or an invalid file is reported as a `LoadError`, all of them together.
pub fn load_dir(dir: &Path) -> Result<WorkflowSet, Vec<LoadError>> {
    let shown = dir.display().to_string();
    let entries =
        fs::read_dir(dir).map_err(|e| vec![LoadError::whole_file(&shown, format!("cannot read directory: {e}"))])?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(vec![LoadError::whole_file(&shown, "no workflow files (*.toml) found")]);
    }
    load_files(&paths)
}

/// Loads the given files as one set.
pub fn load_files(paths: &[impl AsRef<Path>]) -> Result<WorkflowSet, Vec<LoadError>> {
    let mut errors = Vec::new();
    let mut texts = Vec::new();
    for p in paths {
        let shown = p.as_ref().display().to_string();
        match fs::read_to_string(p) {
            Ok(text) => texts.push((shown, text)),
            Err(e) => errors.push(LoadError::whole_file(&shown, format!("cannot read file: {e}"))),
        }
    }
    let set = WorkflowSet::from_sources(texts.iter().map(|(s, t)| (s.as_str(), t.as_str())));
    match set {
        Ok(set) if errors.is_empty() => Ok(set),
        Ok(_) => Err(errors),
        Err(mut e) => {
            errors.append(&mut e);
            Err(errors)
        }
    }
}
