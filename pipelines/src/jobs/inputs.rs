//! Where a job's input files come from: files and directories named on the command line,
//! expanded into one sorted list.

use std::path::{Path, PathBuf};

use super::JobError;

/// The names of pacs.008 files in an input directory: XML, or XML compressed with gzip.
pub const PACS008_SUFFIXES: [&str; 2] = [".xml", ".xml.gz"];

/// Expands files and directories into a sorted, de-duplicated list: a file named is taken
/// as it is; in a directory (recursively), the files whose names end with one of `suffixes`
/// (in any case).
pub fn expand_inputs(inputs: &[PathBuf], suffixes: &[&str]) -> Result<Vec<PathBuf>, JobError> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| JobError::input(input, e))?;
        if meta.is_dir() {
            walk(input, suffixes, &mut files)?;
        } else {
            files.push(input.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, suffixes: &[&str], out: &mut Vec<PathBuf>) -> Result<(), JobError> {
    let entries = std::fs::read_dir(dir).map_err(|e| JobError::Input {
        path: dir.to_owned(),
        reason: e.to_string(),
    })?;
    for entry in entries {
        let path = entry
            .map_err(|e| JobError::Input {
                path: dir.to_owned(),
                reason: e.to_string(),
            })?
            .path();
        if path.is_dir() {
            walk(&path, suffixes, out)?;
        } else if path.file_name().is_some_and(|name| {
            let name = name.to_string_lossy().to_ascii_lowercase();
            suffixes.iter().any(|s| name.ends_with(s))
        }) {
            out.push(path);
        }
    }
    Ok(())
}
