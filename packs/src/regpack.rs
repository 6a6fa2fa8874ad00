//! Regpacks: the sanctions lists in force for a jurisdiction, committed entry by entry.
//!
//! An entry is keyed by (list, source uid). Its **leaf** is the RFC 8785 canonical JSON of
//! the entry with all its names (sorted), hashed as an RFC 6962 leaf; the regpack's Merkle
//! root over the leaves, in key order, commits to every entry — not only to counts, as the
//! earlier system did. A diff between two regpacks compares leaves key by key.

use std::collections::BTreeMap;

use arrow::array::RecordBatch;
use ingest::sanctions::{Entry, ListReading, Name, table};
use verify::merkle::{self, Hash};

/// Errors of regpack building.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegpackError {
    #[error(transparent)]
    Ingest(#[from] ingest::IngestError),
    #[error(transparent)]
    Verify(#[from] verify::Error),
    #[error("regpack table: {0}")]
    Table(String),
}

/// The tables of a regpack and its semantic digest.
#[derive(Debug, Clone)]
pub struct Regpack {
    pub entries: RecordBatch,
    pub names: RecordBatch,
    /// (list, source uid) → leaf hash, in key order.
    pub leaves: BTreeMap<(String, String), Hash>,
    pub merkle_root: Hash,
}

fn leaf(entry: &Entry, names: &[&Name]) -> Result<Hash, RegpackError> {
    let mut names: Vec<serde_json::Value> = names
        .iter()
        .map(|n| serde_json::json!({"name": n.name, "kind": n.kind, "strength": n.strength}))
        .collect();
    names.sort_by_key(|v| v.to_string());
    let doc = serde_json::json!({
        "list": entry.list,
        "source_uid": entry.source_uid,
        "entry_type": entry.entry_type.as_str(),
        "primary_name": entry.primary_name,
        "programs": entry.programs,
        "listed_on": entry.listed_on,
        "dates_of_birth": entry.dates_of_birth,
        "nationalities": entry.nationalities,
        "countries": entry.countries,
        "addresses": entry.addresses,
        "identifiers": entry.identifiers,
        "remarks": entry.remarks,
        "names": names,
    });
    Ok(merkle::leaf_hash(&verify::canon::to_canonical_vec(&doc)?))
}

/// The Merkle root over a stored regpack, recomputed from the rows of its `entries` and
/// `names` tables (not from their `entry_leaf` column), in (list, source uid) order.
pub fn root_of_tables(entries: &RecordBatch, names: &RecordBatch) -> Result<Hash, RegpackError> {
    use crate::columns::{text, texts};
    let table = RegpackError::Table;
    let required = |batch: &RecordBatch, name: &str, i: usize| {
        text(batch, name, i)
            .and_then(|v| v.ok_or_else(|| format!("{name} is null in row {i}")))
            .map_err(table)
    };
    let mut by_entry: BTreeMap<(String, String), Vec<serde_json::Value>> = BTreeMap::new();
    for i in 0..names.num_rows() {
        let key = (
            required(names, "list", i)?,
            required(names, "source_uid", i)?,
        );
        by_entry.entry(key).or_default().push(serde_json::json!({
            "name": required(names, "name", i)?,
            "kind": required(names, "kind", i)?,
            "strength": text(names, "strength", i).map_err(table)?,
        }));
    }
    let mut leaves = BTreeMap::new();
    for i in 0..entries.num_rows() {
        let key = (
            required(entries, "list", i)?,
            required(entries, "source_uid", i)?,
        );
        let mut names = by_entry.remove(&key).unwrap_or_default();
        names.sort_by_key(|v| v.to_string());
        let list = |name: &str| texts(entries, name, i).map_err(table);
        let doc = serde_json::json!({
            "list": key.0,
            "source_uid": key.1,
            "entry_type": required(entries, "entry_type", i)?,
            "primary_name": required(entries, "primary_name", i)?,
            "programs": list("programs")?,
            "listed_on": text(entries, "listed_on", i).map_err(table)?,
            "dates_of_birth": list("dates_of_birth")?,
            "nationalities": list("nationalities")?,
            "countries": list("countries")?,
            "addresses": list("addresses")?,
            "identifiers": list("identifiers")?,
            "remarks": text(entries, "remarks", i).map_err(table)?,
            "names": names,
        });
        leaves.insert(
            key,
            merkle::leaf_hash(&verify::canon::to_canonical_vec(&doc)?),
        );
    }
    Ok(merkle::root_of(&leaves.into_values().collect::<Vec<_>>()))
}

/// Builds a regpack from list readings. Entries with the same (list, uid) in two inputs:
/// the later input wins (a list read twice is the same list).
pub fn build(readings: &[ListReading]) -> Result<Regpack, RegpackError> {
    let mut entries: BTreeMap<(String, String), Entry> = BTreeMap::new();
    let mut names: BTreeMap<(String, String), Vec<Name>> = BTreeMap::new();
    for r in readings {
        let mut fresh: BTreeMap<(String, String), Vec<Name>> = BTreeMap::new();
        for n in &r.names {
            fresh
                .entry((n.list.clone(), n.source_uid.clone()))
                .or_default()
                .push(n.clone());
        }
        for e in &r.entries {
            let key = (e.list.clone(), e.source_uid.clone());
            names.insert(key.clone(), fresh.remove(&key).unwrap_or_default());
            entries.insert(key, e.clone());
        }
    }
    let mut leaves = BTreeMap::new();
    for (key, e) in &entries {
        let n: Vec<&Name> = names
            .get(key)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        leaves.insert(key.clone(), leaf(e, &n)?);
    }
    let merkle_root = merkle::root_of(&leaves.values().copied().collect::<Vec<_>>());
    let all_entries: Vec<Entry> = entries.into_values().collect();
    let all_names: Vec<Name> = names.into_values().flatten().collect();
    // `entries_batch` sorts by (list, source_uid): the order of `leaves`.
    let entries = with_leaves(&table::entries_batch(&all_entries)?, &leaves)?;
    Ok(Regpack {
        entries,
        names: table::names_batch(&all_names)?,
        leaves,
        merkle_root,
    })
}

/// Appends `entry_leaf` (hex leaf hash) to an entries batch in key order.
fn with_leaves(
    entries: &RecordBatch,
    leaves: &BTreeMap<(String, String), Hash>,
) -> Result<RecordBatch, RegpackError> {
    use std::sync::Arc;

    use arrow::array::StringArray;
    use arrow::datatypes::{DataType, Field, Schema};
    let column = StringArray::from_iter_values(leaves.values().map(hex::encode));
    let mut fields: Vec<Arc<Field>> = entries.schema().fields().iter().cloned().collect();
    fields.push(Arc::new(Field::new("entry_leaf", DataType::Utf8, false)));
    let mut columns = entries.columns().to_vec();
    columns.push(Arc::new(column));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| RegpackError::Table(e.to_string()))
}

/// The leaves recorded in a stored entries table (`list`, `source_uid`, `entry_leaf`).
pub fn leaves_of(
    entries: &RecordBatch,
) -> Result<BTreeMap<(String, String), String>, RegpackError> {
    use arrow::array::AsArray;
    let col = |name: &str| {
        entries
            .column_by_name(name)
            .and_then(|c| c.as_string_opt::<i32>())
            .ok_or_else(|| RegpackError::Table(format!("entries has no Utf8 column {name}")))
    };
    let (list, uid, leaf) = (col("list")?, col("source_uid")?, col("entry_leaf")?);
    Ok((0..entries.num_rows())
        .map(|i| {
            (
                (list.value(i).to_owned(), uid.value(i).to_owned()),
                leaf.value(i).to_owned(),
            )
        })
        .collect())
}

/// Added, removed and changed entries between two stored entries tables, in key order.
pub fn diff_tables(
    before: &RecordBatch,
    after: &RecordBatch,
) -> Result<Vec<(String, String, &'static str)>, RegpackError> {
    let (a, b) = (leaves_of(before)?, leaves_of(after)?);
    let mut out = Vec::new();
    for (k, leaf) in &a {
        match b.get(k) {
            None => out.push((k.0.clone(), k.1.clone(), "removed")),
            Some(l) if l != leaf => out.push((k.0.clone(), k.1.clone(), "changed")),
            Some(_) => {}
        }
    }
    for k in b.keys().filter(|k| !a.contains_key(*k)) {
        out.push((k.0.clone(), k.1.clone(), "added"));
    }
    out.sort();
    Ok(out)
}

/// (list, source uid, `added` | `removed` | `changed`) from `before` to `after`, in key order.
pub fn diff(before: &Regpack, after: &Regpack) -> Vec<(String, String, &'static str)> {
    let mut out = Vec::new();
    for (k, leaf) in &before.leaves {
        match after.leaves.get(k) {
            None => out.push((k.0.clone(), k.1.clone(), "removed")),
            Some(l) if l != leaf => out.push((k.0.clone(), k.1.clone(), "changed")),
            Some(_) => {}
        }
    }
    for k in after.leaves.keys() {
        if !before.leaves.contains_key(k) {
            out.push((k.0.clone(), k.1.clone(), "added"));
        }
    }
    out.sort();
    out
}
