//! `mez tensor eval` and `mez tensor prove`: the compliance tensor of a zone's entities as a
//! signed `tensor` table whose cells' Merkle root is in the manifest, and inclusion proofs
//! of single cells that `mez log verify-inclusion` checks.
//!
//! Inputs are CSV files with a header: entities (`entity_id`, optional `jurisdiction_id`
//! and `name`), attestations (`entity_id`, `domain`, `state`, optional `expires`), a
//! licence register (see `ingest::licences`), and optionally a screening run's `matches`
//! (its `query_id` is the entity id). Rows that cannot be used go to `quarantine` with the
//! reason; the run goes on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, Date32Array, RecordBatch, StringArray, UInt8Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use rayon::prelude::*;
use verify::Digest;
use verify::manifest::{Input, PackRef};
use verify::merkle::{self, Hash};

use super::eval::{self, CellSlice, Evidence, LicenceFact, TensorSpec};
use super::evidence::{read_attestations, read_entities, screening_of};
use super::{State, leaf_bytes};
use crate::artifact::publish::write_quarantine;
use crate::artifact::{self, RunDescription, TableWriter};
use crate::jobs::inputs::{self, NamedFile};
use crate::jobs::{Context, Job, JobError, Produced};
use crate::zone::{self, DOMAINS, LoadedZone};

/// Rows per Arrow batch written.
const BATCH: usize = 1 << 20;

/// Parameters of a tensor evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorParams {
    pub zone: PathBuf,
    pub entities: PathBuf,
    pub attestations: Option<PathBuf>,
    pub licences: Option<PathBuf>,
    /// A screening run against the zone's regpack (see [`super::evidence::screening_of`]).
    pub screening: Option<Digest>,
    /// Days since 1970-01-01.
    pub as_of: i32,
    /// How many days before the as-of date a screening may have run for its clears to
    /// count.
    pub screening_max_age_days: i32,
}

/// The default of [`TensorParams::screening_max_age_days`].
pub const SCREENING_MAX_AGE_DAYS: i32 = 30;

pub(super) fn input_error(path: impl Into<PathBuf>, reason: impl ToString) -> JobError {
    JobError::Input {
        path: path.into(),
        reason: reason.to_string(),
    }
}

/// A file given as evidence of one kind, named `<role>/<base name>`: the entities,
/// attestations and licence register of a zone are often files of one name in folders of
/// their kind (`entities/sg.csv`, `attestations/sg.csv`), and each must keep its own name in
/// the manifest and the quarantine table.
fn role(role: &str, path: &Path) -> NamedFile {
    let file = inputs::given(path);
    NamedFile::new(file.path, format!("{role}/{}", file.name))
}

/// Schema of the `tensor` table.
pub fn tensor_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("entity_id", DataType::Utf8, false),
        Field::new("jurisdiction_id", DataType::Utf8, false),
        Field::new("domain", DataType::Utf8, false),
        Field::new("domain_index", DataType::UInt8, false),
        Field::new("as_of", DataType::Date32, false),
        Field::new("state", DataType::Utf8, false),
        Field::new("source", DataType::Utf8, false),
    ]))
}

/// The leaf hashes of a slice of cells, in order.
pub fn leaf_hashes(entities: &[(String, String)], cells: &CellSlice, as_of: i32) -> Vec<Hash> {
    (0..cells.entity.len())
        .into_par_iter()
        .map(|i| {
            let (id, jurisdiction) = &entities[cells.entity[i] as usize];
            merkle::leaf_hash(&leaf_bytes(
                id,
                jurisdiction,
                cells.domain_index[i],
                as_of,
                cells.state[i],
            ))
        })
        .collect()
}

fn batch(
    entities: &[(String, String)],
    cells: &CellSlice,
    as_of: i32,
) -> Result<RecordBatch, JobError> {
    let entity = |i: usize| &entities[cells.entity[i] as usize];
    let n = cells.entity.len();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values((0..n).map(|i| &entity(i).0))),
        Arc::new(StringArray::from_iter_values((0..n).map(|i| &entity(i).1))),
        Arc::new(StringArray::from_iter_values(
            cells.domain_index.iter().map(|d| DOMAINS[usize::from(*d)]),
        )),
        Arc::new(UInt8Array::from_iter_values(
            cells.domain_index.iter().copied(),
        )),
        Arc::new(Date32Array::from_iter_values((0..n).map(|_| as_of))),
        Arc::new(StringArray::from_iter_values(
            cells.state.iter().map(|s| s.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            cells.source.iter().map(|s| eval::SOURCES[usize::from(*s)]),
        )),
    ];
    RecordBatch::try_new(tensor_schema(), columns).map_err(|e| input_error("tensor", e))
}

/// What an evaluation found, per domain: (domain, state) → cells.
pub type StateCounts = BTreeMap<(u8, State), u64>;

/// Evaluates a zone's tensor and writes it (published by [`crate::jobs::run`]).
#[derive(Debug, Clone, Copy)]
pub struct Tensor;

impl Job for Tensor {
    type Params = TensorParams;
    type Extra = StateCounts;

    fn produce(
        ctx: &Context<'_>,
        params: &TensorParams,
    ) -> Result<Produced<StateCounts>, JobError> {
        let store = ctx.store;
        let LoadedZone { zone, bytes, .. } =
            zone::load(&params.zone).map_err(|e| input_error(&params.zone, e.reason))?;
        let registry_len = zone::registry_len(zone.registry_version)
            .ok_or_else(|| input_error(&params.zone, "unknown registry version"))?;
        let mut inputs = vec![Input {
            name: role("zone", &params.zone).name,
            digest: Digest::of(&bytes),
            bytes: bytes.len() as u64,
        }];
        let mut add_input = |file: &NamedFile, (digest, bytes): (Digest, u64)| {
            inputs.push(Input {
                name: file.name.clone(),
                digest,
                bytes,
            });
        };
        let entities_file = role("entities", &params.entities);
        let (entities, mut quarantine, read) = read_entities(&entities_file)?;
        add_input(&entities_file, read);
        let mut evidence = Evidence {
            entities,
            ..Evidence::default()
        };
        if let Some(path) = &params.attestations {
            let file = role("attestations", path);
            let (a, q, read) = read_attestations(&file)?;
            add_input(&file, read);
            evidence.attestations = a;
            quarantine.extend(q);
        }
        if let Some(path) = &params.licences {
            let file = role("licences", path);
            let (register, read) = inputs::read_unchanged(std::slice::from_ref(&file), || {
                Ok(ingest::licences::read_licence_register(&file)?)
            })?;
            add_input(&file, read[0]);
            evidence.licences = register
                .licences
                .into_iter()
                .map(|l| LicenceFact {
                    holder: l.holder,
                    status: l.status,
                    valid_from: l.valid_from,
                    valid_to: l.valid_to,
                })
                .collect();
            quarantine.extend(register.quarantine);
        }
        let mut screening_note: Option<String> = None;
        if let Some(manifest) = &params.screening {
            inputs.push(Input {
                name: "screening".into(),
                digest: *manifest,
                bytes: 0,
            });
            let screening = screening_of(
                store,
                &ctx.readers(),
                manifest,
                &zone.zone_id,
                params.as_of,
                params.screening_max_age_days,
            )?;
            screening_note = Some(
                screening
                    .unusable
                    .clone()
                    .unwrap_or_else(|| "usable".to_owned()),
            );
            evidence.screening = Some(screening.outcomes);
        }
        let spec = TensorSpec {
            jurisdiction_id: zone.jurisdiction_id.clone(),
            zone_domains: zone.domain_indices(),
            registry_len,
            as_of: params.as_of,
        };
        let evaluator = eval::Evaluator::new(&spec, &evidence);
        drop(evidence);
        let staging = store.staging_dir()?;
        let path = staging.path().join("tensor.parquet");
        let mut writer = TableWriter::create(
            &path,
            "tensor",
            &tensor_schema(),
            &["entity_id", "jurisdiction_id", "domain_index", "as_of"],
        )?;
        let mut counts = StateCounts::new();
        let mut tree = merkle::Mmr::new();
        let entities = evaluator.entities.len();
        let per_chunk = (BATCH / registry_len.max(1)).max(1);
        let mut lo = 0usize;
        while lo < entities {
            let hi = (lo + per_chunk).min(entities);
            let cells = evaluator
                .chunk(lo as u32, hi as u32)
                .map_err(|e| input_error("tensor", e))?;
            for (d, s) in cells.domain_index.iter().zip(&cells.state) {
                *counts.entry((*d, *s)).or_default() += 1;
            }
            for leaf in leaf_hashes(&evaluator.entities, &cells, params.as_of) {
                tree.append_leaf_hash(leaf);
            }
            writer.write(&batch(&evaluator.entities, &cells, params.as_of)?)?;
            lo = hi;
        }
        let cell_count = evaluator.cells();
        let file = writer.finish()?;
        let written = vec![
            artifact::store_table_file(store, "tensor", &file)?,
            write_quarantine(store, &mut quarantine, &inputs)?,
        ];
        let chain = format!("tensor-{}", zone.zone_id);
        verify::receipt::check_chain_id(&chain)?;
        let mut parameters = BTreeMap::new();
        parameters.insert("zone".to_owned(), serde_json::json!(zone.zone_id));
        parameters.insert(
            "as_of".to_owned(),
            serde_json::json!(iso_date(params.as_of)),
        );
        parameters.insert(
            "screening_max_age_days".to_owned(),
            serde_json::json!(params.screening_max_age_days),
        );
        if let Some(note) = &screening_note {
            parameters.insert("screening_evidence".to_owned(), serde_json::json!(note));
        }
        parameters.insert(
            "registry_version".to_owned(),
            serde_json::json!(zone.registry_version),
        );
        let mut semantic = BTreeMap::new();
        semantic.insert(
            "tensor_merkle_root".to_owned(),
            format!("sha256:{}", hex::encode(tree.root())),
        );
        semantic.insert("cells".to_owned(), cell_count.to_string());
        inputs.sort_by(|a, b| a.name.cmp(&b.name));
        let mut run = RunDescription::new("tensor", &chain);
        run.parameters = parameters;
        run.inputs = inputs;
        run.quarantined = quarantine.len() as u64;
        run.semantic = semantic;
        if let Some(manifest) = &params.screening {
            run.packs.push(PackRef {
                name: "screening".into(),
                digest: *manifest,
            });
        }
        Ok(Produced {
            run,
            tables: written,
            extra: counts,
        })
    }
}

/// `YYYY-MM-DD` of days since 1970-01-01.
pub fn iso_date(days: i32) -> String {
    arrow::temporal_conversions::date32_to_datetime(days)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| days.to_string())
}
