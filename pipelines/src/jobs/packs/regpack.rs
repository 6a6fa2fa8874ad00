//! The regpack build: official sanctions list files in, a signed regpack out.
//!
//! `--lists` takes list files of any supported format. XML is recognised by its root; an
//! OFAC primary CSV (a name containing `sdn`, or `cons_prim*.csv`; gzipped or not) pulls in the `add`, `alt`
//! and comments files beside it; any other CSV is a custom list named after its file stem.
//! Artifacts: `entries`, `names`, `quarantine`; the manifest publishes every input's digest
//! and the entries' Merkle root (`entries_merkle_root`).

use std::path::{Path, PathBuf};

use ingest::sanctions::{self, ListReading};
use verify::Digest;
use verify::manifest::Input;
use verify::store::Store;

use crate::artifact::publish::{table_of, write_quarantine};
use crate::artifact::{self, RunDescription};
use crate::jobs::{Context, Job, JobError, Produced};

/// Parameters of a regpack build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegpackParams {
    pub jurisdiction: String,
    pub lists: Vec<PathBuf>,
}

fn base_name(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    name.strip_suffix(".gz").unwrap_or(&name).to_owned()
}

/// The first existing sibling among `names` (plain or gzipped).
fn sibling(path: &Path, names: &[&str]) -> Option<PathBuf> {
    let dir = path.parent()?;
    names
        .iter()
        .flat_map(|n| [dir.join(n), dir.join(format!("{n}.gz"))])
        .find(|p| p.is_file())
}

/// Reads one list file (with its OFAC siblings); returns the files actually read.
pub fn read_list(path: &Path) -> Result<(ListReading, Vec<PathBuf>), JobError> {
    let name = base_name(path);
    if name.ends_with(".xml") {
        return Ok((sanctions::read_xml(path)?, vec![path.to_owned()]));
    }
    let ofac = if name.contains("sdn") && !name.contains("comments") {
        Some(("ofac_sdn", ["add.csv"], ["alt.csv"], ["sdn_comments.csv"]))
    } else if name.starts_with("cons_prim") {
        Some((
            "ofac_consolidated",
            ["cons_add.csv"],
            ["cons_alt.csv"],
            ["cons_comments.csv"],
        ))
    } else {
        None
    };
    if let Some((list, add, alt, comments)) = ofac {
        let (add, alt, comments) = (
            sibling(path, &add),
            sibling(path, &alt),
            sibling(path, &comments),
        );
        let reading = sanctions::read_ofac_csv_set(
            list,
            path,
            add.as_deref(),
            alt.as_deref(),
            comments.as_deref(),
        )?;
        let mut files = vec![path.to_owned()];
        files.extend([add, alt, comments].into_iter().flatten());
        return Ok((reading, files));
    }
    let list = name.strip_suffix(".csv").unwrap_or(&name).to_owned();
    Ok((
        sanctions::read_custom_csv(&list, path)?,
        vec![path.to_owned()],
    ))
}

/// Sanctions lists read from files and built into regpack tables.
#[derive(Debug)]
pub struct ReadLists {
    pub readings: Vec<ListReading>,
    pub pack: packs::regpack::Regpack,
    /// Every file read (OFAC siblings too), by digest.
    pub inputs: Vec<Input>,
}

/// Reads the list files `paths` (with their OFAC siblings) and builds the regpack tables.
pub fn read_lists(paths: &[PathBuf]) -> Result<ReadLists, JobError> {
    let mut readings = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        let (reading, read) = read_list(path)?;
        readings.push(reading);
        files.extend(read);
    }
    files.sort();
    files.dedup();
    let pack = packs::regpack::build(&readings).map_err(|e| JobError::input("regpack", e))?;
    let mut inputs = Vec::new();
    for f in &files {
        let (digest, bytes) = Digest::of_file(f)?;
        inputs.push(Input {
            name: f.display().to_string(),
            digest,
            bytes,
        });
    }
    Ok(ReadLists {
        readings,
        pack,
        inputs,
    })
}

/// Builds a regpack.
#[derive(Debug, Clone, Copy)]
pub struct Regpack;

impl Job for Regpack {
    type Params = RegpackParams;
    type Extra = ();

    fn produce(ctx: &Context<'_>, params: &RegpackParams) -> Result<Produced<()>, JobError> {
        let store = ctx.store;
        let chain_id = format!("regpack-{}", params.jurisdiction);
        verify::receipt::check_chain_id(&chain_id)?;
        let ReadLists {
            readings,
            pack,
            inputs,
        } = read_lists(&params.lists)?;
        let mut quarantine: Vec<_> = readings
            .iter()
            .flat_map(|r| r.quarantine.iter().cloned())
            .collect();
        let written = vec![
            artifact::write_table(
                store,
                "entries",
                &pack.entries.schema(),
                std::slice::from_ref(&pack.entries),
                &["list", "source_uid"],
            )?,
            artifact::write_table(
                store,
                "names",
                &pack.names.schema(),
                std::slice::from_ref(&pack.names),
                &["list", "source_uid", "kind", "name"],
            )?,
            write_quarantine(store, &mut quarantine, &inputs)?,
        ];
        let run = RunDescription::pack(
            "regpack",
            &params.jurisdiction,
            "entries_merkle_root",
            &pack.merkle_root,
            inputs,
            quarantine.len() as u64,
        );
        Ok(Produced {
            run,
            tables: written,
            extra: (),
        })
    }
}

/// The entries table of a published regpack, by manifest digest (digests checked).
pub fn entries_of(store: &Store, manifest: &Digest) -> Result<arrow::array::RecordBatch, JobError> {
    Ok(table_of(store, manifest, "entries")?)
}
