//! Netting results as Arrow tables, and obligations read from a `payments` table.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow::datatypes::{
    DataType, Date32Type, Field, Int64Type, Schema, SchemaRef, UInt32Type, UInt64Type,
};

use super::{Duplicate, NettingError, NettingResult, Obligation, ObligationRef};

/// The netting tables of one run.
#[derive(Debug, Clone)]
pub struct NettingTables {
    pub bilateral: RecordBatch,
    pub multilateral: RecordBatch,
    pub legs: RecordBatch,
    pub efficiency: RecordBatch,
    pub duplicates: RecordBatch,
}

fn schema_err(e: impl ToString) -> NettingError {
    NettingError::Schema(e.to_string())
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef, NettingError> {
    batch
        .column_by_name(name)
        .ok_or_else(|| NettingError::Schema(format!("missing column {name}")))
}

fn utf8<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a StringArray, NettingError> {
    column(batch, name)?
        .as_string_opt::<i32>()
        .ok_or_else(|| NettingError::Schema(format!("column {name} is not Utf8")))
}

fn text(a: &StringArray, i: usize) -> &str {
    if a.is_null(i) { "" } else { a.value(i) }
}

/// Reads obligations from `payments` batches (the ingest schema).
pub fn obligations(batches: &[RecordBatch]) -> Result<Vec<Obligation>, NettingError> {
    let mut out = Vec::new();
    for b in batches {
        for_each_obligation(b, &mut |o| {
            out.push(o.to_owned());
            Ok(())
        })?;
    }
    Ok(out)
}

/// Calls `f` with the obligation of every row of a `payments` batch, in row order.
pub fn for_each_obligation(
    b: &RecordBatch,
    f: &mut dyn FnMut(ObligationRef<'_>) -> Result<(), NettingError>,
) -> Result<(), NettingError> {
    {
        let date = column(b, "settlement_date")?
            .as_primitive_opt::<Date32Type>()
            .ok_or_else(|| schema_err("settlement_date is not Date32"))?;
        let amount = column(b, "amount_minor")?
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| schema_err("amount_minor is not Int64"))?;
        let offset = column(b, "byte_offset")?
            .as_primitive_opt::<UInt64Type>()
            .ok_or_else(|| schema_err("byte_offset is not UInt64"))?;
        let msg_index = column(b, "message_index")?
            .as_primitive_opt::<UInt32Type>()
            .ok_or_else(|| schema_err("message_index is not UInt32"))?;
        let tx_index = column(b, "tx_index")?
            .as_primitive_opt::<UInt32Type>()
            .ok_or_else(|| schema_err("tx_index is not UInt32"))?;
        let (currency, payer, payee, source, digest) = (
            utf8(b, "currency")?,
            utf8(b, "payer")?,
            utf8(b, "payee")?,
            utf8(b, "source_file")?,
            utf8(b, "file_digest")?,
        );
        let (uetr, msg_id, e2e, tx_id) = (
            utf8(b, "uetr")?,
            utf8(b, "msg_id")?,
            utf8(b, "end_to_end_id")?,
            utf8(b, "tx_id")?,
        );
        let (clearing, method, instructing, instructed) = (
            utf8(b, "clearing_system")?,
            utf8(b, "sttlm_mtd")?,
            utf8(b, "instructing_agent")?,
            utf8(b, "instructed_agent")?,
        );
        let mut identity = String::with_capacity(128);
        let mut system = String::with_capacity(32);
        for i in 0..b.num_rows() {
            identity.clear();
            if uetr.is_valid(i) && !uetr.value(i).is_empty() {
                identity.push_str("uetr:");
                identity.push_str(uetr.value(i));
                identity.make_ascii_lowercase();
            } else {
                for (part, text) in [
                    ("ids:", text(msg_id, i)),
                    ("\u{1f}", text(e2e, i)),
                    ("\u{1f}", text(tx_id, i)),
                ] {
                    identity.push_str(part);
                    identity.push_str(text);
                }
            }
            super::settlement_system(
                text(clearing, i),
                text(method, i),
                text(instructing, i),
                text(instructed, i),
                &mut system,
            );
            f(ObligationRef {
                settlement_system: &system,
                settlement_date: date.is_valid(i).then(|| date.value(i)),
                currency: currency.value(i),
                payer: payer.value(i),
                payee: payee.value(i),
                amount_minor: amount.value(i),
                identity: &identity,
                source_file: source.value(i),
                file_digest: digest.value(i),
                byte_offset: offset.value(i),
                message_index: msg_index.value(i),
                tx_index: tx_index.value(i),
            })?;
        }
    }
    Ok(())
}

fn f(name: &str, t: DataType) -> Field {
    Field::new(name, t, false)
}

pub fn bilateral_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        f("settlement_system", DataType::Utf8),
        f("value_date", DataType::Date32),
        f("currency", DataType::Utf8),
        f("participant_a", DataType::Utf8),
        f("participant_b", DataType::Utf8),
        f("gross_a_to_b_minor", DataType::Int64),
        f("gross_b_to_a_minor", DataType::Int64),
        f("net_minor", DataType::Int64),
        f("transactions", DataType::UInt64),
    ]))
}

pub fn multilateral_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        f("settlement_system", DataType::Utf8),
        f("value_date", DataType::Date32),
        f("currency", DataType::Utf8),
        f("participant", DataType::Utf8),
        f("paid_minor", DataType::Int64),
        f("received_minor", DataType::Int64),
        f("net_minor", DataType::Int64),
        f("transactions", DataType::UInt64),
    ]))
}

pub fn legs_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        f("settlement_system", DataType::Utf8),
        f("value_date", DataType::Date32),
        f("currency", DataType::Utf8),
        f("leg", DataType::UInt64),
        f("payer", DataType::Utf8),
        f("payee", DataType::Utf8),
        f("amount_minor", DataType::Int64),
        f("payer_position_before_minor", DataType::Int64),
        f("payee_position_before_minor", DataType::Int64),
    ]))
}

pub fn efficiency_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        f("settlement_system", DataType::Utf8),
        f("value_date", DataType::Date32),
        f("currency", DataType::Utf8),
        f("transactions", DataType::UInt64),
        f("participants", DataType::UInt64),
        f("gross_minor", DataType::Int64),
        f("bilateral_minor", DataType::Int64),
        f("multilateral_minor", DataType::Int64),
        f("legs", DataType::UInt64),
        Field::new("multilateral_efficiency_bp", DataType::Int64, true),
        Field::new("bilateral_efficiency_bp", DataType::Int64, true),
        Field::new("gross_to_multilateral_milli", DataType::Int64, true),
    ]))
}

pub fn duplicates_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        f("identity", DataType::Utf8),
        f("kept_file_digest", DataType::Utf8),
        f("kept_byte_offset", DataType::UInt64),
        f("duplicate_file_digest", DataType::Utf8),
        f("duplicate_byte_offset", DataType::UInt64),
        f("currency", DataType::Utf8),
        f("amount_minor", DataType::Int64),
    ]))
}

/// `numerator / denominator` in basis points, rounded down; `None` when the denominator is 0.
/// `numerator × scale / denominator` rounded down, in `i128`; null when the denominator is
/// zero or the result does not fit `i64` (G/M ×1000 for a tiny M), never a wrapped value.
fn ratio(numerator: i64, denominator: i64, scale: i128) -> Option<i64> {
    (denominator != 0)
        .then(|| i128::from(numerator) * scale / i128::from(denominator))
        .and_then(|r| i64::try_from(r).ok())
}

/// (date, currency, transactions, participants, G, B, M, legs).
type EfficiencyRow = (i32, String, u64, u64, i64, i64, i64, u64);

/// The netting result as sorted tables.
pub fn to_tables(result: &NettingResult) -> Result<NettingTables, NettingError> {
    let arrow_err = |e: arrow::error::ArrowError| NettingError::Schema(e.to_string());
    let (mut bd, mut bc, mut ba, mut bb, mut bab, mut bba, mut bn, mut bt) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    let (mut md, mut mc, mut mp, mut mpaid, mut mrec, mut mn, mut mt) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut ld, mut lc, mut li, mut lpayer, mut lpayee, mut la, mut lpb, mut leb) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    let mut eff: Vec<EfficiencyRow> = Vec::new();
    let (mut bs, mut ms, mut ls, mut es): (Vec<&str>, Vec<&str>, Vec<&str>, Vec<&str>) =
        (vec![], vec![], vec![], vec![]);
    for ((system, date, currency), g) in &result.groups {
        for ((a, b), (ab, ba_, n)) in &g.pairs {
            bs.push(system.as_str());
            bd.push(*date);
            bc.push(currency.as_str());
            ba.push(a.as_str());
            bb.push(b.as_str());
            bab.push(*ab);
            bba.push(*ba_);
            bn.push(ba_ - ab);
            bt.push(*n);
        }
        for (p, (paid, received, n)) in &g.positions {
            ms.push(system.as_str());
            md.push(*date);
            mc.push(currency.as_str());
            mp.push(p.as_str());
            mpaid.push(*paid);
            mrec.push(*received);
            mn.push(received - paid);
            mt.push(*n);
        }
        for (i, (payer, payee, amount, before_payer, before_payee)) in g.legs.iter().enumerate() {
            ls.push(system.as_str());
            ld.push(*date);
            lc.push(currency.as_str());
            li.push(i as u64);
            lpayer.push(payer.as_str());
            lpayee.push(payee.as_str());
            la.push(*amount);
            lpb.push(*before_payer);
            leb.push(*before_payee);
        }
        es.push(system.as_str());
        eff.push((
            *date,
            currency.clone(),
            g.transactions,
            g.positions.len() as u64,
            g.gross,
            g.bilateral_total(),
            g.multilateral_total(),
            g.legs.len() as u64,
        ));
    }
    let bilateral = RecordBatch::try_new(
        bilateral_schema(),
        vec![
            Arc::new(StringArray::from(bs)),
            Arc::new(Date32Array::from(bd)),
            Arc::new(StringArray::from(bc)),
            Arc::new(StringArray::from(ba)),
            Arc::new(StringArray::from(bb)),
            Arc::new(Int64Array::from(bab)),
            Arc::new(Int64Array::from(bba)),
            Arc::new(Int64Array::from(bn)),
            Arc::new(UInt64Array::from(bt)),
        ],
    )
    .map_err(arrow_err)?;
    let multilateral = RecordBatch::try_new(
        multilateral_schema(),
        vec![
            Arc::new(StringArray::from(ms)),
            Arc::new(Date32Array::from(md)),
            Arc::new(StringArray::from(mc)),
            Arc::new(StringArray::from(mp)),
            Arc::new(Int64Array::from(mpaid)),
            Arc::new(Int64Array::from(mrec)),
            Arc::new(Int64Array::from(mn)),
            Arc::new(UInt64Array::from(mt)),
        ],
    )
    .map_err(arrow_err)?;
    let legs = RecordBatch::try_new(
        legs_schema(),
        vec![
            Arc::new(StringArray::from(ls)),
            Arc::new(Date32Array::from(ld)),
            Arc::new(StringArray::from(lc)),
            Arc::new(UInt64Array::from(li)),
            Arc::new(StringArray::from(lpayer)),
            Arc::new(StringArray::from(lpayee)),
            Arc::new(Int64Array::from(la)),
            Arc::new(Int64Array::from(lpb)),
            Arc::new(Int64Array::from(leb)),
        ],
    )
    .map_err(arrow_err)?;
    let efficiency = RecordBatch::try_new(
        efficiency_schema(),
        vec![
            Arc::new(StringArray::from(es)),
            Arc::new(Date32Array::from_iter_values(eff.iter().map(|e| e.0))),
            Arc::new(StringArray::from_iter_values(
                eff.iter().map(|e| e.1.as_str()),
            )),
            Arc::new(UInt64Array::from_iter_values(eff.iter().map(|e| e.2))),
            Arc::new(UInt64Array::from_iter_values(eff.iter().map(|e| e.3))),
            Arc::new(Int64Array::from_iter_values(eff.iter().map(|e| e.4))),
            Arc::new(Int64Array::from_iter_values(eff.iter().map(|e| e.5))),
            Arc::new(Int64Array::from_iter_values(eff.iter().map(|e| e.6))),
            Arc::new(UInt64Array::from_iter_values(eff.iter().map(|e| e.7))),
            Arc::new(Int64Array::from_iter(
                eff.iter().map(|e| ratio(e.4 - e.6, e.4, 10_000)),
            )),
            Arc::new(Int64Array::from_iter(
                eff.iter().map(|e| ratio(e.4 - e.5, e.4, 10_000)),
            )),
            Arc::new(Int64Array::from_iter(
                eff.iter().map(|e| ratio(e.4, e.6, 1_000)),
            )),
        ],
    )
    .map_err(arrow_err)?;
    let mut dups: Vec<&Duplicate> = result.duplicates.iter().collect();
    dups.sort_by(|a, b| {
        (
            &a.identity,
            &a.duplicate.file_digest,
            a.duplicate.byte_offset,
        )
            .cmp(&(
                &b.identity,
                &b.duplicate.file_digest,
                b.duplicate.byte_offset,
            ))
    });
    let duplicates = RecordBatch::try_new(
        duplicates_schema(),
        vec![
            Arc::new(StringArray::from_iter_values(
                dups.iter().map(|d| d.identity.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                dups.iter().map(|d| d.kept_file_digest.as_str()),
            )),
            Arc::new(UInt64Array::from_iter_values(
                dups.iter().map(|d| d.kept_byte_offset),
            )),
            Arc::new(StringArray::from_iter_values(
                dups.iter().map(|d| d.duplicate.file_digest.as_str()),
            )),
            Arc::new(UInt64Array::from_iter_values(
                dups.iter().map(|d| d.duplicate.byte_offset),
            )),
            Arc::new(StringArray::from_iter_values(
                dups.iter().map(|d| d.duplicate.currency.as_str()),
            )),
            Arc::new(Int64Array::from_iter_values(
                dups.iter().map(|d| d.duplicate.amount_minor),
            )),
        ],
    )
    .map_err(arrow_err)?;
    Ok(NettingTables {
        bilateral,
        multilateral,
        legs,
        efficiency,
        duplicates,
    })
}
