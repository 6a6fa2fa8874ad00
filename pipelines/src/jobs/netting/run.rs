//! The netting run: pacs.008 files in, signed netting artifacts out.
//!
//! Files are read in parallel, one reader thread per rayon thread; a refused file contributes no
//! payments, only a quarantine row. Everything written is sorted by a documented key, so the
//! artifacts do not depend on input order or thread count:
//!
//! - `payments` by (source_file, message_index, tx_index): `source_file` is the input's
//!   name relative to the root it was found under ([`crate::jobs::inputs`]), unique in a
//!   run, and this order lets a file's rows be encoded and netted while later files are
//!   still being read
//! - `quarantine` by (file_digest, source_file, byte_offset, element_path, reason)
//! - `header_checks` by (file_digest, source_file, message_index, check)
//! - the netting tables as documented in [`crate::jobs::netting`].
//!
//! Identity conflicts need the first payment of each conflicted identity back (see
//! [`netting::FirstsQuery`]): it is read from the `payments` file the run has just encoded,
//! only in a run that has conflicts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow::array::RecordBatch;
use ingest::pacs008::{self, FileSummary, HeaderCheck, Quarantined, table};
use verify::Digest;
use verify::manifest::Input;
use verify::store::Store;

use super::{LegsMode, NettingConfig, format_date};
use crate::artifact::{self, RunDescription, WrittenTable, ordered};
use crate::jobs::inputs::{self, NamedFile};
use crate::jobs::netting;
use crate::jobs::{Context, Job, JobError, Produced};
use crate::report::Reporter;

/// Parameters of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NettingParams {
    /// The pacs.008 files, named as the tables will name them (see [`crate::jobs::inputs`]).
    pub inputs: Vec<NamedFile>,
    pub config: NettingConfig,
    pub chain: String,
}

/// Rows per batch handed on by a reader.
pub(super) const BATCH_ROWS: usize = 8 * 1024;

/// Rows that finished files may hold in memory while earlier files are consumed (about
/// 100 MB of payments); the rest waits in temporary Arrow IPC files.
const MEMORY_ROWS: usize = 16 * BATCH_ROWS;

/// Reads one file, handing its payments on in batches of [`BATCH_ROWS`] straight from the
/// reader's Arrow builders. The `file_digest` column is filled when the batches are
/// consumed: the digest is known only once the whole file has been read.
pub(super) fn read_one(
    file: &NamedFile,
    limits: &pacs008::ReadLimits,
    out: &mut ordered::Emitter<'_, FileSummary, JobError>,
) -> Result<FileSummary, JobError> {
    let mut builder = table::PaymentsBuilder::default();
    let mut failure: Option<JobError> = None;
    let summary = pacs008::read_file_within(file, limits, &mut |p| {
        if failure.is_some() {
            return;
        }
        builder.append(p, "");
        if builder.len() == BATCH_ROWS
            && let Err(e) = builder
                .finish()
                .map_err(JobError::from)
                .and_then(|b| Ok(out.emit(b)?))
        {
            failure = Some(e);
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if summary.file_ok && !builder.is_empty() {
        out.emit(builder.finish()?)?;
    }
    Ok(summary)
}

/// Fills the empty `file_digest` column of a batch from [`read_one`].
pub(super) fn with_file_digest(
    batch: &RecordBatch,
    digest: &Digest,
) -> Result<RecordBatch, JobError> {
    let text = digest.to_string();
    let column: arrow::array::ArrayRef = Arc::new(arrow::array::StringArray::from_iter_values(
        std::iter::repeat_n(text.as_str(), batch.num_rows()),
    ));
    let mut columns = batch.columns().to_vec();
    columns[0] = column;
    RecordBatch::try_new(batch.schema(), columns).map_err(|e| JobError::Input {
        path: PathBuf::from("payments"),
        reason: e.to_string(),
    })
}

/// The tables of a run other than `payments`, written while `payments` is still encoded.
pub(super) struct OtherTables {
    tables: Vec<WrittenTable>,
    quarantined: u64,
    duplicates: usize,
    /// Payments of conflicted identities, and the identities.
    conflicting_payments: usize,
    conflicted_identities: usize,
}

/// The payments `query` wants, read back from the `payments` file at `path` (in canonical
/// order, as it was written).
pub(super) fn find_firsts(
    path: &Path,
    query: &netting::FirstsQuery,
) -> Result<Vec<netting::Obligation>, JobError> {
    let failed = |e: &dyn std::fmt::Display| JobError::input(path, e);
    let file = std::fs::File::open(path).map_err(|e| failed(&e))?;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| failed(&e))?
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| failed(&e))?;
    let mut firsts = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| failed(&e))?;
        netting::for_each_obligation(&batch, &mut |o| {
            if query.wants(&o) {
                firsts.push(o.to_owned());
            }
            Ok(())
        })?;
    }
    Ok(firsts)
}

/// Nets what was accumulated and writes every table but `payments`: the netting tables,
/// `quarantine` (reader rows plus payments netting set aside) and `header_checks`.
pub(super) fn write_other_tables(
    store: &Store,
    summaries: &[FileSummary],
    accumulator: netting::Accumulator,
    firsts: Vec<netting::Obligation>,
    reporter: &dyn Reporter,
) -> Result<OtherTables, JobError> {
    let digest_by_source: BTreeMap<&str, Digest> = summaries
        .iter()
        .map(|s| (s.source_file.as_str(), s.file_digest))
        .collect();
    let digest_of = |source: &str| {
        digest_by_source
            .get(source)
            .copied()
            .unwrap_or(Digest([0; 32]))
    };
    let result = accumulator.finish(firsts)?;
    let tables = netting::to_tables(&result)?;

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
            &a.source_file,
            a.byte_offset,
            &a.element_path,
            &a.reason,
        )
            .cmp(&(
                digest_of(&b.source_file),
                &b.source_file,
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
        (
            digest_of(&a.source_file),
            &a.source_file,
            a.message_index,
            a.check,
        )
            .cmp(&(
                digest_of(&b.source_file),
                &b.source_file,
                b.message_index,
                b.check,
            ))
    });
    let quarantine_batch = table::quarantine_batch(&quarantine, &digest_of)?;
    let checks_batch = table::header_checks_batch(&checks, &digest_of)?;

    // Nine tables: these eight, then `payments` once its encoder is done.
    reporter.start("writing artifacts", Some(9), "tables");
    let write = |name: &str, batch: &RecordBatch, key: &[&str]| -> Result<WrittenTable, JobError> {
        let written = artifact::write_table(store, name, batch, key)?;
        reporter.advance(1);
        Ok(written)
    };
    let written = vec![
        write(
            "bilateral",
            &tables.bilateral,
            &[
                "settlement_system",
                "value_date",
                "currency",
                "participant_a",
                "participant_b",
            ],
        )?,
        write(
            "multilateral",
            &tables.multilateral,
            &["settlement_system", "value_date", "currency", "participant"],
        )?,
        write(
            "legs",
            &tables.legs,
            &["settlement_system", "value_date", "currency", "leg"],
        )?,
        write(
            "efficiency",
            &tables.efficiency,
            &["settlement_system", "value_date", "currency"],
        )?,
        write("duplicates", &tables.duplicates, &["identity"])?,
        write(
            "conflicts",
            &tables.conflicts,
            &["identity", "source_file", "message_index", "tx_index"],
        )?,
        write(
            "quarantine",
            &quarantine_batch,
            &["file_digest", "byte_offset"],
        )?,
        write(
            "header_checks",
            &checks_batch,
            &["file_digest", "message_index", "check_name"],
        )?,
    ];
    Ok(OtherTables {
        tables: written,
        quarantined: quarantine.len() as u64,
        duplicates: result.duplicates.len(),
        conflicting_payments: result.conflicts.len(),
        conflicted_identities: result
            .conflicts
            .iter()
            .map(|r| r.payment.identity.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
    })
}

/// Runs the whole job (published by [`crate::jobs::run`]).
///
/// One pass, in memory bounded by batch size, not input size: files are read in parallel
/// and consumed in path order as each is finished (see [`crate::artifact::ordered`]), streaming into
/// the `payments` Parquet file and into the netting accumulator, which keeps only aggregates
/// and a 16-byte hash per payment identity.
#[derive(Debug, Clone, Copy)]
pub struct Netting;

impl Job for Netting {
    type Params = NettingParams;
    type Extra = ();

    fn produce(ctx: &Context<'_>, params: &NettingParams) -> Result<Produced<()>, JobError> {
        let files = inputs::unique_names(params.inputs.clone())?;
        let total: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(&f.path).ok())
            .map(|m| m.len())
            .sum();
        ctx.reporter
            .start("reading and netting pacs.008", Some(total), "bytes");
        let spill = ctx.store.staging_dir()?;
        let files_read = AtomicUsize::new(0);
        let limits = ordered::Limits {
            workers: rayon::current_num_threads(),
            memory_rows: MEMORY_ROWS,
        };
        // Files are read in parallel and consumed in input (path) order as each is finished.
        net_files(
            ctx,
            &params.config,
            &params.chain,
            (&files_read, files.len()),
            |consume| {
                let read = |i: usize, out: &mut ordered::Emitter<'_, FileSummary, JobError>| {
                    let read = read_one(&files[i], &params.config.read_limits, out);
                    files_read.fetch_add(1, Ordering::Release);
                    read
                };
                ordered::read_in_order(
                    files.len(),
                    limits,
                    table::payments_schema(),
                    spill.path(),
                    &read,
                    &mut |_, outcome, batches| {
                        consume(outcome?, &mut batches.map(|b| b.map_err(JobError::from)))
                    },
                )
            },
        )
    }
}

/// Takes one input file, in input order: its summary, then its payments batches as the
/// reader emitted them (the file digest not yet filled in).
pub(crate) type Consume<'a> = dyn FnMut(
        FileSummary,
        &mut dyn Iterator<Item = Result<RecordBatch, JobError>>,
    ) -> Result<(), JobError>
    + 'a;

/// What the `payments` encoder is sent: rows, or the end of a segment (see
/// [`netting::Segments`]).
enum ToEncoder {
    Rows(RecordBatch),
    EndRowGroup,
}

/// Hands a netting run's `payments` file, once its encoder is done (see [`net_and_encode`]).
pub(crate) type WaitForPayments<'a> = dyn FnMut() -> Result<artifact::TableFile, JobError> + 'a;

/// Nets the files `feed` hands on and encodes their payments into the `payments` file at
/// `payments_path`: the part of a netting run after reading, shared by the one-machine run
/// and the map units of a sharded one, so that both write the same bytes. `files_read`
/// counts the files whose reading is done, of how many: while readers keep every core
/// busy, `payments` is encoded on one thread, then on every core. `on_first` is told the
/// identity key and `payments` row of each payment netted first of its identity.
///
/// Once every batch is netted, `tail` gets the files' summaries and the accumulator, while
/// the encoder finishes `payments`; it may wait for the file (its last argument).
pub(crate) fn net_and_encode<T>(
    reporter: &dyn Reporter,
    config: &NettingConfig,
    (files_read, file_count): (&AtomicUsize, usize),
    payments_path: &Path,
    on_first: &mut dyn FnMut([u8; 16], u64),
    feed: impl FnOnce(&mut Consume<'_>) -> Result<(), JobError>,
    tail: impl FnOnce(
        Vec<FileSummary>,
        netting::Accumulator,
        &mut WaitForPayments<'_>,
    ) -> Result<T, JobError>,
) -> Result<(T, artifact::TableFile), JobError> {
    let payments_key = ["source_file", "message_index", "tx_index"];
    let payments_writer = artifact::TableWriter::create_with_distinct(
        payments_path,
        "payments",
        &table::payments_schema(),
        &payments_key,
        &table::PAYMENTS_DISTINCT_COLUMNS,
    )?;
    let mut accumulator = netting::Accumulator::new(*config);
    let mut segments = netting::Segments::new(config.segment_bytes);
    // This thread fills in the file digest, nets each batch and hands it on, through a
    // bounded channel, to the `payments` Parquet encoder. (The readers keep both cores
    // busy: netting on a thread of its own only added thread switches.) Once every batch is
    // netted, this thread runs `tail` while the encoder finishes `payments`.
    std::thread::scope(|scope| -> Result<_, JobError> {
        let (to_encoder, encoder_input) = std::sync::mpsc::sync_channel::<ToEncoder>(4);
        let encoder = scope.spawn(move || -> Result<artifact::TableFile, JobError> {
            let mut writer = payments_writer;
            for message in encoder_input {
                writer.set_parallel(files_read.load(Ordering::Acquire) == file_count);
                match message {
                    ToEncoder::Rows(batch) => writer.write(&batch)?,
                    ToEncoder::EndRowGroup => writer.end_row_group()?,
                }
            }
            writer.set_parallel(true);
            Ok(writer.finish()?)
        });
        let mut summaries: Vec<FileSummary> = Vec::with_capacity(file_count);
        let mut row = 0u64;
        let stopped = || JobError::Input {
            path: PathBuf::from("payments"),
            reason: "the payments encoder stopped".into(),
        };
        let mut consume = |summary: FileSummary,
                           batches: &mut dyn Iterator<Item = Result<RecordBatch, JobError>>|
         -> Result<(), JobError> {
            reporter.advance(summary.bytes);
            if summary.file_ok {
                for batch in batches {
                    let batch = with_file_digest(&batch?, &summary.file_digest)?;
                    netting::for_each_obligation(&batch, &mut |o| {
                        if let Some(key) = accumulator.add_noting_first(o)? {
                            on_first(key, row);
                        }
                        row += 1;
                        Ok(())
                    })?;
                    // The encoder stopped early: its error is reported below.
                    to_encoder
                        .send(ToEncoder::Rows(batch))
                        .map_err(|_| stopped())?;
                }
            }
            if segments.ends_after(summary.bytes) {
                to_encoder
                    .send(ToEncoder::EndRowGroup)
                    .map_err(|_| stopped())?;
            }
            summaries.push(summary);
            Ok(())
        };
        let fed = feed(&mut consume);
        drop(to_encoder);
        let mut encoder = PaymentsEncoder {
            thread: Some(encoder),
            file: None,
        };
        let done = fed.and_then(|()| {
            reporter.finish();
            tail(summaries, accumulator, &mut || encoder.wait())
        });
        let waited_in_tail = encoder.thread.is_none();
        match (done, encoder.wait()) {
            (Ok(done), Ok(file)) => Ok((done, file)),
            // The tail failed on the encoder's error, or on something of its own.
            (Err(e), _) if waited_in_tail => Err(e),
            // The encoder's own error says more than the one it caused here.
            (_, Err(e)) | (Err(e), Ok(_)) => Err(e),
        }
    })
}

/// The `payments` encoder's thread, and the file once it is done.
struct PaymentsEncoder<'scope> {
    thread: Option<std::thread::ScopedJoinHandle<'scope, Result<artifact::TableFile, JobError>>>,
    file: Option<artifact::TableFile>,
}

impl PaymentsEncoder<'_> {
    /// Waits for the encoder; its file, or why it failed (the first time asked).
    fn wait(&mut self) -> Result<artifact::TableFile, JobError> {
        if let Some(thread) = self.thread.take() {
            let file = thread.join().map_err(|_| JobError::Input {
                path: PathBuf::from("payments"),
                reason: "the Parquet encoder thread panicked".into(),
            })??;
            self.file = Some(file);
        }
        self.file.clone().ok_or_else(|| JobError::Input {
            path: PathBuf::from("payments"),
            reason: "the Parquet encoder failed".into(),
        })
    }
}

/// The one-machine run after reading: nets and encodes what `feed` hands on (see
/// [`net_and_encode`]) and writes every table.
fn net_files(
    ctx: &Context<'_>,
    config: &NettingConfig,
    chain: &str,
    files_read: (&AtomicUsize, usize),
    feed: impl FnOnce(&mut Consume<'_>) -> Result<(), JobError>,
) -> Result<Produced<()>, JobError> {
    let (store, reporter) = (ctx.store, ctx.reporter);
    let staging = store.staging_dir()?;
    let payments_path = staging.path().join("payments.parquet");
    let ((summaries, others), payments_file) = net_and_encode(
        reporter,
        config,
        files_read,
        &payments_path,
        &mut |_, _| {},
        feed,
        |summaries, accumulator, wait| {
            // Without identity conflicts (the usual run) the other tables are written while
            // the encoder finishes `payments`; with them, once it has, since the first
            // payments of the conflicted identities are read back from it.
            let firsts = if accumulator.has_conflicts() {
                find_firsts(&wait()?.path, &accumulator.firsts_query())?
            } else {
                Vec::new()
            };
            let others = write_other_tables(store, &summaries, accumulator, firsts, reporter)?;
            Ok((summaries, others))
        },
    )?;
    let payments = artifact::store_table_file(store, "payments", &payments_file)?;
    Ok(describe(
        config, chain, &summaries, payments, others, reporter,
    ))
}

/// A netting run's description, from its tables: what the one-machine run and the merge
/// of a sharded one both publish.
pub(super) fn describe(
    config: &NettingConfig,
    chain: &str,
    summaries: &[FileSummary],
    payments: WrittenTable,
    others: OtherTables,
    reporter: &dyn Reporter,
) -> Produced<()> {
    let OtherTables {
        tables: other_tables,
        quarantined,
        duplicates,
        conflicting_payments,
        conflicted_identities,
    } = others;
    let mut written = vec![payments];
    written.extend(other_tables);
    reporter.advance(1);
    reporter.finish();

    let mut parameters = BTreeMap::new();
    if let Some(d) = config.value_date {
        parameters.insert("value_date".to_owned(), serde_json::json!(format_date(d)));
    }
    parameters.insert(
        "legs".to_owned(),
        serde_json::json!(match config.legs {
            LegsMode::LargestFirst => "largest_first",
            LegsMode::LegacyById => "legacy_by_id",
        }),
    );
    parameters.insert("duplicates".to_owned(), serde_json::json!(duplicates));
    // Limits change what is refused, and the segment size where `payments` row groups
    // end: a run names those it was given (the defaults are the writer version's own).
    let (limits, defaults) = (config.read_limits, pacs008::ReadLimits::default());
    for (name, value, default) in [
        (
            "max_token",
            limits.max_token as u64,
            defaults.max_token as u64,
        ),
        (
            "max_field",
            limits.max_field as u64,
            defaults.max_field as u64,
        ),
        (
            "max_decompressed",
            limits.max_decompressed,
            defaults.max_decompressed,
        ),
        (
            "segment_bytes",
            config.segment_bytes,
            netting::SEGMENT_BYTES,
        ),
    ] {
        if value != default {
            parameters.insert(name.to_owned(), serde_json::json!(value));
        }
    }
    parameters.insert(
        "conflicts".to_owned(),
        serde_json::json!({
            "rule": config.conflicts.name(),
            "identities": conflicted_identities,
            "payments": conflicting_payments,
        }),
    );
    let mut run = RunDescription::new("netting", chain);
    run.latest = "runs/netting/latest".into();
    run.parameters = parameters;
    run.inputs = summaries
        .iter()
        .map(|s| Input {
            name: s.source_file.clone(),
            digest: s.file_digest,
            bytes: s.bytes,
        })
        .collect();
    run.quarantined = quarantined;
    Produced {
        run,
        tables: written,
        extra: (),
    }
}
