//! The evidence a tensor is evaluated from, read from the files and runs that hold it:
//! entities and attestations (CSV, streamed, bad rows quarantined with their reason) and a
//! screening run's matches.

use std::collections::BTreeMap;

use ingest::pacs008::{Quarantined, parse_date};
use verify::Digest;
use verify::digest::HashingReader;
use verify::keys::TrustSet;
use verify::store::Store;

use super::State;
use super::eval::{Attestation, Expiry};
use super::run::input_error;
use crate::artifact::publish::{open_run, table_of, text_column};
use crate::jobs::JobError;
use crate::jobs::inputs::NamedFile;
use crate::zone;

/// One record of a CSV file, with its columns found by (lower-cased) header name.
struct CsvRow<'a> {
    file: &'a NamedFile,
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

    /// This row set aside, naming `field` (none when empty) and why.
    fn reject(&self, field: &str, reason: impl Into<String>) -> Quarantined {
        reject(self.file, self.offset, self.row, field, reason.into())
    }
}

/// The digest and size of exactly the bytes of an input that were parsed.
pub type Read = (Digest, u64);

/// Streams a CSV file's records to `each` (constant memory), quarantining unreadable ones;
/// returns the digest of the bytes read.
fn read_csv(
    file: &NamedFile,
    required: &[&str],
    quarantine: &mut Vec<Quarantined>,
    each: &mut dyn FnMut(&CsvRow<'_>, &mut Vec<Quarantined>),
) -> Result<Read, JobError> {
    let path = file.path.as_path();
    let opened = std::fs::File::open(path).map_err(|e| input_error(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(HashingReader::new(std::io::BufReader::new(opened)));
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
                    file,
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
    reader
        .into_inner()
        .finish()
        .map_err(|e| input_error(path, e))
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
pub fn read_entities(file: &NamedFile) -> Result<(Entities, Vec<Quarantined>, Read), JobError> {
    let mut quarantine = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let read = read_csv(file, &["entity_id"], &mut quarantine, &mut |row, q| {
        let id = row.get("entity_id");
        if id.is_empty() {
            q.push(row.reject("entity_id", "no entity id"));
        } else if !seen.insert(id.to_owned()) {
            q.push(row.reject("entity_id", format!("entity {id} appears twice")));
        } else {
            let j = row.get("jurisdiction_id");
            out.push((id.to_owned(), (!j.is_empty()).then(|| j.to_owned())));
        }
    })?;
    Ok((out, quarantine, read))
}

/// Attestations; a row naming an unknown domain or state is quarantined, an expiry that is
/// not a date is kept as unreadable (it then counts as expired).
pub fn read_attestations(
    file: &NamedFile,
) -> Result<(Vec<Attestation>, Vec<Quarantined>, Read), JobError> {
    let mut quarantine = Vec::new();
    let mut out = Vec::new();
    let read = read_csv(
        file,
        &["entity_id", "domain", "state"],
        &mut quarantine,
        &mut |row, q| {
            let Some(domain_index) = zone::domain_index(row.get("domain")) else {
                q.push(row.reject("domain", format!("unknown domain {:?}", row.get("domain"))));
                return;
            };
            let Some(state) = State::parse(row.get("state")) else {
                q.push(row.reject("state", format!("unknown state {:?}", row.get("state"))));
                return;
            };
            if row.get("entity_id").is_empty() {
                q.push(row.reject("entity_id", "no entity id"));
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
    Ok((out, quarantine, read))
}

/// A screening run as a tensor's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScreeningEvidence {
    /// The outcome per entity it covered, by id: a hit (`NonCompliant`), a review
    /// (`Pending`) or, when the run is usable, screened without a match (`Compliant`).
    pub outcomes: Vec<(String, State)>,
    /// Why no entity counts as screened clear, when none does: the run was not against the
    /// zone's own regpack, or is older than the limit. Hits and reviews count regardless.
    pub unusable: Option<String>,
}

/// The screening evidence of a published screening run for `zone_id` as of `as_of` (days
/// since 1970-01-01): only a run against the zone's own regpack (`regpack-<zone>`), at most
/// `max_age_days` before the as-of date, lets an entity it screened without a match be
/// clear; an entity it did not screen (by id) gets no outcome at all.
pub fn screening_of(
    store: &Store,
    trust: &TrustSet,
    manifest: &Digest,
    zone_id: &str,
    as_of: i32,
    max_age_days: i32,
) -> Result<ScreeningEvidence, JobError> {
    let statement = open_run(store, trust, manifest)?;
    let own = format!("regpack-{zone_id}");
    let regpack = statement
        .predicate
        .packs
        .iter()
        .find(|p| p.name == "regpack");
    let mut unusable = match regpack {
        None => Some("the screening was not against a published regpack".to_owned()),
        Some(p) => match open_run(store, trust, &p.digest) {
            Ok(s) if s.predicate.chain == own => None,
            Ok(s) => Some(format!(
                "the screening was against {}, not the zone's {own}",
                s.predicate.chain
            )),
            Err(e) => Some(format!("its regpack cannot be read: {e}")),
        },
    };
    let screened_on = statement.predicate.time.unix_seconds().div_euclid(86_400);
    let age = i64::from(as_of) - screened_on;
    if unusable.is_none() && age > i64::from(max_age_days) {
        unusable = Some(format!(
            "the screening is {age} days older than the as-of date (the limit is {max_age_days})"
        ));
    }
    let mut outcomes: BTreeMap<String, State> = BTreeMap::new();
    if unusable.is_none() {
        // Runs from before the coverage table name no one as screened: nobody is clear.
        if let Ok(coverage) = table_of(store, trust, manifest, "coverage") {
            let text = |name: &str| text_column(&coverage, "coverage", name);
            let (ids, status) = (text("query_id")?, text("status")?);
            for i in 0..coverage.num_rows() {
                if status.value(i) == "screened" {
                    outcomes.insert(ids.value(i).to_owned(), State::Compliant);
                }
            }
        }
    }
    let matches = table_of(store, trust, manifest, "matches")?;
    let text = |name: &str| text_column(&matches, "matches", name);
    let (ids, decisions) = (text("query_id")?, text("decision")?);
    for i in 0..matches.num_rows() {
        let state = if decisions.value(i) == "hit" {
            State::NonCompliant
        } else {
            State::Pending
        };
        let entry = outcomes.entry(ids.value(i).to_owned()).or_insert(state);
        *entry = (*entry).min(state);
    }
    Ok(ScreeningEvidence {
        outcomes: outcomes.into_iter().collect(),
        unusable,
    })
}
