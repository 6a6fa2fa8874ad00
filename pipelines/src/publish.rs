//! The last step every table-writing job shares: describe the run, sign its manifest over
//! the written tables, append the receipt and checkpoint, point the run's ref at it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use arrow::array::RecordBatch;
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
