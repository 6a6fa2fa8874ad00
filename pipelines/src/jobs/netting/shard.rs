//! A netting run split over machines: a signed *plan*, *map* units that each read one shard
//! (a contiguous range of the plan's input segments) into a *partial*, and one *merge* that
//! joins the partials into exactly the artifacts `mez netting run` writes on one machine.
//!
//! Why the merge writes the same bytes without redoing the work:
//! - `payments`: a map unit encodes its shard's rows itself, with the one-machine run's
//!   writer. Row groups end where input segments do ([`super::Segments`]), and a shard is
//!   whole segments, so every row group of the table is one of some shard's: the merge
//!   copies them in order ([`crate::artifact::splice`]).
//! - the netting tables: a map unit nets its shard and hands over its sums and lists; the
//!   merge adds them up and redoes only the identities seen in more than one shard, so
//!   duplicates and identity conflicts across shards are found as in one run
//!   ([`super::merge`]).
//! - `quarantine` and `header_checks` come from the files' summaries, kept in the partial.
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

use super::merge::{self, ShardState};
use super::run::{self as netting_run, BATCH_ROWS};
use super::{ConflictRule, LegsMode, NettingConfig, Obligation};
use crate::artifact::ordered;
use crate::jobs::inputs::NamedFile;
use crate::jobs::shards;
pub use crate::jobs::shards::ShardError;
use crate::jobs::{Context, Job, JobError, Produced};

/// DSSE payload type of a plan.
pub const PLAN_TYPE: &str = "application/vnd.mez.netting-plan+json";
const PLAN_KIND: &str = "mez.netting.plan/v2";
const PARTIAL_KIND: &str = "mez.netting.partial/v2";
/// The largest integer canonical JSON holds exactly (2^53 - 1).
const MAX_EXACT_JSON: u64 = (1 << 53) - 1;
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
    pub segment_bytes: u64,
}

/// A signed netting plan: the sorted inputs and the shard boundaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub kind: String,
    pub chain: String,
    pub config: PlanConfig,
    pub inputs: Vec<PlanInput>,
    /// Shard `i` reads inputs `shards[i].0 .. shards[i].1`: whole segments (some shards
    /// are empty when there are fewer segments than shards).
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
            segment_bytes: config.segment_bytes,
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
            segment_bytes: self.segment_bytes,
        })
    }
}

/// Plans a run over `files` (already named and sorted, see [`crate::jobs::inputs`]):
/// hashes every file, splits their segments into `shards` balanced by bytes, signs the
/// plan and stores it. `locations`
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
    // A plan is canonical JSON, whose numbers are exact only up to 2^53.
    for (flag, value) in [
        ("--segment-bytes", config.segment_bytes),
        ("--max-decompressed", config.read_limits.max_decompressed),
        ("--max-token", config.read_limits.max_token as u64),
        ("--max-field", config.read_limits.max_field as u64),
    ] {
        if value > MAX_EXACT_JSON {
            return Err(JobError::input(
                flag,
                format!("{value} is more than a plan can hold (at most {MAX_EXACT_JSON})"),
            ));
        }
    }
    // One file per task: sizes vary by orders of magnitude (bulk files and singles), and
    // rayon's default chunks left one thread hashing the large files alone.
    let hashed: Vec<Result<PlanInput, JobError>> = files
        .par_iter()
        .with_max_len(1)
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
    let segments = super::Segments::of(&sizes, config.segment_bytes);
    let segment_sizes: Vec<u64> = segments
        .iter()
        .map(|&(first, end)| sizes[first..end].iter().sum())
        .collect();
    let shards = shards::bounds(&segment_sizes, shards)
        .into_iter()
        .map(|(first, end)| {
            let file = |segment: usize| segments.get(segment).map_or(inputs.len(), |s| s.0);
            (file(first), file(end))
        })
        .collect();
    let plan = Plan {
        kind: PLAN_KIND.into(),
        chain: chain.into(),
        config: PlanConfig::new(config),
        shards,
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
    // Shards must be whole segments, or their row groups would not be the table's.
    let sizes: Vec<u64> = plan.inputs.iter().map(|i| i.bytes).collect();
    let starts: std::collections::BTreeSet<usize> =
        super::Segments::of(&sizes, plan.config.segment_bytes)
            .iter()
            .map(|s| s.0)
            .chain([plan.inputs.len()])
            .collect();
    if !plan.shards.iter().all(|s| starts.contains(&s.0)) {
        return Err(ShardError::plan(
            digest,
            "a shard starts inside an input segment",
        ));
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
}

/// What a map unit wrote for its shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Partial {
    files: Vec<FilePart>,
    /// The shard's rows of `payments`, as a Parquet file of whole row groups.
    payments: Digest,
    payments_rows: u64,
    /// The shard's identity list (see [`super::merge::IdentityRecord`]).
    identities: Digest,
    /// The shard's netting, before identity conflicts are settled.
    netting: ShardState,
    /// The first payments of the shard's conflicted identities.
    conflict_firsts: Vec<Obligation>,
}

impl FilePart {
    fn new(s: &FileSummary) -> Self {
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
/// the digest the plan gives it), nets them and encodes their payments, and stores the
/// partial. Returns the partial's digest.
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
    let limits = ordered::Limits {
        workers: rayon::current_num_threads(),
        memory_rows: 16 * BATCH_ROWS,
    };
    let files_read = AtomicUsize::new(0);
    let read = |i: usize, out: &mut ordered::Emitter<'_, FileSummary, JobError>| {
        let read = netting_run::read_one(&files[i], &config.read_limits, out);
        files_read.fetch_add(1, std::sync::atomic::Ordering::Release);
        read
    };
    let payments_path = staging.path().join("payments.parquet");
    let mut firsts: Vec<([u8; 16], u64)> = Vec::new();
    let reporter = crate::report::Silent;
    let ((summaries, netting, conflict_firsts), payments_file) = netting_run::net_and_encode(
        &reporter,
        &config,
        (&files_read, files.len()),
        &payments_path,
        &mut |key, row| firsts.push((key, row)),
        |consume| {
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
                    consume(summary, &mut batches.map(|b| b.map_err(JobError::from)))
                },
            )
        },
        |summaries, accumulator, wait| {
            let conflict_firsts = if accumulator.has_conflicts() {
                netting_run::find_firsts(&wait()?.path, &accumulator.firsts_query())?
            } else {
                Vec::new()
            };
            Ok((summaries, accumulator.into_shard_state(), conflict_firsts))
        },
    )?;
    let identities = merge::identity_list(firsts, &netting);
    let identities_path = staging.path().join("identities");
    let written = std::fs::File::create(&identities_path).and_then(|file| {
        let mut out = std::io::BufWriter::new(file);
        merge::write_identities(&mut out, &identities)?;
        std::io::Write::flush(&mut out)
    });
    written.map_err(|e| JobError::input(&identities_path, e))?;
    let (identities, _) = Digest::of_file(&identities_path)?;
    store.put_blob_file(&identities_path, &identities)?;
    store.put_blob_file(&payments_file.path, &payments_file.digest)?;
    let partial = Partial {
        files: summaries.iter().map(FilePart::new).collect(),
        payments: payments_file.digest,
        payments_rows: payments_file.rows,
        identities,
        netting,
        conflict_firsts,
    };
    shards::store_partial(store, JOB, PARTIAL_KIND, digest, shard, &partial)
}

/// The rows of a shard's `payments` file, from its footer.
fn payments_rows(path: &std::path::Path) -> Result<u64, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let metadata = parquet::file::metadata::ParquetMetaDataReader::new()
        .parse_and_finish(&file)
        .map_err(|e| format!("its payments are not a Parquet file: {e}"))?;
    u64::try_from(metadata.file_metadata().num_rows()).map_err(|e| e.to_string())
}

/// The payments at `rows` (sorted) of a shard's `payments` file.
fn payments_at(path: &std::path::Path, rows: &[u64]) -> Result<Vec<Obligation>, String> {
    use parquet::arrow::arrow_reader::{
        ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
    };
    use parquet::file::metadata::PageIndexPolicy;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(
        file,
        ArrowReaderOptions::new().with_offset_index_policy(PageIndexPolicy::Optional),
    )
    .map_err(|e| e.to_string())?;
    let total = usize::try_from(builder.metadata().file_metadata().num_rows())
        .map_err(|e| e.to_string())?;
    let mut ranges = Vec::with_capacity(rows.len());
    for &row in rows {
        let row = usize::try_from(row).map_err(|e| e.to_string())?;
        if row >= total {
            return Err(format!(
                "row {row} is past the {total} rows of its payments"
            ));
        }
        ranges.push(row..row + 1);
    }
    let reader = builder
        .with_row_selection(RowSelection::from_consecutive_ranges(
            ranges.into_iter(),
            total,
        ))
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| e.to_string())?;
    let mut found = Vec::with_capacity(rows.len());
    for batch in reader {
        let batch = batch.map_err(|e| e.to_string())?;
        super::for_each_obligation(&batch, &mut |o| {
            found.push(o.to_owned());
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    }
    if found.len() != rows.len() {
        return Err(format!("{} of {} rows found", found.len(), rows.len()));
    }
    Ok(found)
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
        let (store, reporter) = (ctx.store, ctx.reporter);
        let plan = open_plan(store, &ctx.readers(), digest)?;
        let config = plan
            .config
            .netting_config()
            .ok_or_else(|| JobError::input("plan", "not a valid netting plan"))?;
        let corrupt = |shard: usize, reason: String| -> JobError {
            ShardError::Corrupt {
                plan: *digest,
                shard,
                reason,
            }
            .into()
        };
        // Every partial is found and checked before anything is merged.
        let staging = store.staging_dir()?;
        let mut partials = Vec::with_capacity(plan.shards.len());
        let mut summaries = Vec::with_capacity(plan.inputs.len());
        for (shard, &(first, end)) in plan.shards.iter().enumerate() {
            let partial: Partial = shards::load_partial(store, JOB, PARTIAL_KIND, digest, shard)?;
            let planned = &plan.inputs[first..end];
            let matches = partial.files.len() == planned.len()
                && partial
                    .files
                    .iter()
                    .zip(planned)
                    .all(|(f, p)| f.source_file == p.name && f.file_digest == p.digest);
            if !matches {
                return Err(corrupt(shard, "its files are not the shard's".into()));
            }
            for part in &partial.files {
                summaries.push(
                    part.summary()
                        .ok_or_else(|| corrupt(shard, "an unknown header check".into()))?,
                );
            }
            let payments = shards::checked_blob_file(store, &partial.payments, staging.path())
                .map_err(|e| corrupt(shard, e))?;
            // Its footer is read now, so that a damaged file is named by its shard.
            let rows = payments_rows(&payments).map_err(|e| corrupt(shard, e))?;
            if rows != partial.payments_rows {
                return Err(corrupt(
                    shard,
                    format!(
                        "its payments hold {rows} rows, the partial says {}",
                        partial.payments_rows
                    ),
                ));
            }
            let identities = shards::checked_blob_file(store, &partial.identities, staging.path())
                .map_err(|e| corrupt(shard, e))?;
            partials.push((partial, payments, identities));
        }
        reporter.start("merging the partials", None, "");
        // `payments` is copied together from the shards' files while the netting is merged.
        let payments_parts: Vec<PathBuf> = partials.iter().map(|p| p.1.clone()).collect();
        let spliced_path = staging.path().join("payments.parquet");
        let (spliced, netted) = std::thread::scope(|scope| {
            let splicing = scope.spawn(|| {
                crate::artifact::splice(
                    &spliced_path,
                    "payments",
                    &table::payments_schema(),
                    &["source_file", "message_index", "tx_index"],
                    &table::PAYMENTS_DISTINCT_COLUMNS,
                    &payments_parts,
                )
            });
            let netted = merge_netting(&config, partials, &corrupt);
            let spliced = splicing.join().map_err(|_| JobError::Input {
                path: PathBuf::from("payments"),
                reason: "the splicing thread panicked".into(),
            });
            (spliced, netted)
        });
        let (accumulator, firsts) = netted?;
        let spliced = spliced??;
        reporter.finish();
        let others =
            netting_run::write_other_tables(store, &summaries, accumulator, firsts, reporter)?;
        let payments = crate::artifact::store_table_file(store, "payments", &spliced)?;
        let produced =
            netting_run::describe(&config, &plan.chain, &summaries, payments, others, reporter);
        Ok(Produced {
            run: produced.run,
            tables: produced.tables,
            extra: config.conflicts,
        })
    }
}

/// Nets the partials together (see [`super::merge`]): the accumulator and the first
/// payments its `finish` wants.
fn merge_netting(
    config: &NettingConfig,
    partials: Vec<(Partial, PathBuf, PathBuf)>,
    corrupt: &dyn Fn(usize, String) -> JobError,
) -> Result<(super::Accumulator, Vec<Obligation>), JobError> {
    let mut lists = Vec::with_capacity(partials.len());
    for (shard, (_, _, identities)) in partials.iter().enumerate() {
        let file = std::fs::File::open(identities).map_err(|e| corrupt(shard, e.to_string()))?;
        lists.push(merge::IdentityReader::new(
            std::io::BufReader::with_capacity(1 << 20, file),
        ));
    }
    let shared = merge::shared_identities(&mut lists).map_err(|(shard, e)| corrupt(shard, e))?;
    // The rows of each shard's netted first payments of shared identities, in one pass.
    let mut rows_of: Vec<Vec<u64>> = vec![Vec::new(); partials.len()];
    for (shard, row) in shared.values().flatten() {
        if let (Some(rows), Some(row)) = (rows_of.get_mut(*shard), row) {
            rows.push(*row);
        }
    }
    let mut shards = Vec::with_capacity(partials.len());
    for ((shard, (partial, payments, _)), mut rows) in partials.into_iter().enumerate().zip(rows_of)
    {
        rows.sort_unstable();
        let netted_shared = payments_at(&payments, &rows).map_err(|e| corrupt(shard, e))?;
        shards.push(merge::ShardNetting {
            state: partial.netting,
            firsts: partial.conflict_firsts,
            netted_shared,
        });
    }
    Ok(merge::merge_shards(config, &shared, shards)?)
}
