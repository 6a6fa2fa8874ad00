//! The list index: every name of every entry, normalised once, with the blocking structures
//! that let a query reach its plausible candidates without a scan of the list.
//!
//! Blocking works on the *vocabulary* (the distinct tokens of all names), which is small
//! (tens of thousands of tokens for OFAC + UN) next to the names themselves:
//!
//! - each strong or numeric vocabulary token is filed under keys: the token itself; its
//!   one-character deletions (tokens of 3+ letters) and two-character deletions (6+
//!   letters), so that a query token within edit distance ~2 shares a key (the
//!   symmetric-deletion method); a consonant skeleton (`muhammad`, `mohamed` → `mmt`) for
//!   transliteration variants that are further apart in letters; its phonetic key (`xi`,
//!   `shi` → `si`); and its nickname families (`bill`, `villiam`);
//! - each pair of neighbouring words that may have been written as one ("Sergei Lavrov" →
//!   `sergeilavrov`, [`super::score::join_pairs`]) is filed as a *joined* entry under the
//!   joined text and its one-character deletions, so that a query token
//!   "SergeiLavrov" reaches the name, and a query's own joined pairs reach a listed
//!   "SERGEILAVROV";
//! - names that are one short word, or whose words spell one, are filed by acronym;
//! - each token has a posting list of the names that hold it, and a rarity weight from its
//!   inverse document frequency over entries, in integer fixed point.
//!
//! Keys are 64-bit FNV-1a hashes; a collision only adds a candidate token, and candidates
//! are always confirmed by their Jaro-Winkler similarity.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use arrow::array::{Array, AsArray, RecordBatch};

use super::evidence::{self, BirthDate};
use super::normalize::{Token, TokenKind, normalize, skeleton};
use super::score::{
    TAIL_TYPO_PREFIX, acronym_form, acronyms_spelled, both_words, deletion_budget, join_pairs,
    joined_text,
};

/// Rarity weight of a token found in one entry only; rarer tokens cannot exist.
const RARITY_BASE: u32 = 100;

/// An entry of the indexed lists.
#[derive(Debug, Clone)]
pub struct IndexedEntry {
    pub list: String,
    pub source_uid: String,
    pub entry_type: String,
    pub birth_dates: Vec<BirthDate>,
    /// ISO 3166-1 alpha-2 codes of the entry's nationalities and countries.
    pub countries: Vec<&'static str>,
}

/// A name (primary or alias) of an indexed entry.
#[derive(Debug, Clone)]
pub struct IndexedName {
    pub entry: u32,
    pub text: String,
    pub kind: String,
    /// The list calls this alias weak (OFAC weak a.k.a., UN low quality, UK/EU weak).
    pub weak: bool,
    pub tokens: Vec<Token>,
    /// Sum of the rarity weights of the strong tokens.
    pub strong_weight: u64,
    /// Sum of the weights of the other tokens (particles, numbers, initials, legal forms).
    pub other_weight: u64,
    /// The name has particles (which a query's name word may match) …
    pub has_weak: bool,
    /// … or initials.
    pub has_initials: bool,
}

impl IndexedName {
    /// A name with its tokens; the weights and flags are set when the vocabulary is built.
    fn new(entry: u32, text: String, kind: String, weak: bool, tokens: Vec<Token>) -> Self {
        IndexedName {
            entry,
            text,
            kind,
            weak,
            tokens,
            strong_weight: 0,
            other_weight: 0,
            has_weak: false,
            has_initials: false,
        }
    }
}

/// A joined entry: two neighbouring words of listed names written together.
#[derive(Debug, Clone)]
struct JoinedEntry {
    text: String,
    /// The most rarity weight of name words one occurrence stands for.
    weight: u32,
    /// Some occurrence joins two name words (typos allowed, see
    /// [`super::score::join_similarity_bp`]).
    both_words: bool,
    postings: Vec<u32>,
}

/// The searchable form of one or more sanctions lists.
#[derive(Debug, Default)]
pub struct ListIndex {
    pub entries: Vec<IndexedEntry>,
    pub names: Vec<IndexedName>,
    vocab: Vec<Token>,
    vocab_id: HashMap<String, u32>,
    rarity: Vec<u32>,
    postings: Vec<Vec<u32>>,
    joined: Vec<JoinedEntry>,
    /// Key → range of `key_ids`: ids below `vocab.len()` are vocabulary tokens, the others
    /// joined entries.
    keys: HashMap<u64, (u32, u32), BuildHasherDefault<KeyHasher>>,
    key_ids: Vec<u32>,
    exact: HashMap<String, Vec<u32>>,
    /// Names that are one short word, by that word; names whose words spell an acronym, by
    /// each acronym they spell.
    acronym_form: HashMap<String, Vec<u32>>,
    spelled: HashMap<String, Vec<u32>>,
    /// The weak tokens of the vocabulary (particles): few, and not indexed.
    weak_vocab: Vec<u32>,
}

/// Keys are FNV-1a hashes already: the map uses them as they are.
#[derive(Debug, Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// What a blocking key led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    Token(u32),
    Joined(u32),
}

/// Why the index could not be built.
#[derive(Debug, thiserror::Error)]
#[error("{table} table: {reason}")]
pub struct IndexError {
    pub table: &'static str,
    pub reason: String,
}

fn fnv(tag: u8, bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in std::iter::once(&tag).chain(bytes) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn push_deletions(t: &[u8], depth: usize, out: &mut Vec<u64>) {
    if depth == 0 || t.len() < 3 {
        return;
    }
    let mut buf = Vec::with_capacity(t.len());
    for i in 0..t.len() {
        buf.clear();
        buf.extend_from_slice(&t[..i]);
        buf.extend_from_slice(&t[i + 1..]);
        out.push(fnv(1, &buf));
        if depth >= 2 {
            for j in i + 1..t.len() {
                buf.clear();
                buf.extend_from_slice(&t[..i]);
                buf.extend_from_slice(&t[i + 1..j]);
                buf.extend_from_slice(&t[j + 1..]);
                out.push(fnv(1, &buf));
            }
        }
    }
}

/// The blocking keys of a token (see the module documentation).
pub fn blocking_keys(token: &Token, out: &mut Vec<u64>) {
    out.clear();
    let t = token.text.as_bytes();
    out.push(fnv(1, t));
    if token.kind != TokenKind::Strong {
        return;
    }
    push_deletions(t, deletion_budget(t.len()), out);
    if (6..8).contains(&t.len()) {
        // Two letters lost after an agreeing start (see `score::tail_typo`).
        let p = TAIL_TYPO_PREFIX;
        let mut buf = Vec::with_capacity(t.len());
        for i in p..t.len() {
            for j in i + 1..t.len() {
                buf.clear();
                buf.extend_from_slice(&t[..i]);
                buf.extend_from_slice(&t[i + 1..j]);
                buf.extend_from_slice(&t[j + 1..]);
                out.push(fnv(1, &buf));
            }
        }
    }
    let s = skeleton(&token.text);
    if s.len() >= 3 {
        out.push(fnv(2, s.as_bytes()));
    }
    if !token.phonetic.is_empty() {
        out.push(fnv(4, token.phonetic.as_bytes()));
    }
    for g in token.nicknames {
        out.push(fnv(5, &g.to_le_bytes()));
    }
    out.sort_unstable();
    out.dedup();
}

/// The keys of two words written together: the text and its one-character deletions —
/// the reach of [`super::score::join_similarity_bp`].
pub fn joined_keys(text: &str, out: &mut Vec<u64>) {
    out.clear();
    let t = text.as_bytes();
    out.push(fnv(1, t));
    push_deletions(t, deletion_budget(t.len()).min(1), out);
    out.sort_unstable();
    out.dedup();
}

/// Integer log2 in 1/16 steps (exact, no floats).
fn log2_sixteenths(x: u64) -> u32 {
    if x <= 1 {
        return 0;
    }
    let int = 63 - x.leading_zeros();
    // Mantissa in Q32: x / 2^int in [1, 2).
    let mut y: u128 = (u128::from(x) << 32) >> int;
    let mut frac = 0u32;
    for bit in (0..4).rev() {
        y = (y * y) >> 32;
        if y >= 2u128 << 32 {
            frac |= 1 << bit;
            y >>= 1;
        }
    }
    int * 16 + frac
}

fn strings<'a>(
    batch: &'a RecordBatch,
    table: &'static str,
    column: &str,
) -> Result<&'a arrow::array::StringArray, IndexError> {
    batch
        .column_by_name(column)
        .and_then(|c| c.as_string_opt::<i32>())
        .ok_or_else(|| IndexError {
            table,
            reason: format!("no text column {column}"),
        })
}

fn string_lists(
    batch: &RecordBatch,
    table: &'static str,
    column: &str,
    row: usize,
) -> Result<Vec<String>, IndexError> {
    let list = batch
        .column_by_name(column)
        .and_then(|c| c.as_list_opt::<i32>())
        .ok_or_else(|| IndexError {
            table,
            reason: format!("no list column {column}"),
        })?;
    if list.is_null(row) {
        return Ok(vec![]);
    }
    let values = list.value(row);
    let values = values.as_string_opt::<i32>().ok_or_else(|| IndexError {
        table,
        reason: format!("{column} is not a list of text"),
    })?;
    Ok(values.iter().flatten().map(str::to_owned).collect())
}

impl ListIndex {
    /// Builds the index from a regpack's (or a reading's) `entries` and `names` tables.
    pub fn from_tables(entries: &RecordBatch, names: &RecordBatch) -> Result<Self, IndexError> {
        let mut index = ListIndex::default();
        let (list, uid, etype) = (
            strings(entries, "entries", "list")?,
            strings(entries, "entries", "source_uid")?,
            strings(entries, "entries", "entry_type")?,
        );
        let mut entry_of: BTreeMap<(&str, &str), u32> = BTreeMap::new();
        for row in 0..entries.num_rows() {
            let dobs = string_lists(entries, "entries", "dates_of_birth", row)?;
            let mut countries: Vec<&'static str> =
                string_lists(entries, "entries", "nationalities", row)?
                    .iter()
                    .chain(&string_lists(entries, "entries", "countries", row)?)
                    .filter_map(|c| evidence::country_code(c))
                    .collect();
            countries.sort_unstable();
            countries.dedup();
            let mut birth_dates: Vec<BirthDate> =
                dobs.iter().flat_map(|d| evidence::birth_dates(d)).collect();
            birth_dates.sort();
            birth_dates.dedup();
            let id = u32::try_from(index.entries.len()).map_err(|_| IndexError {
                table: "entries",
                reason: "more than 2^32 entries".into(),
            })?;
            entry_of.insert((list.value(row), uid.value(row)), id);
            index.entries.push(IndexedEntry {
                list: list.value(row).to_owned(),
                source_uid: uid.value(row).to_owned(),
                entry_type: etype.value(row).to_owned(),
                birth_dates,
                countries,
            });
        }
        let (nlist, nuid, ntext, nkind) = (
            strings(names, "names", "list")?,
            strings(names, "names", "source_uid")?,
            strings(names, "names", "name")?,
            strings(names, "names", "kind")?,
        );
        let strength = names
            .column_by_name("strength")
            .and_then(|c| c.as_string_opt::<i32>());
        for row in 0..names.num_rows() {
            let Some(&entry) = entry_of.get(&(nlist.value(row), nuid.value(row))) else {
                return Err(IndexError {
                    table: "names",
                    reason: format!(
                        "name {:?} belongs to no entry ({} {})",
                        ntext.value(row),
                        nlist.value(row),
                        nuid.value(row)
                    ),
                });
            };
            let tokens = normalize(ntext.value(row));
            if tokens.is_empty() {
                continue;
            }
            index.names.push(IndexedName::new(
                entry,
                ntext.value(row).to_owned(),
                nkind.value(row).to_owned(),
                strength.is_some_and(|s| s.is_valid(row) && s.value(row) == "weak"),
                tokens,
            ));
        }
        index.build_vocabulary();
        Ok(index)
    }

    /// The index with more entries and names (e.g. a labelled evaluation set screened
    /// against real lists): `names` are (entry index into `entries`, name text, kind).
    pub fn extended(
        &self,
        entries: Vec<IndexedEntry>,
        names: Vec<(usize, String, String)>,
    ) -> Self {
        let base = self.entries.len();
        let mut index = ListIndex {
            entries: self.entries.clone(),
            names: self.names.clone(),
            ..ListIndex::default()
        };
        index.entries.extend(entries);
        for (entry, text, kind) in names {
            let tokens = normalize(&text);
            if tokens.is_empty() {
                continue;
            }
            index.names.push(IndexedName::new(
                (base + entry) as u32,
                text,
                kind,
                false,
                tokens,
            ));
        }
        index.build_vocabulary();
        index
    }

    fn build_vocabulary(&mut self) {
        // Document frequency over entries, so many aliases of one entry count once.
        let mut df: BTreeMap<&str, (Vec<u32>, &Token)> = BTreeMap::new();
        for name in &self.names {
            for t in &name.tokens {
                df.entry(t.text.as_str())
                    .or_insert_with(|| (Vec::new(), t))
                    .0
                    .push(name.entry);
            }
        }
        let n_entries = self.entries.len().max(1) as u64;
        let mut rarity = Vec::with_capacity(df.len());
        let mut vocab = Vec::with_capacity(df.len());
        for (_, (mut ents, token)) in df {
            ents.sort_unstable();
            ents.dedup();
            let ratio = (n_entries / ents.len() as u64).max(1);
            rarity.push(RARITY_BASE + RARITY_BASE * log2_sixteenths(ratio) / 16);
            vocab.push(token.clone());
        }
        self.vocab_id = vocab
            .iter()
            .enumerate()
            .map(|(i, t)| (t.text.clone(), i as u32))
            .collect();
        self.vocab = vocab;
        self.rarity = rarity;
        self.postings = vec![Vec::new(); self.vocab.len()];
        let mut joined_id: HashMap<String, u32> = HashMap::new();
        for (n, name) in self.names.iter_mut().enumerate() {
            let n = n as u32;
            let (mut strong, mut other) = (0u64, 0u64);
            for t in &name.tokens {
                let v = self.vocab_id[&t.text] as usize;
                self.postings[v].push(n);
                match t.kind {
                    TokenKind::Strong => strong += u64::from(self.rarity[v]),
                    kind => other += super::score::fixed_weight(kind),
                }
            }
            name.strong_weight = strong;
            name.other_weight = other;
            name.has_weak = name.tokens.iter().any(|t| t.kind == TokenKind::Weak);
            name.has_initials = name.tokens.iter().any(|t| t.kind == TokenKind::Initials);
            self.exact.entry(joined(&name.tokens)).or_default().push(n);
            for pair in join_pairs(&name.tokens) {
                let text = joined_text(&name.tokens, pair);
                let w: u32 = [pair.0, pair.1]
                    .iter()
                    .filter(|&&k| name.tokens[k].kind == TokenKind::Strong)
                    .map(|&k| self.rarity[self.vocab_id[&name.tokens[k].text] as usize])
                    .sum();
                let next = self.joined.len() as u32;
                let id = *joined_id.entry(text.clone()).or_insert(next);
                if id == next {
                    self.joined.push(JoinedEntry {
                        text,
                        weight: 0,
                        both_words: false,
                        postings: Vec::new(),
                    });
                }
                let e = &mut self.joined[id as usize];
                e.weight = e.weight.max(w);
                e.both_words |= both_words(&name.tokens, pair);
                if e.postings.last() != Some(&n) {
                    e.postings.push(n);
                }
            }
            if let Some(form) = acronym_form(&name.tokens) {
                self.acronym_form
                    .entry(form.to_owned())
                    .or_default()
                    .push(n);
            }
            for spelled in acronyms_spelled(&name.tokens) {
                self.spelled.entry(spelled).or_default().push(n);
            }
        }
        // Postings keep a name once per occurrence of the token ("Luca Luca Rossi"), so
        // that the candidate-side bound counts every occurrence's weight.
        let mut keys = Vec::new();
        let mut filed: Vec<(u64, u32)> = Vec::new();
        for (v, token) in self.vocab.iter().enumerate() {
            match token.kind {
                TokenKind::Weak => {
                    self.weak_vocab.push(v as u32);
                    continue;
                }
                TokenKind::Strong | TokenKind::Numeric => {}
                // Initials and legal forms match no name word through the index (see
                // the bound in `screen`).
                TokenKind::Initials | TokenKind::Legal => continue,
            }
            blocking_keys(token, &mut keys);
            filed.extend(keys.iter().map(|&k| (k, v as u32)));
        }
        let base = self.vocab.len() as u32;
        for (j, entry) in self.joined.iter().enumerate() {
            joined_keys(&entry.text, &mut keys);
            filed.extend(keys.iter().map(|&k| (k, base + j as u32)));
        }
        filed.sort_unstable();
        filed.dedup();
        self.key_ids = filed.iter().map(|(_, id)| *id).collect();
        let mut from = 0;
        for run in filed.chunk_by(|a, b| a.0 == b.0) {
            let to = from + run.len();
            self.keys.insert(run[0].0, (from as u32, to as u32));
            from = to;
        }
    }

    /// Rarity weight of a token: inverse entry frequency; unseen tokens count as rarest.
    pub fn rarity(&self, token: &str) -> u32 {
        match self.vocab_id.get(token) {
            Some(&v) => self.rarity[v as usize],
            None => self.max_rarity(),
        }
    }

    fn max_rarity(&self) -> u32 {
        RARITY_BASE + RARITY_BASE * log2_sixteenths(self.entries.len().max(1) as u64) / 16
    }

    /// What the keys in `keys` lead to (sorted, each once).
    pub fn reached(&self, keys: &[u64], out: &mut Vec<u32>) {
        out.clear();
        for k in keys {
            if let Some(&(from, to)) = self.keys.get(k) {
                out.extend_from_slice(&self.key_ids[from as usize..to as usize]);
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// What an id of [`ListIndex::reached`] is.
    pub fn resolve(&self, id: u32) -> Reached {
        let base = self.vocab.len() as u32;
        if id < base {
            Reached::Token(id)
        } else {
            Reached::Joined(id - base)
        }
    }

    pub fn vocab_token(&self, v: u32) -> &Token {
        &self.vocab[v as usize]
    }

    pub fn vocab_text(&self, v: u32) -> &str {
        &self.vocab[v as usize].text
    }

    pub fn vocab_rarity(&self, v: u32) -> u32 {
        self.rarity[v as usize]
    }

    pub fn postings(&self, v: u32) -> &[u32] {
        &self.postings[v as usize]
    }

    /// A joined entry's text, weight, whether some occurrence joins two name words, and
    /// names.
    pub fn joined_entry(&self, j: u32) -> (&str, u32, bool, &[u32]) {
        let e = &self.joined[j as usize];
        (&e.text, e.weight, e.both_words, &e.postings)
    }

    /// Names whose normalised form has the same tokens as `tokens`, in any order.
    pub fn exact(&self, tokens: &[Token]) -> &[u32] {
        self.exact.get(&joined(tokens)).map_or(&[], Vec::as_slice)
    }

    /// Names that are the one short word `form`.
    pub fn by_acronym_form(&self, form: &str) -> &[u32] {
        self.acronym_form.get(form).map_or(&[], Vec::as_slice)
    }

    /// Names whose words spell the acronym `spelled`.
    pub fn by_spelled(&self, spelled: &str) -> &[u32] {
        self.spelled.get(spelled).map_or(&[], Vec::as_slice)
    }

    /// The weak tokens of the vocabulary.
    pub fn weak_vocabulary(&self) -> impl Iterator<Item = &Token> {
        self.weak_vocab.iter().map(|&v| self.vocab_token(v))
    }

    pub fn vocabulary_len(&self) -> usize {
        self.vocab.len()
    }
}

/// The tokens' texts in sorted order, space-separated: the key of the exact pass, the same
/// whatever the order of the words.
fn joined(tokens: &[Token]) -> String {
    let mut texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    texts.sort_unstable();
    texts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_in_sixteenths() {
        assert_eq!(log2_sixteenths(1), 0);
        assert_eq!(log2_sixteenths(2), 16);
        assert_eq!(log2_sixteenths(1024), 160);
        // log2(3) = 1.585 → 25.36 sixteenths
        assert_eq!(log2_sixteenths(3), 25);
        assert!(
            (1..5000u64)
                .collect::<Vec<_>>()
                .windows(2)
                .all(|w| log2_sixteenths(w[0]) <= log2_sixteenths(w[1]))
        );
    }

    #[test]
    fn skeletons_join_transliterations() {
        assert_eq!(skeleton("muhammad"), skeleton("mohamed"));
        assert_eq!(skeleton("qaddafi"), skeleton("gadhafi"));
        assert_ne!(skeleton("smith"), skeleton("jones"));
    }

    #[test]
    fn one_typo_shares_a_key() {
        let t = |s: &str| Token::new(s, TokenKind::Strong);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (x, y) in [
            ("hussein", "husein"),
            ("ivanov", "ivanvo"),
            ("petrov", "petrob"),
        ] {
            blocking_keys(&t(x), &mut a);
            blocking_keys(&t(y), &mut b);
            assert!(a.iter().any(|k| b.contains(k)), "{x} / {y}");
        }
    }
}
