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

use crate::artifact::{self, RunDescription};
use crate::generators::SplitMix64;
use crate::jobs::{Context, Job, JobError, Produced};

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
pub fn generate(params: &DemoParams) -> Result<RecordBatch, JobError> {
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
    RecordBatch::try_new(
        transfers_schema(),
        vec![
            Arc::new(Int64Array::from_iter_values(0..n as i64)),
            Arc::new(Date32Array::from(vec![VALUE_DATE; n])),
            Arc::new(StringArray::from(currency)),
            Arc::new(StringArray::from(payer)),
            Arc::new(StringArray::from(payee)),
            Arc::new(Int64Array::from(amount)),
        ],
    )
    .map_err(|e| JobError::input("transfers", e))
}

/// Per-currency count and gross (sorted by currency), with checked sums.
pub fn totals(transfers: &RecordBatch) -> Result<RecordBatch, JobError> {
    let currency = transfers
        .column(2)
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| JobError::input("transfers", "currency is not Utf8"))?;
    let amount = transfers
        .column(5)
        .as_any()
        .downcast_ref::<Int64Array>()
        .ok_or_else(|| JobError::input("transfers", "amount_minor is not Int64"))?;
    let mut by_currency: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (c, a) in currency.iter().zip(amount.iter()) {
        let (Some(c), Some(a)) = (c, a) else { continue };
        let entry = by_currency.entry(c).or_default();
        entry.0 += 1;
        entry.1 = entry.1.checked_add(a).ok_or_else(|| {
            JobError::input("totals", format!("gross total of {c} overflows i64"))
        })?;
    }
    RecordBatch::try_new(
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
    )
    .map_err(|e| JobError::input("totals", e))
}

/// The demo job: generates the transfers, totals them, writes both tables.
#[derive(Debug, Clone, Copy)]
pub struct Demo;

impl Job for Demo {
    type Params = DemoParams;
    type Extra = ();

    fn produce(ctx: &Context<'_>, params: &DemoParams) -> Result<Produced<()>, JobError> {
        let transfers = generate(params)?;
        let totals = totals(&transfers)?;
        let tables = vec![
            artifact::write_table(ctx.store, "transfers", &transfers, &["id"])?,
            artifact::write_table(ctx.store, "totals", &totals, &["currency"])?,
        ];
        let mut run = RunDescription::new("demo", CHAIN);
        run.parameters = BTreeMap::from([
            ("transfers".to_owned(), serde_json::json!(params.transfers)),
            (
                "seed".to_owned(),
                serde_json::json!(params.seed.to_string()),
            ),
        ]);
        Ok(Produced {
            run,
            tables,
            extra: (),
        })
    }
}
