//! Screening one query against a [`ListIndex`]: an exact pass, a blocked fuzzy pass with an
//! upper-bound filter, full scoring of the survivors, evidence, and one decision per entry.
//!
//! The blocked pass reaches candidates through the query's name words: each is looked up
//! under its blocking keys (reaching listed words and listed pairs of words written
//! together), and so is each pair of neighbouring query words written together (reaching
//! listed words); what is found is confirmed by the scorer's own relations
//! ([`token_relation`], [`join_similarity_bp`]), and posting lists give the names. For each
//! name reached, an upper bound of its score is computed from what was seen: matched tokens
//! at their similarity, unseen name words 0 — by the gates of the relations, a pair not
//! reached through the index does not match — and what the index does not file at its best
//! (the query's particles, initials, numbers and legal forms at full similarity; a listed
//! name's particles and initials as if they matched every query word). Only names whose
//! bound reaches the review line are scored in full. Names not reached share no name word
//! with the query and are capped below the line (unless the line is that low: then every
//! name is scored); acronyms and exact names are added directly. [`screen_brute_force`] scores every name, and must
//! report exactly the same — a property test and the evaluation harness check it.

use super::evidence::{self, BirthDate, Evidence};
use super::index::{ListIndex, Reached, blocking_keys, joined_keys};
use super::normalize::{Token, TokenKind, normalize};
use super::score::{
    self, INITIAL_BP, Match, TokenPair, WEAK_ONLY_CAP, acronym_form, acronyms_spelled, both_words,
    fixed_weight, join_pairs, join_similarity_bp, joined_text, token_relation,
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
    pub numbers_differ: bool,
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

    /// Records that the current query token reaches `names` at similarity `s` (nothing if
    /// 0), through a vocabulary item of candidate-side weight `cw`.
    fn reach(&mut self, generation: u32, s: u32, cw: u64, names: &[u32]) {
        if s == 0 {
            return;
        }
        for &n in names {
            let i = n as usize;
            if self.token_stamp[i] != generation {
                self.token_stamp[i] = generation;
                self.token_best[i] = s;
                self.token_names.push(n);
            } else if s > self.token_best[i] {
                self.token_best[i] = s;
            }
            // Every candidate item this query token reaches may count on the candidate's
            // side (over-counting only loosens the bound).
            self.touch(n);
            self.hit_c[i] += cw;
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
                    numbers_differ: m.numbers_differ,
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
    let evidence_room = u64::from(max_evidence_bp(query));
    // Names that share no name word with the query score at most the weak-only cap (unless
    // they are the same name: the exact pass); the blocked pass reaches all the others.
    // When the cap itself reaches the review line, every name is scored.
    if u64::from(WEAK_ONLY_CAP) + evidence_room >= u64::from(thresholds.review_bp) {
        let n = u32::try_from(index.names.len()).unwrap_or(u32::MAX);
        scratch.scored = index.names.len();
        return decide(index, query, &tokens, 0..n, thresholds);
    }
    if !tokens.iter().any(|t| t.kind == TokenKind::Strong) {
        let names = index.exact(&tokens).to_vec();
        scratch.scored = names.len();
        return decide(index, query, &tokens, names.into_iter(), thresholds);
    }
    scratch.fit(index.names.len());
    let weight = |t: &Token| match t.kind {
        TokenKind::Strong => u64::from(index.rarity(&t.text)),
        kind => fixed_weight(kind),
    };
    let blocking: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].kind == TokenKind::Strong)
        .collect();
    let pairs: Vec<((usize, usize), String)> = join_pairs(&tokens)
        .into_iter()
        .map(|p| (p, joined_text(&tokens, p)))
        .collect();
    let w_total: u64 = tokens.iter().map(weight).sum();
    let w_block: u64 = blocking.iter().map(|&i| weight(&tokens[i])).sum();
    // What blocking tokens could gain from a candidate's particles and initials, which
    // the index does not file (a strong "abd" still matches a weak "abu", "joachim" an
    // initial "j").
    let (mut weak_allowance, mut initial_allowance) = (0u64, 0u64);
    let mut keys = std::mem::take(&mut scratch.keys);
    let mut reached = std::mem::take(&mut scratch.similar);
    for &i in &blocking {
        let t = &tokens[i];
        let w = weight(t);
        let best_weak = index
            .weak_vocabulary()
            .map(|v| token_relation(t, v).0)
            .max()
            .unwrap_or(0);
        weak_allowance += w * u64::from(best_weak);
        initial_allowance += w * u64::from(INITIAL_BP);
        let generation = scratch.next_generation();
        scratch.token_names.clear();
        // The token itself: vocabulary tokens and joined entries.
        blocking_keys(t, &mut keys);
        index.reached(&keys, &mut reached);
        for &id in &reached {
            let (s, cw, names) = match index.resolve(id) {
                Reached::Token(v) => (
                    token_relation(t, index.vocab_token(v)).0,
                    index.vocab_rarity(v),
                    index.postings(v),
                ),
                Reached::Joined(j) => {
                    // Over all occurrences: the loosest (an upper bound for each).
                    let (text, cw, words, names) = index.joined_entry(j);
                    (join_similarity_bp(&t.text, text, words), cw, names)
                }
            };
            scratch.reach(generation, s, u64::from(cw), names);
        }
        // The token written together with a neighbour: listed name words.
        for ((a, b), text) in &pairs {
            if *a != i && *b != i {
                continue;
            }
            let words = both_words(&tokens, (*a, *b));
            joined_keys(text, &mut keys);
            index.reached(&keys, &mut reached);
            for &id in &reached {
                let Reached::Token(v) = index.resolve(id) else {
                    continue;
                };
                let vt = index.vocab_token(v);
                if vt.kind != TokenKind::Strong {
                    continue;
                }
                let s = join_similarity_bp(&vt.text, text, words);
                scratch.reach(
                    generation,
                    s,
                    u64::from(index.vocab_rarity(v)),
                    index.postings(v),
                );
            }
        }
        let names = std::mem::take(&mut scratch.token_names);
        for &n in &names {
            let i = n as usize;
            scratch.acc_q[i] += w * u64::from(scratch.token_best[i]);
        }
        scratch.token_names = names;
    }
    scratch.keys = keys;
    scratch.similar = reached;
    let query_reaches_any = tokens
        .iter()
        .any(|t| matches!(t.kind, TokenKind::Weak | TokenKind::Initials));
    let mut candidates: Vec<u32> = Vec::new();
    for &n in &scratch.touched {
        let i = n as usize;
        let name = &index.names[i];
        // Query tokens not reached through the index do not match (similarity 0); the
        // query's other tokens may match fully.
        let allowance = if name.has_weak { weak_allowance } else { 0 }
            + if name.has_initials {
                initial_allowance
            } else {
                0
            };
        let q_ub = (scratch.acc_q[i] + allowance + (w_total - w_block) * 10_000)
            .checked_div(w_total)
            .unwrap_or(0);
        let hit_c = scratch.hit_c[i].min(name.strong_weight);
        // Name words not reached can still match a query's particle or initials.
        let weak_reach = if query_reaches_any {
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
    candidates.extend_from_slice(index.exact(&tokens));
    if let Some(form) = acronym_form(&tokens) {
        candidates.extend_from_slice(index.by_spelled(form));
    }
    for spelled in acronyms_spelled(&tokens) {
        candidates.extend_from_slice(index.by_acronym_form(&spelled));
    }
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
