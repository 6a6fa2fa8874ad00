//! The list index: every name of every entry, normalised once, with the blocking structures
//! that let a query reach its plausible candidates without a scan of the list.
//!
//! Blocking works on the *vocabulary* (the distinct tokens of all names), which is small
//! (tens of thousands of tokens for OFAC + UN) next to the names themselves:
//!
//! - each strong or numeric vocabulary token is filed under keys: the token itself; its
//!   one-character deletions (tokens of 3+ letters) and two-character deletions (8+
//!   letters), so that a query token within edit distance ~2 shares a key (the
//!   symmetric-deletion method); and a consonant skeleton (`muhammad`, `mohamed` →
//!   `mmt`) for transliteration variants that are further apart in letters;
//! - each token has a posting list of the names that hold it, and a rarity weight from its
//!   inverse document frequency over entries, in integer fixed point.
//!
//! Keys are 64-bit FNV-1a hashes; a collision only adds a candidate token, and candidates
//! are always confirmed by their Jaro-Winkler similarity.

use std::collections::{BTreeMap, HashMap};

use arrow::array::{Array, AsArray, RecordBatch};

use super::evidence::{self, BirthDate};
use super::normalize::{Token, TokenKind, normalize, skeleton};

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
    /// Sum of the weights of the weak and numeric tokens.
    pub other_weight: u64,
}

/// The searchable form of one or more sanctions lists.
#[derive(Debug, Default)]
pub struct ListIndex {
    pub entries: Vec<IndexedEntry>,
    pub names: Vec<IndexedName>,
    vocab: Vec<String>,
    vocab_id: HashMap<String, u32>,
    rarity: Vec<u32>,
    postings: Vec<Vec<u32>>,
    keys: HashMap<u64, Vec<u32>>,
    exact: HashMap<String, Vec<u32>>,
    /// The weak tokens of the vocabulary (legal forms, particles): few, and not indexed.
    weak_vocab: Vec<u32>,
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

/// The blocking keys of a token (see the module documentation).
pub fn blocking_keys(token: &Token, out: &mut Vec<u64>) {
    out.clear();
    let t = token.text.as_bytes();
    out.push(fnv(1, t));
    if token.kind != TokenKind::Strong {
        return;
    }
    if t.len() >= 3 {
        let mut buf = Vec::with_capacity(t.len());
        for i in 0..t.len() {
            buf.clear();
            buf.extend_from_slice(&t[..i]);
            buf.extend_from_slice(&t[i + 1..]);
            out.push(fnv(1, &buf));
            if t.len() >= 8 {
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
    let s = skeleton(&token.text);
    if s.len() >= 3 {
        out.push(fnv(2, s.as_bytes()));
    }
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
            index.names.push(IndexedName {
                entry,
                text: ntext.value(row).to_owned(),
                kind: nkind.value(row).to_owned(),
                weak: strength.is_some_and(|s| s.is_valid(row) && s.value(row) == "weak"),
                tokens,
                strong_weight: 0,
                other_weight: 0,
            });
        }
        index.build_vocabulary();
        Ok(index)
    }

    fn build_vocabulary(&mut self) {
        // Document frequency over entries, so many aliases of one entry count once.
        let mut df: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for name in &self.names {
            for t in &name.tokens {
                df.entry(t.text.as_str()).or_default().push(name.entry);
            }
        }
        let n_entries = self.entries.len().max(1) as u64;
        let mut rarity = Vec::with_capacity(df.len());
        let mut vocab = Vec::with_capacity(df.len());
        for (text, mut ents) in df {
            ents.sort_unstable();
            ents.dedup();
            let ratio = (n_entries / ents.len() as u64).max(1);
            rarity.push(RARITY_BASE + RARITY_BASE * log2_sixteenths(ratio) / 16);
            vocab.push(text.to_owned());
        }
        self.vocab_id = vocab
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        self.vocab = vocab;
        self.rarity = rarity;
        self.postings = vec![Vec::new(); self.vocab.len()];
        let mut kinds = vec![TokenKind::Weak; self.vocab.len()];
        for (n, name) in self.names.iter_mut().enumerate() {
            let (mut strong, mut other) = (0u64, 0u64);
            for t in &name.tokens {
                let v = self.vocab_id[&t.text] as usize;
                kinds[v] = t.kind;
                self.postings[v].push(n as u32);
                if t.kind == TokenKind::Strong {
                    strong += u64::from(self.rarity[v]);
                } else {
                    other += super::score::fixed_weight(t.kind);
                }
            }
            name.strong_weight = strong;
            name.other_weight = other;
            let joined = joined(&name.tokens);
            self.exact.entry(joined).or_default().push(n as u32);
        }
        // Postings keep a name once per occurrence of the token ("Luca Luca Rossi"), so
        // that the candidate-side bound counts every occurrence's weight.
        let mut keys = Vec::new();
        for (v, text) in self.vocab.iter().enumerate() {
            if kinds[v] == TokenKind::Weak {
                self.weak_vocab.push(v as u32);
                continue;
            }
            let token = Token {
                text: text.clone(),
                kind: kinds[v],
            };
            blocking_keys(&token, &mut keys);
            for k in &keys {
                self.keys.entry(*k).or_default().push(v as u32);
            }
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

    /// Vocabulary tokens sharing a blocking key with `token`.
    pub fn similar_tokens(&self, token: &Token, keys: &mut Vec<u64>, out: &mut Vec<u32>) {
        out.clear();
        blocking_keys(token, keys);
        for k in keys.iter() {
            if let Some(v) = self.keys.get(k) {
                out.extend_from_slice(v);
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    pub fn vocab_text(&self, v: u32) -> &str {
        &self.vocab[v as usize]
    }

    pub fn vocab_rarity(&self, v: u32) -> u32 {
        self.rarity[v as usize]
    }

    pub fn postings(&self, v: u32) -> &[u32] {
        &self.postings[v as usize]
    }

    /// Names whose normalised form equals `tokens` exactly.
    pub fn exact(&self, tokens: &[Token]) -> &[u32] {
        self.exact.get(&joined(tokens)).map_or(&[], Vec::as_slice)
    }

    /// The weak tokens of the vocabulary.
    pub fn weak_vocabulary(&self) -> impl Iterator<Item = &str> {
        self.weak_vocab.iter().map(|&v| self.vocab_text(v))
    }

    pub fn vocabulary_len(&self) -> usize {
        self.vocab.len()
    }
}

fn joined(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
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
        let t = |s: &str| Token {
            text: s.into(),
            kind: TokenKind::Strong,
        };
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
