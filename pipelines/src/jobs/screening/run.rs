//! `mez screen`: names (a CSV file, or the debtors and creditors of a netting run) screened
//! against sanctions lists (a published regpack, or list files read on the spot), published
//! as a signed `matches` table.
//!
//! Queries stream through in chunks of [`CHUNK`] rows, each chunk screened in parallel with
//! one [`Scratch`] per thread and written in input order (`query_row`; within a query, by
//! score descending, then list and entry id), so the table is the same bytes whatever the
//! thread count. A row that cannot be screened (no name, a broken CSV record)
//! goes to the `quarantine` table with its row and reason, and the run goes on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, RecordBatch, StringArray, StringBuilder, UInt32Builder, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ingest::pacs008::Quarantined;
use rayon::prelude::*;
use verify::Digest;
use verify::digest::HashingReader;
use verify::keys::TrustSet;
use verify::manifest::{Input, PackRef};
use verify::store::Store;

use super::{Hit, ListIndex, Query, Scratch, Thresholds, screen};
use crate::artifact::publish::{open_run, table_of, text_column, write_quarantine};
use crate::artifact::{self, RunDescription, TableWriter};
use crate::jobs::{Context, Job, JobError, Produced, inputs};

/// Queries screened per parallel chunk.
pub const CHUNK: usize = 16_384;

/// The longest name screened, in bytes: the list readers' own limit. Real names are far
/// shorter (a pacs.008 `Nm` holds 140 characters, the longest list names some 400); a
/// longer "name" is quarantined, not normalised and scored — a 100 MB CSV field would
/// otherwise take gigabytes.
pub const MAX_NAME_BYTES: usize = ingest::sanctions::MAX_NAME_BYTES;

/// Where the lists come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSource {
    /// A published regpack, by manifest digest.
    Regpack(Digest),
    /// List files in any supported format (as `mez regpack build --lists`), and whether an
    /// OFAC CSV may lack its add/alt files.
    Files {
        paths: Vec<PathBuf>,
        allow_missing_siblings: bool,
    },
}

/// Where the names come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuerySource {
    /// A CSV file with a header; `name_column` holds the names. Optional columns `id` (or
    /// `entity_id`), `dob` and `country` are used when present.
    Names { path: PathBuf, name_column: String },
    /// The debtor and creditor names of a netting run's `payments` table (manifest digest).
    Payments(Digest),
}

/// Parameters of a screening run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenParams {
    pub lists: ListSource,
    pub queries: QuerySource,
    pub thresholds: Thresholds,
}

/// A list index with what it was built from.
#[derive(Debug)]
pub struct LoadedLists {
    pub index: ListIndex,
    pub inputs: Vec<Input>,
    pub description: String,
}

fn input_error(path: impl Into<PathBuf>, reason: impl ToString) -> JobError {
    JobError::Input {
        path: path.into(),
        reason: reason.to_string(),
    }
}

/// Loads and indexes the lists.
pub fn load_lists(
    store: &Store,
    trust: &TrustSet,
    source: &ListSource,
) -> Result<LoadedLists, JobError> {
    match source {
        ListSource::Regpack(manifest) => {
            let entries = table_of(store, trust, manifest, "entries")?;
            let names = table_of(store, trust, manifest, "names")?;
            let index = ListIndex::from_tables(&entries, &names)
                .map_err(|e| input_error(manifest.to_string(), e))?;
            Ok(LoadedLists {
                index,
                inputs: vec![Input {
                    name: "regpack".into(),
                    digest: *manifest,
                    bytes: 0,
                }],
                description: manifest.to_string(),
            })
        }
        ListSource::Files {
            paths,
            allow_missing_siblings,
        } => {
            let given: Vec<_> = paths.iter().map(|p| inputs::given(p)).collect();
            let lists = crate::jobs::packs::regpack::read_lists(&given, *allow_missing_siblings)?;
            let index = ListIndex::from_tables(&lists.pack.entries, &lists.pack.names)
                .map_err(|e| input_error("lists", e))?;
            let inputs = lists.inputs;
            Ok(LoadedLists {
                index,
                inputs,
                description: "files".into(),
            })
        }
    }
}

/// Schema of the `matches` table.
pub fn matches_schema() -> SchemaRef {
    let text = |n: &str| Field::new(n, DataType::Utf8, false);
    Arc::new(Schema::new(vec![
        Field::new("query_row", DataType::UInt64, false),
        text("query_id"),
        text("query_name"),
        text("list"),
        text("entry_id"),
        text("entry_type"),
        text("matched_name"),
        text("matched_name_kind"),
        Field::new("name_score_bp", DataType::UInt32, false),
        Field::new("score_bp", DataType::UInt32, false),
        text("decision"),
        text("explanation"),
    ]))
}

/// The explanation of a hit, as compact JSON: the alias, token pairs with the rule that
/// matched each (exact, fuzzy, phonetic, nickname, initial, joined, split, legal_form,
/// legal_form_dropped, acronym, unmatched), the guard, whether the names' numbers differ,
/// and the evidence.
pub fn explanation(index: &ListIndex, hit: &Hit) -> String {
    let name = &index.names[hit.name as usize];
    let tokens: Vec<serde_json::Value> = hit
        .pairs
        .iter()
        .map(|p| {
            serde_json::json!({
                "query": p.query,
                "matched": p.candidate,
                "bp": p.similarity_bp,
                "rule": p.rule.as_str(),
            })
        })
        .collect();
    serde_json::json!({
        "alias": name.text,
        "alias_kind": name.kind,
        "name_score_bp": hit.name_score_bp,
        "weak_only_cap": hit.capped,
        "numbers_differ": hit.numbers_differ,
        "tokens": tokens,
        "evidence": hit.evidence,
    })
    .to_string()
}

/// Builds the `matches` rows of screened queries (`results[i]` belongs to `queries[i]`).
pub fn matches_batch(
    index: &ListIndex,
    first_row: u64,
    queries: &[Query],
    results: &[Vec<Hit>],
) -> Result<RecordBatch, JobError> {
    let mut row = UInt64Builder::new();
    let mut strings: Vec<StringBuilder> = (0..9).map(|_| StringBuilder::new()).collect();
    let (mut name_score, mut score) = (UInt32Builder::new(), UInt32Builder::new());
    for (i, (q, hits)) in queries.iter().zip(results).enumerate() {
        for h in hits {
            let entry = &index.entries[h.entry as usize];
            let name = &index.names[h.name as usize];
            row.append_value(first_row + i as u64);
            let values = [
                q.id.as_str(),
                q.name.as_str(),
                entry.list.as_str(),
                entry.source_uid.as_str(),
                entry.entry_type.as_str(),
                name.text.as_str(),
                name.kind.as_str(),
                h.decision.as_str(),
            ];
            for (b, v) in strings.iter_mut().zip(values) {
                b.append_value(v);
            }
            strings[8].append_value(explanation(index, h));
            name_score.append_value(h.name_score_bp);
            score.append_value(h.score_bp);
        }
    }
    let mut s = strings
        .into_iter()
        .map(|mut b| Arc::new(b.finish()) as ArrayRef);
    let mut next = || {
        s.next()
            .ok_or_else(|| input_error("matches", "column count"))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(row.finish()),
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        Arc::new(name_score.finish()),
        Arc::new(score.finish()),
        next()?,
        next()?,
    ];
    RecordBatch::try_new(matches_schema(), columns).map_err(|e| input_error("matches", e))
}

/// Screens a chunk of queries in parallel; results in query order.
pub fn screen_chunk(index: &ListIndex, queries: &[Query], thresholds: Thresholds) -> Vec<Vec<Hit>> {
    queries
        .par_iter()
        .map_init(Scratch::default, |scratch, q| {
            screen(index, q, thresholds, scratch)
        })
        .collect()
}

/// Queries read so far, and rows set aside.
pub(crate) struct QueryReader {
    pub quarantine: Vec<Quarantined>,
}

/// Which records of a names CSV to read: those from byte `start` (where record number
/// `first_row` begins; 0 for the first record after the header) to byte `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct CsvRange {
    pub start: u64,
    pub end: Option<u64>,
    pub first_row: u64,
}

/// The header of a names CSV and where its first record begins.
pub(crate) fn csv_header(path: &Path) -> Result<(csv::StringRecord, u64), JobError> {
    let file = std::fs::File::open(path).map_err(|e| input_error(path, e))?;
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::BufReader::new(file));
    let headers = csv.headers().map_err(|e| input_error(path, e))?.clone();
    Ok((headers, csv.position().byte()))
}

/// Reads a names CSV in chunks; `each` receives (first query number, queries). Returns the
/// digest and size of exactly the bytes read: the whole file, or with `range` the range's
/// bytes (from its start, or from the first record when it starts at 0, to its end).
pub(crate) fn read_names_csv(
    path: &Path,
    name_column: &str,
    range: Option<CsvRange>,
    reader_state: &mut QueryReader,
    each: &mut dyn FnMut(u64, Vec<Query>) -> Result<(), JobError>,
) -> Result<(Digest, u64), JobError> {
    use std::io::{Read, Seek};
    let (headers, base) = match range {
        None => (csv::StringRecord::new(), 0),
        Some(r) => {
            let (headers, first_record) = csv_header(path)?;
            (headers, r.start.max(first_record))
        }
    };
    let mut file = std::fs::File::open(path).map_err(|e| input_error(path, e))?;
    file.seek(std::io::SeekFrom::Start(base))
        .map_err(|e| input_error(path, e))?;
    let limited = file.take(
        range
            .and_then(|r| r.end)
            .map_or(u64::MAX, |e| e.saturating_sub(base)),
    );
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(range.is_none())
        .from_reader(HashingReader::new(std::io::BufReader::new(limited)));
    let headers = if range.is_none() {
        csv.headers().map_err(|e| input_error(path, e))?.clone()
    } else {
        headers
    };
    let column = |n: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(n))
    };
    let name_at = column(name_column).ok_or_else(|| {
        input_error(
            path,
            format!(
                "no column {name_column:?} (columns: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    let id_at = column("id").or_else(|| column("entity_id"));
    let (dob_at, country_at) = (column("dob"), column("country"));
    let source = inputs::given(path).name;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut first = 0u64;
    let mut record = csv::StringRecord::new();
    let mut row = range.map_or(0, |r| r.first_row);
    loop {
        let offset = base + csv.position().byte();
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                reader_state.quarantine.push(Quarantined {
                    source_file: source.clone(),
                    byte_offset: offset,
                    element_path: format!("row {}", row + 1),
                    msg_id: None,
                    reason: format!("unreadable CSV record: {e}"),
                });
                row += 1;
                continue;
            }
        }
        row += 1;
        let get = |at: Option<usize>| at.and_then(|i| record.get(i)).map(str::trim);
        let name = get(Some(name_at)).unwrap_or_default();
        let id = get(id_at)
            .filter(|s| !s.is_empty())
            .map_or_else(|| row.to_string(), str::to_owned);
        if name.len() > MAX_NAME_BYTES {
            reader_state.quarantine.push(Quarantined {
                source_file: source.clone(),
                byte_offset: offset,
                element_path: format!("row {row}/{name_column}"),
                msg_id: Some(id),
                reason: format!(
                    "a name of {} bytes, longer than the {MAX_NAME_BYTES} screened",
                    name.len()
                ),
            });
            continue;
        }
        if crate::jobs::screening::normalize(name).is_empty() {
            reader_state.quarantine.push(Quarantined {
                source_file: source.clone(),
                byte_offset: offset,
                element_path: format!("row {row}/{name_column}"),
                msg_id: Some(id),
                reason: if name.is_empty() {
                    "no name".into()
                } else {
                    format!("name {name:?} has no letters or digits to screen")
                },
            });
            continue;
        }
        let dob = get(dob_at).filter(|s| !s.is_empty());
        let country = get(country_at).filter(|s| !s.is_empty());
        chunk.push(Query::new(&id, name, dob, country));
        if chunk.len() == CHUNK {
            let n = chunk.len() as u64;
            each(first, std::mem::take(&mut chunk))?;
            first += n;
        }
    }
    if !chunk.is_empty() {
        each(first, chunk)?;
    }
    csv.into_inner().finish().map_err(|e| input_error(path, e))
}

/// The parties of a netting run's `payments`, each screened once: every distinct (name,
/// country) among debtors and creditors, ultimate debtors and creditors and the debtor and
/// creditor agents' names, in that order, with the id `party:` and the first
/// 16 hex digits of the SHA-256 of name, 0x1F, country (the same party has the same id in
/// every run). A party on a thousand payments is one query, not a thousand.
pub fn payment_queries(
    store: &Store,
    trust: &TrustSet,
    manifest: &Digest,
) -> Result<Vec<Query>, JobError> {
    let payments = table_of(store, trust, manifest, "payments")?;
    let text = |name: &str| text_column(&payments, "payments", name);
    let mut parties: BTreeSet<(String, String)> = BTreeSet::new();
    for (name_col, country_col) in [
        ("debtor_name", Some("debtor_country")),
        ("creditor_name", Some("creditor_country")),
        ("ultimate_debtor_name", None),
        ("ultimate_creditor_name", None),
        ("debtor_agent_name", None),
        ("creditor_agent_name", None),
    ] {
        let names = text(name_col)?;
        let countries = country_col.map(text).transpose()?;
        for i in 0..payments.num_rows() {
            if names.is_null(i) {
                continue;
            }
            let country = match &countries {
                Some(c) if !c.is_null(i) => c.value(i),
                _ => "",
            };
            parties.insert((names.value(i).to_owned(), country.to_owned()));
        }
    }
    Ok(parties
        .iter()
        .map(|(name, country)| {
            let key = Digest::of(format!("{name}\u{1f}{country}").as_bytes()).hex();
            let id = format!("party:{}", &key[..16]);
            Query::new(
                &id,
                name,
                None,
                (!country.is_empty()).then_some(country.as_str()),
            )
        })
        .collect())
}

/// Schema of the `coverage` table: every query id the run covered and how.
pub fn coverage_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("query_id", DataType::Utf8, false),
        Field::new("status", DataType::Utf8, false),
    ]))
}

/// The `coverage` table: each query id `screened`, or `quarantined` (its row could not be
/// screened), sorted by (query_id, status), once each.
fn coverage_batch(
    screened: Vec<String>,
    quarantine: &[Quarantined],
) -> Result<RecordBatch, JobError> {
    let mut rows: Vec<(String, &str)> = screened.into_iter().map(|id| (id, "screened")).collect();
    rows.extend(
        quarantine
            .iter()
            .filter_map(|q| q.msg_id.clone())
            .map(|id| (id, "quarantined")),
    );
    rows.sort();
    rows.dedup();
    RecordBatch::try_new(
        coverage_schema(),
        vec![
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| r.0.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
        ],
    )
    .map_err(|e| input_error("coverage", e))
}

/// What a screening run found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreenCounts {
    pub queries: u64,
    pub hits: u64,
    pub reviews: u64,
    pub queries_with_matches: u64,
}

impl ScreenCounts {
    /// Counts the results of screened queries.
    pub fn add(&mut self, results: &[Vec<Hit>]) {
        for hits in results {
            self.queries += 1;
            self.queries_with_matches += u64::from(!hits.is_empty());
            for h in hits {
                match h.decision {
                    crate::jobs::screening::Decision::Hit => self.hits += 1,
                    crate::jobs::screening::Decision::Review => self.reviews += 1,
                }
            }
        }
    }
}

/// Screens the names and writes `matches` and `quarantine` (published by
/// [`crate::jobs::run`]).
#[derive(Debug, Clone, Copy)]
pub struct Screening;

impl Job for Screening {
    type Params = ScreenParams;
    type Extra = ScreenCounts;

    fn produce(
        ctx: &Context<'_>,
        params: &ScreenParams,
    ) -> Result<Produced<ScreenCounts>, JobError> {
        let (store, reporter) = (ctx.store, ctx.reporter);
        let trust = ctx.readers();
        let lists = load_lists(store, &trust, &params.lists)?;
        let index = &lists.index;
        let staging = store.staging_dir()?;
        let matches_path = staging.path().join("matches.parquet");
        let mut writer =
            TableWriter::create(&matches_path, "matches", &matches_schema(), &["query_row"])?;
        let mut counts = ScreenCounts::default();
        let mut state = QueryReader { quarantine: vec![] };
        let mut inputs = lists.inputs.clone();
        // Every query id screened: the tensor counts an entity clear only when it is here.
        let mut screened: Vec<String> = Vec::new();
        let mut process = |first: u64, queries: Vec<Query>| -> Result<(), JobError> {
            screened.extend(queries.iter().map(|q| q.id.clone()));
            let results = screen_chunk(index, &queries, params.thresholds);
            counts.add(&results);
            writer.write(&matches_batch(index, first, &queries, &results)?)?;
            reporter.advance(queries.len() as u64);
            Ok(())
        };
        let mut parameters = BTreeMap::new();
        match &params.queries {
            QuerySource::Names { path, name_column } => {
                reporter.start("screening", None, "names");
                let (digest, bytes) =
                    read_names_csv(path, name_column, None, &mut state, &mut process)?;
                inputs.push(Input {
                    name: inputs::given(path).name,
                    digest,
                    bytes,
                });
                parameters.insert("name_column".to_owned(), serde_json::json!(name_column));
            }
            QuerySource::Payments(manifest) => {
                let queries = payment_queries(store, &trust, manifest)?;
                inputs.push(Input {
                    name: "payments".into(),
                    digest: *manifest,
                    bytes: 0,
                });
                reporter.start("screening", Some(queries.len() as u64), "names");
                let mut first = 0u64;
                let mut rest = queries;
                while !rest.is_empty() {
                    let tail = rest.split_off(rest.len().min(CHUNK));
                    let n = rest.len() as u64;
                    process(first, rest)?;
                    first += n;
                    rest = tail;
                }
            }
        }
        reporter.finish();
        let file = writer.finish()?;
        finish_run(
            ctx,
            &params.lists,
            &lists.description,
            &params.queries,
            params.thresholds,
            Screened {
                matches: file,
                counts,
                screened,
                quarantine: state.quarantine,
                inputs,
                parameters,
            },
        )
    }
}

/// What screening the queries produced, before the other tables are written.
pub(crate) struct Screened {
    pub matches: artifact::TableFile,
    pub counts: ScreenCounts,
    /// Every query id screened.
    pub screened: Vec<String>,
    pub quarantine: Vec<Quarantined>,
    /// The lists' inputs and the queries'.
    pub inputs: Vec<Input>,
    pub parameters: BTreeMap<String, serde_json::Value>,
}

/// Writes `coverage` and `quarantine` beside `matches` and describes the run: the part of a
/// screening run after screening, shared by the one-machine run and the merge of a sharded
/// one, so that both write the same bytes.
pub(crate) fn finish_run(
    ctx: &Context<'_>,
    lists: &ListSource,
    lists_description: &str,
    queries: &QuerySource,
    thresholds: Thresholds,
    screened: Screened,
) -> Result<Produced<ScreenCounts>, JobError> {
    let store = ctx.store;
    let trust = ctx.readers();
    let Screened {
        matches: file,
        counts,
        screened,
        mut quarantine,
        mut inputs,
        mut parameters,
    } = screened;
    let coverage = coverage_batch(screened, &quarantine)?;
    let written = vec![
        artifact::store_table_file(store, "matches", &file)?,
        artifact::write_table(store, "coverage", &coverage, &["query_id", "status"])?,
        write_quarantine(store, &mut quarantine, &inputs)?,
    ];
    parameters.insert(
        "review_bp".to_owned(),
        serde_json::json!(thresholds.review_bp),
    );
    parameters.insert("hit_bp".to_owned(), serde_json::json!(thresholds.hit_bp));
    parameters.insert("lists".to_owned(), serde_json::json!(lists_description));
    let mut semantic = BTreeMap::new();
    semantic.insert("queries".to_owned(), counts.queries.to_string());
    semantic.insert("hits".to_owned(), counts.hits.to_string());
    semantic.insert("reviews".to_owned(), counts.reviews.to_string());
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    let mut run = RunDescription::new("screening", "screening");
    run.parameters = parameters;
    run.inputs = inputs;
    run.quarantined = quarantine.len() as u64;
    run.semantic = semantic;
    if let ListSource::Regpack(manifest) = lists {
        run.packs.push(PackRef {
            name: "regpack".into(),
            digest: *manifest,
        });
        // A zone's screening is also its own ref, the tensor's evidence by default:
        // `runs/screening/latest` is anyone's latest (another zone's, payment parties).
        let chain = open_run(store, &trust, manifest)?.predicate.chain;
        if let Some(zone) = chain.strip_prefix("regpack-") {
            run.refs.push(format!("runs/screening/{zone}/latest"));
        }
    }
    if let QuerySource::Payments(manifest) = queries {
        run.packs.push(PackRef {
            name: "payments".into(),
            digest: *manifest,
        });
    }
    Ok(Produced {
        run,
        tables: written,
        extra: counts,
    })
}
