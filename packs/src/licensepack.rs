//! Licensepacks: a zone's licence register, committed licence by licence.
//!
//! One row per licence, sorted by licence id; each licence's **leaf** is the RFC 8785
//! canonical JSON of its fields (dates as ISO strings), hashed as an RFC 6962 leaf, and the
//! Merkle root over the leaves in id order goes in the manifest, as for regpacks.

use std::sync::Arc;

use arrow::array::{ArrayRef, Date32Array, ListBuilder, RecordBatch, StringArray, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ingest::licences::Licence;
use verify::merkle::{self, Hash};

/// Errors of licensepack building.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LicensepackError {
    #[error(transparent)]
    Verify(#[from] verify::Error),
    #[error("licensepack table: {0}")]
    Table(String),
}

/// The table of a licensepack and its semantic digest.
#[derive(Debug, Clone)]
pub struct Licensepack {
    pub licences: RecordBatch,
    pub merkle_root: Hash,
}

/// Schema of the `licences` table.
pub fn licences_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("licence_id", DataType::Utf8, false),
        Field::new("holder", DataType::Utf8, false),
        Field::new("holder_name", DataType::Utf8, true),
        Field::new("licence_type", DataType::Utf8, false),
        Field::new("status", DataType::Utf8, false),
        Field::new("valid_from", DataType::Date32, false),
        Field::new("valid_to", DataType::Date32, true),
        Field::new(
            "activities",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            false,
        ),
    ]))
}

fn iso(days: i32) -> String {
    arrow::temporal_conversions::date32_to_datetime(days)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| days.to_string())
}

/// The leaf of one licence.
pub fn leaf(l: &Licence) -> Result<Hash, LicensepackError> {
    let doc = serde_json::json!({
        "licence_id": l.licence_id,
        "holder": l.holder,
        "holder_name": l.holder_name,
        "licence_type": l.licence_type,
        "status": l.status,
        "valid_from": iso(l.valid_from),
        "valid_to": l.valid_to.map(iso),
        "activities": l.activities,
    });
    Ok(merkle::leaf_hash(&verify::canon::to_canonical_vec(&doc)?))
}

/// The Merkle root over a stored `licences` table, recomputed from its rows (sorted by
/// licence id, as written).
pub fn root_of_table(licences: &RecordBatch) -> Result<Hash, LicensepackError> {
    use crate::columns::{date, text, texts};
    let table = |e: String| LicensepackError::Table(e);
    let mut leaves = Vec::with_capacity(licences.num_rows());
    for i in 0..licences.num_rows() {
        let required = |name: &str| {
            text(licences, name, i)
                .and_then(|v| v.ok_or_else(|| format!("{name} is null in row {i}")))
        };
        let licence = Licence {
            licence_id: required("licence_id").map_err(table)?,
            holder: required("holder").map_err(table)?,
            holder_name: text(licences, "holder_name", i).map_err(table)?,
            licence_type: required("licence_type").map_err(table)?,
            status: required("status").map_err(table)?,
            valid_from: date(licences, "valid_from", i)
                .map_err(table)?
                .ok_or_else(|| table(format!("valid_from is null in row {i}")))?,
            valid_to: date(licences, "valid_to", i).map_err(table)?,
            activities: texts(licences, "activities", i).map_err(table)?,
        };
        leaves.push(leaf(&licence)?);
    }
    Ok(merkle::root_of(&leaves))
}

/// Builds a licensepack from a register's licences (any order).
pub fn build(licences: &[Licence]) -> Result<Licensepack, LicensepackError> {
    let mut l: Vec<&Licence> = licences.iter().collect();
    l.sort_by(|a, b| a.licence_id.cmp(&b.licence_id));
    let leaves = l.iter().map(|x| leaf(x)).collect::<Result<Vec<_>, _>>()?;
    let mut activities = ListBuilder::new(StringBuilder::new());
    for x in &l {
        for a in &x.activities {
            activities.values().append_value(a);
        }
        activities.append(true);
    }
    let text = |f: &dyn Fn(&Licence) -> &str| {
        Arc::new(StringArray::from_iter_values(l.iter().map(|x| f(x)))) as ArrayRef
    };
    let columns: Vec<ArrayRef> = vec![
        text(&|x| &x.licence_id),
        text(&|x| &x.holder),
        Arc::new(StringArray::from_iter(
            l.iter().map(|x| x.holder_name.as_deref()),
        )),
        text(&|x| &x.licence_type),
        text(&|x| &x.status),
        Arc::new(Date32Array::from_iter_values(
            l.iter().map(|x| x.valid_from),
        )),
        Arc::new(Date32Array::from_iter(l.iter().map(|x| x.valid_to))),
        Arc::new(activities.finish()),
    ];
    let licences = RecordBatch::try_new(licences_schema(), columns)
        .map_err(|e| LicensepackError::Table(e.to_string()))?;
    Ok(Licensepack {
        licences,
        merkle_root: merkle::root_of(&leaves),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn licence(id: &str, status: &str) -> Licence {
        Licence {
            licence_id: id.into(),
            holder: format!("H-{id}"),
            holder_name: None,
            licence_type: "bank".into(),
            status: status.into(),
            valid_from: 19_000,
            valid_to: None,
            activities: vec!["deposits".into()],
        }
    }

    #[test]
    fn order_does_not_matter_and_every_field_is_committed() {
        let a = build(&[licence("A", "active"), licence("B", "active")]).unwrap();
        let b = build(&[licence("B", "active"), licence("A", "active")]).unwrap();
        assert_eq!(a.merkle_root, b.merkle_root);
        assert_eq!(a.licences, b.licences);
        let c = build(&[licence("A", "active"), licence("B", "revoked")]).unwrap();
        assert_ne!(a.merkle_root, c.merkle_root);
        // The root recomputed from the stored table's rows alone is the same.
        assert_eq!(root_of_table(&a.licences).unwrap(), a.merkle_root);
        assert_eq!(root_of_table(&c.licences).unwrap(), c.merkle_root);
        assert_eq!(iso(19_000), "2022-01-08");
    }
}
