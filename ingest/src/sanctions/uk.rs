//! The UK Sanctions List (FCDO) XML: `Designations/Designation`.

use std::io::Read;

use super::collect::Record;
use super::{Entry, EntryType, ListReading, Name};

/// Reads a `Designations` document.
pub fn read(source: &str, input: impl Read) -> ListReading {
    super::read_records(source, input, &["Designation"], "UniqueID", &map)
}

/// `dd/mm/yyyy` → `yyyy-mm-dd`; partial dates (`dd/mm/1945`) and other forms are kept.
fn iso_date(text: &str) -> String {
    let parts: Vec<&str> = text.split('/').collect();
    match parts[..] {
        [d, m, y]
            if d.len() == 2
                && m.len() == 2
                && y.len() == 4
                && [d, m, y]
                    .iter()
                    .all(|p| p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            format!("{y}-{m}-{d}")
        }
        _ => text.to_owned(),
    }
}

fn ends<'a>(r: &'a Record, leaf: &str) -> Vec<&'a str> {
    r.fields
        .iter()
        .filter(|(p, v)| {
            (p == leaf || p.ends_with(&format!("/{leaf}")))
                && !v.is_empty()
                && !v.starts_with('\u{0}')
        })
        .map(|(_, v)| v.as_str())
        .collect()
}

fn map(r: &Record, names: &mut Vec<Name>) -> Result<Entry, String> {
    let uid = r
        .get("UniqueID")
        .ok_or("Designation without UniqueID")?
        .to_owned();
    let entry_type = match r.get("IndividualEntityShip") {
        Some("Individual") => EntryType::Individual,
        Some("Entity") => EntryType::Entity,
        Some("Ship") => EntryType::Vessel,
        other => return Err(format!("{uid}: unknown IndividualEntityShip {other:?}")),
    };
    let mut primary = None;
    for n in r.groups("Names/Name") {
        let name = ["Name1", "Name2", "Name3", "Name4", "Name5", "Name6"]
            .iter()
            .filter_map(|k| {
                n.iter()
                    .find(|(key, v)| key == k && !v.is_empty())
                    .map(|(_, v)| *v)
            })
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            continue;
        }
        let name_type = n
            .iter()
            .find(|(k, _)| *k == "NameType")
            .map(|(_, v)| *v)
            .unwrap_or("Alias");
        let (kind, strength) = match name_type {
            "Primary Name" if primary.is_none() => {
                primary = Some(name.clone());
                ("primary", None)
            }
            "Primary Name" | "Primary Name Variation" => ("aka", Some("strong")),
            _ => (
                "aka",
                match n
                    .iter()
                    .find(|(k, _)| *k == "AliasStrength")
                    .map(|(_, v)| *v)
                {
                    Some(s) if s.starts_with("Low") => Some("weak"),
                    Some(_) => Some("strong"),
                    None => None,
                },
            ),
        };
        names.push(Name {
            list: "uk".into(),
            source_uid: uid.clone(),
            name,
            kind: kind.into(),
            strength: strength.map(str::to_owned),
        });
    }
    let primary = primary.ok_or_else(|| format!("{uid}: no Primary Name"))?;
    for script in ends(r, "NameNonLatinScript") {
        names.push(Name {
            list: "uk".into(),
            source_uid: uid.clone(),
            name: script.to_owned(),
            kind: "original_script".into(),
            strength: None,
        });
    }
    let mut identifiers: Vec<String> = Vec::new();
    for (label, leaf) in [
        ("passport", "PassportNumber"),
        ("national id", "NationalIdentifierNumber"),
        ("IMO", "IMONumber"),
    ] {
        for v in ends(r, leaf) {
            let id = format!("{label}: {v}");
            if !identifiers.contains(&id) {
                identifiers.push(id);
            }
        }
    }
    let mut countries: Vec<String> = ends(r, "AddressCountry")
        .into_iter()
        .map(str::to_owned)
        .collect();
    countries.sort();
    countries.dedup();
    Ok(Entry {
        list: "uk".into(),
        source_uid: uid,
        entry_type,
        primary_name: primary,
        programs: r.all("RegimeName").into_iter().map(str::to_owned).collect(),
        listed_on: r.get("DateDesignated").map(iso_date),
        dates_of_birth: ends(r, "DOB").into_iter().map(iso_date).collect(),
        nationalities: ends(r, "Nationality")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        countries,
        addresses: r
            .groups("Addresses/Address")
            .iter()
            .map(|a| {
                a.iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(_, v)| *v)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|a| !a.is_empty())
            .collect(),
        identifiers,
        remarks: r.get("OtherInformation").map(str::to_owned),
    })
}
