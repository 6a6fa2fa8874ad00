//! The netting run: pacs.008 files in, signed netting artifacts out.
//!
//! Files are read in parallel (rayon), one reader per file; a refused file contributes no
//! payments, only a quarantine row. Everything written is sorted by a documented key, so the
//! artifacts do not depend on input order or thread count:
//!
//! - `payments` by (file_digest, message_index, tx_index)
//! - `quarantine` by (file_digest, byte_offset, element_path, reason)
//! - `header_checks` by (file_digest, message_index, check)
//! - the netting tables as documented in [`crate::netting`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use ingest::pacs008::{self, FileSummary, HeaderCheck, Payment, Quarantined, table};
use rayon::prelude::*;
use verify::Digest;
use verify::chain;
use verify::clock::Clock;
use verify::keys::{SecretKey, TrustSet};
use verify::manifest::{Input, PARQUET_MEDIA_TYPE, RunRecord, Statement, Subject, Tool};
use verify::store::Store;

use crate::artifact::{self, ArtifactError, WrittenTable};
use crate::netting::{self, LegsMode, NettingConfig, NettingError, format_date};
use crate::report::Reporter;
use crate::summary::RunSummary;

/// Errors that stop a netting run (bad records never do).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    #[error("{path}: {reason}", path = path.display())]
    Input { path: PathBuf, reason: String },
    #[error(transparent)]
    Ingest(#[from] ingest::IngestError),
    #[error(transparent)]
    Netting(#[from] NettingError),
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    #[error(transparent)]
    Verify(#[from] verify::Error),
}

/// Parameters of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunParams {
    pub inputs: Vec<PathBuf>,
    pub config: NettingConfig,
    pub chain: String,
}

/// Expands files and directories (recursively, `*.xml`) into a sorted, de-duplicated list.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, RunError> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| RunError::Input {
            path: input.clone(),
            reason: e.to_string(),
        })?;
        if meta.is_dir() {
            walk(input, &mut files)?;
        } else {
            files.push(input.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), RunError> {
    let entries = std::fs::read_dir(dir).map_err(|e| RunError::Input {
        path: dir.to_owned(),
        reason: e.to_string(),
    })?;
    for entry in entries {
        let path = entry
            .map_err(|e| RunError::Input {
                path: dir.to_owned(),
                reason: e.to_string(),
            })?
            .path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// What the readers produced over all files.
#[derive(Debug, Default)]
pub struct Ingested {
    pub files: Vec<FileSummary>,
    pub payments: Vec<Payment>,
}

/// Reads every file in parallel; a file that cannot be opened is an error (exit 2), a file
/// that cannot be parsed is quarantined.
pub fn ingest_files(files: &[PathBuf], reporter: &dyn Reporter) -> Result<Ingested, RunError> {
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    reporter.start("reading pacs.008", Some(total), "bytes");
    let results: Vec<Result<(FileSummary, Vec<Payment>), RunError>> = files
        .par_iter()
        .map(|path| {
            let mut payments = Vec::new();
            let summary = pacs008::read_file(path, &mut |p| payments.push(p))?;
            if !summary.file_ok {
                payments.clear();
            }
            reporter.advance(summary.bytes);
            Ok((summary, payments))
        })
        .collect();
    reporter.finish();
    let mut ingested = Ingested::default();
    for result in results {
        let (summary, payments) = result?;
        ingested.payments.extend(payments);
        ingested.files.push(summary);
    }
    Ok(ingested)
}

/// Runs the whole job and publishes it.
pub fn run(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    clock: &dyn Clock,
    params: &RunParams,
    reporter: &dyn Reporter,
) -> Result<(Vec<WrittenTable>, RunSummary), RunError> {
    let files = expand_inputs(&params.inputs)?;
    let Ingested {
        files: summaries,
        mut payments,
    } = ingest_files(&files, reporter)?;
    let digest_by_source: BTreeMap<String, Digest> = summaries
        .iter()
        .map(|s| (s.source_file.clone(), s.file_digest))
        .collect();
    let digest_of = |source: &str| {
        digest_by_source
            .get(source)
            .copied()
            .unwrap_or(Digest([0; 32]))
    };

    payments.sort_by(|a, b| {
        (digest_of(&a.source_file), a.message_index, a.tx_index).cmp(&(
            digest_of(&b.source_file),
            b.message_index,
            b.tx_index,
        ))
    });
    let payments_batch = table::payments_batch(&payments, &digest_of)?;
    drop(payments);

    reporter.start("netting", None, "");
    let result = netting::net(
        netting::obligations(std::slice::from_ref(&payments_batch))?,
        &params.config,
    )?;
    let tables = netting::to_tables(&result)?;
    reporter.finish();

    // Quarantine: reader rows plus payments netting set aside.
    let mut quarantine: Vec<Quarantined> = summaries
        .iter()
        .flat_map(|s| s.quarantine.iter().cloned())
        .collect();
    let source_of: BTreeMap<Digest, &str> = summaries
        .iter()
        .map(|s| (s.file_digest, s.source_file.as_str()))
        .collect();
    for (o, reason) in &result.set_aside {
        let digest: Digest = o.file_digest.parse()?;
        quarantine.push(Quarantined {
            source_file: source_of
                .get(&digest)
                .copied()
                .unwrap_or_default()
                .to_owned(),
            byte_offset: o.byte_offset,
            element_path: format!("message {} / CdtTrfTxInf[{}]", o.message_index, o.tx_index),
            msg_id: None,
            reason: reason.clone(),
        });
    }
    quarantine.sort_by(|a, b| {
        (
            digest_of(&a.source_file),
            a.byte_offset,
            &a.element_path,
            &a.reason,
        )
            .cmp(&(
                digest_of(&b.source_file),
                b.byte_offset,
                &b.element_path,
                &b.reason,
            ))
    });
    let mut checks: Vec<HeaderCheck> = summaries
        .iter()
        .flat_map(|s| s.checks.iter().cloned())
        .collect();
    checks.sort_by(|a, b| {
        (digest_of(&a.source_file), a.message_index, a.check).cmp(&(
            digest_of(&b.source_file),
            b.message_index,
            b.check,
        ))
    });
    let quarantine_batch = table::quarantine_batch(&quarantine, &digest_of)?;
    let checks_batch = table::header_checks_batch(&checks, &digest_of)?;

    reporter.start("writing artifacts", Some(8), "tables");
    let write = |name: &str, batch: &RecordBatch, key: &[&str]| -> Result<WrittenTable, RunError> {
        let written = artifact::write_table(
            store,
            name,
            &batch.schema(),
            std::slice::from_ref(batch),
            key,
        )?;
        reporter.advance(1);
        Ok(written)
    };
    let written = vec![
        write(
            "payments",
            &payments_batch,
            &["file_digest", "message_index", "tx_index"],
        )?,
        write(
            "bilateral",
            &tables.bilateral,
            &["value_date", "currency", "participant_a", "participant_b"],
        )?,
        write(
            "multilateral",
            &tables.multilateral,
            &["value_date", "currency", "participant"],
        )?,
        write("legs", &tables.legs, &["value_date", "currency", "leg"])?,
        write(
            "efficiency",
            &tables.efficiency,
            &["value_date", "currency"],
        )?,
        write("duplicates", &tables.duplicates, &["identity"])?,
        write(
            "quarantine",
            &quarantine_batch,
            &["file_digest", "byte_offset"],
        )?,
        write(
            "header_checks",
            &checks_batch,
            &["file_digest", "message_index", "check"],
        )?,
    ];
    reporter.finish();

    let quarantined = quarantine.len() as u64;
    let mut parameters = BTreeMap::new();
    if let Some(d) = params.config.value_date {
        parameters.insert("value_date".to_owned(), serde_json::json!(format_date(d)));
    }
    parameters.insert(
        "legs".to_owned(),
        serde_json::json!(match params.config.legs {
            LegsMode::LargestFirst => "largest_first",
            LegsMode::LegacyById => "legacy_by_id",
        }),
    );
    parameters.insert(
        "duplicates".to_owned(),
        serde_json::json!(result.duplicates.len()),
    );
    let record = RunRecord {
        job: "netting".into(),
        chain: params.chain.clone(),
        tool: Tool {
            name: "mez".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        time: clock.now(),
        parameters,
        inputs: summaries
            .iter()
            .map(|s| Input {
                name: s.source_file.clone(),
                digest: s.file_digest,
                bytes: s.bytes,
            })
            .collect(),
        packs: vec![],
        quarantined,
        semantic: BTreeMap::new(),
    };
    let subjects = written
        .iter()
        .map(|t| Subject::new(&t.name, t.digest, PARQUET_MEDIA_TYPE, t.rows, t.bytes))
        .collect();
    let statement = Statement::new(subjects, record)?;
    let publication = chain::publish(store, signer, trust, clock, &statement)?;
    store.set_ref("runs/netting/latest", &publication.manifest)?;
    let summary = RunSummary::new("netting", &written, quarantined, &publication);
    Ok((written, summary))
}
