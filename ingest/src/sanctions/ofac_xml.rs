//! OFAC `sdnList` XML (SDN.XML and the consolidated non-SDN list).

use std::io::Read;

use super::collect::Record;
use super::{Entry, EntryType, ListReading, Name};

fn entry_type(text: &str) -> Option<EntryType> {
    match text.to_ascii_lowercase().as_str() {
        "individual" => Some(EntryType::Individual),
        "entity" => Some(EntryType::Entity),
        "vessel" => Some(EntryType::Vessel),
        "aircraft" => Some(EntryType::Aircraft),
        _ => None,
    }
}

fn full_name(last: Option<&str>, first: Option<&str>) -> Option<String> {
    match (last, first) {
        (Some(l), Some(f)) => Some(format!("{l}, {f}")),
        (Some(l), None) => Some(l.to_owned()),
        (None, Some(f)) => Some(f.to_owned()),
        (None, None) => None,
    }
}

fn field<'a>(group: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    group
        .iter()
        .find(|(k, v)| *k == key && !v.is_empty())
        .map(|(_, v)| *v)
}

/// Reads an `sdnList` document; the list is `ofac_consolidated` when the file name says
/// so (`cons…`), else `ofac_sdn`.
pub fn read(source: &str, input: impl Read) -> ListReading {
    let list = if source.to_ascii_lowercase().contains("cons") {
        "ofac_consolidated"
    } else {
        "ofac_sdn"
    };
    super::read_records(source, input, &["sdnEntry"], "uid", &|r, names| {
        map(list, r, names)
    })
}

fn map(list: &str, r: &Record, names: &mut Vec<Name>) -> Result<Entry, String> {
    let uid = r.get("uid").ok_or("sdnEntry without uid")?.to_owned();
    let kind = r.get("sdnType").ok_or("sdnEntry without sdnType")?;
    let entry_type = entry_type(kind).ok_or_else(|| format!("unknown sdnType {kind:?}"))?;
    let primary =
        full_name(r.get("lastName"), r.get("firstName")).ok_or("sdnEntry without a name")?;
    names.push(Name {
        list: list.to_owned(),
        source_uid: uid.clone(),
        name: primary.clone(),
        kind: "primary".into(),
        strength: None,
    });
    for aka in r.groups("akaList/aka") {
        let Some(name) = full_name(field(&aka, "lastName"), field(&aka, "firstName")) else {
            continue;
        };
        let kind = match field(&aka, "type").unwrap_or("a.k.a.") {
            "f.k.a." => "fka",
            "n.k.a." => "nka",
            _ => "aka",
        };
        names.push(Name {
            list: list.to_owned(),
            source_uid: uid.clone(),
            name,
            kind: kind.into(),
            strength: field(&aka, "category").map(str::to_owned),
        });
    }
    let addresses = r
        .groups("addressList/address")
        .iter()
        .map(|a| {
            [
                "address1",
                "address2",
                "address3",
                "city",
                "stateOrProvince",
                "postalCode",
                "country",
            ]
            .iter()
            .filter_map(|k| field(a, k))
            .collect::<Vec<_>>()
            .join(", ")
        })
        .filter(|a| !a.is_empty())
        .collect();
    let identifiers = r
        .groups("idList/id")
        .iter()
        .filter_map(|g| {
            let number = field(g, "idNumber")?;
            Some(format!("{}: {number}", field(g, "idType").unwrap_or("id")))
        })
        .collect();
    let mut countries: Vec<String> = r
        .all("addressList/address/country")
        .into_iter()
        .map(str::to_owned)
        .collect();
    countries.sort();
    countries.dedup();
    Ok(Entry {
        list: list.to_owned(),
        source_uid: uid,
        entry_type,
        primary_name: primary,
        programs: r
            .all("programList/program")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        listed_on: None,
        dates_of_birth: r
            .all("dateOfBirthList/dateOfBirthItem/dateOfBirth")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        nationalities: r
            .all("nationalityList/nationality/country")
            .into_iter()
            .chain(r.all("citizenshipList/citizenship/country"))
            .map(str::to_owned)
            .collect(),
        countries,
        addresses,
        identifiers,
        remarks: r.get("remarks").map(str::to_owned),
    })
}
