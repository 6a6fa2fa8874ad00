//! Where a job's input files come from, and the names they have in what the job writes.
//!
//! An input is named **relative to the root it was found under**, never by where that root
//! lies, so that the same input bytes give the same tables, digests and Merkle roots on any
//! machine, in any folder, local or in an object store:
//!
//! - a file given directly: its base name (`/data/2026-11-23/bulk-0001.xml` → `bulk-0001.xml`);
//! - a file found in a directory given: the path below that directory, with `/` separators
//!   (`day/` holding `eur/bulk-0001.xml` → `eur/bulk-0001.xml`);
//! - an object under an object-store URL given (`s3://bucket/days/2026-11-23/`): its key
//!   below that prefix (`eur/bulk-0001.xml`); a URL naming one object: its last segment.
//!
//! Two different files with one name refuse the run (their digests would be ambiguous in
//! the tables); the same file reached twice is read once. Files are ordered by name, so the
//! order of the inputs on the command line and of the file system does not matter either.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

pub use ingest::NamedFile;
use verify::Digest;
use verify::store::Store;

use super::JobError;

/// The names of pacs.008 files in an input directory: XML, or XML compressed with gzip.
pub const PACS008_SUFFIXES: [&str; 2] = [".xml", ".xml.gz"];

/// Object-store URL schemes an input may have.
const URL_SCHEMES: [&str; 8] = ["s3", "s3a", "gs", "az", "adl", "azure", "abfs", "abfss"];

/// Input files, with the local folder that holds the ones downloaded from an object store
/// (removed when this is dropped).
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<NamedFile>,
    /// The object URL each downloaded file came from, by its local path.
    pub origins: BTreeMap<PathBuf, String>,
    _downloaded: Option<tempfile::TempDir>,
}

/// Runs `read` over files whose readers open them themselves (more than once, or through
/// a decompressor), and returns the files' digests, refusing the run when any file changed
/// while it was read: the digests recorded are then those of the bytes parsed. (Readers
/// that stream a file once hash it as they read instead: `verify::digest::HashingReader`.)
pub fn read_unchanged<T>(
    files: &[NamedFile],
    read: impl FnOnce() -> Result<T, JobError>,
) -> Result<(T, Vec<(Digest, u64)>), JobError> {
    let before = files
        .iter()
        .map(|f| Ok(Digest::of_file(&f.path)?))
        .collect::<Result<Vec<_>, JobError>>()?;
    let value = read()?;
    for (f, was) in files.iter().zip(&before) {
        if Digest::of_file(&f.path)? != *was {
            return Err(JobError::input(
                &f.path,
                "changed while it was read: run again on a file that is not being written",
            ));
        }
    }
    Ok((value, before))
}

/// A file given directly, named by its base name.
pub fn given(path: &Path) -> NamedFile {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    NamedFile::new(path, name)
}

/// A file under `root`, named by its path below it with `/` separators.
pub fn under(root: &Path, path: &Path) -> Result<NamedFile, JobError> {
    let below = path
        .strip_prefix(root)
        .map_err(|_| JobError::input(path, format!("is not under {}", root.display())))?;
    let mut parts = Vec::new();
    for c in below.components() {
        match c {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return Err(JobError::input(path, "has no plain name below its root")),
        }
    }
    if parts.is_empty() {
        return Ok(given(path));
    }
    Ok(NamedFile::new(path, parts.join("/")))
}

fn object_store_url(input: &Path) -> Option<&str> {
    let text = input.to_str()?;
    let (scheme, _) = text.split_once("://")?;
    URL_SCHEMES.contains(&scheme).then_some(text)
}

/// Expands files, directories and object-store URLs into named input files, sorted by
/// name: a file named is taken as it is; in a directory (recursively) or under a URL
/// prefix, the files whose names end with one of `suffixes` (in any case). Objects are
/// downloaded into a temporary folder first.
pub fn expand_inputs(inputs: &[PathBuf], suffixes: &[&str]) -> Result<Inputs, JobError> {
    let mut found = Inputs::default();
    for input in inputs {
        if let Some(url) = object_store_url(input) {
            if found._downloaded.is_none() {
                found._downloaded = Some(tempfile::tempdir().map_err(|e| {
                    JobError::input("temporary folder", format!("cannot create one: {e}"))
                })?);
            }
            let dir = found._downloaded.as_ref().map(|d| d.path().to_owned());
            let dir = dir.unwrap_or_default().join(found.files.len().to_string());
            download(url, suffixes, &dir, &mut found.files, &mut found.origins)?;
            continue;
        }
        let meta = std::fs::metadata(input).map_err(|e| JobError::input(input, e))?;
        if meta.is_dir() {
            walk(input, input, suffixes, &mut found.files)?;
        } else {
            found.files.push(given(input));
        }
    }
    found.files = unique_names(std::mem::take(&mut found.files))?;
    Ok(found)
}

/// Sorts by name and checks that names are unique: the same file twice is read once (under
/// its smallest name), two different files with one name are refused.
pub fn unique_names(mut files: Vec<NamedFile>) -> Result<Vec<NamedFile>, JobError> {
    files.sort();
    let mut by_file: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut kept: Vec<NamedFile> = Vec::with_capacity(files.len());
    for f in files {
        let identity = std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone());
        if by_file.contains_key(&identity) {
            continue;
        }
        if let Some(last) = kept.last()
            && last.name == f.name
        {
            return Err(JobError::input(
                &f.path,
                format!(
                    "has the same name {:?} as {}: name inputs apart (give their common \
                     folder, not each folder)",
                    f.name,
                    last.path.display()
                ),
            ));
        }
        by_file.insert(identity, kept.len());
        kept.push(f);
    }
    Ok(kept)
}

fn matches(name: &str, suffixes: &[&str]) -> bool {
    let name = name.to_ascii_lowercase();
    suffixes.iter().any(|s| name.ends_with(s))
}

fn walk(
    root: &Path,
    dir: &Path,
    suffixes: &[&str],
    out: &mut Vec<NamedFile>,
) -> Result<(), JobError> {
    let entries = std::fs::read_dir(dir).map_err(|e| JobError::input(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| JobError::input(dir, e))?.path();
        if path.is_dir() {
            walk(root, &path, suffixes, out)?;
        } else if path
            .file_name()
            .is_some_and(|name| matches(&name.to_string_lossy(), suffixes))
        {
            out.push(under(root, &path)?);
        }
    }
    Ok(())
}

/// Downloads the objects under `url` whose names match (or the one object `url` names)
/// into `dir`, each named by its key below the URL.
fn download(
    url: &str,
    suffixes: &[&str],
    dir: &Path,
    out: &mut Vec<NamedFile>,
    origins: &mut BTreeMap<PathBuf, String>,
) -> Result<(), JobError> {
    let store = Store::open(url)?;
    let mut keys: Vec<(String, String)> = store
        .list("")?
        .into_iter()
        .filter(|l| matches(&l.key, suffixes))
        .map(|l| (l.key.clone(), l.key))
        .collect();
    let single = keys.is_empty();
    let store = if single {
        // Not a prefix with objects below it: the URL may name one object.
        let (parent, name) = url
            .trim_end_matches('/')
            .rsplit_once('/')
            .filter(|(parent, name)| !name.is_empty() && parent.contains("://"))
            .ok_or_else(|| JobError::input(url, "no input objects under this URL"))?;
        keys.push((name.to_owned(), name.to_owned()));
        Store::open(parent)?
    } else {
        store
    };
    for (key, name) in keys {
        let local = dir.join(&name);
        if let Some(parent) = local.parent() {
            std::fs::create_dir_all(parent).map_err(|e| JobError::input(parent, e))?;
        }
        store.download(&key, &local).map_err(|e| match e {
            verify::Error::NotFound { .. } => {
                JobError::input(url, format!("no input object {key:?} under this URL"))
            }
            other => JobError::from(other),
        })?;
        let origin = if single {
            url.to_owned()
        } else {
            format!("{}/{key}", url.trim_end_matches('/'))
        };
        origins.insert(local.clone(), origin);
        out.push(NamedFile::new(local, name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_to_the_root_whatever_the_root_is() {
        let a = tempfile::tempdir().unwrap();
        let deep = a.path().join("a very/long/absolute path");
        std::fs::create_dir_all(deep.join("eur")).unwrap();
        std::fs::write(deep.join("eur/bulk-1.xml"), "x").unwrap();
        std::fs::write(deep.join("top.XML"), "y").unwrap();
        std::fs::write(deep.join("notes.txt"), "z").unwrap();
        let found = expand_inputs(std::slice::from_ref(&deep), &[".xml"]).unwrap();
        let names: Vec<&str> = found.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["eur/bulk-1.xml", "top.XML"]);
        // The same folder through a symlink and a relative path gives the same names.
        let link = a.path().join("link");
        std::os::unix::fs::symlink(&deep, &link).unwrap();
        let found = expand_inputs(&[link.join(".")], &[".xml"]).unwrap();
        let names: Vec<&str> = found.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["eur/bulk-1.xml", "top.XML"]);
        // A file given directly is named by its base name.
        let one = expand_inputs(&[deep.join("eur/bulk-1.xml")], &[".xml"]).unwrap();
        assert_eq!(one.files[0].name, "bulk-1.xml");
    }

    #[test]
    fn one_name_for_two_files_is_refused_and_one_file_twice_is_read_once() {
        let a = tempfile::tempdir().unwrap();
        for d in ["x", "y"] {
            std::fs::create_dir_all(a.path().join(d)).unwrap();
            std::fs::write(a.path().join(d).join("bulk.xml"), d).unwrap();
        }
        let err = expand_inputs(&[a.path().join("x"), a.path().join("y")], &[".xml"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("same name \"bulk.xml\""), "{err}");
        let twice = expand_inputs(
            &[a.path().join("x"), a.path().join("x/bulk.xml")],
            &[".xml"],
        )
        .unwrap();
        assert_eq!(twice.files.len(), 1);
    }

    #[test]
    fn a_file_that_changes_while_it_is_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.csv");
        std::fs::write(&path, "id,name\n1,A\n").unwrap();
        let file = given(&path);
        let ((), digests) = read_unchanged(std::slice::from_ref(&file), || Ok(())).unwrap();
        assert_eq!(digests[0], Digest::of_file(&path).unwrap());
        let err = read_unchanged(std::slice::from_ref(&file), || {
            std::fs::write(&path, "id,name\n1,B\n").unwrap();
            Ok(())
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("changed while it was read"),
            "{err}"
        );
    }
}
