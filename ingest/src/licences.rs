//! Licence registers: a zone regulator's public register as CSV, one row per licence.
//!
//! Columns (header required, any order, case-insensitive): `licence_id`, `holder` (the
//! holder's entity id), `type`, `status` (`active`, `suspended`, `revoked`, `expired`,
//! `surrendered`, `pending`), `valid_from`, `valid_to` (ISO dates; `valid_to` empty for
//! open-ended licences) and optional `holder_name` and `activities` (`;`-separated). A row
//! with a missing field, an unknown status, a date that is not a date, a licence ending
//! before it starts or a licence id seen before is quarantined with the reason; the rest of
//! the register goes on.

use std::collections::BTreeSet;

use crate::NamedFile;
use crate::error::IngestError;
use crate::pacs008::{Quarantined, parse_date};

/// Statuses a licence register uses.
pub const STATUSES: &[&str] = &[
    "active",
    "expired",
    "pending",
    "revoked",
    "surrendered",
    "suspended",
];

/// One licence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Licence {
    pub licence_id: String,
    pub holder: String,
    pub holder_name: Option<String>,
    pub licence_type: String,
    pub status: String,
    /// Days since 1970-01-01.
    pub valid_from: i32,
    pub valid_to: Option<i32>,
    pub activities: Vec<String>,
}

/// A register read: licences sorted by id, and the rows set aside.
#[derive(Debug, Clone, Default)]
pub struct LicenceRegister {
    pub licences: Vec<Licence>,
    pub quarantine: Vec<Quarantined>,
}

/// Reads a licence register CSV.
pub fn read_licence_register(file: &NamedFile) -> Result<LicenceRegister, IngestError> {
    let (path, file_name) = (file.path.as_path(), file.name.clone());
    let malformed = |offset: u64, reason: String| IngestError::Malformed {
        file: file_name.clone(),
        byte_offset: offset,
        element_path: "header".into(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(crate::sanctions::open(path)?);
    let headers = reader
        .headers()
        .map_err(|e| malformed(0, e.to_string()))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let required = [
        "licence_id",
        "holder",
        "type",
        "status",
        "valid_from",
        "valid_to",
    ];
    let mut at = Vec::new();
    for name in required {
        at.push(col(name).ok_or_else(|| {
            malformed(
                0,
                format!(
                    "no column {name:?}; a licence register needs {}",
                    required.join(", ")
                ),
            )
        })?);
    }
    let (holder_name_at, activities_at) = (col("holder_name"), col("activities"));
    let mut out = LicenceRegister::default();
    let mut seen = BTreeSet::new();
    let mut record = csv::StringRecord::new();
    let mut row = 0u64;
    loop {
        let offset = reader.position().byte();
        let more = match reader.read_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                row += 1;
                out.quarantine.push(Quarantined {
                    source_file: file_name.clone(),
                    byte_offset: offset,
                    element_path: format!("row {row}"),
                    msg_id: None,
                    reason: format!("unreadable CSV record: {e}"),
                });
                continue;
            }
        };
        if !more {
            break;
        }
        row += 1;
        let get = |i: usize| record.get(at[i]).unwrap_or_default();
        let id = get(0);
        let mut reject = |field: &str, reason: String| {
            out.quarantine.push(Quarantined {
                source_file: file_name.clone(),
                byte_offset: offset,
                element_path: format!("row {row}/{field}"),
                msg_id: (!id.is_empty()).then(|| id.to_owned()),
                reason,
            });
        };
        if let Some((_, name)) = required
            .iter()
            .enumerate()
            .take(5)
            .find(|(i, _)| get(*i).is_empty())
        {
            reject(name, format!("{name} is empty"));
            continue;
        }
        let status = get(3).to_ascii_lowercase();
        if !STATUSES.contains(&status.as_str()) {
            reject(
                "status",
                format!(
                    "unknown status {:?} (one of {})",
                    get(3),
                    STATUSES.join(", ")
                ),
            );
            continue;
        }
        let Some(valid_from) = parse_date(get(4)) else {
            reject(
                "valid_from",
                format!("{:?} is not a YYYY-MM-DD date", get(4)),
            );
            continue;
        };
        let valid_to = match get(5) {
            "" => None,
            text => match parse_date(text) {
                Some(d) => Some(d),
                None => {
                    reject("valid_to", format!("{text:?} is not a YYYY-MM-DD date"));
                    continue;
                }
            },
        };
        if valid_to.is_some_and(|to| to < valid_from) {
            reject("valid_to", "the licence ends before it starts".into());
            continue;
        }
        if !seen.insert(id.to_owned()) {
            reject("licence_id", format!("licence {id} appears twice"));
            continue;
        }
        let optional = |at: Option<usize>| {
            at.and_then(|i| record.get(i))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        out.licences.push(Licence {
            licence_id: id.to_owned(),
            holder: get(1).to_owned(),
            holder_name: optional(holder_name_at),
            licence_type: get(2).to_owned(),
            status,
            valid_from,
            valid_to,
            activities: optional(activities_at)
                .map(|a| {
                    a.split(';')
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    out.licences.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_rows_kept_bad_rows_quarantined_with_reasons() {
        let dir = std::env::temp_dir().join(format!("mez-licences-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("register.csv");
        std::fs::write(
            &path,
            "licence_id,holder,holder_name,type,status,valid_from,valid_to,activities\n\
             L2,E2,Beta,bank,Active,2024-01-01,,deposits;lending\n\
             L1,E1,Alpha,broker,expired,2020-01-01,2023-12-31,dealing\n\
             L3,E3,Gamma,bank,dormant,2024-01-01,,\n\
             L4,E4,Delta,bank,active,2024-13-01,,\n\
             L5,E5,Eps,bank,active,2024-05-01,2024-04-01,\n\
             L1,E9,Dup,bank,active,2024-01-01,,\n\
             L6,,NoHolder,bank,active,2024-01-01,,\n",
        )
        .unwrap();
        let r = read_licence_register(&NamedFile::as_given(&path)).unwrap();
        let ids: Vec<&str> = r.licences.iter().map(|l| l.licence_id.as_str()).collect();
        assert_eq!(ids, ["L1", "L2"]);
        assert_eq!(r.licences[1].status, "active");
        assert_eq!(r.licences[1].activities, ["deposits", "lending"]);
        let reasons: Vec<&str> = r.quarantine.iter().map(|q| q.reason.as_str()).collect();
        assert_eq!(reasons.len(), 5, "{reasons:?}");
        assert!(reasons[0].contains("unknown status \"dormant\""));
        assert!(reasons[1].contains("not a YYYY-MM-DD date"));
        assert!(reasons[2].contains("ends before it starts"));
        assert!(reasons[3].contains("appears twice"));
        assert!(reasons[4].contains("holder is empty"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
