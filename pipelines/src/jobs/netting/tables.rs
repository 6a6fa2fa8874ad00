//! Netting results as Arrow tables, and obligations read from a `payments` table.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Int64Array, RecordBatch, StringArray, UInt32Array,
    UInt64Array,
};
use arrow::datatypes::{
    DataType, Date32Type, Field, Int64Type, Schema, SchemaRef, UInt32Type, UInt64Type,
};

use super::{
    ConflictRow, Duplicate, Group, NettingError, NettingResult, Obligation, ObligationRef,
};

/// The netting tables of one run.
#[derive(Debug, Clone)]
pub struct NettingTables {
    pub bilateral: RecordBatch,
    pub multilateral: RecordBatch,
    pub legs: RecordBatch,
    pub efficiency: RecordBatch,
    pub duplicates: RecordBatch,
    pub conflicts: RecordBatch,
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
        let (debtor_account, creditor_account) =
            (utf8(b, "debtor_account")?, utf8(b, "creditor_account")?);
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
                debtor_account: text(debtor_account, i),
                creditor_account: text(creditor_account, i),
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

pub fn conflicts_schema() -> SchemaRef {
    let nullable = |name: &str, t: DataType| Field::new(name, t, true);
    Arc::new(Schema::new(vec![
        f("identity", DataType::Utf8),
        f("status", DataType::Utf8),
        f("variant", DataType::UInt32),
        f("variants", DataType::UInt32),
        f("source_file", DataType::Utf8),
        f("file_digest", DataType::Utf8),
        f("message_index", DataType::UInt32),
        f("tx_index", DataType::UInt32),
        f("byte_offset", DataType::UInt64),
        f("settlement_system", DataType::Utf8),
        nullable("settlement_date", DataType::Date32),
        f("currency", DataType::Utf8),
        f("payer", DataType::Utf8),
        f("payee", DataType::Utf8),
        f("amount_minor", DataType::Int64),
        nullable("debtor_account", DataType::Utf8),
        nullable("creditor_account", DataType::Utf8),
    ]))
}

/// The `conflicts` table: rows as [`NettingResult::conflicts`] sorts them (identity, then
/// canonical order).
fn conflicts_batch(rows: &[ConflictRow]) -> Result<RecordBatch, NettingError> {
    let strings = |value: &dyn Fn(&ConflictRow) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(rows.iter().map(value)))
    };
    let optional = |value: &dyn Fn(&ConflictRow) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter(rows.iter().map(|r| {
            let text = value(r);
            (!text.is_empty()).then_some(text)
        })))
    };
    RecordBatch::try_new(
        conflicts_schema(),
        vec![
            strings(&|r| &r.payment.identity),
            strings(&|r| r.status.name()),
            Arc::new(UInt32Array::from_iter_values(
                rows.iter().map(|r| r.variant),
            )),
            Arc::new(UInt32Array::from_iter_values(
                rows.iter().map(|r| r.variants),
            )),
            strings(&|r| &r.payment.source_file),
            strings(&|r| &r.payment.file_digest),
            Arc::new(UInt32Array::from_iter_values(
                rows.iter().map(|r| r.payment.message_index),
            )),
            Arc::new(UInt32Array::from_iter_values(
                rows.iter().map(|r| r.payment.tx_index),
            )),
            Arc::new(UInt64Array::from_iter_values(
                rows.iter().map(|r| r.payment.byte_offset),
            )),
            strings(&|r| &r.payment.settlement_system),
            Arc::new(Date32Array::from_iter(
                rows.iter().map(|r| r.payment.settlement_date),
            )),
            strings(&|r| &r.payment.currency),
            strings(&|r| &r.payment.payer),
            strings(&|r| &r.payment.payee),
            Arc::new(Int64Array::from_iter_values(
                rows.iter().map(|r| r.payment.amount_minor),
            )),
            optional(&|r| &r.payment.debtor_account),
            optional(&|r| &r.payment.creditor_account),
        ],
    )
    .map_err(schema_err)
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

/// The columns every netting table starts with (settlement system, value date, currency),
/// for rows of which the i-th belongs to `groups[i]`, followed by the table's own `columns`.
fn group_batch(
    schema: SchemaRef,
    groups: &[&Group],
    columns: Vec<ArrayRef>,
) -> Result<RecordBatch, NettingError> {
    let mut all: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            groups.iter().map(|g| g.settlement_system.as_str()),
        )),
        Arc::new(Date32Array::from_iter_values(
            groups.iter().map(|g| g.value_date),
        )),
        Arc::new(StringArray::from_iter_values(
            groups.iter().map(|g| g.currency.as_str()),
        )),
    ];
    all.extend(columns);
    RecordBatch::try_new(schema, all).map_err(schema_err)
}

/// The netting result as sorted tables (groups in key order, rows in each group's order).
pub fn to_tables(result: &NettingResult) -> Result<NettingTables, NettingError> {
    let groups: Vec<&Group> = result.groups.values().collect();

    let pairs: Vec<_> = groups
        .iter()
        .flat_map(|g| g.pairs.iter().map(move |(ab, v)| (*g, ab, v)))
        .collect();
    let bilateral = group_batch(
        bilateral_schema(),
        &pairs.iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![
            Arc::new(StringArray::from_iter_values(
                pairs.iter().map(|(_, (a, _), _)| a.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                pairs.iter().map(|(_, (_, b), _)| b.as_str()),
            )),
            Arc::new(Int64Array::from_iter_values(
                pairs.iter().map(|(_, _, (ab, _, _))| *ab),
            )),
            Arc::new(Int64Array::from_iter_values(
                pairs.iter().map(|(_, _, (_, ba, _))| *ba),
            )),
            Arc::new(Int64Array::from_iter_values(
                pairs.iter().map(|(_, _, (ab, ba, _))| ba - ab),
            )),
            Arc::new(UInt64Array::from_iter_values(
                pairs.iter().map(|(_, _, (_, _, n))| *n),
            )),
        ],
    )?;

    let positions: Vec<_> = groups
        .iter()
        .flat_map(|g| g.positions.iter().map(move |(p, v)| (*g, p, v)))
        .collect();
    let multilateral = group_batch(
        multilateral_schema(),
        &positions.iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![
            Arc::new(StringArray::from_iter_values(
                positions.iter().map(|(_, p, _)| p.as_str()),
            )),
            Arc::new(Int64Array::from_iter_values(
                positions.iter().map(|(_, _, (paid, _, _))| *paid),
            )),
            Arc::new(Int64Array::from_iter_values(
                positions.iter().map(|(_, _, (_, received, _))| *received),
            )),
            Arc::new(Int64Array::from_iter_values(
                positions
                    .iter()
                    .map(|(_, _, (paid, received, _))| received - paid),
            )),
            Arc::new(UInt64Array::from_iter_values(
                positions.iter().map(|(_, _, (_, _, n))| *n),
            )),
        ],
    )?;

    let legs: Vec<_> = groups
        .iter()
        .flat_map(|g| g.legs.iter().enumerate().map(move |(i, leg)| (*g, i, leg)))
        .collect();
    let legs = group_batch(
        legs_schema(),
        &legs.iter().map(|l| l.0).collect::<Vec<_>>(),
        vec![
            Arc::new(UInt64Array::from_iter_values(
                legs.iter().map(|(_, i, _)| *i as u64),
            )),
            Arc::new(StringArray::from_iter_values(
                legs.iter().map(|(_, _, leg)| leg.0.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                legs.iter().map(|(_, _, leg)| leg.1.as_str()),
            )),
            Arc::new(Int64Array::from_iter_values(
                legs.iter().map(|(_, _, leg)| leg.2),
            )),
            Arc::new(Int64Array::from_iter_values(
                legs.iter().map(|(_, _, leg)| leg.3),
            )),
            Arc::new(Int64Array::from_iter_values(
                legs.iter().map(|(_, _, leg)| leg.4),
            )),
        ],
    )?;

    // (G, B, M) per group, each computed once.
    let totals: Vec<(i64, i64, i64)> = groups
        .iter()
        .map(|g| (g.gross, g.bilateral_total(), g.multilateral_total()))
        .collect();
    let efficiency = group_batch(
        efficiency_schema(),
        &groups,
        vec![
            Arc::new(UInt64Array::from_iter_values(
                groups.iter().map(|g| g.transactions),
            )),
            Arc::new(UInt64Array::from_iter_values(
                groups.iter().map(|g| g.positions.len() as u64),
            )),
            Arc::new(Int64Array::from_iter_values(totals.iter().map(|t| t.0))),
            Arc::new(Int64Array::from_iter_values(totals.iter().map(|t| t.1))),
            Arc::new(Int64Array::from_iter_values(totals.iter().map(|t| t.2))),
            Arc::new(UInt64Array::from_iter_values(
                groups.iter().map(|g| g.legs.len() as u64),
            )),
            Arc::new(Int64Array::from_iter(
                totals.iter().map(|(g, _, m)| ratio(g - m, *g, 10_000)),
            )),
            Arc::new(Int64Array::from_iter(
                totals.iter().map(|(g, b, _)| ratio(g - b, *g, 10_000)),
            )),
            Arc::new(Int64Array::from_iter(
                totals.iter().map(|(g, _, m)| ratio(*g, *m, 1_000)),
            )),
        ],
    )?;
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
    .map_err(schema_err)?;
    Ok(NettingTables {
        bilateral,
        multilateral,
        legs,
        efficiency,
        duplicates,
        conflicts: conflicts_batch(&result.conflicts)?,
    })
}
