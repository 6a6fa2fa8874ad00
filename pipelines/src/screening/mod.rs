//! Name screening: normalisation and scoring (the matcher's core).
//!
//! Scores are integers in basis points (0–10 000), computed with integer arithmetic only, so
//! results are identical on every machine and thread count, and every score comes with the
//! token pairs that produced it.
//!
//! - **Normalisation** ([`normalize`]): transliteration of any script to Latin letters
//!   (`deunicode`: Cyrillic, Arabic, Greek, CJK, …), case folding, diacritics and punctuation
//!   removed; tokens are *strong* (name words), *weak* (legal forms such as LTD, LLC, CORP,
//!   honorifics and particles such as MR, HAJI, AL, BIN — kept, but weighted low) or
//!   *numeric*.
//! - **Scoring** ([`score`]): each side's tokens are matched order-independently to their best
//!   counterpart by Jaro-Winkler similarity (numeric tokens must be equal); each side's
//!   coverage is the weighted mean of its tokens' best similarities, with strong tokens
//!   weighted by rarity; the score is the mean of the two coverages.
//! - **Guard**: a name with no strong token (only numbers, legal forms or stopwords) can
//!   reach 10 000 only against the very same normalised name; otherwise it is capped at
//!   [`WEAK_ONLY_CAP`]. "11420 CORP." may match itself at 100 %, "77777 CORP." never matches it.

mod normalize;
mod score;

pub use normalize::{Token, TokenKind, normalize};
pub use score::{Match, TokenPair, WEAK_ONLY_CAP, jaro_winkler_bp, score};
