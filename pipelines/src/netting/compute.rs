//! The arithmetic of netting, on plain structs.

use std::collections::{BTreeMap, HashMap};

use super::{LegsMode, NettingConfig, NettingError, Obligation, format_date};

/// Net results of one (value date, currency).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
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
    /// B = Σ_{p<q} |b_pq|.
    pub fn bilateral_total(&self) -> i64 {
        self.pairs.values().map(|(ab, ba, _)| (ba - ab).abs()).sum()
    }

    /// n_p = received − paid.
    pub fn net(&self, participant: &str) -> i64 {
        self.positions
            .get(participant)
            .map_or(0, |(paid, received, _)| received - paid)
    }

    /// M = ½ Σ |n_p|.
    pub fn multilateral_total(&self) -> i64 {
        self.positions
            .values()
            .map(|(paid, received, _)| (received - paid).abs())
            .sum::<i64>()
            / 2
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
    /// By (value date, currency).
    pub groups: BTreeMap<(i32, String), Group>,
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
        (&a.file_digest, a.message_index, a.tx_index, a.byte_offset).cmp(&(
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

/// Streaming netting: obligations are added **in canonical order** (file digest, message,
/// transaction) and only aggregates are kept, plus 16 bytes per distinct payment identity
/// for duplicate detection, so memory does not grow with the size of the payments.
#[derive(Debug)]
pub struct Accumulator {
    config: NettingConfig,
    /// First 16 bytes of SHA-256(identity) → (index into `sources`, byte offset).
    seen: HashMap<[u8; 16], (u32, u64)>,
    sources: Vec<String>,
    result: NettingResult,
}

impl Accumulator {
    pub fn new(config: NettingConfig) -> Self {
        Accumulator {
            config,
            seen: HashMap::new(),
            sources: Vec::new(),
            result: NettingResult::default(),
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

    /// Adds one obligation (the next in canonical order).
    pub fn add(&mut self, mut o: Obligation) -> Result<(), NettingError> {
        let h = verify::Digest::of(o.identity.as_bytes()).0;
        let key: [u8; 16] = h[..16].try_into().unwrap_or([0; 16]);
        if let Some(&(source, offset)) = self.seen.get(&key) {
            self.result.duplicates.push(Duplicate {
                identity: o.identity.clone(),
                kept_file_digest: self
                    .sources
                    .get(source as usize)
                    .cloned()
                    .unwrap_or_default(),
                kept_byte_offset: offset,
                duplicate: o,
            });
            return Ok(());
        }
        match (o.settlement_date, self.config.value_date) {
            (None, Some(d)) => o.settlement_date = Some(d),
            (Some(d), Some(v)) if d != v => {
                self.result.set_aside.push((
                    o,
                    format!(
                        "settlement date {} is not the run's value date {}",
                        format_date(d),
                        format_date(v)
                    ),
                ));
                return Ok(());
            }
            (None, None) => {
                self.result
                    .set_aside
                    .push((o, "no settlement date (give the run a --value-date)".into()));
                return Ok(());
            }
            _ => {}
        }
        let source = self.source_index(&o.file_digest);
        self.seen.insert(key, (source, o.byte_offset));
        let date = o.settlement_date.unwrap_or_default();
        let overflow = |what| NettingError::Overflow {
            what,
            currency: o.currency.clone(),
            date: format_date(date),
        };
        let group = match self.result.groups.get_mut(&(date, o.currency.clone())) {
            Some(g) => g,
            None => self
                .result
                .groups
                .entry((date, o.currency.clone()))
                .or_insert_with(|| Group {
                    value_date: date,
                    currency: o.currency.clone(),
                    ..Group::default()
                }),
        };
        group.transactions += 1;
        group.gross = group
            .gross
            .checked_add(o.amount_minor)
            .ok_or_else(|| overflow("gross"))?;
        if o.payer != o.payee {
            let (key, forward) = if o.payer < o.payee {
                ((o.payer.clone(), o.payee.clone()), true)
            } else {
                ((o.payee.clone(), o.payer.clone()), false)
            };
            let pair = group.pairs.entry(key).or_default();
            let side = if forward { &mut pair.0 } else { &mut pair.1 };
            *side = side
                .checked_add(o.amount_minor)
                .ok_or_else(|| overflow("bilateral gross"))?;
            pair.2 += 1;
        }
        let payer = group.positions.entry(o.payer.clone()).or_default();
        payer.0 = payer
            .0
            .checked_add(o.amount_minor)
            .ok_or_else(|| overflow("paid"))?;
        payer.2 += 1;
        let payee = group.positions.entry(o.payee.clone()).or_default();
        payee.1 = payee
            .1
            .checked_add(o.amount_minor)
            .ok_or_else(|| overflow("received"))?;
        payee.2 += 1;
        Ok(())
    }

    /// Computes the settlement legs and returns the result.
    pub fn finish(mut self) -> NettingResult {
        for group in self.result.groups.values_mut() {
            group.legs = legs(group, self.config.legs);
        }
        self.result
    }
}

/// Settlement legs that bring every position of `group` to zero.
fn legs(group: &Group, mode: LegsMode) -> Vec<(String, String, i64, i64, i64)> {
    // Remaining amounts: debtors owe (positive), creditors are owed (positive).
    let mut debtors: Vec<(String, i64)> = Vec::new();
    let mut creditors: Vec<(String, i64)> = Vec::new();
    for (p, (paid, received, _)) in &group.positions {
        let n = received - paid;
        if n < 0 {
            debtors.push((p.clone(), -n));
        } else if n > 0 {
            creditors.push((p.clone(), n));
        }
    }
    let mut out = Vec::new();
    match mode {
        LegsMode::LargestFirst => {
            // Largest first, ties by id: pick the max each time (N is small per currency).
            loop {
                let d = pick_largest(&debtors);
                let c = pick_largest(&creditors);
                let (Some(d), Some(c)) = (d, c) else { break };
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

/// Index of the largest remaining amount (ties: smallest id, as the list is sorted by id).
fn pick_largest(side: &[(String, i64)]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, (_, amount)) in side.iter().enumerate() {
        if *amount > 0 && best.is_none_or(|b| *amount > side[b].1) {
            best = Some(i);
        }
    }
    best
}
