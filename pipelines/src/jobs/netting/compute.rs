//! The arithmetic of netting, on plain structs.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use super::conflicts::{Conflict, Conflicts, FirstsQuery, Variant, held_reason};
use super::identities::{IdentityIndex, Lookup, content_key, identity_key};
use super::legs::legs;
use super::merge::{GroupSums, ShardConflict, ShardState};
use super::{ConflictRule, NettingConfig, NettingError, Obligation, ObligationRef, format_date};

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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Duplicate {
    pub identity: String,
    pub kept_file_digest: String,
    pub kept_byte_offset: u64,
    pub duplicate: Obligation,
}

/// What became of a payment of a conflicted identity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ConflictStatus {
    /// Not netted: held for the operator ([`ConflictRule::Hold`]).
    Held,
    /// Netted as a payment of its own ([`ConflictRule::KeepAll`]).
    Netted,
    /// A re-send of a content already netted ([`ConflictRule::KeepAll`]).
    Duplicate,
    /// Not netted for another reason, e.g. another value date ([`ConflictRule::KeepAll`]).
    SetAside,
}

impl ConflictStatus {
    /// The name in the `conflicts` table.
    pub fn name(self) -> &'static str {
        match self {
            ConflictStatus::Held => "held",
            ConflictStatus::Netted => "netted",
            ConflictStatus::Duplicate => "duplicate",
            ConflictStatus::SetAside => "set_aside",
        }
    }
}

/// A payment of a conflicted identity: a row of the `conflicts` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictRow {
    pub payment: Obligation,
    pub status: ConflictStatus,
    /// Which distinct content of the identity it carries, from 1, in canonical order.
    pub variant: u32,
    /// How many distinct contents the identity has.
    pub variants: u32,
}

/// Everything a netting run computes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NettingResult {
    /// By (settlement system, value date, currency).
    pub groups: BTreeMap<(String, i32, String), Group>,
    pub duplicates: Vec<Duplicate>,
    /// Every payment of an identity used with different content, sorted by identity, then
    /// in canonical order.
    pub conflicts: Vec<ConflictRow>,
    /// Obligations not netted, with the reason (e.g. another value date, a held conflict).
    pub set_aside: Vec<(Obligation, String)>,
}

/// Nets obligations. Input order does not matter: they are put in canonical order first.
pub fn net(
    mut obligations: Vec<Obligation>,
    config: &NettingConfig,
) -> Result<NettingResult, NettingError> {
    obligations.sort_by(|a, b| canonical(a).cmp(&canonical(b)));
    let mut acc = Accumulator::new(*config);
    for o in &obligations {
        acc.add_ref(o.as_ref())?;
    }
    let query = acc.firsts_query();
    let firsts = if query.is_empty() {
        Vec::new()
    } else {
        obligations
            .into_iter()
            .filter(|o| query.wants(&o.as_ref()))
            .collect()
    };
    acc.finish(firsts)
}

/// Streaming netting: obligations are added **in canonical order** (source file, file
/// digest, message, transaction) and only aggregates are kept, plus 48 bytes per distinct
/// payment identity for duplicate and conflict detection, so memory does not grow with the
/// size of the payments. Identity conflicts are settled in [`Accumulator::finish`] (see
/// [`super::conflicts`]).
///
/// Participants are numbered as they appear and groups found by a short search, so adding
/// a payment allocates nothing; names and ordered maps are rebuilt once, in
/// [`Accumulator::finish`].
#[derive(Debug)]
pub struct Accumulator {
    config: NettingConfig,
    /// First 16 bytes of SHA-256(identity) → (index into `sources`, byte offset, content).
    seen: IdentityIndex,
    /// Identities used with different content, by identity key.
    conflicts: Conflicts,
    /// Reused to encode a payment's content for [`content_key`].
    scratch: Vec<u8>,
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
            conflicts: Conflicts::new(),
            scratch: Vec::with_capacity(256),
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
        self.add_noting_first(o).map(|_| ())
    }

    /// Adds one borrowed obligation (the next in canonical order); returns its identity key
    /// when it is the first payment of its identity to be netted (what a shard tells the
    /// merge, see [`ShardState`]).
    pub fn add_noting_first(
        &mut self,
        o: ObligationRef<'_>,
    ) -> Result<Option<[u8; 16]>, NettingError> {
        let key = identity_key(o.identity);
        let content = content_key(&o, &mut self.scratch);
        let vacant = match self.seen.lookup(&key) {
            Lookup::Vacant(slot) => slot,
            Lookup::Found {
                source,
                offset,
                content: first,
            } => {
                if first == content && !self.conflicts.contains_key(&key) {
                    self.push_duplicate(o, source, offset);
                    return Ok(None);
                }
                let first = Variant {
                    content: first,
                    source,
                    offset,
                };
                return self.add_conflicting(key, o, content, first).map(|_| None);
            }
        };
        let Some(date) = self.value_date_of(o) else {
            return Ok(None);
        };
        let source = self.source_index(o.file_digest);
        self.seen
            .insert(vacant, &key, &content, source, o.byte_offset);
        self.net_one(o, date).map(|_| Some(key))
    }

    fn push_duplicate(&mut self, o: ObligationRef<'_>, kept_source: u32, kept_offset: u64) {
        self.duplicates.push(Duplicate {
            identity: o.identity.to_owned(),
            kept_file_digest: self
                .sources
                .get(kept_source as usize)
                .cloned()
                .unwrap_or_default(),
            kept_byte_offset: kept_offset,
            duplicate: o.to_owned(),
        });
    }

    /// The date `o` is netted on, or `None` after setting it aside (another value date than
    /// the run's, or none at all).
    fn value_date_of(&mut self, o: ObligationRef<'_>) -> Option<i32> {
        let reason = match (o.settlement_date, self.config.value_date) {
            (None, Some(d)) => return Some(d),
            (Some(d), Some(v)) if d != v => format!(
                "settlement date {} is not the run's value date {}",
                format_date(d),
                format_date(v)
            ),
            (None, None) => "no settlement date (give the run a --value-date)".into(),
            (Some(d), _) => return Some(d),
        };
        self.set_aside.push((o.to_owned(), reason));
        None
    }

    /// A payment of an identity already seen with another content (`first`): held, or
    /// under [`ConflictRule::KeepAll`] netted once per distinct content.
    fn add_conflicting(
        &mut self,
        key: [u8; 16],
        o: ObligationRef<'_>,
        content: [u8; 16],
        first: Variant,
    ) -> Result<(), NettingError> {
        let conflict = self.conflicts.entry(key).or_insert_with(|| Conflict {
            variants: vec![first],
            rows: Vec::new(),
        });
        if self.config.conflicts == ConflictRule::Hold {
            conflict.rows.push((o.to_owned(), ConflictStatus::Held));
            return Ok(());
        }
        if let Some(kept) = conflict.variants.iter().find(|v| v.content == content) {
            let (source, offset) = (kept.source, kept.offset);
            self.push_duplicate(o, source, offset);
            return Ok(());
        }
        let Some(date) = self.value_date_of(o) else {
            if let Some(c) = self.conflicts.get_mut(&key) {
                c.rows.push((o.to_owned(), ConflictStatus::SetAside));
            }
            return Ok(());
        };
        let source = self.source_index(o.file_digest);
        if let Some(c) = self.conflicts.get_mut(&key) {
            c.variants.push(Variant {
                content,
                source,
                offset: o.byte_offset,
            });
            c.rows.push((o.to_owned(), ConflictStatus::Netted));
        }
        self.net_one(o, date)
    }

    /// Adds `o` to the sums of its group on `date`.
    fn net_one(&mut self, o: ObligationRef<'_>, date: i32) -> Result<(), NettingError> {
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

    /// Takes a netted payment out of the sums again: exactly what [`Accumulator::net_one`]
    /// added, so the sums are those of a run that never saw it. `None` when it was not
    /// netted (no such group or participant).
    fn unnet(&mut self, o: &Obligation) -> Option<()> {
        let date = o.settlement_date.or(self.config.value_date)?;
        let payer = *self.participants.get(&o.payer)?;
        let payee = *self.participants.get(&o.payee)?;
        let g = self.groups.iter().position(|g| {
            g.value_date == date
                && g.currency == o.currency
                && g.settlement_system == o.settlement_system
        })?;
        let group = &mut self.groups[g];
        let amount = o.amount_minor;
        group.transactions = group.transactions.checked_sub(1)?;
        group.gross -= amount;
        if payer != payee {
            let forward = o.payer < o.payee;
            let key = if forward {
                (payer, payee)
            } else {
                (payee, payer)
            };
            let pair = group.pairs.get_mut(&key)?;
            if forward {
                pair.0 -= amount;
            } else {
                pair.1 -= amount;
            }
            pair.2 -= 1;
            if pair.2 == 0 {
                group.pairs.remove(&key);
            }
        }
        for (participant, paid) in [(payer, true), (payee, false)] {
            let slot = group.positions.get_mut(participant as usize)?;
            let position = slot.as_mut()?;
            if paid {
                position.0 -= amount;
            } else {
                position.1 -= amount;
            }
            position.2 -= 1;
            if position.2 == 0 {
                *slot = None;
            }
        }
        Some(())
    }

    /// Whether some identity was used with different content.
    pub fn has_conflicts(&self) -> bool {
        !self.conflicts.is_empty()
    }

    /// The first payments of the conflicted identities, which [`Accumulator::finish`] needs
    /// back (see [`super::conflicts`]). Empty when the run has no conflict.
    pub fn firsts_query(&self) -> FirstsQuery {
        FirstsQuery::new(&self.conflicts, &self.sources)
    }

    /// Settles the identity conflicts: the rows of the `conflicts` table; under
    /// [`ConflictRule::Hold`], every payment of a conflicted identity set aside and the
    /// first taken out of the sums. `firsts`: the payments [`FirstsQuery::wants`], in
    /// canonical order.
    fn settle_conflicts(
        &mut self,
        firsts: Vec<Obligation>,
    ) -> Result<Vec<ConflictRow>, NettingError> {
        if self.conflicts.is_empty() {
            return Ok(Vec::new());
        }
        let conflicts = std::mem::take(&mut self.conflicts);
        let query = FirstsQuery::new(&conflicts, &self.sources);
        let mut first_of: BTreeMap<[u8; 16], Obligation> = BTreeMap::new();
        for o in firsts {
            if query.wants(&o.as_ref()) {
                first_of.entry(identity_key(&o.identity)).or_insert(o);
            }
        }
        let hold = self.config.conflicts == ConflictRule::Hold;
        // Duplicates of the first payment seen before the conflict was: held with the rest,
        // or (keep-all) still duplicates, and listed.
        let mut early: BTreeMap<[u8; 16], Vec<Obligation>> = BTreeMap::new();
        self.duplicates.retain(|d| {
            let key = identity_key(&d.identity);
            if !conflicts.contains_key(&key) {
                return true;
            }
            early.entry(key).or_default().push(d.duplicate.clone());
            !hold
        });
        let mut out = Vec::new();
        for (key, conflict) in conflicts {
            let first_variant = conflict.variants[0];
            let Some(first) = first_of.remove(&key) else {
                return Err(NettingError::ConflictFirstMissing {
                    identity: conflict
                        .rows
                        .first()
                        .map(|(o, _)| o.identity.clone())
                        .unwrap_or_default(),
                    file_digest: self
                        .sources
                        .get(first_variant.source as usize)
                        .cloned()
                        .unwrap_or_default(),
                    byte_offset: first_variant.offset,
                });
            };
            let (first_status, early_status) = if hold {
                (ConflictStatus::Held, ConflictStatus::Held)
            } else {
                (ConflictStatus::Netted, ConflictStatus::Duplicate)
            };
            if hold && self.unnet(&first).is_none() {
                return Err(NettingError::ConflictFirstMissing {
                    identity: first.identity.clone(),
                    file_digest: first.file_digest.clone(),
                    byte_offset: first.byte_offset,
                });
            }
            let mut rows: Vec<(Obligation, ConflictStatus)> = vec![(first, first_status)];
            rows.extend(
                early
                    .remove(&key)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|o| (o, early_status)),
            );
            rows.extend(conflict.rows);
            rows.sort_by(|(a, _), (b, _)| canonical(a).cmp(&canonical(b)));
            let mut contents: Vec<[u8; 16]> = Vec::new();
            let mut numbered = Vec::with_capacity(rows.len());
            for (payment, status) in rows {
                let content = content_key(&payment.as_ref(), &mut self.scratch);
                let variant = match contents.iter().position(|c| *c == content) {
                    Some(i) => i,
                    None => {
                        contents.push(content);
                        contents.len() - 1
                    }
                };
                numbered.push((payment, status, variant as u32 + 1));
            }
            let (payments, variants) = (numbered.len(), contents.len());
            for (payment, status, variant) in numbered {
                if hold {
                    let reason = held_reason(&payment.identity, payments, variants);
                    self.set_aside.push((payment.clone(), reason));
                }
                out.push(ConflictRow {
                    payment,
                    status,
                    variant,
                    variants: variants as u32,
                });
            }
        }
        out.sort_by(|a, b| {
            (&a.payment.identity, canonical(&a.payment))
                .cmp(&(&b.payment.identity, canonical(&b.payment)))
        });
        Ok(out)
    }

    /// Everything added so far, before identity conflicts are settled: what a map unit
    /// hands the merge (see [`super::merge`]).
    pub fn into_shard_state(self) -> ShardState {
        let names = &self.names;
        let name = |id: u32| names.get(id as usize).cloned().unwrap_or_default();
        let mut groups: Vec<GroupSums> = self
            .groups
            .into_iter()
            .map(|w| {
                let mut pairs: Vec<(String, String, i64, i64, u64)> = w
                    .pairs
                    .into_iter()
                    .map(|((a, b), (ab, ba, n))| (name(a), name(b), ab, ba, n))
                    .collect();
                pairs.sort();
                let mut positions: Vec<(String, i64, i64, u64)> = w
                    .positions
                    .into_iter()
                    .enumerate()
                    .filter_map(|(p, v)| {
                        v.map(|(paid, received, n)| (name(p as u32), paid, received, n))
                    })
                    .collect();
                positions.sort();
                GroupSums {
                    settlement_system: w.settlement_system,
                    value_date: w.value_date,
                    currency: w.currency,
                    transactions: w.transactions,
                    gross: w.gross,
                    pairs,
                    positions,
                }
            })
            .collect();
        groups.sort_by(|a, b| {
            (&a.settlement_system, a.value_date, &a.currency).cmp(&(
                &b.settlement_system,
                b.value_date,
                &b.currency,
            ))
        });
        let sources = &self.sources;
        let digest_of = |source: u32| sources.get(source as usize).cloned().unwrap_or_default();
        let conflicts = self
            .conflicts
            .into_iter()
            .map(|(key, c)| ShardConflict {
                key,
                variants: c
                    .variants
                    .iter()
                    .map(|v| (v.content, digest_of(v.source), v.offset))
                    .collect(),
                rows: c.rows,
            })
            .collect();
        ShardState {
            groups,
            duplicates: self.duplicates,
            set_aside: self.set_aside,
            conflicts,
        }
    }

    /// Adds what a shard accumulated (see [`Accumulator::into_shard_state`]), whose
    /// identities no other shard has: its sums, duplicates, set-aside payments and
    /// conflicts, as if its payments had been added here.
    pub fn absorb(&mut self, state: ShardState) -> Result<(), NettingError> {
        for g in state.groups {
            let overflow = |what| NettingError::Overflow {
                what,
                currency: g.currency.clone(),
                date: format_date(g.value_date),
            };
            let index = self.group(&g.settlement_system, g.value_date, &g.currency);
            let add = |sum: &mut i64, amount: i64, what| -> Result<(), NettingError> {
                *sum = sum.checked_add(amount).ok_or_else(|| overflow(what))?;
                Ok(())
            };
            let mut ids = Vec::with_capacity(g.positions.len());
            for (participant, ..) in &g.positions {
                ids.push(self.participant(participant, 0));
            }
            let mut pair_ids = Vec::with_capacity(g.pairs.len());
            for (a, b, ..) in &g.pairs {
                pair_ids.push((self.participant(a, 0), self.participant(b, 1)));
            }
            let group = &mut self.groups[index];
            group.transactions += g.transactions;
            add(&mut group.gross, g.gross, "gross")?;
            for ((_, _, ab, ba, n), key) in g.pairs.iter().zip(pair_ids) {
                let pair = group.pairs.entry(key).or_default();
                add(&mut pair.0, *ab, "bilateral gross")?;
                add(&mut pair.1, *ba, "bilateral gross")?;
                pair.2 += n;
            }
            for ((_, paid, received, n), id) in g.positions.iter().zip(ids) {
                if group.positions.len() <= id as usize {
                    group.positions.resize(id as usize + 1, None);
                }
                let position = group.positions[id as usize].get_or_insert_default();
                add(&mut position.0, *paid, "paid")?;
                add(&mut position.1, *received, "received")?;
                position.2 += n;
            }
        }
        self.duplicates.extend(state.duplicates);
        self.set_aside.extend(state.set_aside);
        for c in state.conflicts {
            let variants = c
                .variants
                .into_iter()
                .map(|(content, digest, offset)| Variant {
                    content,
                    source: self.source_index(&digest),
                    offset,
                })
                .collect();
            self.conflicts.insert(
                c.key,
                Conflict {
                    variants,
                    rows: c.rows,
                },
            );
        }
        Ok(())
    }

    /// Settles identity conflicts, computes the settlement legs and returns the result.
    /// `firsts`: the payments that [`Accumulator::firsts_query`] wants, in canonical order
    /// (none when the query is empty).
    pub fn finish(mut self, firsts: Vec<Obligation>) -> Result<NettingResult, NettingError> {
        let conflicts = self.settle_conflicts(firsts)?;
        let names = &self.names;
        let name = |id: u32| names.get(id as usize).cloned().unwrap_or_default();
        let mut groups = BTreeMap::new();
        // A group whose every payment was held for a conflict is no group.
        for w in self.groups.into_iter().filter(|w| w.transactions > 0) {
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
        Ok(NettingResult {
            groups,
            duplicates: self.duplicates,
            conflicts,
            set_aside: self.set_aside,
        })
    }
}

/// The canonical order of payments (source file, then its digest, message, transaction,
/// byte offset): the order of the `payments` table.
pub(super) fn canonical(o: &Obligation) -> (&str, &str, u32, u32, u64) {
    (
        &o.source_file,
        &o.file_digest,
        o.message_index,
        o.tx_index,
        o.byte_offset,
    )
}
