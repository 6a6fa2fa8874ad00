//! Zones: `jurisdictions/<zone_id>/zone.yaml` (schema `schemas/zone.v1.schema.json`) and
//! the compliance-domain registry of DOMAIN.md §2.
//!
//! The loader checks what the JSON Schema cannot: the zone id equals its folder, law
//! source ids are unique, domains belong to the zone's registry version, corridors point
//! at zones of the same folder and appear at both ends with the same currencies (each a
//! settlement currency of one end at least), and the corridors connect every zone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The compliance domains, registry v1 then the v2 additions; the index is the canonical
/// order (never sort by name).
pub const DOMAINS: &[&str] = &[
    "aml",
    "kyc",
    "sanctions",
    "tax",
    "securities",
    "corporate",
    "custody",
    "data_privacy",
    "licensing",
    "banking",
    "payments",
    "clearing",
    "settlement",
    "digital_assets",
    "employment",
    "immigration",
    "ip",
    "consumer_protection",
    "arbitration",
    "trade",
    // registry v2
    "insurance",
    "anti_bribery",
    "sharia",
];

/// How many domains each registry version has.
pub fn registry_len(version: u8) -> Option<usize> {
    match version {
        1 => Some(20),
        2 => Some(23),
        _ => None,
    }
}

/// A domain's canonical index.
pub fn domain_index(name: &str) -> Option<u8> {
    DOMAINS
        .iter()
        .position(|d| *d == name)
        .and_then(|i| u8::try_from(i).ok())
}

/// A law source of a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawSource {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub url: String,
    pub format: String,
}

/// A settlement corridor to another zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corridor {
    pub to: String,
    pub currencies: Vec<String>,
    pub purpose: String,
}

/// A zone's public licence register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceRegisterRef {
    pub id: String,
    pub title: String,
    pub url: String,
}

/// A zone definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub zone_id: String,
    pub jurisdiction_id: String,
    pub name: String,
    pub profile: String,
    pub registry_version: u8,
    pub compliance_domains: Vec<String>,
    pub sanctions_lists: Vec<String>,
    pub law_sources: Vec<LawSource>,
    pub settlement_currencies: Vec<String>,
    pub corridors: Vec<Corridor>,
    #[serde(default)]
    pub licence_register: Option<LicenceRegisterRef>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Why a zone file was refused.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}", path = path.display())]
pub struct ZoneError {
    pub path: PathBuf,
    pub reason: String,
}

/// A zone with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedZone {
    pub zone: Zone,
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl Zone {
    /// The zone's applicable domains as canonical indices, in registry order.
    pub fn domain_indices(&self) -> Vec<u8> {
        let mut v: Vec<u8> = self
            .compliance_domains
            .iter()
            .filter_map(|d| domain_index(d))
            .collect();
        v.sort_unstable();
        v
    }
}

/// Reads and checks one `zone.yaml`.
pub fn load(path: &Path) -> Result<LoadedZone, ZoneError> {
    let bytes = std::fs::read(path).map_err(|e| ZoneError {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    parse(path, bytes)
}

/// Checks the bytes of a `zone.yaml` read from `path` (whose folder must be the zone id).
/// YAML aliases are expanded by the parser within its own limits, so an alias bomb is an
/// error, not an allocation.
pub fn parse(path: &Path, bytes: Vec<u8>) -> Result<LoadedZone, ZoneError> {
    let err = |reason: String| ZoneError {
        path: path.to_owned(),
        reason,
    };
    let zone: Zone = yaml_serde::from_slice(&bytes).map_err(|e| err(e.to_string()))?;
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if zone.zone_id != folder {
        return Err(err(format!(
            "zone_id {:?} differs from its folder {folder:?}",
            zone.zone_id
        )));
    }
    let len = registry_len(zone.registry_version).ok_or_else(|| {
        err(format!(
            "unknown registry_version {}",
            zone.registry_version
        ))
    })?;
    for d in &zone.compliance_domains {
        match domain_index(d) {
            Some(i) if usize::from(i) < len => {}
            Some(_) => {
                return Err(err(format!(
                    "domain {d:?} needs registry version 2 (this zone says {})",
                    zone.registry_version
                )));
            }
            None => return Err(err(format!("unknown compliance domain {d:?}"))),
        }
    }
    let mut ids = BTreeSet::new();
    for s in &zone.law_sources {
        if !ids.insert(&s.id) {
            return Err(err(format!("law source id {:?} appears twice", s.id)));
        }
    }
    Ok(LoadedZone {
        zone,
        path: path.to_owned(),
        bytes,
    })
}

/// Loads every `<dir>/*/zone.yaml`, sorted by zone id, and checks the corridors between them.
pub fn load_all(dir: &Path) -> Result<Vec<LoadedZone>, ZoneError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ZoneError {
        path: dir.to_owned(),
        reason: e.to_string(),
    })?;
    let mut zones = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path().join("zone.yaml");
        if path.is_file() {
            zones.push(load(&path)?);
        }
    }
    zones.sort_by(|a, b| a.zone.zone_id.cmp(&b.zone.zone_id));
    let by_id: BTreeMap<&str, &Zone> = zones
        .iter()
        .map(|z| (z.zone.zone_id.as_str(), &z.zone))
        .collect();
    for z in &zones {
        for c in &z.zone.corridors {
            let err = |reason: String| ZoneError {
                path: z.path.clone(),
                reason,
            };
            let other = by_id
                .get(c.to.as_str())
                .ok_or_else(|| err(format!("corridor to unknown zone {:?}", c.to)))?;
            let back = other
                .corridors
                .iter()
                .find(|b| b.to == z.zone.zone_id)
                .ok_or_else(|| {
                    err(format!(
                        "corridor to {} is not listed in {}'s zone.yaml",
                        c.to, c.to
                    ))
                })?;
            let (mut a, mut b) = (c.currencies.clone(), back.currencies.clone());
            a.sort();
            b.sort();
            if a != b {
                return Err(err(format!(
                    "corridor {} ↔ {}: currencies {a:?} here, {b:?} there",
                    z.zone.zone_id, c.to
                )));
            }
            if let Some(cur) = a.iter().find(|cur| {
                !z.zone.settlement_currencies.contains(cur)
                    && !other.settlement_currencies.contains(cur)
            }) {
                return Err(err(format!(
                    "corridor {} ↔ {}: {cur} is a settlement currency of neither end",
                    z.zone.zone_id, c.to
                )));
            }
        }
    }
    // The corridors connect every zone.
    if let Some(first) = zones.first() {
        let mut reached = BTreeSet::from([first.zone.zone_id.as_str()]);
        let mut queue = vec![first.zone.zone_id.as_str()];
        while let Some(id) = queue.pop() {
            for c in by_id
                .get(id)
                .map(|z| z.corridors.as_slice())
                .unwrap_or_default()
            {
                if reached.insert(c.to.as_str()) {
                    queue.push(c.to.as_str());
                }
            }
        }
        if let Some(lonely) = zones
            .iter()
            .find(|z| !reached.contains(z.zone.zone_id.as_str()))
        {
            return Err(ZoneError {
                path: lonely.path.clone(),
                reason: format!(
                    "no corridor path from {} to {}",
                    first.zone.zone_id, lonely.zone.zone_id
                ),
            });
        }
    }
    Ok(zones)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_indices_are_canonical() {
        assert_eq!(domain_index("aml"), Some(0));
        assert_eq!(domain_index("sanctions"), Some(2));
        assert_eq!(domain_index("trade"), Some(19));
        assert_eq!(domain_index("sharia"), Some(22));
        assert_eq!(registry_len(1), Some(20));
        assert_eq!(DOMAINS.len(), 23);
    }

    #[test]
    fn the_committed_zones_load_and_connect() {
        // Asked at run time: a shared target directory may hold a build from another clone.
        let dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).to_owned())
            .join("../jurisdictions");
        let zones = load_all(&dir).unwrap();
        assert!(zones.len() >= 6);
        assert!(
            zones
                .iter()
                .all(|z| z.zone.compliance_domains.contains(&"sanctions".to_owned()))
        );
    }
}
