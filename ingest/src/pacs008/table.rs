//! Arrow tables of the pacs.008 reader: `payments`, `quarantine`, `header_checks`.
//!
//! Column names follow DOMAIN.md §7. Money is `amount_minor: Int64` with `currency`; dates
//! are `Date32`; nothing is a float.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Int64Array, RecordBatch, StringArray, UInt32Array,
    UInt64Array,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use verify::Digest;

use super::{HeaderCheck, Payment, Quarantined};
use crate::error::IngestError;

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

/// Schema of the `payments` table.
pub fn payments_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("file_digest", false),
        utf8("source_file", false),
        Field::new("message_index", DataType::UInt32, false),
        Field::new("tx_index", DataType::UInt32, false),
        Field::new("byte_offset", DataType::UInt64, false),
        utf8("version", false),
        utf8("msg_id", true),
        utf8("cre_dt_tm", true),
        utf8("nb_of_txs", true),
        utf8("sttlm_mtd", true),
        utf8("clearing_system", true),
        utf8("service_level", true),
        utf8("instr_id", true),
        utf8("end_to_end_id", true),
        utf8("tx_id", true),
        utf8("uetr", true),
        Field::new("amount_minor", DataType::Int64, false),
        utf8("currency", false),
        Field::new("settlement_date", DataType::Date32, true),
        utf8("charge_bearer", true),
        utf8("instructing_agent", true),
        utf8("instructed_agent", true),
        utf8("debtor_agent", true),
        utf8("creditor_agent", true),
        utf8("payer", false),
        utf8("payee", false),
        utf8("participant_rule", false),
        utf8("debtor_name", true),
        utf8("debtor_country", true),
        utf8("debtor_account", true),
        utf8("creditor_name", true),
        utf8("creditor_country", true),
        utf8("creditor_account", true),
        utf8("purpose", true),
        utf8("remittance", true),
        utf8("app_hdr_msg_def_idr", true),
    ]))
}

fn table_error(table: &'static str) -> impl Fn(arrow::error::ArrowError) -> IngestError {
    move |e| IngestError::Table {
        table,
        reason: e.to_string(),
    }
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(values))
}

fn required<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// Builds a `payments` batch. `digest_of` gives each row's file digest by source file.
pub fn payments_batch(
    rows: &[Payment],
    digest_of: &dyn Fn(&str) -> Digest,
) -> Result<RecordBatch, IngestError> {
    let opt =
        |f: fn(&Payment) -> &Option<String>| strings(rows.iter().map(move |p| f(p).as_deref()));
    let shared = |f: fn(&Payment) -> &Option<std::sync::Arc<str>>| {
        strings(rows.iter().map(move |p| f(p).as_deref()))
    };
    // Rows of one file come together: format each file's digest once.
    let mut digests: Vec<std::sync::Arc<str>> = Vec::with_capacity(rows.len());
    for p in rows {
        match digests.last() {
            Some(last) if rows[digests.len() - 1].source_file == p.source_file => {
                let last = std::sync::Arc::clone(last);
                digests.push(last);
            }
            _ => digests.push(std::sync::Arc::from(digest_of(&p.source_file).to_string())),
        }
    }
    let columns: Vec<ArrayRef> = vec![
        required(digests.iter().map(|d| &**d)),
        required(rows.iter().map(|p| &*p.source_file)),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|p| p.message_index),
        )),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|p| p.tx_index),
        )),
        Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(|p| p.byte_offset),
        )),
        required(rows.iter().map(|p| &*p.version)),
        shared(|p| &p.msg_id),
        shared(|p| &p.cre_dt_tm),
        shared(|p| &p.nb_of_txs),
        shared(|p| &p.sttlm_mtd),
        shared(|p| &p.clearing_system),
        opt(|p| &p.service_level),
        opt(|p| &p.instr_id),
        opt(|p| &p.end_to_end_id),
        opt(|p| &p.tx_id),
        opt(|p| &p.uetr),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|p| p.amount_minor),
        )),
        required(rows.iter().map(|p| p.currency.as_str())),
        Arc::new(Date32Array::from_iter(
            rows.iter().map(|p| p.settlement_date),
        )),
        opt(|p| &p.charge_bearer),
        opt(|p| &p.instructing_agent),
        opt(|p| &p.instructed_agent),
        opt(|p| &p.debtor_agent),
        opt(|p| &p.creditor_agent),
        required(rows.iter().map(|p| p.payer.as_str())),
        required(rows.iter().map(|p| p.payee.as_str())),
        required(rows.iter().map(|p| p.participant_rule)),
        opt(|p| &p.debtor_name),
        opt(|p| &p.debtor_country),
        opt(|p| &p.debtor_account),
        opt(|p| &p.creditor_name),
        opt(|p| &p.creditor_country),
        opt(|p| &p.creditor_account),
        opt(|p| &p.purpose),
        opt(|p| &p.remittance),
        opt(|p| &p.app_hdr_msg_def_idr),
    ];
    RecordBatch::try_new(payments_schema(), columns).map_err(table_error("payments"))
}

/// Schema of the `quarantine` table.
pub fn quarantine_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("file_digest", false),
        utf8("source_file", false),
        Field::new("byte_offset", DataType::UInt64, false),
        utf8("element_path", false),
        utf8("msg_id", true),
        utf8("reason", false),
    ]))
}

/// Builds a `quarantine` batch.
pub fn quarantine_batch(
    rows: &[Quarantined],
    digest_of: &dyn Fn(&str) -> Digest,
) -> Result<RecordBatch, IngestError> {
    let digests: Vec<String> = rows
        .iter()
        .map(|q| digest_of(&q.source_file).to_string())
        .collect();
    RecordBatch::try_new(
        quarantine_schema(),
        vec![
            required(digests.iter().map(String::as_str)),
            required(rows.iter().map(|q| q.source_file.as_str())),
            Arc::new(UInt64Array::from_iter_values(
                rows.iter().map(|q| q.byte_offset),
            )),
            required(rows.iter().map(|q| q.element_path.as_str())),
            strings(rows.iter().map(|q| q.msg_id.as_deref())),
            required(rows.iter().map(|q| q.reason.as_str())),
        ],
    )
    .map_err(table_error("quarantine"))
}

/// Schema of the `header_checks` table.
pub fn header_checks_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("file_digest", false),
        utf8("source_file", false),
        Field::new("message_index", DataType::UInt32, false),
        utf8("msg_id", true),
        utf8("check_name", false),
        utf8("declared", false),
        utf8("computed", false),
        Field::new("ok", DataType::Boolean, false),
    ]))
}

/// Builds a `header_checks` batch.
pub fn header_checks_batch(
    rows: &[HeaderCheck],
    digest_of: &dyn Fn(&str) -> Digest,
) -> Result<RecordBatch, IngestError> {
    let digests: Vec<String> = rows
        .iter()
        .map(|c| digest_of(&c.source_file).to_string())
        .collect();
    RecordBatch::try_new(
        header_checks_schema(),
        vec![
            required(digests.iter().map(String::as_str)),
            required(rows.iter().map(|c| c.source_file.as_str())),
            Arc::new(UInt32Array::from_iter_values(
                rows.iter().map(|c| c.message_index),
            )),
            strings(rows.iter().map(|c| c.msg_id.as_deref())),
            required(rows.iter().map(|c| c.check)),
            required(rows.iter().map(|c| c.declared.as_str())),
            required(rows.iter().map(|c| c.computed.as_str())),
            Arc::new(BooleanArray::from_iter(rows.iter().map(|c| Some(c.ok)))),
        ],
    )
    .map_err(table_error("header_checks"))
}
