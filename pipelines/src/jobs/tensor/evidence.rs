//! The evidence a tensor is evaluated from, read from the files and runs that hold it:
//! entities and attestations (CSV, streamed, bad rows quarantined with their reason) and a
//! screening run's matches.

use ingest::pacs008::{Quarantined, parse_date};
use verify::Digest;
use verify::keys::TrustSet;
use verify::store::Store;

use super::State;
use super::eval::{Attestation, Expiry};
use super::run::input_error;
use crate::artifact::publish::{table_of, text_column};
use crate::jobs::JobError;
use crate::jobs::inputs::NamedFile;
use crate::zone;

/// One record of a CSV file, with its columns found by (lower-cased) header name.
struct CsvRow<'a> {
    offset: u64,
    row: u64,
    record: &'a csv::StringRecord,
    headers: &'a [String],
}

impl CsvRow<'_> {
    fn get(&self, column: &str) -> &str {
        self.headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.record.get(i))
            .unwrap_or_default()
    }
}

/// Streams a CSV file's records to `each` (constant memory), quarantining unreadable ones.
fn read_csv(
    file: &NamedFile,
    required: &[&str],
    quarantine: &mut Vec<Quarantined>,
    each: &mut dyn FnMut(&CsvRow<'_>, &mut Vec<Quarantined>),
) -> Result<(), JobError> {
    let path = file.path.as_path();
    let opened = std::fs::File::open(path).map_err(|e| input_error(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::new(opened));
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| input_error(path, e))?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    for r in required {
        if !headers.iter().any(|h| h == r) {
            return Err(input_error(
                path,
                format!("no column {r:?} (needs {})", required.join(", ")),
            ));
        }
    }
    let mut record = csv::StringRecord::new();
    let mut n = 0u64;
    loop {
        let offset = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                n += 1;
                let row = CsvRow {
                    offset,
                    row: n,
                    record: &record,
                    headers: &headers,
                };
                each(&row, quarantine);
            }
            Err(e) => {
                n += 1;
                quarantine.push(reject(
                    file,
                    offset,
                    n,
                    "",
                    format!("unreadable CSV record: {e}"),
                ));
            }
        }
    }
    Ok(())
}

fn reject(file: &NamedFile, offset: u64, row: u64, field: &str, reason: String) -> Quarantined {
    Quarantined {
        source_file: file.name.clone(),
        byte_offset: offset,
        element_path: if field.is_empty() {
            format!("row {row}")
        } else {
            format!("row {row}/{field}")
        },
        msg_id: None,
        reason,
    }
}

/// Entity ids with their jurisdiction when it is not the zone's.
pub type Entities = Vec<(String, Option<String>)>;

/// Entities: unique ids in file order; blanks and repeats quarantined.
pub fn read_entities(file: &NamedFile) -> Result<(Entities, Vec<Quarantined>), JobError> {
    let mut quarantine = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    read_csv(file, &["entity_id"], &mut quarantine, &mut |row, q| {
        let id = row.get("entity_id");
        if id.is_empty() {
            q.push(reject(
                file,
                row.offset,
                row.row,
                "entity_id",
                "no entity id".into(),
            ));
        } else if !seen.insert(id.to_owned()) {
            q.push(reject(
                file,
                row.offset,
                row.row,
                "entity_id",
                format!("entity {id} appears twice"),
            ));
        } else {
            let j = row.get("jurisdiction_id");
            out.push((id.to_owned(), (!j.is_empty()).then(|| j.to_owned())));
        }
    })?;
    Ok((out, quarantine))
}

/// Attestations; a row naming an unknown domain or state is quarantined, an expiry that is
/// not a date is kept as unreadable (it then counts as expired).
pub fn read_attestations(
    file: &NamedFile,
) -> Result<(Vec<Attestation>, Vec<Quarantined>), JobError> {
    let mut quarantine = Vec::new();
    let mut out = Vec::new();
    read_csv(
        file,
        &["entity_id", "domain", "state"],
        &mut quarantine,
        &mut |row, q| {
            let Some(domain_index) = zone::domain_index(row.get("domain")) else {
                q.push(reject(
                    file,
                    row.offset,
                    row.row,
                    "domain",
                    format!("unknown domain {:?}", row.get("domain")),
                ));
                return;
            };
            let Some(state) = State::parse(row.get("state")) else {
                q.push(reject(
                    file,
                    row.offset,
                    row.row,
                    "state",
                    format!("unknown state {:?}", row.get("state")),
                ));
                return;
            };
            if row.get("entity_id").is_empty() {
                q.push(reject(
                    file,
                    row.offset,
                    row.row,
                    "entity_id",
                    "no entity id".into(),
                ));
                return;
            }
            let expires = match row.get("expires") {
                "" => Expiry::Never,
                text => parse_date(text).map_or(Expiry::Unreadable, Expiry::On),
            };
            out.push(Attestation {
                entity_id: row.get("entity_id").to_owned(),
                domain_index,
                state,
                expires,
            });
        },
    )?;
    Ok((out, quarantine))
}

/// The screening outcome per entity from a screening run's `matches`.
pub fn screening_of(
    store: &Store,
    trust: &TrustSet,
    manifest: &Digest,
) -> Result<Vec<(String, bool)>, JobError> {
    let matches = table_of(store, trust, manifest, "matches")?;
    let text = |name: &str| text_column(&matches, "matches", name);
    let (ids, decisions) = (text("query_id")?, text("decision")?);
    Ok((0..matches.num_rows())
        .map(|i| (ids.value(i).to_owned(), decisions.value(i) == "hit"))
        .collect())
}
