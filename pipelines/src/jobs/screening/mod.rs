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
//!   (legal forms such as LTD, LLC, CORP, honorifics and particles such as MR, HAJI, AL, BIN
//!   — kept, but weighted low) or *numeric*.
//! - **Scoring** ([`score`]): each side's tokens are matched order-independently to their best
//!   counterpart by Jaro-Winkler similarity (numeric tokens must be equal); each side's
//!   coverage is the weighted mean of its tokens' best similarities, with strong tokens
//!   weighted by rarity; the score is the mean of the two coverages.
//! - **Guard**: a name with no strong token (only numbers, legal forms or stopwords) can
//!   reach 10 000 only against the very same normalised name; otherwise it is capped at
//!   [`WEAK_ONLY_CAP`]. "11420 CORP." may match itself at 100 %, "77777 CORP." never matches it.
//! - **Index and search** ([`ListIndex`], [`screen`]): an exact pass and a blocked fuzzy
//!   pass over a token index (symmetric deletions and consonant skeletons), an upper-bound
//!   filter, and full scoring of the survivors only.
//! - **Evidence** ([`evidence`]): dates of birth and countries add or take away a few
//!   hundred basis points, and say so in the explanation.

mod countries;
pub mod eval;
pub mod evidence;
mod index;
mod normalize;
pub mod run;
mod score;
mod screen;
pub mod shard;

pub use index::{IndexError, IndexedEntry, IndexedName, ListIndex, blocking_keys};
pub use normalize::{Token, TokenKind, normalize, skeleton};
pub use run::{ListSource, QuerySource, ScreenCounts, ScreenParams, Screening};
pub use score::{
    BLOCK_FLOOR_BP, Match, TokenPair, WEAK_ONLY_CAP, deletion_budget, jaro_winkler_bp, score,
    token_similarity_bp,
};
pub use screen::{
    DEFAULT_HIT_BP, DEFAULT_REVIEW_BP, Decision, Hit, Query, Scratch, Thresholds, screen,
    screen_brute_force,
};
