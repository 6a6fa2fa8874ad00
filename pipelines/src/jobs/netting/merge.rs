//! Netting merged from shards without netting every payment again.
//!
//! Why this is exact: a netting run adds payments in canonical order, and what becomes of a
//! payment (netted, a duplicate, a conflict, set aside) depends only on the payments of its
//! own identity before it; the sums are sums. A shard is a contiguous run of that order, so
//! for an identity whose payments all lie in one shard, the shard's accumulator decided
//! exactly what one machine decides. The merge therefore adds the shards' sums and lists
//! ([`Accumulator::absorb`]) and redoes only the identities found in more than one shard:
//! it takes out what each shard did with their payments and adds those payments again, in
//! canonical order, as one machine would.
//!
//! To find those identities each shard lists every identity it saw, sorted by key
//! ([`IdentityRecord`]); the merge reads the lists side by side, in one pass. For an
//! identity netted in a shard the record gives the row of its first payment in the shard's
//! `payments` table: the one payment of the identity the shard did not keep whole (its
//! duplicates, conflicts and set-aside payments are in its lists), found again by row.

use std::collections::{BTreeMap, BinaryHeap};
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use super::compute::canonical;
use super::identities::identity_key;
use super::{Accumulator, ConflictStatus, Duplicate, NettingConfig, NettingError, Obligation};

/// Net sums of one (settlement system, value date, currency) of a shard, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSums {
    pub settlement_system: String,
    pub value_date: i32,
    pub currency: String,
    pub transactions: u64,
    pub gross: i64,
    /// (a, b, gross a→b, gross b→a, transactions), a < b, sorted.
    pub pairs: Vec<(String, String, i64, i64, u64)>,
    /// (participant, paid, received, transactions), sorted.
    pub positions: Vec<(String, i64, i64, u64)>,
}

/// A conflicted identity of a shard, before it is settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardConflict {
    pub key: [u8; 16],
    /// (content key, file digest, byte offset) of each distinct content, first seen first.
    pub variants: Vec<([u8; 16], String, u64)>,
    pub rows: Vec<(Obligation, ConflictStatus)>,
}

/// What a shard's accumulator holds once its payments are added (see
/// [`Accumulator::into_shard_state`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardState {
    pub groups: Vec<GroupSums>,
    pub duplicates: Vec<Duplicate>,
    pub set_aside: Vec<(Obligation, String)>,
    pub conflicts: Vec<ShardConflict>,
}

/// An identity a shard saw: its key and, when a payment of it was netted, the row of the
/// first such payment in the shard's `payments` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct IdentityRecord {
    pub key: [u8; 16],
    pub row: Option<u64>,
}

/// Bytes of one record in a shard's identity list: the key, then the row (little-endian,
/// `u64::MAX` for none).
pub const RECORD_BYTES: usize = 24;

impl IdentityRecord {
    pub fn to_bytes(self) -> [u8; RECORD_BYTES] {
        let mut out = [0u8; RECORD_BYTES];
        out[..16].copy_from_slice(&self.key);
        out[16..].copy_from_slice(&self.row.unwrap_or(u64::MAX).to_le_bytes());
        out
    }

    pub fn from_bytes(bytes: &[u8; RECORD_BYTES]) -> Self {
        let mut key = [0u8; 16];
        key.copy_from_slice(&bytes[..16]);
        let mut row = [0u8; 8];
        row.copy_from_slice(&bytes[16..]);
        let row = u64::from_le_bytes(row);
        IdentityRecord {
            key,
            row: (row != u64::MAX).then_some(row),
        }
    }
}

/// A shard's identity list: the first payments netted (key and row, in any order) and the
/// identities set aside; sorted by key, one record per identity, the netted row kept.
pub fn identity_list(firsts: Vec<([u8; 16], u64)>, state: &ShardState) -> Vec<IdentityRecord> {
    let mut records: Vec<IdentityRecord> = firsts
        .into_iter()
        .map(|(key, row)| IdentityRecord {
            key,
            row: Some(row),
        })
        .chain(state.set_aside.iter().map(|(o, _)| IdentityRecord {
            key: identity_key(&o.identity),
            row: None,
        }))
        .collect();
    // `Some` sorts after `None`: the last record of a key holds its row, if any.
    records.sort_unstable();
    let mut unique: Vec<IdentityRecord> = Vec::with_capacity(records.len());
    for r in records {
        match unique.last_mut() {
            Some(last) if last.key == r.key => *last = r,
            _ => unique.push(r),
        }
    }
    unique
}

/// Writes an identity list.
pub fn write_identities(out: &mut impl Write, records: &[IdentityRecord]) -> std::io::Result<()> {
    for r in records {
        out.write_all(&r.to_bytes())?;
    }
    Ok(())
}

/// Reads the next record of an identity list; `None` at its end. A list must be sorted
/// by key without repeats, and whole records: anything else is an error.
#[derive(Debug)]
pub struct IdentityReader<R: Read> {
    read: R,
    last: Option<[u8; 16]>,
}

impl<R: Read> IdentityReader<R> {
    pub fn new(read: R) -> Self {
        IdentityReader { read, last: None }
    }

    pub fn next_record(&mut self) -> Result<Option<IdentityRecord>, String> {
        let mut bytes = [0u8; RECORD_BYTES];
        let mut filled = 0;
        while filled < RECORD_BYTES {
            match self.read.read(&mut bytes[filled..]) {
                Ok(0) if filled == 0 => return Ok(None),
                Ok(0) => return Err("the identity list ends inside a record".into()),
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        let record = IdentityRecord::from_bytes(&bytes);
        if self.last.is_some_and(|last| last >= record.key) {
            return Err("the identity list is not sorted by key".into());
        }
        self.last = Some(record.key);
        Ok(Some(record))
    }

    pub fn into_inner(self) -> R {
        self.read
    }
}

/// The identities found in more than one shard, with the shards that saw them and each
/// one's row of a netted first payment. `lists` are the shards' identity lists, in shard
/// order; an error names the shard whose list is damaged.
pub type SharedIdentities = BTreeMap<[u8; 16], Sightings>;

/// The shards that saw one identity, each with its row of a netted first payment.
pub type Sightings = Vec<(usize, Option<u64>)>;

pub fn shared_identities<R: Read>(
    lists: &mut [IdentityReader<R>],
) -> Result<SharedIdentities, (usize, String)> {
    let mut heap = BinaryHeap::new();
    for (shard, list) in lists.iter_mut().enumerate() {
        if let Some(r) = list.next_record().map_err(|e| (shard, e))? {
            heap.push(std::cmp::Reverse((r.key, shard, r.row)));
        }
    }
    let mut shared = SharedIdentities::new();
    let mut current: Option<([u8; 16], Sightings)> = None;
    while let Some(std::cmp::Reverse((key, shard, row))) = heap.pop() {
        if let Some(r) = lists[shard].next_record().map_err(|e| (shard, e))? {
            heap.push(std::cmp::Reverse((r.key, shard, r.row)));
        }
        match &mut current {
            Some((k, seen)) if *k == key => seen.push((shard, row)),
            _ => {
                if let Some((k, seen)) = current.take()
                    && seen.len() > 1
                {
                    shared.insert(k, seen);
                }
                current = Some((key, vec![(shard, row)]));
            }
        }
    }
    if let Some((k, seen)) = current
        && seen.len() > 1
    {
        shared.insert(k, seen);
    }
    Ok(shared)
}

impl ShardState {
    /// Takes out of this shard everything it did with the payments of `shared` identities
    /// and returns those payments: the duplicates, set-aside and conflicting ones from its
    /// lists, plus `netted_firsts` (the first payment it netted of each, found again by
    /// row), each once. What it had netted of them is taken out of its sums.
    pub fn take_shared(
        &mut self,
        shared: &SharedIdentities,
        netted_firsts: Vec<Obligation>,
        config: &NettingConfig,
    ) -> Result<Vec<Obligation>, NettingError> {
        let is_shared = |identity: &str| shared.contains_key(&identity_key(identity));
        let mut taken = Vec::new();
        let mut netted = netted_firsts;
        self.duplicates.retain(|d| {
            let keep = !is_shared(&d.identity);
            if !keep {
                taken.push(d.duplicate.clone());
            }
            keep
        });
        self.set_aside.retain(|(o, _)| {
            let keep = !is_shared(&o.identity);
            if !keep {
                taken.push(o.clone());
            }
            keep
        });
        self.conflicts.retain_mut(|c| {
            if !shared.contains_key(&c.key) {
                return true;
            }
            for (o, status) in c.rows.drain(..) {
                if status == ConflictStatus::Netted {
                    netted.push(o);
                } else {
                    taken.push(o);
                }
            }
            false
        });
        for o in &netted {
            self.unnet(o, config)
                .ok_or_else(|| NettingError::ConflictFirstMissing {
                    identity: o.identity.clone(),
                    file_digest: o.file_digest.clone(),
                    byte_offset: o.byte_offset,
                })?;
        }
        taken.extend(netted);
        taken.sort_by(|a, b| canonical(a).cmp(&canonical(b)));
        taken.dedup_by(|a, b| canonical(a) == canonical(b));
        Ok(taken)
    }

    /// Takes a payment this shard netted out of its sums (as `Accumulator::unnet` does);
    /// `None` when it holds no such sums.
    fn unnet(&mut self, o: &Obligation, config: &NettingConfig) -> Option<()> {
        let date = o.settlement_date.or(config.value_date)?;
        let group = self.groups.iter_mut().find(|g| {
            g.value_date == date
                && g.currency == o.currency
                && g.settlement_system == o.settlement_system
        })?;
        let amount = o.amount_minor;
        group.transactions = group.transactions.checked_sub(1)?;
        group.gross -= amount;
        if o.payer != o.payee {
            let forward = o.payer < o.payee;
            let (a, b) = if forward {
                (&o.payer, &o.payee)
            } else {
                (&o.payee, &o.payer)
            };
            let i = group
                .pairs
                .iter()
                .position(|(pa, pb, ..)| pa == a && pb == b)?;
            let pair = &mut group.pairs[i];
            if forward {
                pair.2 -= amount;
            } else {
                pair.3 -= amount;
            }
            pair.4 = pair.4.checked_sub(1)?;
            if pair.4 == 0 {
                group.pairs.remove(i);
            }
        }
        for (participant, paid) in [(&o.payer, true), (&o.payee, false)] {
            let i = group
                .positions
                .iter()
                .position(|(p, ..)| p == participant)?;
            let position = &mut group.positions[i];
            if paid {
                position.1 -= amount;
            } else {
                position.2 -= amount;
            }
            position.3 = position.3.checked_sub(1)?;
            if position.3 == 0 {
                group.positions.remove(i);
            }
        }
        Some(())
    }
}

/// One shard as the merge takes it.
#[derive(Debug)]
pub struct ShardNetting {
    pub state: ShardState,
    /// The first payments of the shard's conflicted identities (what
    /// [`Accumulator::firsts_query`] wants of them), read from its `payments`.
    pub firsts: Vec<Obligation>,
    /// The first payments it netted of the shared identities, found again by row.
    pub netted_shared: Vec<Obligation>,
}

/// Nets the shards together: the accumulator one machine would hold after adding every
/// payment, and the first payments its [`Accumulator::finish`] wants, in canonical order.
pub fn merge_shards(
    config: &NettingConfig,
    shared: &SharedIdentities,
    shards: impl IntoIterator<Item = ShardNetting>,
) -> Result<(Accumulator, Vec<Obligation>), NettingError> {
    let mut merged = Accumulator::new(*config);
    let mut again = Vec::new();
    let mut firsts = Vec::new();
    let is_shared = |o: &Obligation| shared.contains_key(&identity_key(&o.identity));
    for shard in shards {
        let mut state = shard.state;
        again.extend(state.take_shared(shared, shard.netted_shared, config)?);
        merged.absorb(state)?;
        firsts.extend(shard.firsts.into_iter().filter(|o| !is_shared(o)));
    }
    again.sort_by(|a, b| canonical(a).cmp(&canonical(b)));
    for o in &again {
        merged.add_ref(o.as_ref())?;
    }
    let query = merged.firsts_query();
    firsts.extend(again.into_iter().filter(|o| query.wants(&o.as_ref())));
    firsts.sort_by(|a, b| canonical(a).cmp(&canonical(b)));
    Ok((merged, firsts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_records_round_trip_and_lists_must_be_sorted() {
        let a = IdentityRecord {
            key: [1; 16],
            row: Some(7),
        };
        let b = IdentityRecord {
            key: [2; 16],
            row: None,
        };
        assert_eq!(IdentityRecord::from_bytes(&a.to_bytes()), a);
        assert_eq!(IdentityRecord::from_bytes(&b.to_bytes()), b);
        let mut bytes = Vec::new();
        write_identities(&mut bytes, &[b, a]).unwrap();
        let mut reader = IdentityReader::new(&bytes[..]);
        assert_eq!(reader.next_record().unwrap(), Some(b));
        assert!(reader.next_record().unwrap_err().contains("not sorted"));
        let mut reader = IdentityReader::new(&bytes[..30]);
        assert_eq!(reader.next_record().unwrap(), Some(b));
        assert!(
            reader
                .next_record()
                .unwrap_err()
                .contains("inside a record")
        );
    }

    #[test]
    fn shared_identities_are_those_of_two_shards_or_more() {
        let key = |n: u8| [n; 16];
        let list = |records: &[(u8, Option<u64>)]| {
            let mut bytes = Vec::new();
            let records: Vec<IdentityRecord> = records
                .iter()
                .map(|&(n, row)| IdentityRecord { key: key(n), row })
                .collect();
            write_identities(&mut bytes, &records).unwrap();
            bytes
        };
        let lists = [
            list(&[(1, Some(0)), (3, Some(1)), (5, None)]),
            list(&[(2, Some(0)), (3, None)]),
            list(&[]),
            list(&[(5, Some(4)), (6, Some(5))]),
        ];
        let mut readers: Vec<IdentityReader<&[u8]>> =
            lists.iter().map(|l| IdentityReader::new(&l[..])).collect();
        let shared = shared_identities(&mut readers).unwrap();
        let expected: SharedIdentities = [
            (key(3), vec![(0, Some(1)), (1, None)]),
            (key(5), vec![(0, None), (3, Some(4))]),
        ]
        .into_iter()
        .collect();
        assert_eq!(shared, expected);
    }
}
