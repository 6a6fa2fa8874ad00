//! The UN Security Council consolidated list XML (`CONSOLIDATED_LIST`).

use std::io::Read;

use super::collect::Record;
use super::{Entry, EntryType, ListReading, Name};

/// Reads a `CONSOLIDATED_LIST` document.
pub fn read(source: &str, input: impl Read) -> ListReading {
    super::read_records(
        source,
        input,
        &["INDIVIDUAL", "ENTITY"],
        "REFERENCE_NUMBER",
        &map,
    )
}

fn map(r: &Record, names: &mut Vec<Name>) -> Result<Entry, String> {
    let individual = r.element == "INDIVIDUAL";
    let uid = r
        .get("REFERENCE_NUMBER")
        .or_else(|| r.get("DATAID"))
        .ok_or("entry without REFERENCE_NUMBER or DATAID")?
        .to_owned();
    let primary = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|k| r.get(k))
        .collect::<Vec<_>>()
        .join(" ");
    if primary.is_empty() {
        return Err(format!("{uid}: no name"));
    }
    let name = |name: &str, kind: &str, strength: Option<&str>| Name {
        list: "un".into(),
        source_uid: uid.clone(),
        name: name.to_owned(),
        kind: kind.into(),
        strength: strength.map(str::to_owned),
    };
    names.push(name(&primary, "primary", None));
    if let Some(original) = r.get("NAME_ORIGINAL_SCRIPT") {
        names.push(name(original, "original_script", None));
    }
    let alias_group = if individual {
        "INDIVIDUAL_ALIAS"
    } else {
        "ENTITY_ALIAS"
    };
    for alias in r.groups(alias_group) {
        let Some(alias_name) = alias
            .iter()
            .find(|(k, v)| *k == "ALIAS_NAME" && !v.is_empty())
            .map(|(_, v)| *v)
        else {
            continue;
        };
        let strength = alias.iter().find(|(k, _)| *k == "QUALITY").map(|(_, v)| {
            match v.to_ascii_lowercase().as_str() {
                "good" | "a.k.a." => "strong",
                _ => "weak",
            }
        });
        names.push(name(alias_name, "aka", strength));
    }
    let dates = r
        .groups("INDIVIDUAL_DATE_OF_BIRTH")
        .iter()
        .filter_map(|g| {
            let get = |k: &str| {
                g.iter()
                    .find(|(key, v)| *key == k && !v.is_empty())
                    .map(|(_, v)| *v)
            };
            get("DATE")
                .or_else(|| get("YEAR"))
                .map(str::to_owned)
                .or_else(|| match (get("FROM_YEAR"), get("TO_YEAR")) {
                    (Some(a), Some(b)) => Some(format!("{a}/{b}")),
                    _ => None,
                })
        })
        .collect();
    let address_group = if individual {
        "INDIVIDUAL_ADDRESS"
    } else {
        "ENTITY_ADDRESS"
    };
    let addresses: Vec<String> = r
        .groups(address_group)
        .iter()
        .map(|g| {
            g.iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(_, v)| *v)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|a| !a.is_empty())
        .collect();
    let mut countries: Vec<String> = r
        .all(&format!("{address_group}/COUNTRY"))
        .into_iter()
        .map(str::to_owned)
        .collect();
    countries.sort();
    countries.dedup();
    let identifiers = r
        .groups("INDIVIDUAL_DOCUMENT")
        .iter()
        .filter_map(|g| {
            let get = |k: &str| {
                g.iter()
                    .find(|(key, v)| *key == k && !v.is_empty())
                    .map(|(_, v)| *v)
            };
            Some(format!(
                "{}: {}",
                get("TYPE_OF_DOCUMENT").unwrap_or("document"),
                get("NUMBER")?
            ))
        })
        .collect();
    Ok(Entry {
        list: "un".into(),
        source_uid: uid.clone(),
        entry_type: if individual {
            EntryType::Individual
        } else {
            EntryType::Entity
        },
        primary_name: primary,
        programs: r
            .all("UN_LIST_TYPE")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        listed_on: r.get("LISTED_ON").map(str::to_owned),
        dates_of_birth: dates,
        nationalities: r
            .all("NATIONALITY/VALUE")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        countries,
        addresses,
        identifiers,
        remarks: r.get("COMMENTS1").map(str::to_owned),
    })
}
