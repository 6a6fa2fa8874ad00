//! Arrow tables of the sanctions readers: `entries` and `names`.

use std::sync::Arc;

use arrow::array::{ArrayRef, ListBuilder, RecordBatch, StringArray, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use super::{Entry, Name};
use crate::error::IngestError;

fn list_field(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        false,
    )
}

pub fn entries_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("list", DataType::Utf8, false),
        Field::new("source_uid", DataType::Utf8, false),
        Field::new("entry_type", DataType::Utf8, false),
        Field::new("primary_name", DataType::Utf8, false),
        list_field("programs"),
        Field::new("listed_on", DataType::Utf8, true),
        list_field("dates_of_birth"),
        list_field("nationalities"),
        list_field("countries"),
        list_field("addresses"),
        list_field("identifiers"),
        Field::new("remarks", DataType::Utf8, true),
    ]))
}

fn list(values: impl Iterator<Item = Vec<String>>) -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    for row in values {
        for v in row {
            b.values().append_value(v);
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

/// Entries sorted by (list, source_uid).
pub fn entries_batch(entries: &[Entry]) -> Result<RecordBatch, IngestError> {
    let mut e: Vec<&Entry> = entries.iter().collect();
    e.sort_by(|a, b| (&a.list, &a.source_uid).cmp(&(&b.list, &b.source_uid)));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            e.iter().map(|x| x.list.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            e.iter().map(|x| x.source_uid.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            e.iter().map(|x| x.entry_type.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            e.iter().map(|x| x.primary_name.as_str()),
        )),
        list(e.iter().map(|x| x.programs.clone())),
        Arc::new(StringArray::from_iter(
            e.iter().map(|x| x.listed_on.as_deref()),
        )),
        list(e.iter().map(|x| x.dates_of_birth.clone())),
        list(e.iter().map(|x| x.nationalities.clone())),
        list(e.iter().map(|x| x.countries.clone())),
        list(e.iter().map(|x| x.addresses.clone())),
        list(e.iter().map(|x| x.identifiers.clone())),
        Arc::new(StringArray::from_iter(
            e.iter().map(|x| x.remarks.as_deref()),
        )),
    ];
    RecordBatch::try_new(entries_schema(), columns).map_err(|e| IngestError::Table {
        table: "entries",
        reason: e.to_string(),
    })
}

pub fn names_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("list", DataType::Utf8, false),
        Field::new("source_uid", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("strength", DataType::Utf8, true),
    ]))
}

/// Names sorted by (list, source_uid, kind, name).
pub fn names_batch(names: &[Name]) -> Result<RecordBatch, IngestError> {
    let mut n: Vec<&Name> = names.iter().collect();
    n.sort_by(|a, b| {
        (&a.list, &a.source_uid, &a.kind, &a.name).cmp(&(&b.list, &b.source_uid, &b.kind, &b.name))
    });
    RecordBatch::try_new(
        names_schema(),
        vec![
            Arc::new(StringArray::from_iter_values(
                n.iter().map(|x| x.list.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                n.iter().map(|x| x.source_uid.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                n.iter().map(|x| x.name.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                n.iter().map(|x| x.kind.as_str()),
            )),
            Arc::new(StringArray::from_iter(
                n.iter().map(|x| x.strength.as_deref()),
            )),
        ],
    )
    .map_err(|e| IngestError::Table {
        table: "names",
        reason: e.to_string(),
    })
}
