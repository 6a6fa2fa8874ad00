//! Scores in basis points, integer arithmetic only.
//!
//! Two names are compared through *relations* between their tokens, each with a similarity
//! and the rule that found it:
//!
//! - one token to one token: equal (`exact`), close in letters or in consonant skeleton
//!   (`fuzzy`, Jaro-Winkler behind the gate of [`token_similarity_bp`]), one romanisation
//!   of the other (`phonetic`, [`PHONETIC_BP`]), one nickname family (`nickname`,
//!   [`NICKNAME_BP`]), an initial and a word it starts (`initial`, [`INITIAL_BP`]), equal
//!   numbers, equal legal forms (`legal_form`);
//! - one token to two neighbouring tokens of the other name written together ("SergeiLavrov"
//!   and "Sergei Lavrov": `joined` seen from the one token, `split` from the two), with the
//!   letters gate at one character; neighbours are taken in written order and cyclically,
//!   so "LAVROV, Sergei" joins as "sergeilavrov" too;
//! - two or three consonant initials to a run of as many words ("JC" and "Jean Claude").
//!
//! Each side's coverage is the weighted mean of its tokens' best similarities (strong tokens
//! weighted by rarity, initials, numbers, particles and legal forms by small fixed weights);
//! the score combines the two coverages ([`combine`]). A legal form counts only when both
//! names carry one: "Deutsche Bank AG" and "Deutsche Bank" differ by no name word, and score
//! at most [`LEGAL_DROPPED_MAX_BP`] (`legal_form_dropped`). A whole name that is the acronym
//! of the other's words ("PLA", "People's Liberation Army") scores [`ACRONYM_BP`].
//!
//! Two names that both carry numbers, none of which agree, lose [`NUMBERS_DIFFER_BP`].
//!
//! Two names that share no name word (only initials, particles, numbers or legal forms
//! relate them) score at most [`WEAK_ONLY_CAP`], like a name of no name word.
//!
//! Apart from acronyms (read in written order), the score does not change when the words of
//! either name are rotated; for names of up to two words, in whatever order they come.

use serde::Serialize;

use super::normalize::{Token, TokenKind, skeleton};

/// The highest score a name of only numbers, legal forms, initials or stopwords can reach
/// against a different name.
pub const WEAK_ONLY_CAP: u32 = 6000;
/// Two spellings of one sound in different romanisations ("Xi", "Shi").
pub const PHONETIC_BP: u32 = 9000;
/// A nickname and its formal name ("Bill", "William").
pub const NICKNAME_BP: u32 = 9000;
/// An initial and a word it starts ("J", "Joachim").
pub const INITIAL_BP: u32 = 9000;
/// A one-word name and the words it is the acronym of: a review, never a hit by itself
/// (three letters spell many things).
pub const ACRONYM_BP: u32 = 8800;
/// The most a pair of names can score when only one of them carries a legal form.
pub const LEGAL_DROPPED_MAX_BP: u32 = 9950;
/// Taken off when both names carry numbers and none of them agree ("ADRIAN DARYA 1" and
/// "ADRIAN DARYA 2" are two ships; "First" and "Fifth Commercial Bank" two banks).
pub const NUMBERS_DIFFER_BP: u32 = 1500;
/// The most a token and two words written together can score.
pub const JOINED_MAX_BP: u32 = 9900;

/// Which rule related two tokens (or two names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// No counterpart.
    Unmatched,
    Exact,
    Fuzzy,
    Phonetic,
    Nickname,
    Initial,
    /// One token of this name is two neighbouring words of the other.
    Joined,
    /// Two neighbouring words of this name are one token of the other.
    Split,
    LegalForm,
    /// A legal form the other name does not carry: left out.
    LegalFormDropped,
    Acronym,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Unmatched => "unmatched",
            Rule::Exact => "exact",
            Rule::Fuzzy => "fuzzy",
            Rule::Phonetic => "phonetic",
            Rule::Nickname => "nickname",
            Rule::Initial => "initial",
            Rule::Joined => "joined",
            Rule::Split => "split",
            Rule::LegalForm => "legal_form",
            Rule::LegalFormDropped => "legal_form_dropped",
            Rule::Acronym => "acronym",
        }
    }
}
/// Jaro-Winkler similarity of two strings in basis points (prefix scale 0.1, prefix ≤ 4),
/// computed with integers (each ratio rounded down).
pub fn jaro_winkler_bp(a: &str, b: &str) -> u32 {
    jaro_winkler_bytes(a.as_bytes(), b.as_bytes())
}

fn jaro_winkler_bytes(a: &[u8], b: &[u8]) -> u32 {
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

/// One query token and the candidate token(s) it matched best.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    pub query: String,
    /// The candidate token, or the candidate's words (space-separated) for a join, a run of
    /// initials or an acronym.
    pub candidate: Option<String>,
    pub similarity_bp: u32,
    pub rule: Rule,
}

/// A scored comparison and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub score_bp: u32,
    pub pairs: Vec<TokenPair>,
    /// Set when the weak-only guard capped the score.
    pub capped: bool,
    /// Both names carry numbers and none agree ([`NUMBERS_DIFFER_BP`] taken off).
    pub numbers_differ: bool,
}

/// Weight of a token that is not a name word (strong tokens weigh their rarity, 100 and
/// up). A legal form weighs this only when both names carry one, otherwise nothing.
pub fn fixed_weight(kind: TokenKind) -> u64 {
    match kind {
        TokenKind::Strong => 100,
        TokenKind::Initials => 40,
        TokenKind::Numeric => 30,
        TokenKind::Weak | TokenKind::Legal => 10,
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

/// Letters two tokens of six or seven letters must share at the start to be allowed two
/// wrong letters after them ("Merkur", "Merkel"): typos scale with length, and a long
/// agreeing start is what tells a mistyped name from another name.
pub const TAIL_TYPO_PREFIX: usize = 3;

/// Whether two tokens of the same length, six or seven letters, begin with the same
/// [`TAIL_TYPO_PREFIX`] letters and differ in at most two of the others, each in place
/// (the index files the deletions of two letters after the start, which such pairs share).
fn tail_typo(a: &[u8], b: &[u8]) -> bool {
    let p = TAIL_TYPO_PREFIX;
    a.len() == b.len()
        && (6..8).contains(&a.len())
        && a[..p] == b[..p]
        && a[p..].iter().zip(&b[p..]).filter(|(x, y)| x != y).count() <= 2
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
    gated(a.as_bytes(), b.as_bytes(), usize::MAX)
}

/// The similarity of a token and two words written together ("sergeilavrov", "sergei" +
/// "lavrov"): equal, or — when the token has eight letters or more and both words are name
/// words — their Jaro-Winkler similarity if at least [`BLOCK_FLOOR_BP`] and each is within
/// one lost letter of a common subsequence (the reach of the index's keys for joined words;
/// no skeletons, which would let a short word vanish into a long one); at most
/// [`JOINED_MAX_BP`]. Short tokens and particles join exactly only: "amirhan" is not "amir
/// khan" mistyped, it is another name.
pub fn join_similarity_bp(single: &str, joined: &str, both_words: bool) -> u32 {
    if single == joined {
        return JOINED_MAX_BP;
    }
    let (a, b) = (single.as_bytes(), joined.as_bytes());
    if !both_words || a.len() < 8 || a.len().abs_diff(b.len()) > 1 {
        return 0;
    }
    let jw = jaro_winkler_bytes(a, b);
    if jw < BLOCK_FLOOR_BP {
        return 0;
    }
    let common = lcs_len(a, b);
    if a.len() - common <= 1 && b.len() - common <= 1 {
        jw.min(JOINED_MAX_BP)
    } else {
        0
    }
}

/// Whether both tokens of a joined pair are name words (typos allowed in the join).
pub fn both_words(tokens: &[Token], (i, j): (usize, usize)) -> bool {
    tokens[i].kind == TokenKind::Strong && tokens[j].kind == TokenKind::Strong
}

fn gated(a: &[u8], b: &[u8], max_loss: usize) -> u32 {
    if a == b {
        return 10_000;
    }
    let jw = jaro_winkler_bytes(a, b);
    if jw < BLOCK_FLOOR_BP {
        return 0;
    }
    let (la, lb) = (
        deletion_budget(a.len()).min(max_loss),
        deletion_budget(b.len()).min(max_loss),
    );
    if a.len().abs_diff(b.len()) <= la.max(lb) {
        let common = lcs_len(a, b);
        if a.len() - common <= la && b.len() - common <= lb {
            return jw;
        }
    }
    if max_loss >= 2 && tail_typo(a, b) {
        return jw;
    }
    let (Ok(a), Ok(b)) = (std::str::from_utf8(a), std::str::from_utf8(b)) else {
        return 0;
    };
    let sa = skeleton(a);
    if sa.len() >= 3 && sa == skeleton(b) {
        return jw;
    }
    0
}

/// How two single tokens relate: similarity and rule (0 and [`Rule::Unmatched`] if not).
pub fn token_relation(a: &Token, b: &Token) -> (u32, Rule) {
    use TokenKind::{Initials, Legal, Numeric, Strong, Weak};
    if a.text == b.text
        && (a.kind == Legal) == (b.kind == Legal)
        && (a.kind == Numeric) == (b.kind == Numeric)
    {
        let rule = if a.kind == Legal {
            Rule::LegalForm
        } else {
            Rule::Exact
        };
        return (10_000, rule);
    }
    match (a.kind, b.kind) {
        (Strong | Weak, Strong | Weak) => {
            let mut best = (token_similarity_bp(&a.text, &b.text), Rule::Fuzzy);
            if a.kind == Strong && b.kind == Strong {
                if best.0 < PHONETIC_BP && !a.phonetic.is_empty() && a.phonetic == b.phonetic {
                    best = (PHONETIC_BP, Rule::Phonetic);
                }
                if best.0 < NICKNAME_BP && a.nicknames.iter().any(|g| b.nicknames.contains(g)) {
                    best = (NICKNAME_BP, Rule::Nickname);
                }
            }
            if best.0 == 0 {
                (0, Rule::Unmatched)
            } else {
                best
            }
        }
        (Initials, Strong | Weak) if a.text.len() == 1 && b.text.starts_with(&a.text) => {
            (INITIAL_BP, Rule::Initial)
        }
        (Strong | Weak, Initials) if b.text.len() == 1 && a.text.starts_with(&b.text) => {
            (INITIAL_BP, Rule::Initial)
        }
        _ => (0, Rule::Unmatched),
    }
}

/// The pairs of neighbouring tokens that may have been written as one word: neighbours in
/// written order, the last followed by the first (so "LAVROV, Sergei" joins as
/// "sergeilavrov"), neither a number nor initials and at least one a name word.
pub fn join_pairs(tokens: &[Token]) -> Vec<(usize, usize)> {
    let n = tokens.len();
    let mut out = Vec::new();
    if n < 2 {
        return out;
    }
    for i in 0..n {
        let j = (i + 1) % n;
        let (a, b) = (&tokens[i], &tokens[j]);
        let apart = |t: &Token| matches!(t.kind, TokenKind::Numeric | TokenKind::Initials);
        if apart(a) || apart(b) || (a.kind != TokenKind::Strong && b.kind != TokenKind::Strong) {
            continue;
        }
        out.push((i, j));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The text of two tokens written together.
pub fn joined_text(tokens: &[Token], (i, j): (usize, usize)) -> String {
    let mut s = String::with_capacity(tokens[i].text.len() + tokens[j].text.len());
    s.push_str(&tokens[i].text);
    s.push_str(&tokens[j].text);
    s
}

/// Runs of `len` name words in written order, cyclically (token indices).
fn runs(tokens: &[Token], len: usize) -> Vec<Vec<usize>> {
    let n = tokens.len();
    let mut out = Vec::new();
    if len < 2 || n < len {
        return out;
    }
    for start in 0..n {
        let run: Vec<usize> = (0..len).map(|k| (start + k) % n).collect();
        if run.iter().all(|&i| tokens[i].kind == TokenKind::Strong) {
            out.push(run);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A relation between a span of one name and a span of the other.
#[derive(Debug, Clone)]
struct Relation {
    a: Vec<usize>,
    b: Vec<usize>,
    sim: u32,
    /// The rule as seen from `a`, and from `b`.
    rule_a: Rule,
    rule_b: Rule,
}

impl Relation {
    fn mirrored(self) -> Relation {
        Relation {
            a: self.b,
            b: self.a,
            sim: self.sim,
            rule_a: self.rule_b,
            rule_b: self.rule_a,
        }
    }
}

/// Joins and initials runs of `a`'s single tokens against `b`'s spans.
fn one_to_many(a: &[Token], b: &[Token], out: &mut Vec<Relation>) {
    let pairs = join_pairs(b);
    let joined: Vec<String> = pairs.iter().map(|&p| joined_text(b, p)).collect();
    for (i, t) in a.iter().enumerate() {
        match t.kind {
            TokenKind::Strong => {
                for (p, text) in pairs.iter().zip(&joined) {
                    let sim = join_similarity_bp(&t.text, text, both_words(b, *p));
                    if sim > 0 {
                        out.push(Relation {
                            a: vec![i],
                            b: vec![p.0, p.1],
                            sim,
                            rule_a: Rule::Joined,
                            rule_b: Rule::Split,
                        });
                    }
                }
            }
            TokenKind::Initials if t.text.len() >= 2 => {
                for run in runs(b, t.text.len()) {
                    let spelled = run.iter().map(|&k| b[k].text.as_bytes()[0]);
                    if spelled.eq(t.text.bytes()) {
                        out.push(Relation {
                            a: vec![i],
                            b: run,
                            sim: INITIAL_BP,
                            rule_a: Rule::Initial,
                            rule_b: Rule::Initial,
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// Every relation between the tokens of `a` and of `b`.
fn relations(a: &[Token], b: &[Token]) -> Vec<Relation> {
    let mut out = Vec::new();
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            let (sim, rule) = token_relation(x, y);
            if sim > 0 {
                out.push(Relation {
                    a: vec![i],
                    b: vec![j],
                    sim,
                    rule_a: rule,
                    rule_b: rule,
                });
            }
        }
    }
    one_to_many(a, b, &mut out);
    let mut reverse = Vec::new();
    one_to_many(b, a, &mut reverse);
    out.extend(reverse.into_iter().map(Relation::mirrored));
    out
}

fn span_text(tokens: &[Token], span: &[usize]) -> String {
    span.iter()
        .map(|&k| tokens[k].text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Weighted mean over `side` of each token's best relation to `other`, with the pairs.
fn coverage(
    side: &[Token],
    other: &[Token],
    rels: &[(&[usize], &[usize], u32, Rule)],
    legal_both: bool,
    rarity: &dyn Fn(&str) -> u32,
) -> (u64, Vec<TokenPair>) {
    let (mut num, mut den) = (0u64, 0u64);
    let mut pairs = Vec::with_capacity(side.len());
    for (i, t) in side.iter().enumerate() {
        let mut best: Option<(u32, Rule, String)> = None;
        for (mine, theirs, sim, rule) in rels {
            if !mine.contains(&i) {
                continue;
            }
            let better = match &best {
                None => true,
                Some((s, _, text)) => *sim > *s || (*sim == *s && span_text(other, theirs) < *text),
            };
            if better {
                best = Some((*sim, *rule, span_text(other, theirs)));
            }
        }
        let dropped = t.kind == TokenKind::Legal && !legal_both;
        let w = if dropped { 0 } else { weight(t, rarity) };
        let (sim, rule, with) = match best {
            Some((s, r, text)) => (s, r, Some(text)),
            None if dropped => (0, Rule::LegalFormDropped, None),
            None => (0, Rule::Unmatched, None),
        };
        num += w * u64::from(sim);
        den += w;
        pairs.push(TokenPair {
            query: t.text.clone(),
            candidate: with,
            similarity_bp: sim,
            rule,
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

/// The one name word of a name that may be an acronym: a single strong token of three to
/// six letters, beside nothing but particles and legal forms.
pub fn acronym_form(tokens: &[Token]) -> Option<&str> {
    let mut strong = tokens.iter().filter(|t| t.kind == TokenKind::Strong);
    let only = strong.next()?;
    let rest_ok = tokens.iter().all(|t| {
        matches!(
            t.kind,
            TokenKind::Strong | TokenKind::Weak | TokenKind::Legal
        )
    });
    (strong.next().is_none() && rest_ok && (3..=6).contains(&only.text.len()))
        .then_some(only.text.as_str())
}

/// The acronyms a name's words spell: the first letters of its three to six name words in
/// their order (no numbers or initials among them), without and with its legal forms
/// ("National Iranian Oil Company": `nio`, `nioc`); three words spell one only when one
/// of them is a legal form or an organisation word (army, bank, front…).
pub fn acronyms_spelled(tokens: &[Token]) -> Vec<String> {
    if tokens
        .iter()
        .any(|t| matches!(t.kind, TokenKind::Numeric | TokenKind::Initials))
    {
        return vec![];
    }
    let first = |kinds: &[TokenKind]| -> String {
        tokens
            .iter()
            .filter(|t| kinds.contains(&t.kind))
            .map(|t| char::from(t.text.as_bytes()[0]))
            .collect()
    };
    let words = first(&[TokenKind::Strong]);
    if !(3..=6).contains(&words.len()) {
        return vec![];
    }
    // Three people's names spell many three-letter words; an organisation's name says so.
    let organisation = tokens.iter().any(|t| {
        t.kind == TokenKind::Legal
            || (t.kind == TokenKind::Strong && super::variants::is_organisation_word(&t.text))
    });
    if words.len() == 3 && !organisation {
        return vec![];
    }
    let mut out = vec![words];
    let with_forms = first(&[TokenKind::Strong, TokenKind::Legal]);
    if with_forms != out[0] && with_forms.len() <= 6 {
        out.push(with_forms);
    }
    out
}

/// Whether one name is the acronym of the other's words.
fn is_acronym(a: &[Token], b: &[Token]) -> bool {
    let spells = |form: &[Token], words: &[Token]| {
        acronym_form(form).is_some_and(|f| acronyms_spelled(words).iter().any(|s| s == f))
    };
    spells(a, b) || spells(b, a)
}

/// Scores a query name against a candidate name (both normalised). `rarity` weighs strong
/// tokens (e.g. by inverse frequency in the list); use `|_| 100` for equal weights.
pub fn score(query: &[Token], candidate: &[Token], rarity: &dyn Fn(&str) -> u32) -> Match {
    let rels = relations(query, candidate);
    let legal = |s: &[Token]| s.iter().any(|t| t.kind == TokenKind::Legal);
    let (legal_q, legal_c) = (legal(query), legal(candidate));
    let forward: Vec<_> = rels
        .iter()
        .map(|r| (r.a.as_slice(), r.b.as_slice(), r.sim, r.rule_a))
        .collect();
    let backward: Vec<_> = rels
        .iter()
        .map(|r| (r.b.as_slice(), r.a.as_slice(), r.sim, r.rule_b))
        .collect();
    let (q, mut pairs) = coverage(query, candidate, &forward, legal_q && legal_c, rarity);
    let (c, candidate_pairs) = coverage(candidate, query, &backward, legal_q && legal_c, rarity);
    // The candidate's legal forms left out are part of the explanation too.
    pairs.extend(
        candidate_pairs
            .into_iter()
            .filter(|p| p.rule == Rule::LegalFormDropped)
            .map(|p| TokenPair {
                query: String::new(),
                candidate: Some(p.query),
                similarity_bp: 0,
                rule: Rule::LegalFormDropped,
            }),
    );
    let mut score_bp = combine(q, c) as u32;
    if legal_q != legal_c {
        score_bp = score_bp.min(LEGAL_DROPPED_MAX_BP);
    }
    fn numbers(s: &[Token]) -> Vec<&str> {
        s.iter()
            .filter(|t| t.kind == TokenKind::Numeric)
            .map(|t| t.text.as_str())
            .collect()
    }
    let (nq, nc) = (numbers(query), numbers(candidate));
    let numbers_differ = !nq.is_empty() && !nc.is_empty() && !nq.iter().any(|n| nc.contains(n));
    if numbers_differ {
        score_bp = score_bp.saturating_sub(NUMBERS_DIFFER_BP);
    }
    if score_bp < ACRONYM_BP && is_acronym(query, candidate) {
        score_bp = ACRONYM_BP;
        let words = |s: &[Token]| span_text(s, &(0..s.len()).collect::<Vec<_>>());
        pairs = vec![TokenPair {
            query: words(query),
            candidate: Some(words(candidate)),
            similarity_bp: ACRONYM_BP,
            rule: Rule::Acronym,
        }];
    }
    // Two names that share no name word (only particles, initials, numbers or legal forms
    // relate) are capped like names of no name word: "J. S. Xu" is not "John Smith".
    let strong = |s: &[Token]| s.iter().any(|t| t.kind == TokenKind::Strong);
    let word_in_common = rels.iter().any(|r| {
        let strong_in = |side: &[Token], span: &[usize]| {
            span.iter().any(|&k| side[k].kind == TokenKind::Strong)
        };
        r.rule_a != Rule::Initial && strong_in(query, &r.a) && strong_in(candidate, &r.b)
    }) || pairs.first().is_some_and(|p| p.rule == Rule::Acronym);
    let mut capped = false;
    if !strong(query) || !strong(candidate) || !word_in_common {
        fn sorted(s: &[Token]) -> Vec<&str> {
            let mut t: Vec<&str> = s.iter().map(|t| t.text.as_str()).collect();
            t.sort_unstable();
            t
        }
        if sorted(query) != sorted(candidate) && score_bp > WEAK_ONLY_CAP {
            score_bp = WEAK_ONLY_CAP;
            capped = true;
        }
    }
    Match {
        score_bp,
        pairs,
        capped,
        numbers_differ,
    }
}
