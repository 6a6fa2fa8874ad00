//! Arrow tables of the Akoma Ntoso reader: `documents` and `provisions`.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, ListBuilder, RecordBatch, StringArray, StringBuilder, UInt32Array,
    UInt64Array,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use super::AknDocument;
use crate::error::IngestError;

fn list_field(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        false,
    )
}

/// Schema of `provisions`.
pub fn provisions_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("file_digest", DataType::Utf8, false),
        Field::new("work_uri", DataType::Utf8, true),
        Field::new("expression_uri", DataType::Utf8, true),
        Field::new("expression_date", DataType::Utf8, true),
        Field::new("language", DataType::Utf8, true),
        Field::new("component", DataType::Utf8, false),
        Field::new("eid", DataType::Utf8, false),
        Field::new("eid_source", DataType::Utf8, false),
        Field::new("element", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("num", DataType::Utf8, true),
        Field::new("heading", DataType::Utf8, true),
        Field::new("depth", DataType::UInt32, false),
        Field::new("parent_eid", DataType::Utf8, true),
        Field::new("position", DataType::UInt32, false),
        Field::new("in_quoted", DataType::Boolean, false),
        Field::new("text", DataType::Utf8, false),
        list_field("refs"),
        list_field("terms"),
        list_field("notes"),
    ]))
}

fn list(values: impl Iterator<Item = Vec<String>>) -> ArrayRef {
    let mut builder = ListBuilder::new(StringBuilder::new());
    for row in values {
        for v in row {
            builder.values().append_value(v);
        }
        builder.append(true);
    }
    Arc::new(builder.finish())
}

/// The provisions of documents, in document order per file.
pub fn provisions_batch(docs: &[AknDocument]) -> Result<RecordBatch, IngestError> {
    let rows: Vec<(&AknDocument, &super::Provision)> = docs
        .iter()
        .flat_map(|d| d.provisions.iter().map(move |p| (d, p)))
        .collect();
    let digest: Vec<String> = rows
        .iter()
        .map(|(d, _)| d.file_digest.to_string())
        .collect();
    let s = |f: &dyn Fn(&AknDocument, &super::Provision) -> Option<String>| -> ArrayRef {
        Arc::new(StringArray::from_iter(rows.iter().map(|(d, p)| f(d, p))))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(digest.iter())),
        s(&|d, _| d.work_uri.clone()),
        s(&|d, _| d.expression_uri.clone()),
        s(&|d, _| d.expression_date.clone()),
        s(&|d, _| d.language.clone()),
        s(&|_, p| Some(p.component.clone())),
        s(&|_, p| Some(p.eid.clone())),
        s(&|_, p| Some(p.eid_source.to_owned())),
        s(&|_, p| Some(p.element.clone())),
        s(&|_, p| p.name.clone()),
        s(&|_, p| p.num.clone()),
        s(&|_, p| p.heading.clone()),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|(_, p)| p.depth),
        )),
        s(&|_, p| p.parent_eid.clone()),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|(_, p)| p.position),
        )),
        Arc::new(BooleanArray::from_iter(
            rows.iter().map(|(_, p)| Some(p.in_quoted)),
        )),
        s(&|_, p| Some(p.text.clone())),
        list(rows.iter().map(|(_, p)| p.refs.clone())),
        list(rows.iter().map(|(_, p)| p.terms.clone())),
        list(rows.iter().map(|(_, p)| p.notes.clone())),
    ];
    RecordBatch::try_new(provisions_schema(), columns).map_err(|e| IngestError::Table {
        table: "provisions",
        reason: e.to_string(),
    })
}

/// Schema of `documents`.
pub fn documents_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("file_digest", DataType::Utf8, false),
        Field::new("source_file", DataType::Utf8, false),
        Field::new("bytes", DataType::UInt64, false),
        Field::new("dialect", DataType::Utf8, false),
        Field::new("doc_type", DataType::Utf8, false),
        Field::new("doc_name", DataType::Utf8, true),
        Field::new("work_uri", DataType::Utf8, true),
        Field::new("expression_uri", DataType::Utf8, true),
        Field::new("expression_date", DataType::Utf8, true),
        Field::new("language", DataType::Utf8, true),
        Field::new("components", DataType::UInt32, false),
        Field::new("provisions", DataType::UInt64, false),
    ]))
}

/// One row per accepted document.
pub fn documents_batch(docs: &[AknDocument]) -> Result<RecordBatch, IngestError> {
    let s = |f: &dyn Fn(&AknDocument) -> Option<String>| -> ArrayRef {
        Arc::new(StringArray::from_iter(docs.iter().map(f)))
    };
    let columns: Vec<ArrayRef> = vec![
        s(&|d| Some(d.file_digest.to_string())),
        s(&|d| Some(d.source_file.clone())),
        Arc::new(UInt64Array::from_iter_values(docs.iter().map(|d| d.bytes))),
        s(&|d| Some(d.dialect.clone())),
        s(&|d| Some(d.doc_type.clone())),
        s(&|d| d.doc_name.clone()),
        s(&|d| d.work_uri.clone()),
        s(&|d| d.expression_uri.clone()),
        s(&|d| d.expression_date.clone()),
        s(&|d| d.language.clone()),
        Arc::new(UInt32Array::from_iter_values(
            docs.iter().map(|d| d.components),
        )),
        Arc::new(UInt64Array::from_iter_values(
            docs.iter().map(|d| d.provisions.len() as u64),
        )),
    ];
    RecordBatch::try_new(documents_schema(), columns).map_err(|e| IngestError::Table {
        table: "documents",
        reason: e.to_string(),
    })
}
