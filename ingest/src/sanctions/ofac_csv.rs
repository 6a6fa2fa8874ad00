//! The OFAC CSV set: `sdn.csv` (or `cons_prim.csv`) with its `add`, `alt` and comments files.
//!
//! No header; CRLF; the null marker `-0- ` (trailing space, never quoted); a trailing 0x1A
//! byte; several programs written `A] [B` in one field; Remarks cut short continue in the
//! comments file.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Entry, EntryType, ListReading, Name, open};
use crate::NamedFile;
use crate::error::IngestError;
use crate::pacs008::Quarantined;

fn value(field: &str) -> Option<String> {
    let v = field.trim();
    (!v.is_empty() && v != "-0-" && v != "\u{1a}").then(|| v.to_owned())
}

/// Rows of one file: (byte offset, fields). The 0x1A end marker and blank lines are skipped.
fn rows(path: &Path) -> Result<Vec<(u64, Vec<String>)>, IngestError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(open(path)?);
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let offset = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let fields: Vec<String> = record.iter().map(str::to_owned).collect();
                if fields
                    .iter()
                    .all(|f| f.trim().is_empty() || f.trim() == "\u{1a}")
                {
                    continue;
                }
                out.push((offset, fields));
            }
            Err(e) => {
                return Err(IngestError::Malformed {
                    file: path.display().to_string(),
                    byte_offset: offset,
                    element_path: format!("row at byte {offset}"),
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// Reads the set. `list` names it (`ofac_sdn`, `ofac_consolidated`).
pub fn read_ofac_csv_set(
    list: &str,
    primary: &NamedFile,
    addresses: Option<&NamedFile>,
    aliases: Option<&NamedFile>,
    comments: Option<&NamedFile>,
) -> Result<ListReading, IngestError> {
    let source = primary.name.clone();
    let mut out = ListReading::default();
    let quarantine =
        |file: &NamedFile, offset: u64, uid: Option<&str>, reason: String| Quarantined {
            source_file: file.name.clone(),
            byte_offset: offset,
            element_path: format!("row at byte {offset}"),
            msg_id: uid.map(str::to_owned),
            reason,
        };
    let mut extra_remarks: BTreeMap<String, String> = BTreeMap::new();
    if let Some(path) = comments {
        for (_, f) in rows(&path.path)? {
            if let (Some(uid), Some(text)) = (
                f.first().and_then(|v| value(v)),
                f.get(1).and_then(|v| value(v)),
            ) {
                extra_remarks.entry(uid).or_default().push_str(&text);
            }
        }
    }
    let mut address_rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut countries: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(path) = addresses {
        for (offset, f) in rows(&path.path)? {
            let Some(uid) = f.first().and_then(|v| value(v)) else {
                out.quarantine.push(quarantine(
                    path,
                    offset,
                    None,
                    "address row without ent_num".into(),
                ));
                continue;
            };
            let text = f
                .iter()
                .skip(2)
                .take(3)
                .filter_map(|v| value(v))
                .collect::<Vec<_>>()
                .join(", ");
            if let Some(c) = f.get(4).and_then(|v| value(v)) {
                countries.entry(uid.clone()).or_default().push(c);
            }
            address_rows.entry(uid).or_default().push(text);
        }
    }
    let mut alias_rows: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    if let Some(path) = aliases {
        for (offset, f) in rows(&path.path)? {
            match (
                f.first().and_then(|v| value(v)),
                f.get(3).and_then(|v| value(v)),
            ) {
                (Some(uid), Some(name)) => {
                    let kind = match f.get(2).and_then(|v| value(v)).as_deref() {
                        Some("fka") => "fka",
                        Some("nka") => "nka",
                        _ => "aka",
                    };
                    alias_rows
                        .entry(uid)
                        .or_default()
                        .push((kind.to_owned(), name));
                }
                _ => out.quarantine.push(quarantine(
                    path,
                    offset,
                    f.first().map(String::as_str),
                    "alias row without ent_num or name".into(),
                )),
            }
        }
    }
    for (offset, f) in rows(&primary.path)? {
        let uid = f.first().and_then(|v| value(v));
        if f.len() < 12 {
            out.quarantine.push(quarantine(
                primary,
                offset,
                uid.as_deref(),
                format!("{} columns, expected 12", f.len()),
            ));
            continue;
        }
        let (Some(uid), Some(name)) = (uid, value(&f[1])) else {
            out.quarantine.push(quarantine(
                primary,
                offset,
                f.first().map(String::as_str),
                "row without ent_num or name".into(),
            ));
            continue;
        };
        let entry_type = match value(&f[2]).as_deref() {
            None => EntryType::Entity,
            Some("individual") => EntryType::Individual,
            Some("vessel") => EntryType::Vessel,
            Some("aircraft") => EntryType::Aircraft,
            Some(other) => {
                out.quarantine.push(quarantine(
                    primary,
                    offset,
                    Some(&uid),
                    format!("unknown SDN_Type {other:?}"),
                ));
                continue;
            }
        };
        let programs = value(&f[3])
            .map(|p| {
                p.split("] [")
                    .map(|s| s.trim_matches(['[', ']', ' ']).to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut remarks = value(&f[11]);
        if let Some(more) = extra_remarks.get(&uid) {
            remarks = Some(format!("{}{more}", remarks.unwrap_or_default()));
        }
        let aliases = alias_rows.get(&uid).cloned().unwrap_or_default();
        if let Some(reason) = super::oversized_name(
            std::iter::once(name.as_str()).chain(aliases.iter().map(|(_, a)| a.as_str())),
        ) {
            out.quarantine
                .push(quarantine(primary, offset, Some(&uid), reason));
            continue;
        }
        out.names.push(Name {
            list: list.to_owned(),
            source_uid: uid.clone(),
            name: name.clone(),
            kind: "primary".into(),
            strength: None,
        });
        for (kind, alias) in aliases {
            out.names.push(Name {
                list: list.to_owned(),
                source_uid: uid.clone(),
                name: alias,
                kind,
                strength: None,
            });
        }
        let mut entry_countries = countries.get(&uid).cloned().unwrap_or_default();
        entry_countries.sort();
        entry_countries.dedup();
        let mut identifiers = Vec::new();
        if let Some(call_sign) = value(&f[5]) {
            identifiers.push(format!("Call Sign: {call_sign}"));
        }
        out.entries.push(Entry {
            list: list.to_owned(),
            source_uid: uid.clone(),
            entry_type,
            primary_name: name,
            programs,
            listed_on: None,
            dates_of_birth: remark_values(remarks.as_deref(), &["DOB", "alt. DOB"]),
            nationalities: remark_values(remarks.as_deref(), &["nationality", "citizen"]),
            countries: entry_countries,
            addresses: address_rows.get(&uid).cloned().unwrap_or_default(),
            identifiers,
            remarks,
        });
    }
    let _ = &source;
    Ok(out)
}

/// The values of `label value;` items in an SDN remarks field, e.g. `DOB 12 Mar 1965;
/// POB Baghdad, Iraq; nationality Iraq` (the legacy CSV keeps these only there).
fn remark_values(remarks: Option<&str>, labels: &[&str]) -> Vec<String> {
    let Some(remarks) = remarks else {
        return vec![];
    };
    let mut out: Vec<String> = remarks
        .split(';')
        .map(str::trim)
        .filter_map(|item| {
            labels.iter().find_map(|label| {
                item.strip_prefix(label)
                    .filter(|rest| rest.starts_with(' '))
                    .map(|rest| rest.trim().trim_end_matches('.').to_owned())
            })
        })
        .filter(|v| !v.is_empty())
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod remark_tests {
    use super::remark_values;

    #[test]
    fn dates_and_nationalities_from_remarks() {
        let r = Some(
            "DOB 12 Mar 1965; alt. DOB 1966; POB Baghdad, Iraq; nationality Iraq; citizen Jordan.",
        );
        assert_eq!(
            remark_values(r, &["DOB", "alt. DOB"]),
            vec!["12 Mar 1965", "1966"]
        );
        assert_eq!(
            remark_values(r, &["nationality", "citizen"]),
            vec!["Iraq", "Jordan"]
        );
        assert!(remark_values(None, &["DOB"]).is_empty());
    }
}
