//! ISO 20022 pacs.008 (FIToFICustomerCreditTransfer) → one row per `CdtTrfTxInf`.
//!
//! Versions pacs.008.001.02 to .13, files without namespace (ISO MDR examples), business
//! application headers (head.001), SWIFT `Envelope`/`Request`/`RequestPayload` wrappers,
//! TCH `Message` envelopes and several messages in one file. Elements are identified by
//! local name under a message root, and only in the ISO pacs.008 namespace, no namespace,
//! or the namespace of the root element itself; never by prefix.
//!
//! # Settlement participants
//!
//! Each payment settles from a **payer** to a **payee** participant:
//!
//! 1. the instructing agent → the instructed agent (transaction level, else group header);
//! 2. if either is missing: the debtor agent → the creditor agent.
//!
//! An agent is identified by its BIC (`BICFI`, or `BIC` in .02), upper-cased, an 8-character
//! BIC extended with `XXX` (the same institution); otherwise by its clearing-system member id,
//! written `<clearing system>:<member id>` where the clearing system is the agent's
//! `ClrSysId` code, else the message's settlement clearing system, else `MMB`
//! (e.g. `USABA:021040078`, `TCH:234567891`). A transaction with no usable pair is
//! quarantined. The rule used is recorded per row (`participant_rule`).
//!
//! # What is refused, what is reported
//!
//! Per transaction (quarantined, the rest of the file goes on): missing or malformed amount,
//! unknown currency or one without minor unit, more decimals than the currency allows, no
//! settlement participants, malformed settlement date. Per file (the whole file is
//! quarantined, its rows discarded): malformed XML, a DTD, an undeclared entity. Per message
//! (reported as header checks, rows kept): `NbOfTxs`, `CtrlSum` and `TtlIntrBkSttlmAmt`
//! against the transactions, and the AppHdr `MsgDefIdr` against the Document namespace.

use std::sync::Arc;

mod fields;
mod reader;
pub mod table;

pub use reader::{
    FileSummary, MAX_DECOMPRESSED_BYTES, MAX_FIELD_BYTES, ReadLimits, parse_date, read, read_file,
    read_file_within, read_gzip_within,
};

/// One settled payment: a `CdtTrfTxInf` that passed every check.
/// Values shared by every payment of a file or message are reference-counted, not copied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payment {
    pub source_file: Arc<str>,
    /// 0-based message number within the file and transaction number within the message.
    pub message_index: u32,
    pub tx_index: u32,
    pub byte_offset: u64,
    /// `pacs.008.001.NN` from the namespace, or empty when the file has none.
    pub version: Arc<str>,
    pub msg_id: Option<Arc<str>>,
    pub cre_dt_tm: Option<Arc<str>>,
    pub nb_of_txs: Option<Arc<str>>,
    pub sttlm_mtd: Option<Arc<str>>,
    pub clearing_system: Option<Arc<str>>,
    pub service_level: Option<String>,
    pub instr_id: Option<String>,
    pub end_to_end_id: Option<String>,
    pub tx_id: Option<String>,
    pub uetr: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    /// Days since 1970-01-01 (transaction level, else group header); `None` if neither.
    pub settlement_date: Option<i32>,
    pub charge_bearer: Option<String>,
    pub instructing_agent: Option<String>,
    pub instructed_agent: Option<String>,
    pub debtor_agent: Option<String>,
    pub creditor_agent: Option<String>,
    pub payer: String,
    pub payee: String,
    pub participant_rule: &'static str,
    pub debtor_name: Option<String>,
    pub debtor_country: Option<String>,
    pub debtor_account: Option<String>,
    pub creditor_name: Option<String>,
    pub creditor_country: Option<String>,
    pub creditor_account: Option<String>,
    pub purpose: Option<String>,
    pub remittance: Option<String>,
    /// The AppHdr's `MsgDefIdr`, when the message had a header.
    pub app_hdr_msg_def_idr: Option<String>,
    /// `UltmtDbtr/Nm` and `UltmtCdtr/Nm`: on whose behalf, and for whom (screened too).
    pub ultimate_debtor_name: Option<String>,
    pub ultimate_creditor_name: Option<String>,
    /// The debtor and creditor agents' `FinInstnId/Nm`, when the message names them.
    pub debtor_agent_name: Option<String>,
    pub creditor_agent_name: Option<String>,
}

/// A record or file set aside, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub source_file: String,
    pub byte_offset: u64,
    pub element_path: String,
    pub msg_id: Option<String>,
    pub reason: String,
}

/// The names [`HeaderCheck::check`] takes.
pub const HEADER_CHECKS: [&str; 4] = ["NbOfTxs", "CtrlSum", "TtlIntrBkSttlmAmt", "MsgDefIdr"];

/// A group-header check of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderCheck {
    pub source_file: String,
    pub message_index: u32,
    pub msg_id: Option<String>,
    /// `NbOfTxs`, `CtrlSum`, `TtlIntrBkSttlmAmt` or `MsgDefIdr`.
    pub check: &'static str,
    pub declared: String,
    pub computed: String,
    pub ok: bool,
}

/// Participant rule names recorded per payment.
pub const RULE_AGENTS: &str = "instructing_to_instructed";
pub const RULE_ACCOUNT_AGENTS: &str = "debtor_agent_to_creditor_agent";
