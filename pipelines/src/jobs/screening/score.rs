//! Scores in basis points, integer arithmetic only.

use super::normalize::{Token, TokenKind, skeleton};

/// The highest score a name of only numbers, legal forms or stopwords can reach against a
/// different name.
pub const WEAK_ONLY_CAP: u32 = 6000;

/// Jaro-Winkler similarity of two strings in basis points (prefix scale 0.1, prefix ≤ 4),
/// computed with integers (each ratio rounded down).
pub fn jaro_winkler_bp(a: &str, b: &str) -> u32 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.is_empty() || b.is_empty() {
        return if a == b { 10_000 } else { 0 };
    }
    if a == b {
        return 10_000;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut b_used = vec![false; b.len()];
    let mut a_matches = Vec::with_capacity(a.len());
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        if let Some(j) = (lo..hi).find(|&j| !b_used[j] && b[j] == ca) {
            b_used[j] = true;
            a_matches.push(ca);
        }
    }
    let m = a_matches.len() as u64;
    if m == 0 {
        return 0;
    }
    let b_matches = b
        .iter()
        .zip(&b_used)
        .filter(|(_, used)| **used)
        .map(|(c, _)| *c);
    let half_transpositions = a_matches
        .iter()
        .zip(b_matches)
        .filter(|(x, y)| *x != y)
        .count() as u64;
    let t = half_transpositions / 2;
    let jaro =
        (10_000 * m / a.len() as u64 + 10_000 * m / b.len() as u64 + 10_000 * (m - t) / m) / 3;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as u64;
    (jaro + prefix * (10_000 - jaro) / 10) as u32
}

/// One query token and the candidate token it matched best.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    pub query: String,
    pub candidate: Option<String>,
    pub similarity_bp: u32,
}

/// A scored comparison and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub score_bp: u32,
    pub pairs: Vec<TokenPair>,
    /// Set when the weak-only guard capped the score.
    pub capped: bool,
}

/// Weight of a weak or numeric token (strong tokens weigh their rarity, 100 and up).
pub fn fixed_weight(kind: TokenKind) -> u64 {
    match kind {
        TokenKind::Strong => 100,
        TokenKind::Numeric => 30,
        TokenKind::Weak => 10,
    }
}

fn weight(t: &Token, rarity: &dyn Fn(&str) -> u32) -> u64 {
    match t.kind {
        TokenKind::Strong => u64::from(rarity(&t.text).max(1)),
        kind => fixed_weight(kind),
    }
}

/// Token pairs at or above this similarity must be within the index's reach (see
/// [`token_similarity_bp`]); the blocked search follows exactly these pairs.
pub const BLOCK_FLOOR_BP: u32 = 8000;

/// How many characters the index lets a token of `len` characters lose on the way to a
/// shared deletion key: none below 3 characters, one below 8, two from 8.
pub fn deletion_budget(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=7 => 1,
        _ => 2,
    }
}

/// Length of the longest common subsequence.
fn lcs_len(a: &[u8], b: &[u8]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Similarity of two name tokens: their Jaro-Winkler similarity if it is at least
/// [`BLOCK_FLOOR_BP`] and the tokens are close in letters (each reaches a common
/// subsequence within its [`deletion_budget`]) or share a consonant [`skeleton`] of three
/// or more letters; otherwise 0 — the tokens do not match.
///
/// Two reasons. Jaro-Winkler gives unrelated names 60–75 % and rewards a shared prefix so
/// much that "sania" and "sanibal" score 94 %; counting such pairs inflates every score.
/// And the gate is exactly the reach of the index's deletion and skeleton keys, so the
/// blocked search finds every token pair the scorer counts at all.
pub fn token_similarity_bp(a: &str, b: &str) -> u32 {
    if a == b {
        return 10_000;
    }
    let jw = jaro_winkler_bp(a, b);
    if jw < BLOCK_FLOOR_BP {
        return 0;
    }
    let common = lcs_len(a.as_bytes(), b.as_bytes());
    if a.len() - common <= deletion_budget(a.len()) && b.len() - common <= deletion_budget(b.len())
    {
        return jw;
    }
    let sa = skeleton(a);
    if sa.len() >= 3 && sa == skeleton(b) {
        return jw;
    }
    0
}

fn similarity(a: &Token, b: &Token) -> u32 {
    match (a.kind, b.kind) {
        (TokenKind::Numeric, TokenKind::Numeric) => {
            if a.text == b.text {
                10_000
            } else {
                0
            }
        }
        (TokenKind::Numeric, _) | (_, TokenKind::Numeric) => 0,
        _ => token_similarity_bp(&a.text, &b.text),
    }
}

/// Weighted mean over `side` of each token's best similarity in `other`, with the pairs.
fn coverage(
    side: &[Token],
    other: &[Token],
    rarity: &dyn Fn(&str) -> u32,
) -> (u64, Vec<TokenPair>) {
    let (mut num, mut den) = (0u64, 0u64);
    let mut pairs = Vec::with_capacity(side.len());
    for t in side {
        let best = other
            .iter()
            .map(|o| (similarity(t, o), o))
            .max_by(|x, y| x.0.cmp(&y.0).then_with(|| y.1.text.cmp(&x.1.text)));
        let (sim, with) = best
            .filter(|(s, _)| *s > 0)
            .map_or((0, None), |(s, o)| (s, Some(o.text.clone())));
        let w = weight(t, rarity);
        num += w * u64::from(sim);
        den += w;
        pairs.push(TokenPair {
            query: t.text.clone(),
            candidate: with,
            similarity_bp: sim,
        });
    }
    (num.checked_div(den).unwrap_or(0), pairs)
}

/// Combines the two coverages: mostly the better one, so that a name found whole inside
/// a longer one (a middle name dropped, a given name added) still scores high, but never
/// more than 3 000 above the worse one, so that one shared word of a two-word name ("Wei"
/// in "Zhang Wei") stays below the review line, and a name that shares words but also
/// differs on both sides scores low.
pub fn combine(query_coverage: u64, candidate_coverage: u64) -> u64 {
    let (hi, lo) = (
        query_coverage.max(candidate_coverage),
        query_coverage.min(candidate_coverage),
    );
    ((3 * hi + lo) / 4).min(lo + 3000)
}

/// Scores a query name against a candidate name (both normalised). `rarity` weighs strong
/// tokens (e.g. by inverse frequency in the list); use `|_| 100` for equal weights.
pub fn score(query: &[Token], candidate: &[Token], rarity: &dyn Fn(&str) -> u32) -> Match {
    let (q, pairs) = coverage(query, candidate, rarity);
    let (c, _) = coverage(candidate, query, rarity);
    let mut score_bp = combine(q, c) as u32;
    let strong = |s: &[Token]| s.iter().any(|t| t.kind == TokenKind::Strong);
    let mut capped = false;
    if !strong(query) || !strong(candidate) {
        let same = query
            .iter()
            .map(|t| &t.text)
            .eq(candidate.iter().map(|t| &t.text));
        if !same && score_bp > WEAK_ONLY_CAP {
            score_bp = WEAK_ONLY_CAP;
            capped = true;
        }
    }
    Match {
        score_bp,
        pairs,
        capped,
    }
}
