//! The arithmetic of netting, on plain structs.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use super::identities::{IdentityIndex, Lookup};
use super::{LegsMode, NettingConfig, NettingError, Obligation, ObligationRef, format_date};

/// Net results of one (settlement system, value date, currency).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    pub settlement_system: String,
    pub value_date: i32,
    pub currency: String,
    pub transactions: u64,
    pub gross: i64,
    /// (a, b) with a < b → (gross a→b, gross b→a, transactions).
    pub pairs: BTreeMap<(String, String), (i64, i64, u64)>,
    /// participant → (paid, received, transactions).
    pub positions: BTreeMap<String, (i64, i64, u64)>,
    /// (payer, payee, amount, payer position before, payee position before).
    pub legs: Vec<(String, String, i64, i64, i64)>,
}

impl Group {
    /// B = Σ_{p<q} |b_pq|, summed in `i128`: B ≤ G, and G fits `i64` (its sum is checked).
    pub fn bilateral_total(&self) -> i64 {
        let total: i128 = self
            .pairs
            .values()
            .map(|(ab, ba, _)| (i128::from(*ba) - i128::from(*ab)).abs())
            .sum();
        i64::try_from(total).unwrap_or(i64::MAX)
    }

    /// n_p = received − paid.
    pub fn net(&self, participant: &str) -> i64 {
        self.positions
            .get(participant)
            .map_or(0, |(paid, received, _)| received - paid)
    }

    /// M = ½ Σ |n_p|. Σ |n_p| reaches 2G, past `i64` for G above `i64::MAX / 2`: it is
    /// summed in `i128`, and M ≤ G fits `i64` again.
    pub fn multilateral_total(&self) -> i64 {
        let twice: i128 = self
            .positions
            .values()
            .map(|(paid, received, _)| (i128::from(*received) - i128::from(*paid)).abs())
            .sum();
        i64::try_from(twice / 2).unwrap_or(i64::MAX)
    }
}

/// A payment counted once and set aside as a duplicate of an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub identity: String,
    pub kept_file_digest: String,
    pub kept_byte_offset: u64,
    pub duplicate: Obligation,
}

/// Everything a netting run computes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NettingResult {
    /// By (settlement system, value date, currency).
    pub groups: BTreeMap<(String, i32, String), Group>,
    pub duplicates: Vec<Duplicate>,
    /// Obligations not netted, with the reason (e.g. another value date).
    pub set_aside: Vec<(Obligation, String)>,
}

/// Nets obligations. Input order does not matter: they are put in canonical order first.
pub fn net(
    mut obligations: Vec<Obligation>,
    config: &NettingConfig,
) -> Result<NettingResult, NettingError> {
    obligations.sort_by(|a, b| {
        (
            &a.source_file,
            &a.file_digest,
            a.message_index,
            a.tx_index,
            a.byte_offset,
        )
            .cmp(&(
                &b.source_file,
                &b.file_digest,
                b.message_index,
                b.tx_index,
                b.byte_offset,
            ))
    });
    let mut acc = Accumulator::new(*config);
    for o in obligations {
        acc.add(o)?;
    }
    Ok(acc.finish())
}

/// Streaming netting: obligations are added **in canonical order** (source file, file
/// digest, message, transaction) and only aggregates are kept, plus 16 bytes per distinct payment identity
/// for duplicate detection, so memory does not grow with the size of the payments.
///
/// Participants are numbered as they appear and groups found by a short search, so adding
/// a payment allocates nothing; names and ordered maps are rebuilt once, in
/// [`Accumulator::finish`].
#[derive(Debug)]
pub struct Accumulator {
    config: NettingConfig,
    /// First 16 bytes of SHA-256(identity) → (index into `sources`, byte offset).
    seen: IdentityIndex,
    sources: Vec<String>,
    /// Keyed by ids from the input files: the standard (DoS-resistant) hasher.
    participants: HashMap<String, u32>,
    names: Vec<String>,
    /// The participants last found as payer and as payee.
    recent: [u32; 2],
    groups: Vec<Working>,
    last_group: usize,
    duplicates: Vec<Duplicate>,
    set_aside: Vec<(Obligation, String)>,
}

/// Hashes participant numbers: they are ours, handed out in order, not taken from the
/// input, so a multiplicative hash cannot be steered into collisions.
#[derive(Debug, Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(32) ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A group being accumulated, participants by number.
#[derive(Debug)]
struct Working {
    settlement_system: String,
    value_date: i32,
    currency: String,
    transactions: u64,
    gross: i64,
    /// (a, b) with name(a) < name(b) → (gross a→b, gross b→a, transactions).
    pairs: HashMap<(u32, u32), (i64, i64, u64), BuildHasherDefault<IdHasher>>,
    /// By participant number; `None` for participants with no payment in this group.
    positions: Vec<Option<(i64, i64, u64)>>,
}

impl Accumulator {
    pub fn new(config: NettingConfig) -> Self {
        Accumulator {
            config,
            seen: IdentityIndex::default(),
            sources: Vec::new(),
            participants: HashMap::default(),
            names: Vec::new(),
            recent: [0; 2],
            groups: Vec::new(),
            last_group: 0,
            duplicates: Vec::new(),
            set_aside: Vec::new(),
        }
    }

    fn source_index(&mut self, digest: &str) -> u32 {
        if self.sources.last().is_some_and(|d| d == digest) {
            return (self.sources.len() - 1) as u32;
        }
        if let Some(i) = self.sources.iter().rposition(|d| d == digest) {
            return i as u32;
        }
        self.sources.push(digest.to_owned());
        (self.sources.len() - 1) as u32
    }

    /// The number of participant `name`; `slot` picks which of the recent hits to try
    /// first (payers and payees repeat: a bulk file often has one debtor agent).
    fn participant(&mut self, name: &str, slot: usize) -> u32 {
        let recent = self.recent[slot];
        if self.names.get(recent as usize).is_some_and(|n| n == name) {
            return recent;
        }
        if let Some(&id) = self.participants.get(name) {
            self.recent[slot] = id;
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.participants.insert(name.to_owned(), id);
        self.recent[slot] = id;
        id
    }

    fn group(&mut self, system: &str, date: i32, currency: &str) -> usize {
        let hit = |g: &Working| {
            g.value_date == date && g.currency == currency && g.settlement_system == system
        };
        if self.groups.get(self.last_group).is_some_and(hit) {
            return self.last_group;
        }
        let index = match self.groups.iter().position(hit) {
            Some(i) => i,
            None => {
                self.groups.push(Working {
                    settlement_system: system.to_owned(),
                    value_date: date,
                    currency: currency.to_owned(),
                    transactions: 0,
                    gross: 0,
                    pairs: HashMap::default(),
                    positions: Vec::new(),
                });
                self.groups.len() - 1
            }
        };
        self.last_group = index;
        index
    }

    /// Adds one obligation (the next in canonical order).
    pub fn add(&mut self, o: Obligation) -> Result<(), NettingError> {
        self.add_ref(o.as_ref())
    }

    /// Adds one borrowed obligation (the next in canonical order).
    pub fn add_ref(&mut self, o: ObligationRef<'_>) -> Result<(), NettingError> {
        let h = verify::Digest::of(o.identity.as_bytes()).0;
        let mut key = [0u8; 16];
        key.copy_from_slice(&h[..16]);
        let vacant = match self.seen.lookup(&key) {
            Lookup::Vacant(slot) => slot,
            Lookup::Found { source, offset } => {
                self.duplicates.push(Duplicate {
                    identity: o.identity.to_owned(),
                    kept_file_digest: self
                        .sources
                        .get(source as usize)
                        .cloned()
                        .unwrap_or_default(),
                    kept_byte_offset: offset,
                    duplicate: o.to_owned(),
                });
                return Ok(());
            }
        };
        let date = match (o.settlement_date, self.config.value_date) {
            (None, Some(d)) => d,
            (Some(d), Some(v)) if d != v => {
                self.set_aside.push((
                    o.to_owned(),
                    format!(
                        "settlement date {} is not the run's value date {}",
                        format_date(d),
                        format_date(v)
                    ),
                ));
                return Ok(());
            }
            (None, None) => {
                self.set_aside.push((
                    o.to_owned(),
                    "no settlement date (give the run a --value-date)".into(),
                ));
                return Ok(());
            }
            (Some(d), _) => d,
        };
        let source = self.source_index(o.file_digest);
        self.seen.insert(vacant, &key, source, o.byte_offset);
        let overflow = |what| NettingError::Overflow {
            what,
            currency: o.currency.to_owned(),
            date: format_date(date),
        };
        let payer = self.participant(o.payer, 0);
        let payee = self.participant(o.payee, 1);
        let forward = o.payer < o.payee;
        let g = self.group(o.settlement_system, date, o.currency);
        let group = &mut self.groups[g];
        group.transactions += 1;
        group.gross = group
            .gross
            .checked_add(o.amount_minor)
            .ok_or_else(|| overflow("gross"))?;
        if payer != payee {
            let key = if forward {
                (payer, payee)
            } else {
                (payee, payer)
            };
            let pair = group.pairs.entry(key).or_default();
            let side = if forward { &mut pair.0 } else { &mut pair.1 };
            *side = side
                .checked_add(o.amount_minor)
                .ok_or_else(|| overflow("bilateral gross"))?;
            pair.2 += 1;
        }
        let needed = payer.max(payee) as usize + 1;
        if group.positions.len() < needed {
            group.positions.resize(needed, None);
        }
        let paid = group.positions[payer as usize].get_or_insert_default();
        paid.0 = paid
            .0
            .checked_add(o.amount_minor)
            .ok_or_else(|| overflow("paid"))?;
        paid.2 += 1;
        let received = group.positions[payee as usize].get_or_insert_default();
        received.1 = received
            .1
            .checked_add(o.amount_minor)
            .ok_or_else(|| overflow("received"))?;
        received.2 += 1;
        Ok(())
    }

    /// Computes the settlement legs and returns the result.
    pub fn finish(self) -> NettingResult {
        let names = &self.names;
        let name = |id: u32| names.get(id as usize).cloned().unwrap_or_default();
        let mut groups = BTreeMap::new();
        for w in self.groups {
            let mut group = Group {
                settlement_system: w.settlement_system.clone(),
                value_date: w.value_date,
                currency: w.currency.clone(),
                transactions: w.transactions,
                gross: w.gross,
                pairs: w
                    .pairs
                    .into_iter()
                    .map(|((a, b), v)| ((name(a), name(b)), v))
                    .collect(),
                positions: w
                    .positions
                    .into_iter()
                    .enumerate()
                    .filter_map(|(p, v)| Some((name(p as u32), v?)))
                    .collect(),
                legs: Vec::new(),
            };
            group.legs = legs(&group, self.config.legs);
            groups.insert((w.settlement_system, w.value_date, w.currency), group);
        }
        NettingResult {
            groups,
            duplicates: self.duplicates,
            set_aside: self.set_aside,
        }
    }
}

/// Participants and the positive amounts they owe or are owed.
type Side = Vec<(String, i64)>;

/// The participants of `group` with a nonzero net position, split into debtors (what they
/// owe) and creditors (what they are owed), both as positive amounts and in id order.
fn debtors_and_creditors(group: &Group) -> (Side, Side) {
    let (mut debtors, mut creditors) = (Side::new(), Side::new());
    for (p, (paid, received, _)) in &group.positions {
        let n = received - paid;
        if n < 0 {
            debtors.push((p.clone(), -n));
        } else if n > 0 {
            creditors.push((p.clone(), n));
        }
    }
    (debtors, creditors)
}

/// Settlement legs that bring every position of `group` to zero.
fn legs(group: &Group, mode: LegsMode) -> Vec<(String, String, i64, i64, i64)> {
    let (mut debtors, mut creditors) = debtors_and_creditors(group);
    let mut out = Vec::new();
    match mode {
        LegsMode::LargestFirst => {
            // Largest first, ties by id (the smallest index: both sides are sorted by id),
            // from a heap per side: O(N log N) for N participants, not a scan per leg.
            let heap = |side: &[(String, i64)]| -> BinaryHeap<(i64, Reverse<usize>)> {
                side.iter()
                    .enumerate()
                    .map(|(i, (_, amount))| (*amount, Reverse(i)))
                    .collect()
            };
            let (mut owing, mut owed) = (heap(&debtors), heap(&creditors));
            while let (Some((d_amount, Reverse(d))), Some((c_amount, Reverse(c)))) =
                (owing.pop(), owed.pop())
            {
                let amount = d_amount.min(c_amount);
                out.push((
                    debtors[d].0.clone(),
                    creditors[c].0.clone(),
                    amount,
                    -d_amount,
                    c_amount,
                ));
                if d_amount > amount {
                    owing.push((d_amount - amount, Reverse(d)));
                }
                if c_amount > amount {
                    owed.push((c_amount - amount, Reverse(c)));
                }
            }
        }
        LegsMode::LegacyById => {
            let (mut i, mut j) = (0, 0);
            while i < debtors.len() && j < creditors.len() {
                let amount = debtors[i].1.min(creditors[j].1);
                out.push((
                    debtors[i].0.clone(),
                    creditors[j].0.clone(),
                    amount,
                    -debtors[i].1,
                    creditors[j].1,
                ));
                debtors[i].1 -= amount;
                creditors[j].1 -= amount;
                if debtors[i].1 == 0 {
                    i += 1;
                }
                if creditors[j].1 == 0 {
                    j += 1;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The legs as they were chosen before the heap: a scan for the largest on each side
    /// per leg (O(N²)), kept to check the heap against.
    fn legs_by_scanning(group: &Group) -> Vec<(String, String, i64, i64, i64)> {
        let pick_largest = |side: &[(String, i64)]| -> Option<usize> {
            let mut best: Option<usize> = None;
            for (i, (_, amount)) in side.iter().enumerate() {
                if *amount > 0 && best.is_none_or(|b| *amount > side[b].1) {
                    best = Some(i);
                }
            }
            best
        };
        let (mut debtors, mut creditors) = debtors_and_creditors(group);
        let mut out = Vec::new();
        while let (Some(d), Some(c)) = (pick_largest(&debtors), pick_largest(&creditors)) {
            let amount = debtors[d].1.min(creditors[c].1);
            out.push((
                debtors[d].0.clone(),
                creditors[c].0.clone(),
                amount,
                -debtors[d].1,
                creditors[c].1,
            ));
            debtors[d].1 -= amount;
            creditors[c].1 -= amount;
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The heap picks exactly the legs the scan picked, ties and all.
        #[test]
        fn the_heap_chooses_the_same_legs_as_the_scan(
            positions in prop::collection::vec((0i64..6, 0i64..6), 0..40)
        ) {
            let mut group = Group::default();
            for (i, (paid, received)) in positions.iter().enumerate() {
                // Small amounts, so that ties between participants are frequent.
                group.positions.insert(format!("P{i:03}"), (*paid, *received, 1));
            }
            // Make the positions sum to zero, as netting's do.
            let total: i64 = group.positions.values().map(|(p, r, _)| r - p).sum();
            group.positions.insert("ZZZ".into(), (total.max(0), (-total).max(0), 1));
            prop_assert_eq!(legs(&group, LegsMode::LargestFirst), legs_by_scanning(&group));
        }
    }
}
