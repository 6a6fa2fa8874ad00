//! The index of payment identities already netted: the only part of a netting run that
//! grows with the number of payments.
//!
//! Why not a `HashMap`: the keys are SHA-256 prefixes, uniform already, and with a million
//! identities the table is far larger than the caches, so each new payment costs whatever
//! cache misses the lookup and the insert make. A swiss table keeps its control bytes apart
//! from its entries: a new identity misses once to probe and once more to write the entry.
//! Here the key, its value and the empty mark share one 48-byte slot, and a lookup followed by
//! an insert touches one or two cache lines (linear probing, at most three quarters full).
//!
//! The slot also keeps 16 bytes of the digest of the first payment's *content* (see
//! [`content_key`]): a later payment of the identity is a duplicate only when its content key
//! is the same, and a conflict otherwise. Sixteen bytes, not eight, so that no one can build,
//! with 2^32 tries, a different payment that passes for a re-send of a real one.

/// The 16-byte key of a payment identity: the first bytes of its SHA-256.
pub(super) fn identity_key(identity: &str) -> [u8; 16] {
    let digest = verify::Digest::of(identity.as_bytes()).0;
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// The 16-byte key of what a payment *says* (amount, currency, settlement date, settlement
/// system, payer and payee, debtor and creditor accounts), each field length-prefixed so that
/// no two contents share an encoding. `scratch` is reused between calls.
pub(super) fn content_key(o: &super::ObligationRef<'_>, scratch: &mut Vec<u8>) -> [u8; 16] {
    scratch.clear();
    for text in [
        o.settlement_system,
        o.currency,
        o.payer,
        o.payee,
        o.debtor_account,
        o.creditor_account,
    ] {
        scratch.extend_from_slice(&(text.len() as u64).to_le_bytes());
        scratch.extend_from_slice(text.as_bytes());
    }
    match o.settlement_date {
        Some(d) => {
            scratch.push(1);
            scratch.extend_from_slice(&d.to_le_bytes());
        }
        None => scratch.push(0),
    }
    scratch.extend_from_slice(&o.amount_minor.to_le_bytes());
    let digest = verify::Digest::of(scratch).0;
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// First 16 bytes of SHA-256(identity) → (source number, byte offset, content key), for the
/// first payment of each identity.
#[derive(Debug, Clone)]
pub(super) struct IdentityIndex {
    slots: Vec<Slot>,
    len: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    key: [u8; 16],
    content: [u8; 16],
    offset: u64,
    /// Source number + 1; 0 marks an empty slot.
    source_plus_one: u32,
}

/// Where a lookup ended: the identity's value, or the empty slot it would take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lookup {
    Found {
        source: u32,
        offset: u64,
        content: [u8; 16],
    },
    Vacant(usize),
}

const INITIAL_SLOTS: usize = 1 << 12;

impl Default for IdentityIndex {
    fn default() -> Self {
        Self::with_slots(INITIAL_SLOTS)
    }
}

impl IdentityIndex {
    /// An empty index of `slots` slots (a power of two).
    fn with_slots(slots: usize) -> Self {
        IdentityIndex {
            slots: vec![Slot::default(); slots.next_power_of_two().max(2)],
            len: 0,
        }
    }

    /// Identities indexed.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }

    /// Finds `key`, or the slot where it would go.
    #[inline]
    pub fn lookup(&self, key: &[u8; 16]) -> Lookup {
        Self::probe(&self.slots, key)
    }

    fn probe(slots: &[Slot], key: &[u8; 16]) -> Lookup {
        let mask = slots.len() - 1;
        // The key is a digest prefix: its first bytes are as good as any hash of it.
        let mut start = [0u8; 8];
        start.copy_from_slice(&key[..8]);
        let mut i = u64::from_le_bytes(start) as usize & mask;
        loop {
            let slot = &slots[i];
            if slot.source_plus_one == 0 {
                return Lookup::Vacant(i);
            }
            if slot.key == *key {
                return Lookup::Found {
                    source: slot.source_plus_one - 1,
                    offset: slot.offset,
                    content: slot.content,
                };
            }
            i = (i + 1) & mask;
        }
    }

    /// Inserts `key`, which [`IdentityIndex::lookup`] just reported vacant at `slot`, with
    /// no insert in between. `source` must be below `u32::MAX`.
    pub fn insert(
        &mut self,
        slot: usize,
        key: &[u8; 16],
        content: &[u8; 16],
        source: u32,
        offset: u64,
    ) {
        let mut slot = slot;
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
            slot = match Self::probe(&self.slots, key) {
                Lookup::Vacant(i) => i,
                Lookup::Found { .. } => return,
            };
        }
        self.slots[slot] = Slot {
            key: *key,
            content: *content,
            offset,
            source_plus_one: source.saturating_add(1),
        };
        self.len += 1;
    }

    fn grow(&mut self) {
        let doubled = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        for slot in old.into_iter().filter(|s| s.source_plus_one != 0) {
            if let Lookup::Vacant(i) = Self::probe(&self.slots, &slot.key) {
                self.slots[i] = slot;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    /// Key `n`. With a small `spread`, the low words take few values just below zero, so
    /// keys collide in the last slots of the table and their probe runs wrap around.
    fn key(n: u64, spread: u64) -> [u8; 16] {
        let mut k = [0u8; 16];
        let low = (n % spread.max(1)).wrapping_sub(3);
        k[..8].copy_from_slice(&low.to_le_bytes());
        k[8..].copy_from_slice(&n.to_le_bytes());
        k
    }

    proptest! {
        /// The index answers exactly as a map keeping the first value of each key, through
        /// growth, collisions of the low bits and probe runs that wrap around the end.
        #[test]
        fn agrees_with_a_map_keeping_first_values(
            ops in proptest::collection::vec((0u64..400, 0u32..50, any::<u64>()), 0..1500),
            spread in prop_oneof![Just(1u64), Just(7), Just(u64::MAX)],
        ) {
            // Eight slots to start with: the index grows several times.
            let mut index = IdentityIndex::with_slots(8);
            let mut map: HashMap<[u8; 16], (u32, u64, [u8; 16])> = HashMap::new();
            for (n, source, offset) in ops {
                let k = key(n, spread);
                let content = key(offset, u64::MAX);
                match index.lookup(&k) {
                    Lookup::Found { source: s, offset: o, content: c } => {
                        prop_assert_eq!(map.get(&k), Some(&(s, o, c)));
                    }
                    Lookup::Vacant(slot) => {
                        prop_assert!(!map.contains_key(&k));
                        index.insert(slot, &k, &content, source, offset);
                        map.insert(k, (source, offset, content));
                    }
                }
                prop_assert_eq!(index.len(), map.len());
            }
            for (k, v) in &map {
                prop_assert_eq!(
                    index.lookup(k),
                    Lookup::Found { source: v.0, offset: v.1, content: v.2 }
                );
            }
        }
    }

    #[test]
    fn stays_at_most_three_quarters_full() {
        let mut index = IdentityIndex::default();
        for n in 0..100_000u64 {
            let k = key(n.wrapping_mul(0x9E37_79B9_7F4A_7C15), u64::MAX);
            if let Lookup::Vacant(slot) = index.lookup(&k) {
                index.insert(slot, &k, &k, 0, n);
            }
            assert!(index.len() * 4 <= index.slots.len() * 3);
        }
        assert_eq!(index.len(), 100_000);
    }
}
