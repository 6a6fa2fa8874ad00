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
    /// Build from an OFAC CSV whose add/alt files are missing (a quarantine row says so)
    /// instead of refusing it.
    pub allow_missing_siblings: bool,
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
fn sibling(file: &NamedFile, names: &[String]) -> Option<NamedFile> {
    let dir = file.path.parent()?;
    let prefix = file.name.rsplit_once('/').map_or("", |(d, _)| d);
    names
        .iter()
        .flat_map(|n| [n.clone(), format!("{n}.gz")])
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

/// Whether a CSV file is OFAC's headerless format: its first record starts with the
/// numeric `ent_num`. A list with a header (`id,name,…`) is a custom list, whatever its
/// file is called.
pub fn headerless_ofac(file: &NamedFile) -> Result<bool, JobError> {
    use std::io::{BufRead, Read};
    let mut first = Vec::new();
    let mut reader = sanctions::open(&file.path)?;
    std::io::BufReader::new((&mut reader).take(4096))
        .read_until(b'\n', &mut first)
        .map_err(|e| JobError::input(&file.path, e))?;
    let first = first.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&first);
    let field = first
        .split(|&b| b == b',')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    Ok(!field.is_empty() && field.iter().all(u8::is_ascii_digit))
}

/// An OFAC CSV set: the list and the siblings found beside its primary file.
struct OfacSet {
    list: &'static str,
    add: Option<NamedFile>,
    alt: Option<NamedFile>,
    comments: Option<NamedFile>,
}

/// The OFAC set a list file is the primary file of, if it is one.
fn ofac_set(file: &NamedFile) -> Result<Option<OfacSet>, JobError> {
    let name = base_name(&file.path);
    let ofac = if name.contains("sdn") && !name.contains("comments") {
        Some(("ofac_sdn", "sdn", ["add", "alt", "sdn_comments"]))
    } else if name.starts_with("cons_prim") {
        Some(("ofac_consolidated", "prim", ["add", "alt", "comments"]))
    } else {
        None
    };
    let Some((list, marker, [add, alt, comments])) = ofac else {
        return Ok(None);
    };
    if name.ends_with(".xml") || !headerless_ofac(file)? {
        return Ok(None);
    }
    let base = name.strip_suffix(".csv").unwrap_or(&name);
    let names = |part: &str| -> Vec<String> {
        let published = match list {
            "ofac_sdn" => format!("{part}.csv"),
            _ => format!("cons_{part}.csv"),
        };
        vec![published, format!("{}.csv", base.replacen(marker, part, 1))]
    };
    Ok(Some(OfacSet {
        list,
        add: sibling(file, &names(add)),
        alt: sibling(file, &names(alt)),
        comments: sibling(file, &names(comments)),
    }))
}

/// The files reading `file` reads: it, and the siblings of an OFAC primary file.
fn files_of(file: &NamedFile) -> Result<Vec<NamedFile>, JobError> {
    let mut files = vec![file.clone()];
    if let Some(set) = ofac_set(file)? {
        files.extend([set.add, set.alt, set.comments].into_iter().flatten());
    }
    Ok(files)
}

/// Reads one list file (with its OFAC siblings); returns the files actually read.
///
/// An OFAC CSV (`sdn*.csv`, `cons_prim*.csv`, headerless) needs its `add` and `alt`
/// siblings, found by their published names or by the primary's name with `sdn` (or
/// `prim`) replaced (`ofac_sdn_x.csv` → `ofac_add_x.csv`): without them the regpack would
/// lack every address and alias, so the file is refused, unless `allow_missing_siblings`,
/// and then each missing sibling is a quarantine row that says so.
pub fn read_list(
    file: &NamedFile,
    allow_missing_siblings: bool,
) -> Result<(ListReading, Vec<NamedFile>), JobError> {
    let name = base_name(&file.path);
    if name.ends_with(".xml") {
        return Ok((sanctions::read_xml(file)?, vec![file.clone()]));
    }
    if let Some(OfacSet {
        list,
        add,
        alt,
        comments,
    }) = ofac_set(file)?
    {
        let missing: Vec<&str> = [("addresses", &add), ("aliases", &alt)]
            .iter()
            .filter(|(_, f)| f.is_none())
            .map(|(what, _)| *what)
            .collect();
        if !missing.is_empty() && !allow_missing_siblings {
            return Err(JobError::input(
                &file.path,
                format!(
                    "an OFAC CSV without its {} file: put the add.csv and alt.csv published \
                     with it beside it, or pass --allow-missing-siblings to build without them",
                    missing.join(" and ")
                ),
            ));
        }
        let mut reading = sanctions::read_ofac_csv_set(
            list,
            file,
            add.as_ref(),
            alt.as_ref(),
            comments.as_ref(),
        )?;
        for what in missing {
            reading.quarantine.push(ingest::pacs008::Quarantined {
                source_file: file.name.clone(),
                byte_offset: 0,
                element_path: "/".into(),
                msg_id: None,
                reason: format!(
                    "the {what} file published with this list is missing: its entries have no {what}"
                ),
            });
        }
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
pub fn read_lists(
    lists: &[NamedFile],
    allow_missing_siblings: bool,
) -> Result<ReadLists, JobError> {
    let mut readings = Vec::new();
    let mut files = Vec::new();
    for list in lists {
        // The digests recorded are those of the bytes parsed: a file that changes while it
        // is read refuses the build.
        let read_files = files_of(list)?;
        let ((reading, _), digests) =
            inputs::read_unchanged(&read_files, || read_list(list, allow_missing_siblings))?;
        readings.push(reading);
        files.extend(read_files.into_iter().zip(digests));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    let names = inputs::unique_names(files.iter().map(|f| f.0.clone()).collect())?;
    let pack = packs::regpack::build(&readings).map_err(|e| JobError::input("regpack", e))?;
    let inputs = files
        .into_iter()
        .filter(|(f, _)| names.contains(f))
        .map(|(f, (digest, bytes))| Input {
            name: f.name,
            digest,
            bytes,
        })
        .collect();
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
        } = read_lists(&params.lists, params.allow_missing_siblings)?;
        let mut quarantine: Vec<_> = readings
            .iter()
            .flat_map(|r| r.quarantine.iter().cloned())
            .collect();
        let written = vec![
            artifact::write_table(store, "entries", &pack.entries, &["list", "source_uid"])?,
            artifact::write_table(
                store,
                "names",
                &pack.names,
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
