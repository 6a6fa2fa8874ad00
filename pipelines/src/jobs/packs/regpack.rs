//! The regpack build: official sanctions list files in, a signed regpack out.
//!
//! `--lists` takes list files of any supported format. XML is recognised by its root; an
//! OFAC primary CSV (a name containing `sdn`, or `cons_prim*.csv`; gzipped or not) pulls in the `add`, `alt`
//! and comments files beside it; any other CSV is a custom list named after its file stem.
//! Artifacts: `entries`, `names`, `quarantine`; the manifest publishes every input's digest
//! and the entries' Merkle root (`entries_merkle_root`).

use std::path::Path;

use ingest::sanctions::{self, ListReading};
use verify::Digest;
use verify::keys::TrustSet;
use verify::manifest::Input;
use verify::store::Store;

use crate::artifact::publish::{table_of, write_quarantine};
use crate::artifact::{self, RunDescription};
use crate::jobs::inputs::{self, NamedFile};
use crate::jobs::{Context, Job, JobError, Produced};

/// Parameters of a regpack build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegpackParams {
    pub jurisdiction: String,
    /// The list files, named as the tables will name them (OFAC siblings are found beside
    /// a primary CSV and named beside its name).
    pub lists: Vec<NamedFile>,
}

fn base_name(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    name.strip_suffix(".gz").unwrap_or(&name).to_owned()
}

/// The first existing sibling among `names` (plain or gzipped), named beside `file`.
fn sibling(file: &NamedFile, names: &[&str]) -> Option<NamedFile> {
    let dir = file.path.parent()?;
    let prefix = file.name.rsplit_once('/').map_or("", |(d, _)| d);
    names
        .iter()
        .flat_map(|n| [n.to_string(), format!("{n}.gz")])
        .find(|n| dir.join(n).is_file())
        .map(|n| {
            let name = if prefix.is_empty() {
                n.clone()
            } else {
                format!("{prefix}/{n}")
            };
            NamedFile::new(dir.join(n), name)
        })
}

/// Reads one list file (with its OFAC siblings); returns the files actually read.
pub fn read_list(file: &NamedFile) -> Result<(ListReading, Vec<NamedFile>), JobError> {
    let name = base_name(&file.path);
    if name.ends_with(".xml") {
        return Ok((sanctions::read_xml(file)?, vec![file.clone()]));
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
            sibling(file, &add),
            sibling(file, &alt),
            sibling(file, &comments),
        );
        let reading = sanctions::read_ofac_csv_set(
            list,
            file,
            add.as_ref(),
            alt.as_ref(),
            comments.as_ref(),
        )?;
        let mut files = vec![file.clone()];
        files.extend([add, alt, comments].into_iter().flatten());
        return Ok((reading, files));
    }
    let list = name.strip_suffix(".csv").unwrap_or(&name).to_owned();
    Ok((sanctions::read_custom_csv(&list, file)?, vec![file.clone()]))
}

/// Sanctions lists read from files and built into regpack tables.
#[derive(Debug)]
pub struct ReadLists {
    pub readings: Vec<ListReading>,
    pub pack: packs::regpack::Regpack,
    /// Every file read (OFAC siblings too), by digest.
    pub inputs: Vec<Input>,
}

/// Reads the list files (with their OFAC siblings) and builds the regpack tables.
pub fn read_lists(lists: &[NamedFile]) -> Result<ReadLists, JobError> {
    let mut readings = Vec::new();
    let mut files = Vec::new();
    for list in lists {
        let (reading, read) = read_list(list)?;
        readings.push(reading);
        files.extend(read);
    }
    let files = inputs::unique_names(files)?;
    let pack = packs::regpack::build(&readings).map_err(|e| JobError::input("regpack", e))?;
    let mut inputs = Vec::new();
    for f in &files {
        let (digest, bytes) = Digest::of_file(&f.path)?;
        inputs.push(Input {
            name: f.name.clone(),
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
pub fn entries_of(
    store: &Store,
    trust: &TrustSet,
    manifest: &Digest,
) -> Result<arrow::array::RecordBatch, JobError> {
    Ok(table_of(store, trust, manifest, "entries")?)
}
