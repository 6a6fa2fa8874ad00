//! Arrow tables of the pacs.008 reader: `payments`, `quarantine`, `header_checks`.
//!
//! Column names follow DOMAIN.md §7. Money is `amount_minor: Int64` with `currency`; dates
//! are `Date32`; nothing is a float.

use std::sync::Arc;

use arrow::array::{
    ArrayBuilder, ArrayRef, ArrowPrimitiveType, BooleanArray, Date32Builder, Int64Builder,
    PrimitiveArray, PrimitiveBuilder, RecordBatch, StringArray, StringBuilder, UInt32Array,
    UInt32Builder, UInt64Array, UInt64Builder,
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
        utf8("ultimate_debtor_name", true),
        utf8("ultimate_creditor_name", true),
        utf8("debtor_agent_name", true),
        utf8("creditor_agent_name", true),
    ]))
}

/// Columns of `payments` whose values are mostly distinct by nature (identifiers, account
/// numbers, remittance text): the artifact writer stores them without a dictionary.
pub const PAYMENTS_DISTINCT_COLUMNS: [&str; 7] = [
    "instr_id",
    "end_to_end_id",
    "tx_id",
    "uetr",
    "debtor_account",
    "creditor_account",
    "remittance",
];

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

/// Text columns of `payments`, in schema order, between the fixed-width ones.
const TEXT_COLUMNS: usize = 35;

/// Appends payments straight into Arrow builders, one row at a time: the reader hands
/// out a borrowed [`Payment`] and nothing is copied but the values themselves.
#[derive(Debug)]
pub struct PaymentsBuilder {
    text: Vec<StringBuilder>,
    message_index: UInt32Builder,
    tx_index: UInt32Builder,
    byte_offset: UInt64Builder,
    amount_minor: Int64Builder,
    settlement_date: Date32Builder,
}

impl Default for PaymentsBuilder {
    fn default() -> Self {
        PaymentsBuilder {
            text: (0..TEXT_COLUMNS).map(|_| StringBuilder::new()).collect(),
            message_index: UInt32Builder::new(),
            tx_index: UInt32Builder::new(),
            byte_offset: UInt64Builder::new(),
            amount_minor: Int64Builder::new(),
            settlement_date: Date32Builder::new(),
        }
    }
}

impl PaymentsBuilder {
    /// Rows appended since the last batch.
    pub fn len(&self) -> usize {
        self.amount_minor.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one payment of the file whose digest is `file_digest`.
    pub fn append(&mut self, p: &Payment, file_digest: &str) {
        let text: [Option<&str>; TEXT_COLUMNS] = [
            Some(file_digest),
            Some(&p.source_file),
            // message_index, tx_index, byte_offset
            Some(&p.version),
            p.msg_id.as_deref(),
            p.cre_dt_tm.as_deref(),
            p.nb_of_txs.as_deref(),
            p.sttlm_mtd.as_deref(),
            p.clearing_system.as_deref(),
            p.service_level.as_deref(),
            p.instr_id.as_deref(),
            p.end_to_end_id.as_deref(),
            p.tx_id.as_deref(),
            p.uetr.as_deref(),
            // amount_minor
            Some(&p.currency),
            // settlement_date
            p.charge_bearer.as_deref(),
            p.instructing_agent.as_deref(),
            p.instructed_agent.as_deref(),
            p.debtor_agent.as_deref(),
            p.creditor_agent.as_deref(),
            Some(&p.payer),
            Some(&p.payee),
            Some(p.participant_rule),
            p.debtor_name.as_deref(),
            p.debtor_country.as_deref(),
            p.debtor_account.as_deref(),
            p.creditor_name.as_deref(),
            p.creditor_country.as_deref(),
            p.creditor_account.as_deref(),
            p.purpose.as_deref(),
            p.remittance.as_deref(),
            p.app_hdr_msg_def_idr.as_deref(),
            p.ultimate_debtor_name.as_deref(),
            p.ultimate_creditor_name.as_deref(),
            p.debtor_agent_name.as_deref(),
            p.creditor_agent_name.as_deref(),
        ];
        for (builder, value) in self.text.iter_mut().zip(text) {
            builder.append_option(value);
        }
        self.message_index.append_value(p.message_index);
        self.tx_index.append_value(p.tx_index);
        self.byte_offset.append_value(p.byte_offset);
        self.amount_minor.append_value(p.amount_minor);
        self.settlement_date.append_option(p.settlement_date);
    }

    /// The rows appended so far as a `payments` batch; the builder starts over, with room
    /// for a batch like this one (Arrow builders start empty after `finish`, and growing
    /// 31 text columns back by doubling cost a copy of every batch).
    pub fn finish(&mut self) -> Result<RecordBatch, IngestError> {
        let schema = payments_schema();
        let rows = self.len();
        let mut text = self.text.iter_mut();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        // Text columns come in schema order; the others are named.
        for field in schema.fields() {
            let column: ArrayRef = match field.name().as_str() {
                "message_index" => Arc::new(renew(&mut self.message_index, rows)),
                "tx_index" => Arc::new(renew(&mut self.tx_index, rows)),
                "byte_offset" => Arc::new(renew(&mut self.byte_offset, rows)),
                "amount_minor" => Arc::new(renew(&mut self.amount_minor, rows)),
                "settlement_date" => Arc::new(renew(&mut self.settlement_date, rows)),
                other => match text.next() {
                    Some(builder) => {
                        let bytes = builder.values_slice().len();
                        let mut full =
                            std::mem::replace(builder, StringBuilder::with_capacity(rows, bytes));
                        Arc::new(full.finish())
                    }
                    None => {
                        return Err(IngestError::Table {
                            table: "payments",
                            reason: format!("no builder for column {other}"),
                        });
                    }
                },
            };
            columns.push(column);
        }
        RecordBatch::try_new(schema, columns).map_err(table_error("payments"))
    }
}

/// Finishes `builder`, leaving it empty with room for `rows` values.
fn renew<T: ArrowPrimitiveType>(
    builder: &mut PrimitiveBuilder<T>,
    rows: usize,
) -> PrimitiveArray<T> {
    std::mem::replace(builder, PrimitiveBuilder::with_capacity(rows)).finish()
}

/// Builds a `payments` batch. `digest_of` gives each row's file digest by source file.
pub fn payments_batch(
    rows: &[Payment],
    digest_of: &dyn Fn(&str) -> Digest,
) -> Result<RecordBatch, IngestError> {
    let mut builder = PaymentsBuilder::default();
    // Rows of one file come together: format each file's digest once.
    let mut digest: Option<(&str, String)> = None;
    for p in rows {
        let text = match &digest {
            Some((source, text)) if *source == &*p.source_file => text.as_str(),
            _ => {
                digest = Some((&p.source_file, digest_of(&p.source_file).to_string()));
                digest.as_ref().map_or("", |(_, text)| text.as_str())
            }
        };
        builder.append(p, text);
    }
    builder.finish()
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
