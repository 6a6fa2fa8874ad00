//! A screening run split over machines: a signed plan cuts the names into row ranges, each
//! map unit screens one range against the regpack (every unit reads the same index, from
//! the store by digest), and the merge writes the one `matches` table `mez screen` writes.
//!
//! Why the merge writes the same bytes: `matches` rows are numbered by query (`query_row`)
//! over the whole run, and the artifact writer re-slices rows into fixed batches, so the
//! table depends on the rows alone. A unit numbers its rows from 0; the merge shifts them
//! by the queries of the shards before it and hands everything else (coverage, quarantine,
//! the run's description) to the same code as one machine ([`super::run::finish_run`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{AsArray, RecordBatch, UInt64Array};
use arrow::datatypes::UInt64Type;
use ingest::pacs008::Quarantined;
use serde::{Deserialize, Serialize};
use verify::Digest;
use verify::keys::TrustSet;
use verify::manifest::Input;
use verify::store::Store;

use super::run::{
    self as screening_run, CHUNK, CsvRange, ListSource, QueryReader, QuerySource, ScreenCounts,
    Screened, matches_batch, matches_schema, screen_chunk,
};
use super::{Query, Thresholds};
use crate::artifact::TableWriter;
use crate::jobs::shards::{self, ShardError};
use crate::jobs::{Context, Job, JobError, Produced, inputs};

/// DSSE payload type of a plan.
pub const PLAN_TYPE: &str = "application/vnd.mez.screening-plan+json";
const PLAN_KIND: &str = "mez.screening.plan/v1";
const PARTIAL_KIND: &str = "mez.screening.partial/v1";
const JOB: &str = "screening";

/// Where the names come from, and how they are cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanQueries {
    /// A names CSV: each shard a range of its records, with the digest of that range's
    /// bytes (a unit reads only its range, and checks it).
    Names {
        name: String,
        location: String,
        digest: Digest,
        bytes: u64,
        name_column: String,
        ranges: Vec<(CsvRange, Digest)>,
    },
    /// The parties of a netting run: each shard a range of them (in the order
    /// [`super::run::payment_queries`] lists them).
    Payments {
        manifest: Digest,
        ranges: Vec<(usize, usize)>,
    },
}

/// A signed screening plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub kind: String,
    /// The regpack manifest every unit screens against.
    pub regpack: Digest,
    pub review_bp: u32,
    pub hit_bp: u32,
    pub queries: PlanQueries,
}

impl Plan {
    fn shards(&self) -> usize {
        match &self.queries {
            PlanQueries::Names { ranges, .. } => ranges.len(),
            PlanQueries::Payments { ranges, .. } => ranges.len(),
        }
    }

    fn thresholds(&self) -> Thresholds {
        Thresholds {
            review_bp: self.review_bp,
            hit_bp: self.hit_bp,
        }
    }
}

/// What a map unit wrote for its range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Partial {
    counts: (u64, u64, u64, u64),
    /// Every query id screened, in order.
    screened: Vec<String>,
    /// (source, byte offset, element path, query id, reason).
    quarantine: Vec<(String, u64, String, Option<String>, String)>,
    /// The Arrow IPC stream of the range's `matches` rows, numbered from 0.
    matches: Digest,
}

/// Plans a screening of `queries` against `regpack` in `shards` map units, signs it and
/// stores it. A names CSV is read once, to find where each range of records begins.
pub fn plan(
    ctx: &Context<'_>,
    regpack: &Digest,
    queries: &QuerySource,
    thresholds: Thresholds,
    shards: usize,
) -> Result<(Digest, Plan), JobError> {
    if shards == 0 {
        return Err(JobError::input("--shards", "must be at least 1"));
    }
    // The regpack must be one the units can read: a trusted run's.
    crate::artifact::publish::open_run(ctx.store, &ctx.readers(), regpack)?;
    let queries = match queries {
        QuerySource::Names { path, name_column } => {
            let (digest, bytes) = Digest::of_file(path)?;
            let (_, first_record) = screening_run::csv_header(path)?;
            // Every record's start, then ranges of about equal bytes.
            let file = std::fs::File::open(path).map_err(|e| JobError::input(path, e))?;
            let mut csv = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(std::io::BufReader::new(file));
            csv.headers().map_err(|e| JobError::input(path, e))?;
            let mut starts = Vec::new();
            let mut record = csv::ByteRecord::new();
            loop {
                let at = csv.position().byte();
                match csv.read_byte_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) | Err(_) => starts.push(at),
                }
            }
            let sizes: Vec<u64> = starts
                .iter()
                .zip(starts.iter().skip(1).chain(std::iter::once(&bytes)))
                .map(|(a, b)| b - a)
                .collect();
            let mut ranges = Vec::with_capacity(shards);
            for (first, end) in shards::bounds(&sizes, shards) {
                let start = starts
                    .get(first)
                    .copied()
                    .unwrap_or(bytes)
                    .max(first_record);
                let stop = starts.get(end).copied().unwrap_or(bytes);
                let range = CsvRange {
                    start,
                    end: Some(stop),
                    first_row: first as u64,
                };
                ranges.push((range, range_digest(path, start, stop)?));
            }
            PlanQueries::Names {
                name: inputs::given(path).name,
                location: std::path::absolute(path)
                    .map_err(|e| JobError::input(path, e))?
                    .to_string_lossy()
                    .into_owned(),
                digest,
                bytes,
                name_column: name_column.clone(),
                ranges,
            }
        }
        QuerySource::Payments(manifest) => {
            let parties = screening_run::payment_queries(ctx.store, &ctx.readers(), manifest)?;
            PlanQueries::Payments {
                manifest: *manifest,
                ranges: shards::bounds(&vec![1; parties.len()], shards),
            }
        }
    };
    let plan = Plan {
        kind: PLAN_KIND.into(),
        regpack: *regpack,
        review_bp: thresholds.review_bp,
        hit_bp: thresholds.hit_bp,
        queries,
    };
    let digest = shards::store_plan(ctx.store, ctx.signer, PLAN_TYPE, &plan)?;
    Ok((digest, plan))
}

/// SHA-256 of bytes `start..end` of a file.
fn range_digest(path: &std::path::Path, start: u64, end: u64) -> Result<Digest, JobError> {
    use std::io::{Read, Seek};
    let mut file = std::fs::File::open(path).map_err(|e| JobError::input(path, e))?;
    file.seek(std::io::SeekFrom::Start(start))
        .map_err(|e| JobError::input(path, e))?;
    let mut hashing = verify::digest::HashingReader::new(file.take(end - start));
    std::io::copy(&mut hashing, &mut std::io::sink()).map_err(|e| JobError::input(path, e))?;
    Ok(hashing.read_so_far().0)
}

/// Reads plan `digest`, signed by a key of `trust`.
pub fn open_plan(store: &Store, trust: &TrustSet, digest: &Digest) -> Result<Plan, ShardError> {
    let plan: Plan = shards::open_plan(store, trust, PLAN_TYPE, digest)?;
    if plan.kind != PLAN_KIND || plan.shards() == 0 {
        return Err(ShardError::plan(digest, "not a valid screening plan"));
    }
    Ok(plan)
}

/// Runs map unit `shard` of plan `digest`: screens its range and stores the partial.
pub fn map(
    store: &Store,
    trust: &TrustSet,
    digest: &Digest,
    shard: usize,
) -> Result<Digest, JobError> {
    let plan = open_plan(store, trust, digest)?;
    shards::check_shard(digest, shard, plan.shards())?;
    let lists = screening_run::load_lists(store, trust, &ListSource::Regpack(plan.regpack))?;
    let index = &lists.index;
    let staging = store.staging_dir()?;
    let path = staging.path().join("matches.arrow");
    let out = std::fs::File::create(&path).map_err(|e| JobError::input(&path, e))?;
    let mut writer =
        crate::jobs::shards::partial_stream_writer(std::io::BufWriter::new(out), &matches_schema())
            .map_err(|e| JobError::input(&path, e))?;
    let mut counts = ScreenCounts::default();
    let mut screened = Vec::new();
    let mut process = |first: u64, queries: Vec<Query>| -> Result<(), JobError> {
        screened.extend(queries.iter().map(|q| q.id.clone()));
        let results = screen_chunk(index, &queries, plan.thresholds());
        counts.add(&results);
        writer
            .write(&matches_batch(index, first, &queries, &results)?)
            .map_err(|e| JobError::input("matches", e))
    };
    let mut state = QueryReader { quarantine: vec![] };
    match &plan.queries {
        PlanQueries::Names {
            location,
            name_column,
            ranges,
            ..
        } => {
            let (range, expected) = ranges[shard];
            let (read, _) = screening_run::read_names_csv(
                &PathBuf::from(location),
                name_column,
                Some(range),
                &mut state,
                &mut process,
            )?;
            if read != expected {
                return Err(ShardError::plan(
                    digest,
                    format!("{location} changed since the plan (range {shard} hashes to {read})"),
                )
                .into());
            }
        }
        PlanQueries::Payments { manifest, ranges } => {
            let (first, end) = ranges[shard];
            let parties = screening_run::payment_queries(store, trust, manifest)?;
            let mine = parties
                .get(first..end)
                .ok_or_else(|| ShardError::plan(digest, "the payments hold fewer parties"))?;
            let mut done = 0u64;
            for chunk in mine.chunks(CHUNK) {
                process(done, chunk.to_vec())?;
                done += chunk.len() as u64;
            }
        }
    }
    writer.finish().map_err(|e| JobError::input(&path, e))?;
    drop(writer);
    let (matches, _) = Digest::of_file(&path)?;
    store.put_blob_file(&path, &matches)?;
    let partial = Partial {
        counts: (
            counts.queries,
            counts.hits,
            counts.reviews,
            counts.queries_with_matches,
        ),
        screened,
        quarantine: state
            .quarantine
            .into_iter()
            .map(|q| {
                (
                    q.source_file,
                    q.byte_offset,
                    q.element_path,
                    q.msg_id,
                    q.reason,
                )
            })
            .collect(),
        matches,
    };
    shards::store_partial(store, JOB, PARTIAL_KIND, digest, shard, &partial)
}

/// `batch` with `query_row` shifted by `offset`.
fn shifted(batch: &RecordBatch, offset: u64) -> Result<RecordBatch, String> {
    let rows = batch
        .column(0)
        .as_primitive_opt::<UInt64Type>()
        .ok_or("query_row is not UInt64")?;
    let moved: UInt64Array = rows.iter().map(|r| r.map(|r| r + offset)).collect();
    let mut columns = batch.columns().to_vec();
    columns[0] = Arc::new(moved);
    RecordBatch::try_new(batch.schema(), columns).map_err(|e| e.to_string())
}

/// The merge of a sharded screening, published like `mez screen` (see
/// [`crate::jobs::run`]).
#[derive(Debug, Clone, Copy)]
pub struct ScreeningMerge;

impl Job for ScreeningMerge {
    /// The plan's digest.
    type Params = Digest;
    type Extra = ScreenCounts;

    fn produce(ctx: &Context<'_>, digest: &Digest) -> Result<Produced<ScreenCounts>, JobError> {
        let store = ctx.store;
        let plan = open_plan(store, &ctx.readers(), digest)?;
        let partials = (0..plan.shards())
            .map(|shard| shards::load_partial(store, JOB, PARTIAL_KIND, digest, shard))
            .collect::<Result<Vec<Partial>, JobError>>()?;
        let staging = store.staging_dir()?;
        let path = staging.path().join("matches.parquet");
        let mut writer = TableWriter::create(&path, "matches", &matches_schema(), &["query_row"])?;
        let mut counts = ScreenCounts::default();
        let (mut screened, mut quarantine) = (Vec::new(), Vec::new());
        ctx.reporter.start(
            "merging screened ranges",
            Some(partials.len() as u64),
            "shards",
        );
        for (shard, partial) in partials.into_iter().enumerate() {
            let corrupt = |reason: String| ShardError::Corrupt {
                plan: *digest,
                shard,
                reason,
            };
            let mut blob =
                shards::open_blob(store, &partial.matches, staging.path()).map_err(corrupt)?;
            let mut stream = arrow::ipc::reader::StreamReader::try_new(&mut blob, None)
                .map_err(|e| corrupt(e.to_string()))?;
            for batch in &mut stream {
                let batch = batch.map_err(|e| corrupt(e.to_string()))?;
                writer.write(&shifted(&batch, counts.queries).map_err(corrupt)?)?;
            }
            drop(stream);
            shards::check_blob(blob, &partial.matches).map_err(corrupt)?;
            let (queries, hits, reviews, with_matches) = partial.counts;
            if partial.screened.len() as u64 != queries {
                return Err(corrupt("its counts disagree with its queries".into()).into());
            }
            counts.queries += queries;
            counts.hits += hits;
            counts.reviews += reviews;
            counts.queries_with_matches += with_matches;
            screened.extend(partial.screened);
            quarantine.extend(partial.quarantine.into_iter().map(
                |(source_file, byte_offset, element_path, msg_id, reason)| Quarantined {
                    source_file,
                    byte_offset,
                    element_path,
                    msg_id,
                    reason,
                },
            ));
            ctx.reporter.advance(1);
        }
        ctx.reporter.finish();
        let file = writer.finish()?;
        let lists = ListSource::Regpack(plan.regpack);
        let mut inputs = vec![Input {
            name: "regpack".into(),
            digest: plan.regpack,
            bytes: 0,
        }];
        let mut parameters = BTreeMap::new();
        let queries = match &plan.queries {
            PlanQueries::Names {
                name,
                location,
                digest,
                bytes,
                name_column,
                ..
            } => {
                inputs.push(Input {
                    name: name.clone(),
                    digest: *digest,
                    bytes: *bytes,
                });
                parameters.insert("name_column".to_owned(), serde_json::json!(name_column));
                QuerySource::Names {
                    path: PathBuf::from(location),
                    name_column: name_column.clone(),
                }
            }
            PlanQueries::Payments { manifest, .. } => {
                inputs.push(Input {
                    name: "payments".into(),
                    digest: *manifest,
                    bytes: 0,
                });
                QuerySource::Payments(*manifest)
            }
        };
        screening_run::finish_run(
            ctx,
            &lists,
            &plan.regpack.to_string(),
            &queries,
            plan.thresholds(),
            Screened {
                matches: file,
                counts,
                screened,
                quarantine,
                inputs,
                parameters,
            },
        )
    }
}
