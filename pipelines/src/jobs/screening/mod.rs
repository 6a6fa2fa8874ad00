//! Name screening against sanctions lists.
//!
//! Scores are integers in basis points (0–10 000), computed with integer arithmetic only, so
//! results are identical on every machine and thread count, and every score comes with the
//! token pairs and evidence that produced it.
//!
//! - **Normalisation** ([`normalize`]): transliteration of any script to Latin letters
//!   (`deunicode`: Cyrillic, Arabic, Greek, CJK, …), case folding, diacritics and punctuation
//!   removed, and spellings that transliteration systems use for one sound folded to one
//!   (`dzh`/`dj` → `j`, `kh` → `h`, `w` → `v`, …); tokens are *strong* (name words), *weak*
//!   (honorifics and particles such as MR, HAJI, AL, BIN — kept, but weighted low),
//!   *numeric* (numbers as words too: "third" → 3), *legal* (every spelling of a legal form
//!   in any language as one symbol, [`legal_forms`]) or *initials* (J, JC).
//! - **Variants** ([`variants`]): phonetic keys for romanisation variants, nickname
//!   families, numbers as words.
//! - **Scoring** ([`score`]): each side's tokens are related to their best counterpart —
//!   a token (Jaro-Winkler, phonetic key, nickname, initial), two neighbouring words
//!   written as one, or a run of words its initials spell — each relation with the rule
//!   that found it; each side's coverage is the weighted mean of its tokens' best
//!   similarities, with strong tokens weighted by rarity; the score combines the two
//!   coverages. Legal forms count only when both names carry one.
//! - **Guard**: a name with no strong token (only numbers, legal forms or stopwords) can
//!   reach 10 000 only against the very same normalised name; otherwise it is capped at
//!   [`WEAK_ONLY_CAP`]. "11420 CORP." may match itself at 100 %, "77777 CORP." never matches it.
//! - **Index and search** ([`ListIndex`], [`screen`]): an exact pass and a blocked fuzzy
//!   pass over a token index (symmetric deletions, consonant skeletons, phonetic keys,
//!   nickname families, joined neighbours, acronyms), an upper-bound filter, and full
//!   scoring of the survivors only — returning exactly what scoring every name returns.
//! - **Evaluation** ([`eval`], [`pairs`]): generated variation of the lists' own names and a
//!   hand-labelled pair set, per category and class.
//! - **Evidence** ([`evidence`]): dates of birth and countries add or take away a few
//!   hundred basis points, and say so in the explanation.

mod countries;
pub mod eval;
pub mod evidence;
mod index;
mod legal_forms;
mod normalize;
pub mod pairs;
pub mod run;
mod score;
mod screen;
pub mod shard;
mod variants;

pub use index::{
    IndexError, IndexedEntry, IndexedName, ListIndex, Reached, blocking_keys, joined_keys,
};
pub use normalize::{Token, TokenKind, normalize, skeleton};
pub use run::{ListSource, QuerySource, ScreenCounts, ScreenParams, Screening};
pub use score::{
    ACRONYM_BP, BLOCK_FLOOR_BP, INITIAL_BP, JOINED_MAX_BP, LEGAL_DROPPED_MAX_BP, Match,
    NICKNAME_BP, NUMBERS_DIFFER_BP, PHONETIC_BP, Rule, TokenPair, WEAK_ONLY_CAP, deletion_budget,
    jaro_winkler_bp, join_similarity_bp, score, token_relation, token_similarity_bp,
};
pub use screen::{
    DEFAULT_HIT_BP, DEFAULT_REVIEW_BP, Decision, Hit, Query, Scratch, Thresholds, screen,
    screen_brute_force,
};
