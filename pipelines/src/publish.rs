//! The last step every table-writing job shares: describe the run, sign its manifest over
//! the written tables, append the receipt and checkpoint, point the run's ref at it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use arrow::array::RecordBatch;
use ingest::pacs008::{Quarantined, table};
use verify::Digest;
use verify::chain;
use verify::clock::Clock;
use verify::keys::{SecretKey, TrustSet};
use verify::manifest::{Input, PARQUET_MEDIA_TYPE, RunRecord, Statement, Subject, Tool};
use verify::store::Store;

use crate::artifact::{self, WrittenTable};
use crate::netting_run::RunError;
use crate::summary::RunSummary;

/// What a run records about itself beyond its tables.
#[derive(Debug, Clone, Default)]
pub struct RunDescription {
    pub job: String,
    pub chain: String,
    pub parameters: BTreeMap<String, serde_json::Value>,
    pub inputs: Vec<Input>,
    pub quarantined: u64,
    pub semantic: BTreeMap<String, String>,
}

impl RunDescription {
    /// The run of a pack build: chain `<kind>-<jurisdiction>`, the jurisdiction as its
    /// parameter, and the pack's Merkle root under `root_name`.
    pub fn pack(
        kind: &str,
        jurisdiction: &str,
        root_name: &str,
        root: &[u8; 32],
        inputs: Vec<Input>,
        quarantined: u64,
    ) -> Self {
        let mut parameters = BTreeMap::new();
        parameters.insert("jurisdiction".to_owned(), serde_json::json!(jurisdiction));
        let mut semantic = BTreeMap::new();
        semantic.insert(
            root_name.to_owned(),
            format!("sha256:{}", hex::encode(root)),
        );
        RunDescription {
            job: kind.to_owned(),
            chain: format!("{kind}-{jurisdiction}"),
            parameters,
            inputs,
            quarantined,
            semantic,
        }
    }
}

/// Publishes a run's tables and points `runs/<chain>/latest` at it.
pub fn publish_run(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    clock: &dyn Clock,
    run: RunDescription,
    written: &[WrittenTable],
) -> Result<RunSummary, verify::Error> {
    let latest = format!("runs/{}/latest", run.chain);
    publish_tables(store, signer, trust, clock, run, written, &latest)
}

/// Publishes the Parquet tables `written` as one run and points `refs/<ref_name>` at it.
pub fn publish_tables(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    clock: &dyn Clock,
    run: RunDescription,
    written: &[WrittenTable],
    ref_name: &str,
) -> Result<RunSummary, verify::Error> {
    let (job, quarantined) = (run.job.clone(), run.quarantined);
    let record = RunRecord {
        job: run.job,
        chain: run.chain,
        tool: Tool {
            name: "mez".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        time: clock.now(),
        parameters: run.parameters,
        inputs: run.inputs,
        packs: vec![],
        quarantined: run.quarantined,
        semantic: run.semantic,
    };
    let subjects = written
        .iter()
        .map(|t| Subject::new(&t.name, t.digest, PARQUET_MEDIA_TYPE, t.rows, t.bytes))
        .collect();
    let statement = Statement::new(subjects, record)?;
    let publication = chain::publish(store, signer, trust, clock, &statement)?;
    store.set_ref(ref_name, &publication.manifest)?;
    Ok(RunSummary::new(&job, written, quarantined, &publication))
}

/// The table `name` of a published run, by manifest digest (every digest checked;
/// signatures are `mez verify`'s business).
pub fn table_of(store: &Store, manifest: &Digest, name: &str) -> Result<RecordBatch, RunError> {
    let key = verify::store::manifest_key(manifest);
    let bytes = store.get_verified(&key, manifest)?;
    let statement = verify::manifest::statement_unverified(&key, &bytes)?;
    let subject = statement
        .subject
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| RunError::Input {
            path: PathBuf::from(&key),
            reason: format!("this manifest has no {name} table"),
        })?;
    let (schema, batches) = artifact::read_table(store, &subject.sha256()?)?;
    arrow::compute::concat_batches(&schema, &batches).map_err(|e| RunError::Input {
        path: PathBuf::from(&key),
        reason: e.to_string(),
    })
}

/// Writes a run's `quarantine` table: the rows set aside, sorted by (file, byte offset,
/// element path, reason), each with the digest of the input file it came from.
pub fn write_quarantine(
    store: &Store,
    quarantine: &mut [Quarantined],
    inputs: &[Input],
) -> Result<WrittenTable, RunError> {
    let digest_of: BTreeMap<&str, Digest> =
        inputs.iter().map(|i| (i.name.as_str(), i.digest)).collect();
    quarantine.sort_by(|a, b| {
        (&a.source_file, a.byte_offset, &a.element_path, &a.reason).cmp(&(
            &b.source_file,
            b.byte_offset,
            &b.element_path,
            &b.reason,
        ))
    });
    let batch = table::quarantine_batch(quarantine, &|s| {
        digest_of.get(s).copied().unwrap_or_default()
    })?;
    Ok(artifact::write_table(
        store,
        "quarantine",
        &batch.schema(),
        std::slice::from_ref(&batch),
        &["file_digest"],
    )?)
}

/// A text column of a table read back from a run, or an error naming the table.
pub fn text_column(
    batch: &RecordBatch,
    table: &str,
    name: &str,
) -> Result<arrow::array::StringArray, RunError> {
    use arrow::array::AsArray;
    batch
        .column_by_name(name)
        .and_then(|c| c.as_string_opt::<i32>().cloned())
        .ok_or_else(|| RunError::Input {
            path: PathBuf::from(table),
            reason: format!("{table} has no text column {name}"),
        })
}

/// A primitive column (e.g. `UInt32Type`) of a table read back from a run.
pub fn primitive_column<T: arrow::datatypes::ArrowPrimitiveType>(
    batch: &RecordBatch,
    table: &str,
    name: &str,
) -> Result<arrow::array::PrimitiveArray<T>, RunError> {
    use arrow::array::AsArray;
    batch
        .column_by_name(name)
        .and_then(|c| c.as_primitive_opt::<T>().cloned())
        .ok_or_else(|| RunError::Input {
            path: PathBuf::from(table),
            reason: format!("{table} has no column {name} of type {}", T::DATA_TYPE),
        })
}
