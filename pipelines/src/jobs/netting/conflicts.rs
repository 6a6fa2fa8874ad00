//! Identity conflicts: payments that share an identity but not their content.
//!
//! Why this is kept apart from the sums: conflicts are rare, and what they need — the
//! distinct contents of each identity, the payments held, the first payment to be found
//! again — stays here, off the path of the millions of payments that have none.
//!
//! Why the first payment must be *found again*: the run streams and keeps 48 bytes per
//! identity, not the payment. The first payment of an identity is netted before anyone can
//! know that a later one will contradict it. When one does, the accumulator asks for the
//! first back ([`FirstsQuery`]) from whoever holds the payments — the `payments` table the
//! run has just written, or the caller's vector — and under [`ConflictRule::Hold`] takes its
//! contribution out of the sums again (sums and counts are exactly reversible).
//!
//! [`ConflictRule::Hold`]: super::ConflictRule::Hold

use std::collections::{BTreeMap, BTreeSet};

use super::ObligationRef;
use super::identities::identity_key;
use super::{ConflictStatus, Obligation};

/// One distinct content of a conflicted identity, where it was first seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Variant {
    pub content: [u8; 16],
    /// Index of the file digest among the accumulator's sources.
    pub source: u32,
    pub offset: u64,
}

/// What the run saw of one conflicted identity.
#[derive(Debug, Clone)]
pub(super) struct Conflict {
    /// Distinct contents in order of first appearance. The first is the payment netted
    /// before the conflict was seen.
    pub variants: Vec<Variant>,
    /// The payments after the first (but the duplicates seen before the conflict, which
    /// are among the accumulator's duplicates), with what became of them.
    pub rows: Vec<(Obligation, ConflictStatus)>,
}

/// The conflicted identities of a run, by identity key.
pub(super) type Conflicts = BTreeMap<[u8; 16], Conflict>;

/// The first payments of the conflicted identities of a run: whoever holds the payments
/// passes every one it [`wants`](FirstsQuery::wants), in canonical order, to
/// [`Accumulator::finish`](super::Accumulator::finish).
#[derive(Debug, Clone, Default)]
pub struct FirstsQuery {
    /// Identity key → (file digest, byte offset) of the first payment.
    wanted: BTreeMap<[u8; 16], (String, u64)>,
    /// The byte offsets alone: most payments are turned away by this check, before their
    /// identity is hashed.
    offsets: BTreeSet<u64>,
}

impl FirstsQuery {
    pub(super) fn new(conflicts: &Conflicts, sources: &[String]) -> Self {
        let mut query = FirstsQuery::default();
        for (key, conflict) in conflicts {
            let first = conflict.variants[0];
            let digest = sources
                .get(first.source as usize)
                .cloned()
                .unwrap_or_default();
            query.wanted.insert(*key, (digest, first.offset));
            query.offsets.insert(first.offset);
        }
        query
    }

    /// Whether no payment is wanted (the run had no identity conflict).
    pub fn is_empty(&self) -> bool {
        self.wanted.is_empty()
    }

    /// Whether `o` is the first payment of a conflicted identity.
    pub fn wants(&self, o: &ObligationRef<'_>) -> bool {
        if !self.offsets.contains(&o.byte_offset) {
            return false;
        }
        self.wanted
            .get(&identity_key(o.identity))
            .is_some_and(|(digest, offset)| digest == o.file_digest && *offset == o.byte_offset)
    }
}

/// The reason a held payment is set aside, for `quarantine`.
pub(super) fn held_reason(identity: &str, payments: usize, contents: usize) -> String {
    format!(
        "identity conflict: {identity} is used by {payments} payments with {contents} different \
         contents (amount, currency, settlement date, participants or accounts differ); none is \
         netted (see the conflicts table; --conflicts keep-all nets each content once)"
    )
}
