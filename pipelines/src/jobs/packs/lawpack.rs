//! The lawpack build: Akoma Ntoso files in, a signed lawpack out.
//!
//! Documents are read in parallel; a refused document (DTD, entity, not Akoma Ntoso,
//! malformed) becomes a quarantine row and the build goes on. With an XSD, every document
//! is validated by libxml2's `xmllint` and the result is recorded per document
//! (`xsd_valid`, `xsd_message`), never a reason to drop it. Artifacts: `documents`,
//! `provisions`, `quarantine`; the manifest publishes every source document's digest and
//! the provisions' Merkle root (`provisions_merkle_root`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, AsArray, BooleanArray, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use ingest::akn::{self, AknDocument};
use ingest::pacs008::{Quarantined, table};
use rayon::prelude::*;
use verify::Digest;
use verify::keys::TrustSet;
use verify::manifest::Input;
use verify::store::Store;

use crate::artifact::publish::table_of;
use crate::artifact::{self, RunDescription};
use crate::jobs::inputs::{self, NamedFile};
use crate::jobs::{Context, Job, JobError, Produced};

/// Parameters of a lawpack build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawpackParams {
    pub jurisdiction: String,
    /// The Akoma Ntoso documents, named as the tables will name them.
    pub inputs: Vec<NamedFile>,
    /// Validate every document against this XSD with xmllint.
    pub validate_xsd: Option<PathBuf>,
}

/// xmllint's verdict on one file: valid, or the first error line.
fn validate(xsd: &Path, file: &Path) -> Result<(bool, String), JobError> {
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(xsd)
        .arg(file)
        .output()
        .map_err(|e| JobError::Input {
            path: PathBuf::from("xmllint"),
            reason: format!("cannot run xmllint for --validate ({e}); install libxml2-utils"),
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr
        .lines()
        .find(|l| !l.ends_with(" validates"))
        .unwrap_or("")
        .to_owned();
    Ok((
        out.status.success(),
        if out.status.success() {
            "valid".into()
        } else {
            first
        },
    ))
}

/// Adds `xsd_valid` and `xsd_message` to the documents table (null when not validated).
fn with_validation(
    documents: &RecordBatch,
    results: &BTreeMap<String, (bool, String)>,
) -> Result<RecordBatch, JobError> {
    let table_err = |e: arrow::error::ArrowError| JobError::Input {
        path: PathBuf::from("documents"),
        reason: e.to_string(),
    };
    let sources = documents
        .column_by_name("source_file")
        .and_then(|c| c.as_string_opt::<i32>())
        .ok_or_else(|| JobError::Input {
            path: PathBuf::from("documents"),
            reason: "no source_file column".into(),
        })?;
    let lookup = |i: usize| {
        (!sources.is_null(i))
            .then(|| results.get(sources.value(i)))
            .flatten()
    };
    let valid = BooleanArray::from_iter((0..documents.num_rows()).map(|i| lookup(i).map(|r| r.0)));
    let message =
        StringArray::from_iter((0..documents.num_rows()).map(|i| lookup(i).map(|r| r.1.clone())));
    let mut fields: Vec<Arc<Field>> = documents.schema().fields().iter().cloned().collect();
    fields.push(Arc::new(Field::new("xsd_valid", DataType::Boolean, true)));
    fields.push(Arc::new(Field::new("xsd_message", DataType::Utf8, true)));
    let mut columns = documents.columns().to_vec();
    columns.push(Arc::new(valid));
    columns.push(Arc::new(message));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(table_err)
}

/// A document and, when validated, xmllint's verdict.
type ReadDocument = (AknDocument, Option<(bool, String)>);

/// Builds a lawpack (published by [`crate::jobs::run`]).
#[derive(Debug, Clone, Copy)]
pub struct Lawpack;

impl Job for Lawpack {
    type Params = LawpackParams;
    type Extra = ();

    fn produce(ctx: &Context<'_>, params: &LawpackParams) -> Result<Produced<()>, JobError> {
        let (store, reporter) = (ctx.store, ctx.reporter);
        let chain_id = format!("lawpack-{}", params.jurisdiction);
        verify::receipt::check_chain_id(&chain_id)?;
        let files = inputs::unique_names(params.inputs.clone())?;
        reporter.start("reading Akoma Ntoso", Some(files.len() as u64), "files");
        let read: Vec<Result<ReadDocument, JobError>> = files
            .par_iter()
            .with_max_len(1)
            .map(|file| {
                let doc = akn::read_file(file)?;
                let validation = match &params.validate_xsd {
                    Some(xsd) => Some(validate(xsd, &file.path)?),
                    None => None,
                };
                reporter.advance(1);
                Ok((doc, validation))
            })
            .collect();
        reporter.finish();
        let mut docs = Vec::with_capacity(read.len());
        let mut validation = BTreeMap::new();
        for r in read {
            let (doc, v) = r?;
            if let Some(v) = v {
                validation.insert(doc.source_file.clone(), v);
            }
            docs.push(doc);
        }
        let pack = packs::lawpack::build(&docs).map_err(|e| JobError::Input {
            path: PathBuf::from("lawpack"),
            reason: e.to_string(),
        })?;
        let documents = with_validation(&pack.documents, &validation)?;
        let digest_of: BTreeMap<String, Digest> = docs
            .iter()
            .map(|d| (d.source_file.clone(), d.file_digest))
            .collect();
        let mut quarantine: Vec<Quarantined> = docs
            .iter()
            .filter_map(|d| {
                d.refused
                    .as_ref()
                    .map(|(offset, path, reason)| Quarantined {
                        source_file: d.source_file.clone(),
                        byte_offset: *offset,
                        element_path: path.clone(),
                        msg_id: None,
                        reason: format!("document refused: {reason}"),
                    })
            })
            .collect();
        quarantine.sort_by(|a, b| {
            (digest_of.get(&a.source_file), &a.source_file)
                .cmp(&(digest_of.get(&b.source_file), &b.source_file))
        });
        let quarantine_batch = table::quarantine_batch(&quarantine, &|s| {
            digest_of.get(s).copied().unwrap_or_default()
        })?;

        let written = vec![
            artifact::write_table(
                store,
                "documents",
                &documents,
                &["work_uri", "expression_uri", "file_digest"],
            )?,
            artifact::write_table(
                store,
                "provisions",
                &pack.provisions,
                &["work_uri", "expression_uri", "file_digest", "position"],
            )?,
            artifact::write_table(store, "quarantine", &quarantine_batch, &["file_digest"])?,
        ];
        let inputs = docs
            .iter()
            .map(|d| Input {
                name: d.source_file.clone(),
                digest: d.file_digest,
                bytes: d.bytes,
            })
            .collect();
        let mut run = RunDescription::pack(
            "lawpack",
            &params.jurisdiction,
            "provisions_merkle_root",
            &pack.merkle_root,
            inputs,
            quarantine.len() as u64,
        );
        run.parameters.insert(
            "validated".to_owned(),
            serde_json::json!(params.validate_xsd.is_some()),
        );
        Ok(Produced {
            run,
            tables: written,
            extra: (),
        })
    }
}

/// The provisions table of a published lawpack, by manifest digest (digests checked).
pub fn provisions_of(
    store: &Store,
    trust: &TrustSet,
    manifest: &Digest,
) -> Result<RecordBatch, JobError> {
    Ok(table_of(store, trust, manifest, "provisions")?)
}
