//! Screening one query against a [`ListIndex`]: an exact pass, a blocked fuzzy pass with an
//! upper-bound filter, full scoring of the survivors, evidence, and one decision per entry.
//!
//! The blocked pass reaches candidates through the query's strong tokens (numeric tokens
//! when it has none): each is looked up under its blocking keys, the vocabulary tokens found
//! are confirmed by Jaro-Winkler (at least [`BLOCK_FLOOR_BP`]), and their posting lists give
//! the names. For each name reached, an upper bound of its score is computed from what was
//! seen (matched tokens at their similarity, unseen strong tokens 0 — by the gate of
//! [`token_similarity_bp`] a token pair not reached through the index does not match —
//! weak and numeric tokens at full similarity); only names whose bound reaches the review
//! threshold are scored in full. [`screen_brute_force`] scores every
//! name, and the evaluation harness measures how much of its result the blocked pass keeps.

use super::evidence::{self, BirthDate, Evidence};
use super::index::ListIndex;
use super::normalize::{Token, TokenKind, normalize};
use super::score::{
    self, BLOCK_FLOOR_BP, Match, TokenPair, WEAK_ONLY_CAP, fixed_weight, token_similarity_bp,
};

/// Default lowest score reported (decision `review`).
pub const DEFAULT_REVIEW_BP: u32 = 8500;
/// Default lowest score of a `hit`.
pub const DEFAULT_HIT_BP: u32 = 9300;

/// A name to screen, with optional evidence.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub id: String,
    pub name: String,
    pub birth_dates: Vec<BirthDate>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<&'static str>,
}

impl Query {
    /// A query from text fields as they come in a file (dob and country optional).
    pub fn new(id: &str, name: &str, dob: Option<&str>, country: Option<&str>) -> Self {
        Query {
            id: id.to_owned(),
            name: name.to_owned(),
            birth_dates: dob.map(evidence::birth_dates).unwrap_or_default(),
            country: country.and_then(evidence::country_code),
        }
    }
}

/// Decision thresholds in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub review_bp: u32,
    pub hit_bp: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            review_bp: DEFAULT_REVIEW_BP,
            hit_bp: DEFAULT_HIT_BP,
        }
    }
}

/// What a reported match asks of the analyst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    Hit,
    Review,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Hit => "hit",
            Decision::Review => "review",
        }
    }
}

/// One entry matched by a query, through its best-scoring name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub entry: u32,
    pub name: u32,
    pub name_score_bp: u32,
    pub score_bp: u32,
    pub decision: Decision,
    pub pairs: Vec<TokenPair>,
    pub capped: bool,
    pub evidence: Vec<Evidence>,
}

/// Per-thread working memory, reused from query to query.
#[derive(Debug, Default)]
pub struct Scratch {
    keys: Vec<u64>,
    similar: Vec<u32>,
    token_stamp: Vec<u32>,
    token_best: Vec<u32>,
    token_names: Vec<u32>,
    generation: u32,
    touched_flag: Vec<bool>,
    touched: Vec<u32>,
    acc_q: Vec<u64>,
    hit_c: Vec<u64>,
    /// Names scored in full by the last query (for measurements).
    pub scored: usize,
}

impl Scratch {
    fn fit(&mut self, names: usize) {
        if self.token_stamp.len() != names {
            self.token_stamp = vec![0; names];
            self.token_best = vec![0; names];
            self.touched_flag = vec![false; names];
            self.acc_q = vec![0; names];
            self.hit_c = vec![0; names];
            self.generation = 0;
        }
    }

    fn touch(&mut self, n: u32) {
        let i = n as usize;
        if !self.touched_flag[i] {
            self.touched_flag[i] = true;
            self.touched.push(n);
            self.acc_q[i] = 0;
            self.hit_c[i] = 0;
        }
    }

    fn next_generation(&mut self) -> u32 {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.token_stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        self.generation
    }
}

fn token_similarity(query: &Token, vocab: &str) -> u32 {
    if query.kind == TokenKind::Numeric {
        if query.text == vocab { 10_000 } else { 0 }
    } else {
        token_similarity_bp(&query.text, vocab)
    }
}

/// The evidence for `query` against entry `entry`.
fn evidence_for(index: &ListIndex, query: &Query, entry: u32) -> Vec<Evidence> {
    let e = &index.entries[entry as usize];
    let mut out = Vec::new();
    if e.entry_type == "individual" || e.entry_type.is_empty() {
        out.extend(evidence::dob_evidence(&query.birth_dates, &e.birth_dates));
    }
    out.extend(evidence::country_evidence(query.country, &e.countries));
    out
}

fn max_evidence_bp(query: &Query) -> u32 {
    let dob = if query.birth_dates.is_empty() {
        0
    } else {
        evidence::DOB_EXACT_BP
    };
    let country = if query.country.is_some() {
        evidence::COUNTRY_MATCH_BP
    } else {
        0
    };
    (dob + country).unsigned_abs()
}

/// The final score: name score plus evidence, at most 9 999 unless the name is exact, and
/// never above the weak-only cap when the name was capped.
fn final_score(m: &Match, evidence: &[Evidence]) -> u32 {
    let adjust: i64 = evidence.iter().map(|e| i64::from(e.adjustment_bp)).sum();
    let mut s = (i64::from(m.score_bp) + adjust).clamp(0, 10_000) as u32;
    if m.score_bp < 10_000 {
        s = s.min(9_999);
    }
    if m.capped {
        s = s.min(WEAK_ONLY_CAP);
    }
    s
}

/// Scores `names` in full and keeps, per entry, the best name at or above the review line.
fn decide(
    index: &ListIndex,
    query: &Query,
    tokens: &[Token],
    names: impl Iterator<Item = u32>,
    thresholds: Thresholds,
) -> Vec<Hit> {
    let rarity = |t: &str| index.rarity(t);
    let mut best: std::collections::BTreeMap<u32, Hit> = std::collections::BTreeMap::new();
    for n in names {
        let name = &index.names[n as usize];
        let m = score::score(tokens, &name.tokens, &rarity);
        let mut evidence = evidence_for(index, query, name.entry);
        if name.weak {
            evidence.push(evidence::weak_alias_evidence(&name.text));
        }
        let s = final_score(&m, &evidence);
        if s < thresholds.review_bp {
            continue;
        }
        let better = best.get(&name.entry).is_none_or(|h| {
            (s, m.score_bp, std::cmp::Reverse(n))
                > (h.score_bp, h.name_score_bp, std::cmp::Reverse(h.name))
        });
        if better {
            best.insert(
                name.entry,
                Hit {
                    entry: name.entry,
                    name: n,
                    name_score_bp: m.score_bp,
                    score_bp: s,
                    decision: if s >= thresholds.hit_bp {
                        Decision::Hit
                    } else {
                        Decision::Review
                    },
                    pairs: m.pairs,
                    capped: m.capped,
                    evidence,
                },
            );
        }
    }
    let mut hits: Vec<Hit> = best.into_values().collect();
    hits.sort_by(|a, b| {
        let ea = &index.entries[a.entry as usize];
        let eb = &index.entries[b.entry as usize];
        b.score_bp
            .cmp(&a.score_bp)
            .then_with(|| (&ea.list, &ea.source_uid).cmp(&(&eb.list, &eb.source_uid)))
    });
    hits
}

/// Screens one query with the exact and blocked passes.
pub fn screen(
    index: &ListIndex,
    query: &Query,
    thresholds: Thresholds,
    scratch: &mut Scratch,
) -> Vec<Hit> {
    let tokens = normalize(&query.name);
    scratch.scored = 0;
    if tokens.is_empty() {
        return vec![];
    }
    scratch.fit(index.names.len());
    let weight = |t: &Token| match t.kind {
        TokenKind::Strong => u64::from(index.rarity(&t.text)),
        kind => fixed_weight(kind),
    };
    let has_strong = tokens.iter().any(|t| t.kind == TokenKind::Strong);
    let blocking: Vec<&Token> = tokens
        .iter()
        .filter(|t| {
            if has_strong {
                t.kind == TokenKind::Strong
            } else {
                t.kind == TokenKind::Numeric
            }
        })
        .collect();
    let w_total: u64 = tokens.iter().map(weight).sum();
    let w_block: u64 = blocking.iter().map(|t| weight(t)).sum();
    // What blocking tokens could gain from a candidate's weak tokens, which the index does
    // not file (a strong "abd" still matches a weak "abu").
    let mut weak_allowance = 0u64;
    for t in &blocking {
        let w = weight(t);
        let best_weak = index
            .weak_vocabulary()
            .map(|v| token_similarity(t, v))
            .max()
            .unwrap_or(0);
        weak_allowance += w * u64::from(best_weak);
        let generation = scratch.next_generation();
        scratch.token_names.clear();
        let mut keys = std::mem::take(&mut scratch.keys);
        let mut similar = std::mem::take(&mut scratch.similar);
        index.similar_tokens(t, &mut keys, &mut similar);
        for &v in &similar {
            let s = token_similarity(t, index.vocab_text(v));
            if s < BLOCK_FLOOR_BP {
                continue;
            }
            let cw = u64::from(index.vocab_rarity(v));
            for &n in index.postings(v) {
                let i = n as usize;
                if scratch.token_stamp[i] != generation {
                    scratch.token_stamp[i] = generation;
                    scratch.token_best[i] = s;
                    scratch.token_names.push(n);
                } else if s > scratch.token_best[i] {
                    scratch.token_best[i] = s;
                }
                // Every candidate token this query token reaches may count on the
                // candidate's side (over-counting only loosens the bound).
                if !scratch.touched_flag[i] {
                    scratch.touch(n);
                }
                scratch.hit_c[i] += cw;
            }
        }
        scratch.keys = keys;
        scratch.similar = similar;
        let names = std::mem::take(&mut scratch.token_names);
        for &n in &names {
            let i = n as usize;
            scratch.acc_q[i] += w * u64::from(scratch.token_best[i]);
        }
        scratch.token_names = names;
    }
    let query_has_weak = tokens.iter().any(|t| t.kind == TokenKind::Weak);
    let exact = index.exact(&tokens);
    let evidence_room = u64::from(max_evidence_bp(query));
    let mut candidates: Vec<u32> = Vec::new();
    for &n in &scratch.touched {
        let i = n as usize;
        let name = &index.names[i];
        // Query tokens not reached through the index do not match (similarity 0); weak
        // and numeric query tokens may match fully.
        let allowance = if name.other_weight > 0 {
            weak_allowance
        } else {
            0
        };
        let q_ub = (scratch.acc_q[i] + allowance + (w_total - w_block) * 10_000)
            .checked_div(w_total)
            .unwrap_or(0);
        let hit_c = scratch.hit_c[i].min(name.strong_weight);
        // Strong candidate tokens not reached can still match a weak query token.
        let weak_reach = if query_has_weak {
            name.strong_weight - hit_c
        } else {
            0
        };
        let c_ub = ((hit_c + name.other_weight + weak_reach) * 10_000)
            .checked_div(name.strong_weight + name.other_weight)
            .unwrap_or(0);
        if score::combine(q_ub, c_ub) + evidence_room >= u64::from(thresholds.review_bp) {
            candidates.push(n);
        }
    }
    for &n in &scratch.touched {
        scratch.touched_flag[n as usize] = false;
    }
    scratch.touched.clear();
    candidates.extend_from_slice(exact);
    candidates.sort_unstable();
    candidates.dedup();
    scratch.scored = candidates.len();
    decide(index, query, &tokens, candidates.into_iter(), thresholds)
}

/// Screens one query by scoring every name of the index (the reference for recall).
pub fn screen_brute_force(index: &ListIndex, query: &Query, thresholds: Thresholds) -> Vec<Hit> {
    let tokens = normalize(&query.name);
    if tokens.is_empty() {
        return vec![];
    }
    let n = u32::try_from(index.names.len()).unwrap_or(u32::MAX);
    decide(index, query, &tokens, 0..n, thresholds)
}
