//! Scores in basis points, integer arithmetic only.

use super::normalize::{Token, TokenKind};

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

fn weight(t: &Token, rarity: &dyn Fn(&str) -> u32) -> u64 {
    match t.kind {
        TokenKind::Strong => u64::from(rarity(&t.text).max(1)),
        TokenKind::Numeric => 30,
        TokenKind::Weak => 10,
    }
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
        _ => jaro_winkler_bp(&a.text, &b.text),
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
        let (sim, with) = best.map_or((0, None), |(s, o)| (s, Some(o.text.clone())));
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

/// Scores a query name against a candidate name (both normalised). `rarity` weighs strong
/// tokens (e.g. by inverse frequency in the list); use `|_| 100` for equal weights.
pub fn score(query: &[Token], candidate: &[Token], rarity: &dyn Fn(&str) -> u32) -> Match {
    let (q, pairs) = coverage(query, candidate, rarity);
    let (c, _) = coverage(candidate, query, rarity);
    let mut score_bp = ((q + c) / 2) as u32;
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
