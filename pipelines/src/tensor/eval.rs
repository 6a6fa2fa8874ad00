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
//!    anything else: `non_compliant`) and screening for `sanctions` (`review`: pending; no
//!    match: compliant);
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
    /// pending); else (entity id, true for a hit / false for a review) per match.
    pub screening: Option<Vec<(String, bool)>>,
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
pub const SOURCES: [&str; 6] = [
    "out_of_scope",
    "screening_hit",
    "no_evidence",
    "attestation",
    "licence",
    "screening",
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

/// The evaluation's result: the entities (sorted by id, with their jurisdiction) and the
/// cells as an all-integer frame, sorted by (entity, domain), read out slice by slice.
#[derive(Debug)]
pub struct Evaluated {
    pub entities: Vec<(String, String)>,
    frame: DataFrame,
}

impl Evaluated {
    pub fn len(&self) -> usize {
        self.frame.height()
    }

    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }

    /// Cells `offset .. offset + len`.
    pub fn slice(&self, offset: usize, len: usize) -> PolarsResult<CellSlice> {
        let part = self.frame.slice(offset as i64, len);
        let ints = |name: &str| -> PolarsResult<Vec<i64>> {
            let c = part.column(name)?.cast(&DataType::Int64)?;
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

    /// Every cell with its strings (tests, small tensors).
    pub fn cells(&self) -> PolarsResult<Cells> {
        let all = self.slice(0, self.len())?;
        let mut out = Cells::default();
        for i in 0..all.entity.len() {
            let (id, jurisdiction) = &self.entities[all.entity[i] as usize];
            out.entity_id.push(id.clone());
            out.jurisdiction_id.push(jurisdiction.clone());
            out.domain_index.push(all.domain_index[i]);
            out.state.push(all.state[i]);
            out.source
                .push(SOURCES[usize::from(all.source[i])].to_owned());
        }
        Ok(out)
    }
}

const MISSING: i32 = -1;

fn frame(height: usize, columns: Vec<Column>) -> PolarsResult<LazyFrame> {
    Ok(DataFrame::new(height, columns)?.lazy())
}

/// Evaluates the tensor and returns every cell (see [`evaluate_frame`] for large tensors).
pub fn evaluate(spec: &TensorSpec, evidence: &Evidence) -> PolarsResult<Cells> {
    evaluate_frame(spec, evidence)?.cells()
}

/// Evaluates the tensor. Entities are coded by their rank in id order, so the joins run on
/// integers and sorting by code is sorting by entity id; evidence about entities not in the
/// entity list cannot change a cell and is left out.
pub fn evaluate_frame(spec: &TensorSpec, evidence: &Evidence) -> PolarsResult<Evaluated> {
    let sanctions = i32::from(domain_index("sanctions").unwrap_or(2));
    let licensing = i32::from(domain_index("licensing").unwrap_or(8));
    let as_of = spec.as_of;
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
    let n = entities.len();
    let entity_frame = frame(
        n,
        vec![
            Column::new("entity".into(), (0..n as u32).collect::<Vec<u32>>()),
            Column::new(
                "foreign".into(),
                entities
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
    let a: Vec<(u32, &Attestation)> = evidence
        .attestations
        .iter()
        .filter_map(|x| code(&x.entity_id).map(|c| (c, x)))
        .collect();
    let attestations = frame(
        a.len(),
        vec![
            Column::new("entity".into(), a.iter().map(|x| x.0).collect::<Vec<_>>()),
            Column::new(
                "domain_index".into(),
                a.iter()
                    .map(|x| i32::from(x.1.domain_index))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "claimed".into(),
                a.iter()
                    .map(|x| i32::from(x.1.state.rank()))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "expires".into(),
                a.iter()
                    .map(|x| match x.1.expires {
                        Expiry::On(d) => Some(d),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "unreadable".into(),
                a.iter()
                    .map(|x| x.1.expires == Expiry::Unreadable)
                    .collect::<Vec<_>>(),
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
    let l: Vec<(u32, &LicenceFact)> = evidence
        .licences
        .iter()
        .filter_map(|x| code(&x.holder).map(|c| (c, x)))
        .collect();
    let licences = frame(
        l.len(),
        vec![
            Column::new("entity".into(), l.iter().map(|x| x.0).collect::<Vec<_>>()),
            Column::new(
                "status".into(),
                l.iter().map(|x| x.1.status.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "valid_from".into(),
                l.iter().map(|x| x.1.valid_from).collect::<Vec<_>>(),
            ),
            Column::new(
                "valid_to".into(),
                l.iter().map(|x| x.1.valid_to).collect::<Vec<_>>(),
            ),
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
    let screened = evidence.screening.is_some();
    let s: Vec<(u32, bool)> = evidence
        .screening
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|(id, hit)| code(id).map(|c| (c, *hit)))
        .collect();
    let screening = frame(
        s.len(),
        vec![
            Column::new("entity".into(), s.iter().map(|x| x.0).collect::<Vec<_>>()),
            Column::new(
                "screen".into(),
                s.iter()
                    .map(|x| {
                        i32::from(if x.1 {
                            State::NonCompliant.rank()
                        } else {
                            State::Pending.rank()
                        })
                    })
                    .collect::<Vec<_>>(),
            ),
        ],
    )?
    .group_by([col("entity")])
    .agg([col("screen").min()]);
    let unscreened = if screened {
        i32::from(State::Compliant.rank())
    } else {
        MISSING
    };
    let on = |names: &[&str]| names.iter().map(|n| col(*n)).collect::<Vec<_>>();
    let left = || JoinArgs::new(JoinType::Left);
    let source = |name: &str| lit(SOURCES.iter().position(|s| *s == name).unwrap_or(0) as i32);
    let hit = i32::from(State::NonCompliant.rank());
    let frame = entity_frame
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
                .then(col("screen").fill_null(lit(unscreened)))
                .otherwise(lit(MISSING))
                .alias("scr"),
        ])
        .with_columns([
            polars::lazy::dsl::max_horizontal([col("att"), col("lic"), col("scr")])?.alias("best"),
        ])
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
    Ok(Evaluated { entities, frame })
}
