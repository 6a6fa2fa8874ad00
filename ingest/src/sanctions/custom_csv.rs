//! A simple custom list: CSV with a header `id,name` and optional columns `type` (individual,
//! entity, vessel, aircraft; default entity), `aliases` (`;`-separated), `dob`, `countries`
//! and `programs` (`;`-separated).

use super::{Entry, EntryType, ListReading, Name, open};
use crate::NamedFile;
use crate::error::IngestError;
use crate::pacs008::Quarantined;

fn split(v: Option<&str>) -> Vec<String> {
    v.map(|s| {
        s.split(';')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// Reads a custom list; `list` names it in the output.
pub fn read_custom_csv(list: &str, file: &NamedFile) -> Result<ListReading, IngestError> {
    let path = file.path.as_path();
    let malformed = |offset: u64, reason: String| IngestError::Malformed {
        file: file.name.clone(),
        byte_offset: offset,
        element_path: "header".into(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(open(path)?);
    let headers = reader
        .headers()
        .map_err(|e| malformed(0, e.to_string()))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(id_col), Some(name_col)) = (col("id"), col("name")) else {
        return Err(malformed(
            0,
            "the header must name at least the columns id and name".into(),
        ));
    };
    let (type_col, alias_col, dob_col, country_col, program_col) = (
        col("type"),
        col("aliases"),
        col("dob"),
        col("countries"),
        col("programs"),
    );
    let mut out = ListReading::default();
    let mut record = csv::StringRecord::new();
    loop {
        let offset = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(malformed(offset, e.to_string())),
        }
        let get = |c: Option<usize>| c.and_then(|i| record.get(i)).filter(|v| !v.is_empty());
        let quarantine = |reason: String| Quarantined {
            source_file: file.name.clone(),
            byte_offset: offset,
            element_path: format!("row at byte {offset}"),
            msg_id: get(Some(id_col)).map(str::to_owned),
            reason,
        };
        let (Some(uid), Some(name)) = (get(Some(id_col)), get(Some(name_col))) else {
            out.quarantine
                .push(quarantine("row without id or name".into()));
            continue;
        };
        let entry_type = match get(type_col).map(str::to_ascii_lowercase).as_deref() {
            None | Some("entity") => EntryType::Entity,
            Some("individual" | "person") => EntryType::Individual,
            Some("vessel" | "ship") => EntryType::Vessel,
            Some("aircraft") => EntryType::Aircraft,
            Some(other) => {
                out.quarantine
                    .push(quarantine(format!("unknown type {other:?}")));
                continue;
            }
        };
        let aliases = split(get(alias_col));
        if let Some(reason) =
            super::oversized_name(std::iter::once(name).chain(aliases.iter().map(String::as_str)))
        {
            out.quarantine.push(quarantine(reason));
            continue;
        }
        out.names.push(Name {
            list: list.to_owned(),
            source_uid: uid.to_owned(),
            name: name.to_owned(),
            kind: "primary".into(),
            strength: None,
        });
        for alias in aliases {
            out.names.push(Name {
                list: list.to_owned(),
                source_uid: uid.to_owned(),
                name: alias,
                kind: "aka".into(),
                strength: None,
            });
        }
        out.entries.push(Entry {
            list: list.to_owned(),
            source_uid: uid.to_owned(),
            entry_type,
            primary_name: name.to_owned(),
            programs: split(get(program_col)),
            listed_on: None,
            dates_of_birth: split(get(dob_col)),
            nationalities: vec![],
            countries: split(get(country_col)),
            addresses: vec![],
            identifiers: vec![],
            remarks: None,
        });
    }
    Ok(out)
}
