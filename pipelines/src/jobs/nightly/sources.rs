//! A zone's pack sources in the sources folder, and the build key that says whether a pack
//! must be built again.

use std::path::{Path, PathBuf};

use verify::Digest;

use crate::jobs::JobError;
use crate::jobs::inputs::{self, NamedFile};
use crate::zone;

/// Every file under `dir`, sorted (none when it does not exist).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The files a list folder's readers start from: an OFAC primary CSV (its siblings follow
/// it), else every XML file, else every CSV.
fn list_primaries(files: &[PathBuf]) -> Vec<PathBuf> {
    let lower = |p: &PathBuf| {
        p.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let is = |p: &PathBuf, ext: &str| {
        let n = lower(p);
        n.ends_with(ext) || n.ends_with(&format!("{ext}.gz"))
    };
    let ofac: Vec<PathBuf> = files
        .iter()
        .filter(|p| {
            let n = lower(p);
            is(p, ".csv")
                && ((n.contains("sdn") && !n.contains("comments")) || n.starts_with("cons_prim"))
        })
        .cloned()
        .collect();
    if !ofac.is_empty() {
        return ofac;
    }
    let xml: Vec<PathBuf> = files.iter().filter(|p| is(p, ".xml")).cloned().collect();
    if !xml.is_empty() {
        return xml;
    }
    files.iter().filter(|p| is(p, ".csv")).cloned().collect()
}

/// The sources of one pack: every file (for the build key) and what the builder reads,
/// each named by its path below the sources folder (`lists/un/un.xml`,
/// `law/sg/act-1.xml`), so that a pack built from a copy of the sources elsewhere is the
/// same pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PackSources {
    pub files: Vec<NamedFile>,
    pub read: Vec<NamedFile>,
}

fn named(sources: &Path, paths: Vec<PathBuf>) -> Result<Vec<NamedFile>, String> {
    paths
        .iter()
        .map(|p| inputs::under(sources, p).map_err(|e| e.to_string()))
        .collect()
}

/// The sources of one pack of `zone`: law and licences under `sources`, sanctions lists
/// under `lists` (`<lists>/lists/<list id>/…`: the sources folder, or fetched lists laid
/// out the same way), each named by its path below the folder it is under.
pub(super) fn pack_sources(
    zone: &zone::Zone,
    kind: &str,
    sources: &Path,
    lists: &Path,
) -> Result<Option<PackSources>, String> {
    match kind {
        "regpack" => {
            let mut files = Vec::new();
            let mut read = Vec::new();
            for list in &zone.sanctions_lists {
                let dir = lists.join("lists").join(list);
                let all = files_under(&dir);
                let primaries = list_primaries(&all);
                if primaries.is_empty() {
                    return Err(format!("no files for list {list} in {}", dir.display()));
                }
                files.extend(all);
                read.extend(primaries);
            }
            Ok(Some(PackSources {
                files: named(lists, files)?,
                read: named(lists, read)?,
            }))
        }
        "lawpack" => {
            let dir = sources.join("law").join(&zone.zone_id);
            let files: Vec<PathBuf> = files_under(&dir)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")))
                .collect();
            let files = named(sources, files)?;
            Ok((!files.is_empty()).then(|| PackSources {
                read: files.clone(),
                files,
            }))
        }
        "licensepack" => {
            let file = sources
                .join("licences")
                .join(format!("{}.csv", zone.zone_id));
            if !file.is_file() {
                return Ok(None);
            }
            let files = named(sources, vec![file])?;
            Ok(Some(PackSources {
                read: files.clone(),
                files,
            }))
        }
        other => Err(format!("unknown pack kind {other}")),
    }
}

pub(super) fn build_key(
    kind: &str,
    zone_id: &str,
    files: &[NamedFile],
) -> Result<String, JobError> {
    let mut inputs = Vec::with_capacity(files.len());
    for f in files {
        let (digest, bytes) = Digest::of_file(&f.path)?;
        inputs.push(
            serde_json::json!({"name": f.name, "digest": digest.to_string(), "bytes": bytes}),
        );
    }
    let doc = serde_json::json!({
        "kind": kind,
        "zone": zone_id,
        "tool": env!("CARGO_PKG_VERSION"),
        "inputs": inputs,
    });
    let bytes = verify::canon::to_canonical_vec(&doc)?;
    Ok(Digest::of(&bytes).hex())
}
