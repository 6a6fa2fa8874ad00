//! Sanctions lists → `entries` (one row per listed person, entity, vessel or aircraft) and
//! `names` (every name an entry is known by, with its kind and strength).
//!
//! Formats: the OFAC CSV set (`sdn.csv`/`add.csv`/`alt.csv`/`sdn_comments.csv`, and the
//! consolidated non-SDN `cons_*.csv`), OFAC `sdnList` XML (SDN.XML and consolidated.xml, old
//! and new namespaces) and the UN Security Council consolidated XML. Gzip is detected by
//! its magic bytes; XML formats by their root element. Bad entries are quarantined with the
//! reason and the rest of the list goes on.
//!
//! Still to come in this module: EU FSF XML, the UK Sanctions List XML and the simple
//! custom CSV.

mod collect;
mod ofac_csv;
mod ofac_xml;
pub mod table;
mod un;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::IngestError;
use crate::pacs008::Quarantined;

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
        Box::new(BufReader::new(flate2::read::GzDecoder::new(file)))
    } else {
        Box::new(file)
    })
}

/// Reads one XML list file, detecting OFAC `sdnList` or UN `CONSOLIDATED_LIST` by its root.
pub fn read_xml(path: &Path) -> Result<ListReading, IngestError> {
    let mut head = Vec::new();
    open(path)?
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|e| IngestError::Io {
            file: path.to_owned(),
            reason: e.to_string(),
        })?;
    let head = String::from_utf8_lossy(&head);
    let source = path.display().to_string();
    if head.contains("<sdnList") {
        Ok(ofac_xml::read(&source, open(path)?))
    } else if head.contains("<CONSOLIDATED_LIST") {
        Ok(un::read(&source, open(path)?))
    } else {
        Err(IngestError::Malformed {
            file: source,
            byte_offset: 0,
            element_path: "/".into(),
            reason: "not a known sanctions list format (expected sdnList or CONSOLIDATED_LIST)"
                .into(),
        })
    }
}
