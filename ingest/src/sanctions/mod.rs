//! Sanctions lists → `entries` (one row per listed person, entity, vessel or aircraft) and
//! `names` (every name an entry is known by, with its kind and strength).
//!
//! Formats: the OFAC CSV set (`sdn.csv`/`add.csv`/`alt.csv`/`sdn_comments.csv`, and the
//! consolidated non-SDN `cons_*.csv`), OFAC `sdnList` XML (SDN.XML and consolidated.xml, old
//! and new namespaces) and the UN Security Council consolidated XML. Gzip is detected by
//! its magic bytes; XML formats by their root element. Bad entries are quarantined with the
//! reason and the rest of the list goes on.
//!
//! Also the EU Financial Sanctions Files XML, the UK Sanctions List XML and a simple custom
//! CSV (`id,name` plus optional `type,aliases,dob,countries,programs`).

mod collect;
mod custom_csv;
mod eu;
mod ofac_csv;
mod ofac_xml;
pub mod table;
mod uk;
mod un;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::NamedFile;
use crate::error::IngestError;
use crate::pacs008::Quarantined;

pub use custom_csv::read_custom_csv;
pub use ofac_csv::read_ofac_csv_set;

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryType {
    Individual,
    Entity,
    Vessel,
    Aircraft,
}

impl EntryType {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryType::Individual => "individual",
            EntryType::Entity => "entity",
            EntryType::Vessel => "vessel",
            EntryType::Aircraft => "aircraft",
        }
    }
}

/// One listed party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `ofac_sdn`, `ofac_consolidated`, `un`.
    pub list: String,
    pub source_uid: String,
    pub entry_type: EntryType,
    pub primary_name: String,
    pub programs: Vec<String>,
    pub listed_on: Option<String>,
    pub dates_of_birth: Vec<String>,
    pub nationalities: Vec<String>,
    pub countries: Vec<String>,
    pub addresses: Vec<String>,
    pub identifiers: Vec<String>,
    pub remarks: Option<String>,
}

/// One name of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub list: String,
    pub source_uid: String,
    pub name: String,
    /// `primary`, `aka`, `fka`, `nka`, `original_script`.
    pub kind: String,
    /// `strong` / `weak` where the list says (OFAC category, UN quality).
    pub strength: Option<String>,
}

/// A list read from one or more files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListReading {
    pub entries: Vec<Entry>,
    pub names: Vec<Name>,
    pub quarantine: Vec<Quarantined>,
}

/// Opens a file, transparently gunzipping it.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>, IngestError> {
    let io = |e: std::io::Error| IngestError::Io {
        file: path.to_owned(),
        reason: e.to_string(),
    };
    let mut file = BufReader::new(std::fs::File::open(path).map_err(io)?);
    let gz = file.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
    Ok(if gz {
        // Every member: bgzip and `cat a.gz b.gz` write several, and `gzip -d` reads them all.
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(file)
    })
}

/// Reads one XML list file, detecting OFAC `sdnList` or UN `CONSOLIDATED_LIST` by its root.
pub fn read_xml(file: &NamedFile) -> Result<ListReading, IngestError> {
    let path = file.path.as_path();
    let mut head = Vec::new();
    open(path)?
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|e| IngestError::Io {
            file: path.to_owned(),
            reason: e.to_string(),
        })?;
    let head = String::from_utf8_lossy(&head);
    let source = file.name.clone();
    if head.contains("<sdnList") {
        Ok(ofac_xml::read(&source, open(path)?))
    } else if head.contains("<CONSOLIDATED_LIST") {
        Ok(un::read(&source, open(path)?))
    } else if head.contains("<export") && head.contains("fsd/export") {
        Ok(eu::read(&source, open(path)?))
    } else if head.contains("<Designations") {
        Ok(uk::read(&source, open(path)?))
    } else {
        Err(IngestError::Malformed {
            file: source,
            byte_offset: 0,
            element_path: "/".into(),
            reason: "not a known sanctions list format (expected OFAC sdnList, UN CONSOLIDATED_LIST, EU FSF export or UK Designations)".into(),
        })
    }
}

/// Turns one XML record into an entry (pushing its names), or says why it cannot.
type EntryMapper<'a> = dyn Fn(&collect::Record, &mut Vec<Name>) -> Result<Entry, String> + 'a;

/// The longest name a list entry may have, in bytes. Real list names stay under some 400;
/// an entry with a longer one (a hostile or broken file: a 100 MB CSV field) is set aside
/// in quarantine, never indexed — screening it would take gigabytes.
pub const MAX_NAME_BYTES: usize = 4096;

/// Why an entry with these names is set aside, if one is too long.
pub(crate) fn oversized_name<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    names
        .into_iter()
        .find(|n| n.len() > MAX_NAME_BYTES)
        .map(|n| {
            format!(
                "a name of {} bytes, longer than the {MAX_NAME_BYTES} a list name may have",
                n.len()
            )
        })
}

/// Streams the records of an XML list through `map`; records `map` rejects and a refused
/// file become quarantine rows.
fn read_records(
    source: &str,
    input: impl Read,
    record_names: &[&str],
    uid_field: &str,
    map: &EntryMapper<'_>,
) -> ListReading {
    let mut out = ListReading::default();
    let mut bad = Vec::new();
    let result = collect::records(input, record_names, &mut |r| {
        let mut names = Vec::new();
        let mapped = map(&r, &mut names).and_then(|e| {
            match oversized_name(names.iter().map(|n| n.name.as_str())) {
                Some(reason) => Err(reason),
                None => Ok(e),
            }
        });
        match mapped {
            Ok(e) => {
                out.entries.push(e);
                out.names.extend(names);
            }
            Err(reason) => bad.push(Quarantined {
                source_file: source.to_owned(),
                byte_offset: r.byte_offset,
                element_path: r.path.clone(),
                msg_id: r.get(uid_field).map(str::to_owned),
                reason,
            }),
        }
    });
    out.quarantine = bad;
    if let Err((offset, path, reason)) = result {
        out.entries.clear();
        out.names.clear();
        out.quarantine.push(Quarantined {
            source_file: source.to_owned(),
            byte_offset: offset,
            element_path: path,
            msg_id: None,
            reason: format!("file refused: {reason}"),
        });
    }
    out
}
