//! The last step every job shares: describe the run, sign its manifest over what it wrote,
//! append the receipt and checkpoint, point the run's ref at it. Also the way back: a
//! published run's tables read by manifest digest, for the jobs that take another run's
//! output as their input.
//!
//! There is one publication path for every job (tables, fetched list files and locks
//! alike), so a manifest's shape does not depend on which job wrote it.

use std::collections::BTreeMap;

use arrow::array::RecordBatch;
use ingest::pacs008::{Quarantined, table};
use verify::Digest;
use verify::chain;
use verify::clock::Clock;
use verify::keys::{SecretKey, TrustSet};
use verify::manifest::{Input, PackRef, RunRecord, Statement, Subject, Tool};
use verify::store::Store;

use super::summary::RunSummary;
use super::writer::{self, ArtifactError, WrittenTable};

/// What a run records about itself beyond its tables.
#[derive(Debug, Clone, Default)]
pub struct RunDescription {
    pub job: String,
    pub chain: String,
    /// The ref pointed at the run's manifest once it is published.
    pub latest: String,
    /// More refs pointed at it (a zone's own screening).
    pub refs: Vec<String>,
    pub parameters: BTreeMap<String, serde_json::Value>,
    pub inputs: Vec<Input>,
    /// Earlier runs this one used, by manifest digest and what they are to it (`regpack`,
    /// `screening`, `payments`): typed inputs, carried into the receipt as well.
    pub packs: Vec<PackRef>,
    pub quarantined: u64,
    pub semantic: BTreeMap<String, String>,
}

impl RunDescription {
    /// A run of `job` on `chain`, published as `runs/<chain>/latest`.
    pub fn new(job: &str, chain: &str) -> Self {
        RunDescription {
            job: job.to_owned(),
            chain: chain.to_owned(),
            latest: format!("runs/{chain}/latest"),
            ..RunDescription::default()
        }
    }

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
        let mut run = RunDescription::new(kind, &format!("{kind}-{jurisdiction}"));
        run.parameters
            .insert("jurisdiction".to_owned(), serde_json::json!(jurisdiction));
        run.semantic.insert(
            root_name.to_owned(),
            format!("sha256:{}", hex::encode(root)),
        );
        run.inputs = inputs;
        run.quarantined = quarantined;
        run
    }
}

/// The in-toto statement of a run over what it wrote, at the clock's time: exactly what
/// [`publish`] signs (and what `mez nightly --locked` rebuilds to compare).
pub fn statement(
    run: &RunDescription,
    written: &[WrittenTable],
    clock: &dyn Clock,
) -> Result<Statement, ArtifactError> {
    let run = run.clone();
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
        packs: run.packs,
        quarantined: run.quarantined,
        semantic: run.semantic,
    };
    let subjects = written
        .iter()
        .map(|t| Subject::new(&t.name, t.digest, &t.media_type, t.rows, t.bytes))
        .collect();
    Ok(Statement::new(subjects, record)?)
}

/// Publishes what a run wrote as one signed run and points `run.latest` at it.
pub fn publish(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    clock: &dyn Clock,
    run: RunDescription,
    written: &[WrittenTable],
) -> Result<RunSummary, ArtifactError> {
    let (job, quarantined) = (run.job.clone(), run.quarantined);
    let statement = statement(&run, written, clock)?;
    let (latest, refs) = (run.latest, run.refs);
    let publication = chain::publish(store, signer, trust, clock, &statement)?;
    for name in std::iter::once(&latest).chain(&refs) {
        store.set_ref(name, &publication.manifest)?;
    }
    Ok(RunSummary::new(&job, written, quarantined, &publication))
}

fn table_error(table: &str, reason: impl ToString) -> ArtifactError {
    ArtifactError::Table {
        table: table.to_owned(),
        reason: reason.to_string(),
    }
}

/// The statement of a published run, by manifest digest: its bytes checked against the
/// digest and its DSSE signature against `trust`. Jobs read another run's output only
/// through this, so no unverified statement reaches a result.
pub fn open_run(
    store: &Store,
    trust: &TrustSet,
    manifest: &Digest,
) -> Result<Statement, ArtifactError> {
    let key = verify::store::manifest_key(manifest);
    let bytes = store.get_verified(&key, manifest)?;
    let (statement, _) = verify::manifest::open(&key, &bytes, trust)?;
    Ok(statement)
}

/// The manifest that vouches for a blob read by its digest alone (`mez export`, `mez sql`):
/// one signed by a key in `trust` that names it. A blob no trusted run names is refused.
pub fn vouched(store: &Store, trust: &TrustSet, blob: &Digest) -> Result<Digest, ArtifactError> {
    let wanted = blob.hex();
    for item in store.list("manifests/")? {
        let Some(digest) = verify::store::manifest_of_key(&item.key) else {
            continue;
        };
        let Ok(statement) = open_run(store, trust, &digest) else {
            continue;
        };
        if statement
            .subject
            .iter()
            .any(|s| s.digest.get("sha256") == Some(&wanted))
        {
            return Ok(digest);
        }
    }
    Err(table_error(
        &blob.to_string(),
        "no run signed by a trusted key names this artifact",
    ))
}

/// The table `name` of a published run, by manifest digest: the manifest's signature
/// checked against `trust`, the table's bytes against the digest it names.
pub fn table_of(
    store: &Store,
    trust: &TrustSet,
    manifest: &Digest,
    name: &str,
) -> Result<RecordBatch, ArtifactError> {
    let key = verify::store::manifest_key(manifest);
    let statement = open_run(store, trust, manifest)?;
    let subject = statement
        .subject
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| table_error(&key, format!("this manifest has no {name} table")))?;
    let (schema, batches) = writer::read_table(store, &subject.sha256()?)?;
    arrow::compute::concat_batches(&schema, &batches).map_err(|e| table_error(&key, e))
}

/// Writes a run's `quarantine` table: the rows set aside, sorted by (file, byte offset,
/// element path, reason), each with the digest of the input file it came from.
pub fn write_quarantine(
    store: &Store,
    quarantine: &mut [Quarantined],
    inputs: &[Input],
) -> Result<WrittenTable, ArtifactError> {
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
    })
    .map_err(|e| table_error("quarantine", e))?;
    writer::write_table(store, "quarantine", &batch, &["file_digest"])
}

/// A text column of a table read back from a run, or an error naming the table.
pub fn text_column(
    batch: &RecordBatch,
    table: &str,
    name: &str,
) -> Result<arrow::array::StringArray, ArtifactError> {
    use arrow::array::AsArray;
    batch
        .column_by_name(name)
        .and_then(|c| c.as_string_opt::<i32>().cloned())
        .ok_or_else(|| table_error(table, format!("{table} has no text column {name}")))
}

/// A primitive column (e.g. `UInt32Type`) of a table read back from a run.
pub fn primitive_column<T: arrow::datatypes::ArrowPrimitiveType>(
    batch: &RecordBatch,
    table: &str,
    name: &str,
) -> Result<arrow::array::PrimitiveArray<T>, ArtifactError> {
    use arrow::array::AsArray;
    batch
        .column_by_name(name)
        .and_then(|c| c.as_primitive_opt::<T>().cloned())
        .ok_or_else(|| {
            table_error(
                table,
                format!("{table} has no column {name} of type {}", T::DATA_TYPE),
            )
        })
}
