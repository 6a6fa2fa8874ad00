//! The demo job: a small generated day of transfers, written as signed artifacts.
//!
//! It exists so that a fresh clone shows the whole write path — deterministic Parquet,
//! content-addressed blobs, a DSSE manifest, a receipt and a checkpoint — in one command.
//! The data is generated from a seed with a fixed PRNG, so the same parameters always give
//! the same artifact digests (only the manifest, which carries the run time, changes).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Date32Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use verify::chain;
use verify::clock::Clock;
use verify::keys::{SecretKey, TrustSet};
use verify::manifest::{PARQUET_MEDIA_TYPE, RunRecord, Statement, Subject, Tool};
use verify::store::Store;

use crate::artifact::{self, ArtifactError, WrittenTable};
use crate::summary::RunSummary;

/// Chain the demo appends to.
pub const CHAIN: &str = "demo";

/// Parameters of the demo job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoParams {
    pub transfers: usize,
    pub seed: u64,
}

impl Default for DemoParams {
    fn default() -> Self {
        DemoParams {
            transfers: 10_000,
            seed: 42,
        }
    }
}

/// Errors of the demo job.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    #[error(transparent)]
    Verify(#[from] verify::Error),
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("gross total of {currency} overflows i64")]
    Overflow { currency: String },
}

/// SplitMix64: tiny, fixed, and the same on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by rejection so there is no modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % n;
            }
        }
    }
}

const BANKS: [&str; 6] = [
    "BANKAEADXXX",
    "BANKGB2LXXX",
    "BANKPKKAXXX",
    "BANKSGSGXXX",
    "BANKUS33XXX",
    "BANKKZKAXXX",
];
const CURRENCIES: [&str; 3] = ["AED", "SGD", "USD"];
/// 2026-11-23 as days since the Unix epoch.
const VALUE_DATE: i32 = 20_780;

fn transfers_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("value_date", DataType::Date32, false),
        Field::new("currency", DataType::Utf8, false),
        Field::new("payer", DataType::Utf8, false),
        Field::new("payee", DataType::Utf8, false),
        Field::new("amount_minor", DataType::Int64, false),
    ]))
}

fn totals_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("currency", DataType::Utf8, false),
        Field::new("transfers", DataType::Int64, false),
        Field::new("gross_minor", DataType::Int64, false),
    ]))
}

/// Generates the transfers table (sorted by `id`).
pub fn generate(params: &DemoParams) -> Result<RecordBatch, DemoError> {
    let mut rng = SplitMix64::new(params.seed);
    let n = params.transfers;
    let (mut currency, mut payer, mut payee, mut amount) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for _ in 0..n {
        let from = rng.below(BANKS.len() as u64) as usize;
        let to = (from + 1 + rng.below(BANKS.len() as u64 - 1) as usize) % BANKS.len();
        currency.push(CURRENCIES[rng.below(CURRENCIES.len() as u64) as usize]);
        payer.push(BANKS[from]);
        payee.push(BANKS[to]);
        amount.push(1 + rng.below(10_000_000) as i64);
    }
    Ok(RecordBatch::try_new(
        transfers_schema(),
        vec![
            Arc::new(Int64Array::from_iter_values(0..n as i64)),
            Arc::new(Date32Array::from(vec![VALUE_DATE; n])),
            Arc::new(StringArray::from(currency)),
            Arc::new(StringArray::from(payer)),
            Arc::new(StringArray::from(payee)),
            Arc::new(Int64Array::from(amount)),
        ],
    )?)
}

/// Per-currency count and gross (sorted by currency), with checked sums.
pub fn totals(transfers: &RecordBatch) -> Result<RecordBatch, DemoError> {
    let currency = transfers
        .column(2)
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| arrow::error::ArrowError::SchemaError("currency is not Utf8".into()))?;
    let amount = transfers
        .column(5)
        .as_any()
        .downcast_ref::<Int64Array>()
        .ok_or_else(|| arrow::error::ArrowError::SchemaError("amount_minor is not Int64".into()))?;
    let mut by_currency: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (c, a) in currency.iter().zip(amount.iter()) {
        let (Some(c), Some(a)) = (c, a) else { continue };
        let entry = by_currency.entry(c).or_default();
        entry.0 += 1;
        entry.1 = entry.1.checked_add(a).ok_or_else(|| DemoError::Overflow {
            currency: c.to_owned(),
        })?;
    }
    Ok(RecordBatch::try_new(
        totals_schema(),
        vec![
            Arc::new(StringArray::from_iter_values(by_currency.keys().copied())),
            Arc::new(Int64Array::from_iter_values(
                by_currency.values().map(|v| v.0),
            )),
            Arc::new(Int64Array::from_iter_values(
                by_currency.values().map(|v| v.1),
            )),
        ],
    )?)
}

/// Generates, writes and publishes the demo tables.
pub fn run(
    store: &Store,
    signer: &SecretKey,
    clock: &dyn Clock,
    params: &DemoParams,
) -> Result<(Vec<WrittenTable>, RunSummary), DemoError> {
    let transfers = generate(params)?;
    let totals = totals(&transfers)?;
    let tables = vec![
        artifact::write_table(
            store,
            "transfers",
            &transfers_schema(),
            &[transfers],
            &["id"],
        )?,
        artifact::write_table(store, "totals", &totals_schema(), &[totals], &["currency"])?,
    ];
    let subjects = tables
        .iter()
        .map(|t| Subject::new(&t.name, t.digest, PARQUET_MEDIA_TYPE, t.rows, t.bytes))
        .collect();
    let record = RunRecord {
        job: "demo".into(),
        chain: CHAIN.into(),
        tool: Tool {
            name: "mez".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        time: clock.now(),
        parameters: BTreeMap::from([
            ("transfers".to_owned(), serde_json::json!(params.transfers)),
            (
                "seed".to_owned(),
                serde_json::json!(params.seed.to_string()),
            ),
        ]),
        inputs: vec![],
        packs: vec![],
        quarantined: 0,
        semantic: BTreeMap::new(),
    };
    let statement = Statement::new(subjects, record)?;
    let publication = chain::publish(store, signer, &TrustSet::default(), clock, &statement)?;
    store.set_ref("runs/demo/latest", &publication.manifest)?;
    let summary = RunSummary::new("demo", &tables, 0, &publication);
    Ok((tables, summary))
}
