//! Tensor evaluation: entities × domains, columnar, with polars lazy joins.
//!
//! The evidence comes in as small tables — attestations per (entity, domain), licences per
//! holder, screening outcomes per entity — and the cells are their left joins onto the
//! cross product of entities and the registry's domains. The rules, in the order they
//! decide a cell:
//!
//! 1. a domain the zone does not list is `not_applicable` — unless the entity belongs to
//!    another (unknown) jurisdiction, where every domain applies;
//! 2. a screening `hit` makes `sanctions` `non_compliant`, whatever is attested (sanctions
//!    dominance; no exemption lifts it);
//! 3. otherwise the cell is the join (best) of its sources: attestations (a passing one past
//!    its expiry, or with an unreadable expiry, counts as `non_compliant`), licences for
//!    `licensing` (active and in force on the as-of date: `compliant`; `pending`: pending;
//!    anything else: `non_compliant`) and screening for `sanctions` (`review`: pending;
//!    screened without a match: compliant — only for an entity the screening covered, by
//!    id: an entity it never screened gets no screening source at all);
//! 4. a cell without any source is `pending` (fail closed).

use polars::prelude::*;

use super::State;
use crate::zone::domain_index;

/// When an attestation stops counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Never,
    /// Last day it counts (days since 1970-01-01).
    On(i32),
    /// The expiry could not be read: it counts as expired.
    Unreadable,
}

/// A claim that an entity is in a state for a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    pub entity_id: String,
    pub domain_index: u8,
    pub state: State,
    pub expires: Expiry,
}

/// A licence as the tensor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceFact {
    pub holder: String,
    pub status: String,
    pub valid_from: i32,
    pub valid_to: Option<i32>,
}

/// Everything a tensor is evaluated from.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// (entity id, its jurisdiction if not the zone's), unique ids.
    pub entities: Vec<(String, Option<String>)>,
    pub attestations: Vec<Attestation>,
    pub licences: Vec<LicenceFact>,
    /// `None` when no screening was given (sanctions then rests on attestations, or is
    /// pending); else the outcome per entity the screening covered: `NonCompliant` for a
    /// hit, `Pending` for a review, `Compliant` for screened without a match. An entity it
    /// does not list was not screened, and its sanctions cell has no screening source.
    pub screening: Option<Vec<(String, State)>>,
}

/// The zone and date a tensor is evaluated for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    pub jurisdiction_id: String,
    /// Canonical indices of the zone's domains.
    pub zone_domains: Vec<u8>,
    /// Domains of the registry version (20 or 23).
    pub registry_len: usize,
    /// Days since 1970-01-01.
    pub as_of: i32,
}

/// What decided a cell, by code.
pub const SOURCES: [&str; 7] = [
    "out_of_scope",
    "screening_hit",
    "no_evidence",
    "attestation",
    "licence",
    "screening",
    "not_screened",
];

/// The evaluated cells, sorted by (entity_id, jurisdiction_id, domain_index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cells {
    pub entity_id: Vec<String>,
    pub jurisdiction_id: Vec<String>,
    pub domain_index: Vec<u8>,
    pub state: Vec<State>,
    /// What decided the cell: one of [`SOURCES`].
    pub source: Vec<String>,
}

impl Cells {
    pub fn len(&self) -> usize {
        self.entity_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entity_id.is_empty()
    }
}

/// A slice of evaluated cells with entities by index into the sorted entity list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellSlice {
    pub entity: Vec<u32>,
    pub domain_index: Vec<u8>,
    pub state: Vec<State>,
    pub source: Vec<u8>,
}

const MISSING: i32 = -1;

/// An attestation with its entity coded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct CodedAttestation {
    entity: u32,
    domain: i32,
    claimed: i32,
    expires: Option<i32>,
    unreadable: bool,
}

/// The evidence with entities coded by their rank in id order, each list sorted by code, so
/// that any range of entities is evaluated on its own: cells of different entities never
/// depend on each other, and sorting by code is sorting by entity id. Memory is bounded by
/// the range, not by the tensor.
#[derive(Debug, Clone)]
pub struct Evaluator {
    spec: TensorSpec,
    /// (entity id, jurisdiction id), sorted by id.
    pub entities: Vec<(String, String)>,
    attestations: Vec<CodedAttestation>,
    licences: Vec<(u32, String, i32, Option<i32>)>,
    screening: Vec<(u32, i32)>,
    screened: bool,
}

fn frame(height: usize, columns: Vec<Column>) -> PolarsResult<LazyFrame> {
    Ok(DataFrame::new(height, columns)?.lazy())
}

/// The rows of `v` (sorted by code) whose code is in `lo..hi`.
fn range<T>(v: &[T], code: impl Fn(&T) -> u32, lo: u32, hi: u32) -> &[T] {
    let a = v.partition_point(|x| code(x) < lo);
    let b = v.partition_point(|x| code(x) < hi);
    &v[a..b]
}

/// Evaluates the whole tensor at once (tests, small tensors).
pub fn evaluate(spec: &TensorSpec, evidence: &Evidence) -> PolarsResult<Cells> {
    let e = Evaluator::new(spec, evidence);
    let all = e.chunk(0, e.entities.len() as u32)?;
    let mut out = Cells::default();
    for i in 0..all.entity.len() {
        let (id, jurisdiction) = &e.entities[all.entity[i] as usize];
        out.entity_id.push(id.clone());
        out.jurisdiction_id.push(jurisdiction.clone());
        out.domain_index.push(all.domain_index[i]);
        out.state.push(all.state[i]);
        out.source
            .push(SOURCES[usize::from(all.source[i])].to_owned());
    }
    Ok(out)
}

impl Evaluator {
    /// Codes the evidence; evidence about entities not in the entity list cannot change a
    /// cell and is left out.
    pub fn new(spec: &TensorSpec, evidence: &Evidence) -> Self {
        let mut entities: Vec<(String, String)> = evidence
            .entities
            .iter()
            .map(|(id, j)| {
                (
                    id.clone(),
                    j.clone().unwrap_or_else(|| spec.jurisdiction_id.clone()),
                )
            })
            .collect();
        entities.sort();
        entities.dedup_by(|a, b| a.0 == b.0);
        let code_of: std::collections::HashMap<&str, u32> = entities
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.as_str(), i as u32))
            .collect();
        let code = |id: &str| code_of.get(id).copied();
        let mut attestations: Vec<CodedAttestation> = evidence
            .attestations
            .iter()
            .filter_map(|x| {
                code(&x.entity_id).map(|entity| CodedAttestation {
                    entity,
                    domain: i32::from(x.domain_index),
                    claimed: i32::from(x.state.rank()),
                    expires: match x.expires {
                        Expiry::On(d) => Some(d),
                        _ => None,
                    },
                    unreadable: x.expires == Expiry::Unreadable,
                })
            })
            .collect();
        attestations.sort();
        let mut licences: Vec<(u32, String, i32, Option<i32>)> = evidence
            .licences
            .iter()
            .filter_map(|x| {
                code(&x.holder).map(|c| (c, x.status.clone(), x.valid_from, x.valid_to))
            })
            .collect();
        licences.sort();
        let mut screening: Vec<(u32, i32)> = evidence
            .screening
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter_map(|(id, state)| code(id).map(|c| (c, i32::from(state.rank()))))
            .collect();
        screening.sort();
        Evaluator {
            spec: spec.clone(),
            entities,
            attestations,
            licences,
            screening,
            screened: evidence.screening.is_some(),
        }
    }

    /// Number of cells of the whole tensor.
    pub fn cells(&self) -> usize {
        self.entities.len() * self.spec.registry_len
    }

    /// The cells of entities `lo..hi` (codes), sorted by (entity, domain).
    pub fn chunk(&self, lo: u32, hi: u32) -> PolarsResult<CellSlice> {
        let spec = &self.spec;
        let sanctions = i32::from(domain_index("sanctions").unwrap_or(2));
        let licensing = i32::from(domain_index("licensing").unwrap_or(8));
        let as_of = spec.as_of;
        let n = hi.saturating_sub(lo) as usize;
        let entity_frame = frame(
            n,
            vec![
                Column::new("entity".into(), (lo..hi).collect::<Vec<u32>>()),
                Column::new(
                    "foreign".into(),
                    self.entities[lo as usize..hi as usize]
                        .iter()
                        .map(|(_, j)| *j != spec.jurisdiction_id)
                        .collect::<Vec<bool>>(),
                ),
            ],
        )?;
        let domains = frame(
            spec.registry_len,
            vec![
                Column::new(
                    "domain_index".into(),
                    (0..spec.registry_len as i32).collect::<Vec<i32>>(),
                ),
                Column::new(
                    "in_zone".into(),
                    (0..spec.registry_len)
                        .map(|i| spec.zone_domains.iter().any(|d| usize::from(*d) == i))
                        .collect::<Vec<bool>>(),
                ),
            ],
        )?;
        let a = range(&self.attestations, |x| x.entity, lo, hi);
        let attestations = frame(
            a.len(),
            vec![
                Column::new(
                    "entity".into(),
                    a.iter().map(|x| x.entity).collect::<Vec<_>>(),
                ),
                Column::new(
                    "domain_index".into(),
                    a.iter().map(|x| x.domain).collect::<Vec<_>>(),
                ),
                Column::new(
                    "claimed".into(),
                    a.iter().map(|x| x.claimed).collect::<Vec<_>>(),
                ),
                Column::new(
                    "expires".into(),
                    a.iter().map(|x| x.expires).collect::<Vec<_>>(),
                ),
                Column::new(
                    "unreadable".into(),
                    a.iter().map(|x| x.unreadable).collect::<Vec<_>>(),
                ),
            ],
        )?
        .with_columns([when(
            col("claimed")
                .gt_eq(lit(i32::from(State::NotApplicable.rank())))
                .and(col("unreadable").or(col("expires").lt(lit(as_of)))),
        )
        .then(lit(i32::from(State::NonCompliant.rank())))
        .otherwise(col("claimed"))
        .alias("attested")])
        .group_by([col("entity"), col("domain_index")])
        .agg([col("attested").max()]);
        let l = range(&self.licences, |x| x.0, lo, hi);
        let licences = frame(
            l.len(),
            vec![
                Column::new("entity".into(), l.iter().map(|x| x.0).collect::<Vec<_>>()),
                Column::new(
                    "status".into(),
                    l.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "valid_from".into(),
                    l.iter().map(|x| x.2).collect::<Vec<_>>(),
                ),
                Column::new("valid_to".into(), l.iter().map(|x| x.3).collect::<Vec<_>>()),
            ],
        )?
        .with_columns([when(
            col("status")
                .eq(lit("active"))
                .and(col("valid_from").lt_eq(lit(as_of)))
                .and(
                    col("valid_to")
                        .is_null()
                        .or(col("valid_to").gt_eq(lit(as_of))),
                ),
        )
        .then(lit(i32::from(State::Compliant.rank())))
        .when(col("status").eq(lit("pending")))
        .then(lit(i32::from(State::Pending.rank())))
        .otherwise(lit(i32::from(State::NonCompliant.rank())))
        .alias("licensed")])
        .group_by([col("entity")])
        .agg([col("licensed").max()]);
        let sc = range(&self.screening, |x| x.0, lo, hi);
        let screening = frame(
            sc.len(),
            vec![
                Column::new("entity".into(), sc.iter().map(|x| x.0).collect::<Vec<_>>()),
                Column::new("screen".into(), sc.iter().map(|x| x.1).collect::<Vec<_>>()),
            ],
        )?
        .group_by([col("entity")])
        .agg([col("screen").min()]);
        let on = |names: &[&str]| names.iter().map(|n| col(*n)).collect::<Vec<_>>();
        let left = || JoinArgs::new(JoinType::Left);
        let source = |name: &str| lit(SOURCES.iter().position(|s| *s == name).unwrap_or(0) as i32);
        let hit = i32::from(State::NonCompliant.rank());
        let cells = entity_frame
            .cross_join(domains, None)
            .join(
                attestations,
                on(&["entity", "domain_index"]),
                on(&["entity", "domain_index"]),
                left(),
            )
            .join(licences, on(&["entity"]), on(&["entity"]), left())
            .join(screening, on(&["entity"]), on(&["entity"]), left())
            .with_columns([
                col("foreign").or(col("in_zone")).alias("applicable"),
                col("attested").fill_null(lit(MISSING)).alias("att"),
                when(col("domain_index").eq(lit(licensing)))
                    .then(col("licensed").fill_null(lit(MISSING)))
                    .otherwise(lit(MISSING))
                    .alias("lic"),
                when(col("domain_index").eq(lit(sanctions)))
                    .then(col("screen").fill_null(lit(MISSING)))
                    .otherwise(lit(MISSING))
                    .alias("scr"),
            ])
            .with_columns([polars::lazy::dsl::max_horizontal([
                col("att"),
                col("lic"),
                col("scr"),
            ])?
            .alias("best")])
            .with_columns([
                when(col("applicable").not())
                    .then(lit(i32::from(State::NotApplicable.rank())))
                    .when(col("scr").eq(lit(hit)))
                    .then(lit(hit))
                    .when(col("best").lt(lit(0)))
                    .then(lit(i32::from(State::Pending.rank())))
                    .otherwise(col("best"))
                    .alias("state"),
                when(col("applicable").not())
                    .then(source("out_of_scope"))
                    .when(col("scr").eq(lit(hit)))
                    .then(source("screening_hit"))
                    .when(
                        col("best")
                            .lt(lit(0))
                            .and(col("domain_index").eq(lit(sanctions)))
                            .and(lit(self.screened)),
                    )
                    .then(source("not_screened"))
                    .when(col("best").lt(lit(0)))
                    .then(source("no_evidence"))
                    .when(col("best").eq(col("att")))
                    .then(source("attestation"))
                    .when(col("best").eq(col("lic")))
                    .then(source("licence"))
                    .otherwise(source("screening"))
                    .alias("source"),
            ])
            .select([
                col("entity"),
                col("domain_index"),
                col("state"),
                col("source"),
            ])
            .sort(["entity", "domain_index"], SortMultipleOptions::default())
            .collect()?;
        let ints = |name: &str| -> PolarsResult<Vec<i64>> {
            let c = cells.column(name)?.cast(&DataType::Int64)?;
            Ok(c.i64()?
                .iter()
                .map(|v| v.unwrap_or(MISSING.into()))
                .collect())
        };
        let out_of_range = |what: &str| polars_err!(ComputeError: "{what} out of range");
        Ok(CellSlice {
            entity: ints("entity")?
                .into_iter()
                .map(|v| u32::try_from(v).map_err(|_| out_of_range("entity")))
                .collect::<PolarsResult<_>>()?,
            domain_index: ints("domain_index")?
                .into_iter()
                .map(|v| u8::try_from(v).map_err(|_| out_of_range("domain index")))
                .collect::<PolarsResult<_>>()?,
            state: ints("state")?
                .into_iter()
                .map(|v| {
                    u8::try_from(v)
                        .ok()
                        .and_then(State::from_rank)
                        .ok_or_else(|| out_of_range("state"))
                })
                .collect::<PolarsResult<_>>()?,
            source: ints("source")?
                .into_iter()
                .map(|v| {
                    u8::try_from(v)
                        .ok()
                        .filter(|s| usize::from(*s) < SOURCES.len())
                        .ok_or_else(|| out_of_range("source"))
                })
                .collect::<PolarsResult<_>>()?,
        })
    }
}
