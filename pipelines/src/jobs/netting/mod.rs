//! Settlement netting: exact bilateral and multilateral net positions, settlement legs and
//! efficiency figures from a `payments` table (DOMAIN.md §6).
//!
//! Everything is integer minor units with checked arithmetic; positions are computed
//! separately for every (settlement system, value date, currency) and never mix. Results are sorted by their
//! documented keys, so they do not depend on input order or batching:
//!
//! | table | key | columns |
//! |---|---|---|
//! | `bilateral` | settlement_system, value_date, currency, participant_a, participant_b | `net_minor` = what a receives net from b (a < b), gross each way, transactions |
//! | `multilateral` | settlement_system, value_date, currency, participant | paid, received, `net_minor` (positive = net receiver) |
//! | `legs` | settlement_system, value_date, currency, leg | payer, payee, `amount_minor`, the two positions it settles |
//! | `efficiency` | settlement_system, value_date, currency | G, B, M, 1 − M/G and 1 − B/G in basis points (rounded down), G/M ×1000 |
//! | `duplicates` | identity, file digest, byte offset | the payment kept and the one set aside |
//! | `conflicts` | identity, source_file, message_index, tx_index | every payment of an identity used with different content, its variant and what became of it |
//!
//! **Settlement systems** (DOMAIN.md §6: obligations net only within the arrangement that
//! settles them). A payment settles in its clearing system when the message names one
//! (`SttlmInf/ClrSys`: `ST2`, `TGT`, `CHIPS`, …); otherwise by its settlement method, on the
//! books of the agent that holds the settlement account: `INDA:<instructed agent>`,
//! `INGA:<instructing agent>`; `COVE` and `CLRG` without a named system are systems of their
//! own, and a payment with neither is `unspecified`. STEP2, TARGET2 and CHIPS items in one
//! input therefore never net together.
//!
//! **Duplicates and identity conflicts**: a payment is identified by its UETR, else by
//! message id + end-to-end id + transaction id. Payments are first put in a canonical order
//! (source file, then its digest, message, transaction): the order of the `payments` table.
//! A *duplicate* is a re-sent payment: the same identity **and** the same content — amount,
//! currency, settlement date, settlement system and participants (payer, payee), debtor and
//! creditor accounts. The first is netted, later ones are listed in `duplicates` and skipped.
//!
//! The same identity with different content is an *identity conflict*: two payments claim
//! to be one, and the run cannot know which is real (or whether both are). No payment of a
//! conflicted identity is netted by picking one. Under [`ConflictRule::Hold`] (the default,
//! what a settlement operator does with an unexplained clash: hold and ask) none of them is
//! netted: every one is listed in `conflicts` with status `held` and set aside in
//! `quarantine`, so `--strict` exits 1. Under [`ConflictRule::KeepAll`] each distinct
//! content is netted once, as a payment of its own (`netted`), re-sends of any of them are
//! duplicates (`duplicate`), and all are listed in `conflicts`. Either way the netting
//! invariants hold over what was netted.
//!
//! **Legs**: the largest debtor pays the largest creditor (ties by participant id), the
//! smaller of the two positions; repeat. Each leg closes at least one position, so a currency
//! with N participants needs at most N − 1 legs. `LegsMode::LegacyById` reproduces the
//! earlier system's order (debtors and creditors by id only) for comparison.

mod compute;
mod conflicts;
mod identities;
mod legs;
pub mod merge;
pub mod run;
pub mod shard;
mod tables;

pub use compute::{Accumulator, ConflictRow, ConflictStatus, Duplicate, Group, NettingResult, net};
pub use conflicts::FirstsQuery;
pub use run::{Netting, NettingParams};
pub use tables::{NettingTables, for_each_obligation, obligations, to_tables};

/// The settlement system of a payment (see the module documentation), from its clearing
/// system code, settlement method and agents, written into `out`.
pub fn settlement_system(
    clearing_system: &str,
    method: &str,
    instructing_agent: &str,
    instructed_agent: &str,
    out: &mut String,
) {
    out.clear();
    match (clearing_system.trim(), method.trim()) {
        (system, _) if !system.is_empty() => out.push_str(system),
        ("", "INDA") => {
            out.push_str("INDA:");
            out.push_str(instructed_agent);
        }
        ("", "INGA") => {
            out.push_str("INGA:");
            out.push_str(instructing_agent);
        }
        ("", m @ ("COVE" | "CLRG")) => out.push_str(m),
        _ => out.push_str("unspecified"),
    }
}

/// How settlement legs are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegsMode {
    /// Largest debtor to largest creditor, ties by participant id.
    #[default]
    LargestFirst,
    /// The earlier system's order: debtors and creditors by participant id only.
    LegacyById,
}

/// Parameters of a netting run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NettingConfig {
    /// Days since 1970-01-01. When set, payments without a settlement date take it, and
    /// payments for other dates are set aside (quarantined) rather than netted.
    pub value_date: Option<i32>,
    pub legs: LegsMode,
    pub conflicts: ConflictRule,
    /// Limits on one input file (token, field, decompressed size): past them the file is
    /// refused and quarantined, the others netted.
    pub read_limits: ingest::pacs008::ReadLimits,
    /// Input bytes per segment of the `payments` table (see [`Segments`]).
    pub segment_bytes: u64,
}

impl Default for NettingConfig {
    fn default() -> Self {
        NettingConfig {
            value_date: None,
            legs: LegsMode::default(),
            conflicts: ConflictRule::default(),
            read_limits: ingest::pacs008::ReadLimits::default(),
            segment_bytes: SEGMENT_BYTES,
        }
    }
}

/// The default input bytes per segment: about 150 000 payments of a typical file, a little
/// over one full row group of `payments`.
pub const SEGMENT_BYTES: u64 = 128 << 20;

/// Where the segments of a run's inputs end. A segment is a run of consecutive input files
/// (in input order) that ends after the file at which its bytes reach the segment size, or
/// after the last file; a `payments` row group never spans two segments.
///
/// Why: a sharded run gives each map unit whole segments, so that every row group of
/// `payments` is encoded by one unit and the merge only copies them (see [`shard`]). For
/// the table to be the same whatever the number of shards — and the same as one machine
/// writes — where row groups end must not depend on it: it depends only on the input
/// files' sizes, in order.
#[derive(Debug, Clone, Copy)]
pub struct Segments {
    segment_bytes: u64,
    since_end: u64,
}

impl Segments {
    /// Starts at the first input file.
    pub fn new(segment_bytes: u64) -> Self {
        Segments {
            segment_bytes: segment_bytes.max(1),
            since_end: 0,
        }
    }

    /// Takes the next input file, of `bytes` bytes; whether a segment ends after it.
    pub fn ends_after(&mut self, bytes: u64) -> bool {
        self.since_end = self.since_end.saturating_add(bytes);
        if self.since_end >= self.segment_bytes {
            self.since_end = 0;
            true
        } else {
            false
        }
    }

    /// The segments of files of these sizes, as ranges of file indexes.
    pub fn of(sizes: &[u64], segment_bytes: u64) -> Vec<(usize, usize)> {
        let mut segments = Segments::new(segment_bytes);
        let mut out = Vec::new();
        let mut start = 0;
        for (i, &bytes) in sizes.iter().enumerate() {
            if segments.ends_after(bytes) || i + 1 == sizes.len() {
                out.push((start, i + 1));
                start = i + 1;
            }
        }
        out
    }
}

/// What a run does with an identity conflict: payments that share an identity but differ in
/// content (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictRule {
    /// None of the conflicting payments is netted: all are held in `conflicts` and
    /// `quarantine` for the operator to resolve.
    #[default]
    Hold,
    /// Each distinct content is netted once, as a payment of its own.
    KeepAll,
}

impl ConflictRule {
    /// The name used on the command line and in run manifests.
    pub fn name(self) -> &'static str {
        match self {
            ConflictRule::Hold => "hold",
            ConflictRule::KeepAll => "keep-all",
        }
    }
}

/// One payment as netting sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Obligation {
    /// Where it settles (see [`settlement_system`]): payments of different systems never
    /// net together.
    pub settlement_system: String,
    pub settlement_date: Option<i32>,
    pub currency: String,
    pub payer: String,
    pub payee: String,
    pub amount_minor: i64,
    /// Debtor and creditor accounts (empty when the message names none): part of what
    /// makes two payments of one identity the same payment.
    pub debtor_account: String,
    pub creditor_account: String,
    /// Identity for duplicate detection (UETR, else msg id + end-to-end id + tx id).
    pub identity: String,
    /// Canonical order and provenance: source file (then its digest), message and tx
    /// index, byte offset.
    pub source_file: String,
    pub file_digest: String,
    pub byte_offset: u64,
    pub message_index: u32,
    pub tx_index: u32,
}

/// An obligation borrowed from a `payments` batch: what the streaming run nets without
/// copying a string per row. It becomes an owned [`Obligation`] only when it is reported
/// (a duplicate, or set aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObligationRef<'a> {
    pub settlement_system: &'a str,
    pub settlement_date: Option<i32>,
    pub currency: &'a str,
    pub payer: &'a str,
    pub payee: &'a str,
    pub amount_minor: i64,
    pub debtor_account: &'a str,
    pub creditor_account: &'a str,
    pub identity: &'a str,
    pub source_file: &'a str,
    pub file_digest: &'a str,
    pub byte_offset: u64,
    pub message_index: u32,
    pub tx_index: u32,
}

impl ObligationRef<'_> {
    pub fn to_owned(&self) -> Obligation {
        Obligation {
            settlement_system: self.settlement_system.to_owned(),
            settlement_date: self.settlement_date,
            currency: self.currency.to_owned(),
            payer: self.payer.to_owned(),
            payee: self.payee.to_owned(),
            amount_minor: self.amount_minor,
            debtor_account: self.debtor_account.to_owned(),
            creditor_account: self.creditor_account.to_owned(),
            identity: self.identity.to_owned(),
            source_file: self.source_file.to_owned(),
            file_digest: self.file_digest.to_owned(),
            byte_offset: self.byte_offset,
            message_index: self.message_index,
            tx_index: self.tx_index,
        }
    }
}

impl Obligation {
    pub fn as_ref(&self) -> ObligationRef<'_> {
        ObligationRef {
            settlement_system: &self.settlement_system,
            settlement_date: self.settlement_date,
            currency: &self.currency,
            payer: &self.payer,
            payee: &self.payee,
            amount_minor: self.amount_minor,
            debtor_account: &self.debtor_account,
            creditor_account: &self.creditor_account,
            identity: &self.identity,
            source_file: &self.source_file,
            file_digest: &self.file_digest,
            byte_offset: self.byte_offset,
            message_index: self.message_index,
            tx_index: self.tx_index,
        }
    }
}

/// Errors of netting.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum NettingError {
    #[error("{what} overflows 64-bit minor units for {currency} on {date}")]
    Overflow {
        what: &'static str,
        currency: String,
        date: String,
    },
    #[error("payments table: {0}")]
    Schema(String),
    /// The first payment of a conflicted identity was not handed back to
    /// [`Accumulator::finish`] (the payments it was asked to find again were incomplete).
    #[error(
        "identity conflict over {identity}: its first payment (file {file_digest}, byte {byte_offset}) was not found again"
    )]
    ConflictFirstMissing {
        identity: String,
        file_digest: String,
        byte_offset: u64,
    },
}

/// Formats days since the epoch as `YYYY-MM-DD` (for messages).
pub fn format_date(days: i32) -> String {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
