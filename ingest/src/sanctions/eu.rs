//! EU Financial Sanctions Files (FSF) XML v1.1: every value is an attribute.

use std::io::Read;

use super::collect::Record;
use super::{Entry, EntryType, ListReading, Name};

fn attr<'a>(group: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    group
        .iter()
        .find(|(k, v)| *k == key && !v.is_empty() && *v != "-")
        .map(|(_, v)| *v)
}

/// Reads an FSF `export` document.
pub fn read(source: &str, input: impl Read) -> ListReading {
    super::read_records(source, input, &["sanctionEntity"], "@logicalId", &map)
}

fn map(r: &Record, names: &mut Vec<Name>) -> Result<Entry, String> {
    let uid = r
        .get("@logicalId")
        .or_else(|| r.get("@euReferenceNumber"))
        .ok_or("sanctionEntity without logicalId")?
        .to_owned();
    let entry_type = match r.get("subjectType@code") {
        Some("person") => EntryType::Individual,
        Some("enterprise") | None => EntryType::Entity,
        Some(other) => return Err(format!("{uid}: unknown subjectType {other:?}")),
    };
    let aliases = r.groups("nameAlias");
    let mut primary = None;
    for a in &aliases {
        let Some(name) = attr(a, "wholeName") else {
            continue;
        };
        let first = primary.is_none();
        if first {
            primary = Some(name.to_owned());
        }
        names.push(Name {
            list: "eu".into(),
            source_uid: uid.clone(),
            name: name.to_owned(),
            kind: if first {
                "primary".into()
            } else {
                "aka".into()
            },
            strength: attr(a, "strong").map(|s| {
                if s == "true" {
                    "strong".into()
                } else {
                    "weak".into()
                }
            }),
        });
    }
    let primary = primary.ok_or_else(|| format!("{uid}: no nameAlias with a wholeName"))?;
    let mut programs: Vec<String> = r
        .all("regulation@programme")
        .into_iter()
        .map(str::to_owned)
        .collect();
    programs.sort();
    programs.dedup();
    Ok(Entry {
        list: "eu".into(),
        source_uid: uid,
        entry_type,
        primary_name: primary,
        programs,
        listed_on: r.get("regulation@publicationDate").map(str::to_owned),
        dates_of_birth: r
            .groups("birthdate")
            .iter()
            .filter_map(|b| {
                attr(b, "birthdate")
                    .or_else(|| attr(b, "year"))
                    .map(str::to_owned)
            })
            .collect(),
        nationalities: r
            .all("citizenship@countryDescription")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        countries: {
            let mut c: Vec<String> = r
                .all("address@countryDescription")
                .into_iter()
                .map(str::to_owned)
                .collect();
            c.sort();
            c.dedup();
            c
        },
        addresses: r
            .groups("address")
            .iter()
            .map(|a| {
                ["street", "city", "zipCode", "countryDescription"]
                    .iter()
                    .filter_map(|k| attr(a, k))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|a| !a.is_empty())
            .collect(),
        identifiers: r
            .groups("identification")
            .iter()
            .filter_map(|g| {
                Some(format!(
                    "{}: {}",
                    attr(g, "identificationTypeCode").unwrap_or("id"),
                    attr(g, "number")?
                ))
            })
            .collect(),
        remarks: r.get("remark").map(str::to_owned),
    })
}
