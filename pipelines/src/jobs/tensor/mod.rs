//! The compliance tensor (DOMAIN.md §2): one cell per (entity, jurisdiction, domain, as-of
//! date) holding one of five states, evaluated in bulk from evidence, and committed to with
//! a Merkle tree over the cells.
//!
//! - [`State`]: the chain `non_compliant < pending < not_applicable < exempt < compliant`
//!   with meet (min, "all must pass") and join (max, "any source suffices").
//! - [`eval`]: the columnar evaluation (polars lazy joins over the evidence tables) and its
//!   rules: fail closed (no evidence is `pending`; an attestation past its expiry, or with
//!   an expiry that cannot be parsed, turns a passing state into `non_compliant`; an entity
//!   of an unknown jurisdiction has every domain applicable), and sanctions dominance (a
//!   screening hit makes `sanctions` `non_compliant`, whatever else is attested).
//! - [`leaf_bytes`]: the fixed, length-prefixed encoding of a cell that the tree commits
//!   to. Cells are ordered by (entity_id, jurisdiction_id, domain index, as_of), one leaf
//!   each; the tree is the RFC 6962 tree of `verify::merkle`, so `mez log
//!   verify-inclusion` checks a cell's proof.

pub mod eval;
pub mod evidence;
pub mod prove;
pub mod run;

pub use run::{StateCounts, Tensor, TensorParams};

/// A cell's state; the discriminant is its rank in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum State {
    NonCompliant = 0,
    Pending = 1,
    NotApplicable = 2,
    Exempt = 3,
    Compliant = 4,
}

impl State {
    pub const ALL: [State; 5] = [
        State::NonCompliant,
        State::Pending,
        State::NotApplicable,
        State::Exempt,
        State::Compliant,
    ];

    pub fn rank(self) -> u8 {
        self as u8
    }

    pub fn from_rank(rank: u8) -> Option<State> {
        State::ALL.get(usize::from(rank)).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::NonCompliant => "non_compliant",
            State::Pending => "pending",
            State::NotApplicable => "not_applicable",
            State::Exempt => "exempt",
            State::Compliant => "compliant",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// "All must pass": the more restrictive.
    pub fn meet(self, other: State) -> State {
        self.min(other)
    }

    /// "Any source suffices": the less restrictive.
    pub fn join(self, other: State) -> State {
        self.max(other)
    }

    /// compliant, exempt and not_applicable pass.
    pub fn passing(self) -> bool {
        self >= State::NotApplicable
    }

    /// The meet of many cells; an empty set is `pending` (fail closed).
    pub fn meet_all(states: impl IntoIterator<Item = State>) -> State {
        states
            .into_iter()
            .reduce(State::meet)
            .unwrap_or(State::Pending)
    }

    /// The join of many sources; no source is `pending` (fail closed).
    pub fn join_all(states: impl IntoIterator<Item = State>) -> State {
        states
            .into_iter()
            .reduce(State::join)
            .unwrap_or(State::Pending)
    }
}

/// Version byte that starts every cell leaf.
pub const LEAF_VERSION: u8 = 1;

/// The bytes a cell's Merkle leaf hashes: version, then entity id and jurisdiction id each
/// as a big-endian u32 length and UTF-8 bytes, the domain index (u8), the as-of date as
/// big-endian i32 days since 1970-01-01, and the state's rank (u8).
pub fn leaf_bytes(
    entity_id: &str,
    jurisdiction_id: &str,
    domain_index: u8,
    as_of_days: i32,
    state: State,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 8 + entity_id.len() + jurisdiction_id.len() + 6);
    out.push(LEAF_VERSION);
    for field in [entity_id, jurisdiction_id] {
        out.extend_from_slice(&(field.len() as u32).to_be_bytes());
        out.extend_from_slice(field.as_bytes());
    }
    out.push(domain_index);
    out.extend_from_slice(&as_of_days.to_be_bytes());
    out.push(state.rank());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_encoding_separates_fields() {
        // "ab"+"c" and "a"+"bc" must not collide.
        let a = leaf_bytes("ab", "c", 2, 0, State::Compliant);
        let b = leaf_bytes("a", "bc", 2, 0, State::Compliant);
        assert_ne!(a, b);
        assert_eq!(a[0], LEAF_VERSION);
        assert_eq!(*a.last().unwrap(), 4);
    }
}
