//! Lawpacks: the statutes of a jurisdiction, one row per provision.
//!
//! **Stable provision key.** A provision is identified across expressions of the same work
//! by `work_uri`, `component` and its `eid`, with `#n` appended to the n-th repeat of an
//! eid in the same component (duplicated ids exist in the wild). The expression URI is not
//! part of the key: that is what lets a diff line up two expressions of one work.
//!
//! **Row order.** `provisions` is sorted by (work_uri, expression_uri, file_digest,
//! position) and `documents` by (work_uri, expression_uri, file_digest), so a lawpack does
//! not depend on input order.
//!
//! **Merkle root.** One leaf per provision, in row order, over a length-prefixed encoding of
//! key, expression, element, num, heading and text (DOMAIN.md §5 hashing), published as the
//! lawpack's semantic digest.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ingest::akn::{AknDocument, table};
use verify::merkle::{self, Hash};

/// Errors of lawpack building and diffing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LawpackError {
    #[error(transparent)]
    Ingest(#[from] ingest::IngestError),
    #[error("lawpack table: {0}")]
    Table(String),
}

/// The tables of a lawpack and its semantic digest.
#[derive(Debug, Clone)]
pub struct Lawpack {
    pub documents: RecordBatch,
    pub provisions: RecordBatch,
    pub merkle_root: Hash,
}

fn table_err(e: impl ToString) -> LawpackError {
    LawpackError::Table(e.to_string())
}

/// Builds a lawpack from read documents (refused ones are skipped: they belong in the
/// run's quarantine table).
pub fn build(docs: &[AknDocument]) -> Result<Lawpack, LawpackError> {
    let mut accepted: Vec<AknDocument> = docs
        .iter()
        .filter(|d| d.refused.is_none())
        .cloned()
        .collect();
    accepted.sort_by(|a, b| {
        (
            &a.work_uri,
            &a.expression_uri,
            a.file_digest,
            &a.source_file,
        )
            .cmp(&(
                &b.work_uri,
                &b.expression_uri,
                b.file_digest,
                &b.source_file,
            ))
    });
    let documents = table::documents_batch(&accepted)?;
    let provisions = with_keys(&table::provisions_batch(&accepted)?)?;
    let merkle_root = merkle::root_of(&leaves(&provisions)?);
    Ok(Lawpack {
        documents,
        provisions,
        merkle_root,
    })
}

fn strings<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a StringArray, LawpackError> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_string_opt::<i32>())
        .ok_or_else(|| LawpackError::Table(format!("missing Utf8 column {name}")))
}

fn cell(a: &StringArray, i: usize) -> &str {
    if a.is_null(i) { "" } else { a.value(i) }
}

/// Adds the `provision_key` column (first) to a provisions batch.
fn with_keys(provisions: &RecordBatch) -> Result<RecordBatch, LawpackError> {
    let (work, expression, component, eid) = (
        strings(provisions, "work_uri")?,
        strings(provisions, "expression_uri")?,
        strings(provisions, "component")?,
        strings(provisions, "eid")?,
    );
    let mut seen: BTreeMap<(String, String, String, String), u32> = BTreeMap::new();
    let keys: Vec<String> = (0..provisions.num_rows())
        .map(|i| {
            let n = seen
                .entry((
                    cell(work, i).to_owned(),
                    cell(expression, i).to_owned(),
                    cell(component, i).to_owned(),
                    cell(eid, i).to_owned(),
                ))
                .or_insert(0);
            *n += 1;
            let base = format!("{}|{}|{}", cell(work, i), cell(component, i), cell(eid, i));
            if *n == 1 { base } else { format!("{base}#{n}") }
        })
        .collect();
    let mut fields: Vec<Arc<Field>> =
        vec![Arc::new(Field::new("provision_key", DataType::Utf8, false))];
    fields.extend(provisions.schema().fields().iter().cloned());
    let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from(keys))];
    columns.extend(provisions.columns().iter().cloned());
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(table_err)
}

/// The schema of lawpack provisions (the reader's plus `provision_key` first).
pub fn provisions_schema() -> SchemaRef {
    let mut fields: Vec<Arc<Field>> =
        vec![Arc::new(Field::new("provision_key", DataType::Utf8, false))];
    fields.extend(table::provisions_schema().fields().iter().cloned());
    Arc::new(Schema::new(fields))
}

/// The Merkle root over a stored `provisions` table's rows, recomputed from its columns.
pub fn root_of_table(provisions: &RecordBatch) -> Result<Hash, LawpackError> {
    Ok(merkle::root_of(&leaves(provisions)?))
}

fn leaves(provisions: &RecordBatch) -> Result<Vec<Hash>, LawpackError> {
    let names = [
        "provision_key",
        "expression_uri",
        "element",
        "num",
        "heading",
        "text",
    ];
    let columns: Vec<&StringArray> = names
        .iter()
        .map(|n| strings(provisions, n))
        .collect::<Result<_, _>>()?;
    Ok((0..provisions.num_rows())
        .map(|i| {
            let mut bytes = Vec::new();
            for c in &columns {
                let v = cell(c, i).as_bytes();
                bytes.extend_from_slice(&(v.len() as u64).to_be_bytes());
                bytes.extend_from_slice(v);
            }
            merkle::leaf_hash(&bytes)
        })
        .collect())
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub provision_key: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    pub element: String,
    pub num_before: Option<String>,
    pub num_after: Option<String>,
    /// Which of num, heading, text differ (for `changed`).
    pub fields: Vec<&'static str>,
}

type Row = (String, Option<String>, Option<String>, String);

fn rows(
    provisions: &RecordBatch,
    expression: Option<&str>,
) -> Result<BTreeMap<String, Row>, LawpackError> {
    let (key, expr, element, num, heading, text) = (
        strings(provisions, "provision_key")?,
        strings(provisions, "expression_uri")?,
        strings(provisions, "element")?,
        strings(provisions, "num")?,
        strings(provisions, "heading")?,
        strings(provisions, "text")?,
    );
    let opt = |a: &StringArray, i: usize| (!a.is_null(i)).then(|| a.value(i).to_owned());
    let mut out = BTreeMap::new();
    for i in 0..provisions.num_rows() {
        if expression.is_some_and(|e| cell(expr, i) != e) {
            continue;
        }
        // Keys are per expression; with several expressions on one side, the last wins.
        out.insert(
            cell(key, i).to_owned(),
            (
                cell(element, i).to_owned(),
                opt(num, i),
                opt(heading, i),
                cell(text, i).to_owned(),
            ),
        );
    }
    Ok(out)
}

/// Added, removed and changed provisions from `before` to `after` (lawpack provisions
/// tables), optionally restricted to one expression on each side; sorted by key.
pub fn diff(
    before: &RecordBatch,
    after: &RecordBatch,
    before_expression: Option<&str>,
    after_expression: Option<&str>,
) -> Result<Vec<Change>, LawpackError> {
    let (a, b) = (
        rows(before, before_expression)?,
        rows(after, after_expression)?,
    );
    let mut out = Vec::new();
    for (k, ra) in &a {
        match b.get(k) {
            None => out.push(Change {
                provision_key: k.clone(),
                change: "removed",
                element: ra.0.clone(),
                num_before: ra.1.clone(),
                num_after: None,
                fields: vec![],
            }),
            Some(rb) => {
                let mut fields = Vec::new();
                if ra.0 != rb.0 {
                    fields.push("element");
                }
                if ra.1 != rb.1 {
                    fields.push("num");
                }
                if ra.2 != rb.2 {
                    fields.push("heading");
                }
                if ra.3 != rb.3 {
                    fields.push("text");
                }
                if !fields.is_empty() {
                    out.push(Change {
                        provision_key: k.clone(),
                        change: "changed",
                        element: rb.0.clone(),
                        num_before: ra.1.clone(),
                        num_after: rb.1.clone(),
                        fields,
                    });
                }
            }
        }
    }
    for (k, rb) in &b {
        if !a.contains_key(k) {
            out.push(Change {
                provision_key: k.clone(),
                change: "added",
                element: rb.0.clone(),
                num_before: None,
                num_after: rb.1.clone(),
                fields: vec![],
            });
        }
    }
    out.sort_by(|x, y| {
        x.provision_key
            .cmp(&y.provision_key)
            .then(x.change.cmp(y.change))
    });
    Ok(out)
}

/// A diff as an Arrow table (for `--json` and export).
pub fn diff_batch(changes: &[Change]) -> Result<RecordBatch, LawpackError> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("provision_key", DataType::Utf8, false),
        Field::new("change", DataType::Utf8, false),
        Field::new("element", DataType::Utf8, false),
        Field::new("num_before", DataType::Utf8, true),
        Field::new("num_after", DataType::Utf8, true),
        Field::new("fields", DataType::Utf8, false),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from_iter_values(
                changes.iter().map(|c| c.provision_key.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                changes.iter().map(|c| c.change),
            )),
            Arc::new(StringArray::from_iter_values(
                changes.iter().map(|c| c.element.as_str()),
            )),
            Arc::new(StringArray::from_iter(
                changes.iter().map(|c| c.num_before.as_deref()),
            )),
            Arc::new(StringArray::from_iter(
                changes.iter().map(|c| c.num_after.as_deref()),
            )),
            Arc::new(StringArray::from_iter_values(
                changes.iter().map(|c| c.fields.join(",")),
            )),
        ],
    )
    .map_err(table_err)
}
