//! A netting run split over machines: a signed *plan*, *map* units that each read one shard
//! (a contiguous range of the plan's files) into a *partial*, and one *merge* that nets the
//! partials into exactly the artifacts `mez netting run` writes on one machine.
//!
//! Why the merge writes the same bytes: everything a netting run writes depends only on the
//! files' summaries and payments batches, consumed in input order (see
//! [`super::run::net_files`]). A map unit keeps both exactly as the readers produced them — the
//! batches in an Arrow IPC stream, which keeps their boundaries, the summaries in JSON — and
//! the merge feeds them, shard after shard, to the same code. Duplicates and identity
//! conflicts across shards are therefore found by the merge, as in one run.
//!
//! Every unit is a plain command over a store URL, idempotent and safe to run twice or at
//! once on two workers: a partial is a content-addressed blob, and its index entry
//! (`scale/netting/<plan>/shard-<i>`) is created once, with the same bytes by every run.

use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;

use ingest::pacs008::{self, FileSummary, HeaderCheck, Quarantined, ReadLimits, table};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use verify::Digest;
use verify::keys::{SecretKey, TrustSet};
use verify::store::Store;

use super::run::{self as netting_run, BATCH_ROWS};
use super::{ConflictRule, LegsMode, NettingConfig};
use crate::artifact::ordered;
use crate::jobs::inputs::NamedFile;
use crate::jobs::shards;
pub use crate::jobs::shards::ShardError;
use crate::jobs::{Context, Job, JobError, Produced};

/// DSSE payload type of a plan.
pub const PLAN_TYPE: &str = "application/vnd.mez.netting-plan+json";
const PLAN_KIND: &str = "mez.netting.plan/v1";
const PARTIAL_KIND: &str = "mez.netting.partial/v1";
/// The job's name in partial index keys (`scale/netting/<plan>/shard-<i>`).
const JOB: &str = "netting";

/// One input of a plan: where a map unit finds it, and what it must hash to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInput {
    /// The name tables give it (relative to the root it was found under).
    pub name: String,
    /// An absolute path every worker can read, or an object URL (`s3://…`).
    pub location: String,
    pub digest: Digest,
    pub bytes: u64,
}

/// The run's settings, as the plan carries them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanConfig {
    pub value_date: Option<i32>,
    pub legs: String,
    pub conflicts: String,
    pub max_token: u64,
    pub max_field: u64,
    pub max_decompressed: u64,
}

/// A signed netting plan: the sorted inputs and the shard boundaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub kind: String,
    pub chain: String,
    pub config: PlanConfig,
    pub inputs: Vec<PlanInput>,
    /// Shard `i` reads inputs `shards[i].0 .. shards[i].1`.
    pub shards: Vec<(usize, usize)>,
}

impl PlanConfig {
    fn new(config: &NettingConfig) -> Self {
        PlanConfig {
            value_date: config.value_date,
            legs: match config.legs {
                LegsMode::LargestFirst => "largest_first",
                LegsMode::LegacyById => "legacy_by_id",
            }
            .into(),
            conflicts: config.conflicts.name().into(),
            max_token: config.read_limits.max_token as u64,
            max_field: config.read_limits.max_field as u64,
            max_decompressed: config.read_limits.max_decompressed,
        }
    }

    fn netting_config(&self) -> Option<NettingConfig> {
        Some(NettingConfig {
            value_date: self.value_date,
            legs: match self.legs.as_str() {
                "largest_first" => LegsMode::LargestFirst,
                "legacy_by_id" => LegsMode::LegacyById,
                _ => return None,
            },
            conflicts: match self.conflicts.as_str() {
                "hold" => ConflictRule::Hold,
                "keep-all" => ConflictRule::KeepAll,
                _ => return None,
            },
            read_limits: ReadLimits {
                max_token: usize::try_from(self.max_token).ok()?,
                max_field: usize::try_from(self.max_field).ok()?,
                max_decompressed: self.max_decompressed,
            },
        })
    }
}

/// Plans a run over `files` (already named and sorted, see [`crate::jobs::inputs`]):
/// hashes every file, splits them into `shards`, signs the plan and stores it. `locations`
/// gives each file's location for workers (its absolute path when `None`).
pub fn plan(
    store: &Store,
    signer: &SecretKey,
    files: &[NamedFile],
    locations: &[Option<String>],
    config: &NettingConfig,
    chain: &str,
    shards: usize,
) -> Result<(Digest, Plan), JobError> {
    if shards == 0 {
        return Err(JobError::input("--shards", "must be at least 1"));
    }
    let hashed: Vec<Result<PlanInput, JobError>> = files
        .par_iter()
        .zip(locations)
        .map(|(file, location)| {
            let (digest, bytes) = Digest::of_file(&file.path)?;
            let location = match location {
                Some(url) => url.clone(),
                None => std::path::absolute(&file.path)
                    .map_err(|e| JobError::input(&file.path, e))?
                    .to_string_lossy()
                    .into_owned(),
            };
            Ok(PlanInput {
                name: file.name.clone(),
                location,
                digest,
                bytes,
            })
        })
        .collect();
    let inputs = hashed.into_iter().collect::<Result<Vec<_>, _>>()?;
    let sizes: Vec<u64> = inputs.iter().map(|i| i.bytes).collect();
    let plan = Plan {
        kind: PLAN_KIND.into(),
        chain: chain.into(),
        config: PlanConfig::new(config),
        shards: shards::bounds(&sizes, shards),
        inputs,
    };
    let digest = shards::store_plan(store, signer, PLAN_TYPE, &plan)?;
    Ok((digest, plan))
}

/// Reads plan `digest` from the store, signed by a key of `trust`.
pub fn open_plan(store: &Store, trust: &TrustSet, digest: &Digest) -> Result<Plan, ShardError> {
    let plan: Plan = shards::open_plan(store, trust, PLAN_TYPE, digest)?;
    let contiguous = plan.shards.first().is_none_or(|s| s.0 == 0)
        && plan.shards.windows(2).all(|w| w[0].1 == w[1].0)
        && plan.shards.iter().all(|s| s.0 <= s.1)
        && plan.shards.last().is_some_and(|s| s.1 == plan.inputs.len());
    if plan.kind != PLAN_KIND || !contiguous || plan.config.netting_config().is_none() {
        return Err(ShardError::plan(digest, "not a valid netting plan"));
    }
    Ok(plan)
}

/// A file's summary as a partial stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FilePart {
    source_file: String,
    file_digest: Digest,
    bytes: u64,
    messages: u32,
    transactions: u64,
    accepted: u64,
    file_ok: bool,
    /// (byte offset, element path, message id, reason).
    quarantine: Vec<(u64, String, Option<String>, String)>,
    /// (message index, message id, check, declared, computed, ok).
    checks: Vec<(u32, Option<String>, String, String, String, bool)>,
    /// How many payments batches of the partial's stream are this file's.
    batches: u32,
}

/// What a map unit wrote for its shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Partial {
    files: Vec<FilePart>,
    /// The Arrow IPC stream of the shard's payments batches, in input order.
    payments: Digest,
}

impl FilePart {
    fn new(s: &FileSummary, batches: u32) -> Self {
        FilePart {
            source_file: s.source_file.clone(),
            file_digest: s.file_digest,
            bytes: s.bytes,
            messages: s.messages,
            transactions: s.transactions,
            accepted: s.accepted,
            file_ok: s.file_ok,
            quarantine: s
                .quarantine
                .iter()
                .map(|q| {
                    let Quarantined {
                        byte_offset,
                        element_path,
                        msg_id,
                        reason,
                        ..
                    } = q.clone();
                    (byte_offset, element_path, msg_id, reason)
                })
                .collect(),
            checks: s
                .checks
                .iter()
                .map(|c| {
                    (
                        c.message_index,
                        c.msg_id.clone(),
                        c.check.to_owned(),
                        c.declared.clone(),
                        c.computed.clone(),
                        c.ok,
                    )
                })
                .collect(),
            batches,
        }
    }

    fn summary(&self) -> Option<FileSummary> {
        let source = &self.source_file;
        let mut checks = Vec::with_capacity(self.checks.len());
        for (message_index, msg_id, check, declared, computed, ok) in &self.checks {
            checks.push(HeaderCheck {
                source_file: source.clone(),
                message_index: *message_index,
                msg_id: msg_id.clone(),
                check: pacs008::HEADER_CHECKS
                    .iter()
                    .find(|name| **name == check.as_str())?,
                declared: declared.clone(),
                computed: computed.clone(),
                ok: *ok,
            });
        }
        Some(FileSummary {
            source_file: source.clone(),
            file_digest: self.file_digest,
            bytes: self.bytes,
            messages: self.messages,
            transactions: self.transactions,
            accepted: self.accepted,
            file_ok: self.file_ok,
            quarantine: self
                .quarantine
                .iter()
                .map(|(byte_offset, element_path, msg_id, reason)| Quarantined {
                    source_file: source.clone(),
                    byte_offset: *byte_offset,
                    element_path: element_path.clone(),
                    msg_id: msg_id.clone(),
                    reason: reason.clone(),
                })
                .collect(),
            checks,
        })
    }
}

/// Runs map unit `shard` of plan `digest`: reads the shard's files (checking each against
/// the digest the plan gives it) and stores the partial. Returns the partial's digest.
pub fn map(
    store: &Store,
    trust: &TrustSet,
    digest: &Digest,
    shard: usize,
) -> Result<Digest, JobError> {
    let plan = open_plan(store, trust, digest)?;
    shards::check_shard(digest, shard, plan.shards.len())?;
    let (first, end) = plan.shards[shard];
    let config = plan
        .config
        .netting_config()
        .ok_or_else(|| JobError::input("plan", "not a valid netting plan"))?;
    let staging = store.staging_dir()?;
    let inputs = &plan.inputs[first..end];
    let mut files = Vec::with_capacity(inputs.len());
    let mut _downloaded = Vec::new();
    for input in inputs {
        let path = if input.location.contains("://") {
            let found = crate::jobs::inputs::expand_inputs(
                &[PathBuf::from(&input.location)],
                &crate::jobs::PACS008_SUFFIXES,
            )?;
            let path = found
                .files
                .first()
                .map(|f| f.path.clone())
                .ok_or_else(|| JobError::input(&input.location, "no such object"))?;
            _downloaded.push(found);
            path
        } else {
            PathBuf::from(&input.location)
        };
        files.push(NamedFile::new(path, input.name.clone()));
    }
    // The shard's files are read in parallel and taken in order, as one machine does.
    let payments_path = staging.path().join("payments.arrow");
    let out =
        std::fs::File::create(&payments_path).map_err(|e| JobError::input(&payments_path, e))?;
    let mut writer = crate::jobs::shards::partial_stream_writer(
        std::io::BufWriter::new(out),
        &table::payments_schema(),
    )
    .map_err(|e| JobError::input(&payments_path, e))?;
    let mut parts = Vec::with_capacity(files.len());
    let limits = ordered::Limits {
        workers: rayon::current_num_threads(),
        memory_rows: 16 * BATCH_ROWS,
    };
    let read = |i: usize, out: &mut ordered::Emitter<'_, FileSummary, JobError>| {
        netting_run::read_one(&files[i], &config.read_limits, out)
    };
    ordered::read_in_order(
        files.len(),
        limits,
        table::payments_schema(),
        staging.path(),
        &read,
        &mut |i, outcome, batches| {
            let summary = outcome?;
            let planned = &inputs[i];
            if summary.file_digest != planned.digest {
                return Err(ShardError::plan(
                    digest,
                    format!(
                        "input {} ({}) changed since the plan: it hashes to {}, the plan says {}",
                        planned.name, planned.location, summary.file_digest, planned.digest
                    ),
                )
                .into());
            }
            let mut count = 0u32;
            if summary.file_ok {
                for batch in batches {
                    writer
                        .write(&batch?)
                        .map_err(|e| JobError::input(&payments_path, e))?;
                    count += 1;
                }
            }
            parts.push(FilePart::new(&summary, count));
            Ok(())
        },
    )?;
    writer
        .into_inner()
        .and_then(|w| {
            w.into_inner()
                .map_err(|e| arrow::error::ArrowError::IoError(e.to_string(), e.into_error()))
        })
        .map_err(|e| JobError::input(&payments_path, e))?;
    let (payments, _) = Digest::of_file(&payments_path)?;
    store.put_blob_file(&payments_path, &payments)?;
    let partial = Partial {
        files: parts,
        payments,
    };
    shards::store_partial(store, JOB, PARTIAL_KIND, digest, shard, &partial)
}

/// The merge of a sharded run, published like `mez netting run` (see [`crate::jobs::run`]).
#[derive(Debug, Clone, Copy)]
pub struct NettingMerge;

impl Job for NettingMerge {
    /// The plan's digest.
    type Params = Digest;
    /// The plan's conflict rule (what the held or netted conflicts of the summary mean).
    type Extra = ConflictRule;

    fn produce(ctx: &Context<'_>, digest: &Digest) -> Result<Produced<ConflictRule>, JobError> {
        let store = ctx.store;
        let plan = open_plan(store, &ctx.readers(), digest)?;
        let config = plan
            .config
            .netting_config()
            .ok_or_else(|| JobError::input("plan", "not a valid netting plan"))?;
        // Every partial is found and checked before anything is netted.
        let mut partials = Vec::with_capacity(plan.shards.len());
        for (shard, &(first, end)) in plan.shards.iter().enumerate() {
            let corrupt = |reason: String| ShardError::Corrupt {
                plan: *digest,
                shard,
                reason,
            };
            let partial: Partial = shards::load_partial(store, JOB, PARTIAL_KIND, digest, shard)?;
            let planned = &plan.inputs[first..end];
            let matches = partial.files.len() == planned.len()
                && partial
                    .files
                    .iter()
                    .zip(planned)
                    .all(|(f, p)| f.source_file == p.name && f.file_digest == p.digest);
            if !matches {
                return Err(corrupt("its files are not the shard's".into()).into());
            }
            partials.push((shard, partial));
        }
        let total: u64 = plan.inputs.iter().map(|i| i.bytes).sum();
        ctx.reporter
            .start("netting the partials", Some(total), "bytes");
        let file_count = plan.inputs.len();
        let files_read = AtomicUsize::new(file_count);
        netting_run::net_files(
            ctx,
            &config,
            &plan.chain,
            (&files_read, file_count),
            |consume| {
                for (shard, partial) in &partials {
                    let corrupt = |reason: String| ShardError::Corrupt {
                        plan: *digest,
                        shard: *shard,
                        reason,
                    };
                    let staging = store.staging_dir()?;
                    let mut blob = shards::open_blob(store, &partial.payments, staging.path())
                        .map_err(corrupt)?;
                    let mut stream = arrow::ipc::reader::StreamReader::try_new(&mut blob, None)
                        .map_err(|e| corrupt(e.to_string()))?;
                    for part in &partial.files {
                        let summary = part
                            .summary()
                            .ok_or_else(|| corrupt("an unknown header check".into()))?;
                        let mut batches = (&mut stream)
                            .take(part.batches as usize)
                            .map(|b| b.map_err(|e| JobError::from(corrupt(e.to_string()))));
                        let mut taken = 0u32;
                        let mut counted = std::iter::from_fn(|| {
                            let next = batches.next();
                            taken += u32::from(next.is_some());
                            next
                        });
                        consume(summary, &mut counted)?;
                        if part.file_ok && taken != part.batches {
                            return Err(corrupt(format!(
                                "{} holds {taken} payments batches, not {}",
                                part.source_file, part.batches
                            ))
                            .into());
                        }
                    }
                    drop(stream);
                    shards::check_blob(blob, &partial.payments).map_err(corrupt)?;
                }
                Ok(())
            },
        )
        .map(|produced| Produced {
            run: produced.run,
            tables: produced.tables,
            extra: config.conflicts,
        })
    }
}
