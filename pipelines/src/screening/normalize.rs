//! Names → tokens.

/// What a token counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenKind {
    Strong,
    Weak,
    Numeric,
}

/// A normalised token.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Token {
    pub text: String,
    pub kind: TokenKind,
}

/// Legal forms, honorifics, particles and stopwords: kept as weak tokens, never deleted.
const WEAK: &[&str] = &[
    "a",
    "ab",
    "abu",
    "ag",
    "al",
    "and",
    "as",
    "bin",
    "bint",
    "bv",
    "co",
    "company",
    "corp",
    "corporation",
    "de",
    "der",
    "dr",
    "el",
    "fzc",
    "fzco",
    "fze",
    "gmbh",
    "group",
    "haji",
    "hajji",
    "holding",
    "holdings",
    "ibn",
    "inc",
    "incorporated",
    "jsc",
    "kg",
    "la",
    "le",
    "limited",
    "llc",
    "llp",
    "lp",
    "ltd",
    "mr",
    "mrs",
    "ms",
    "mullah",
    "nv",
    "oao",
    "of",
    "ojsc",
    "ooo",
    "pjsc",
    "plc",
    "pte",
    "pty",
    "sa",
    "sarl",
    "sas",
    "shaikh",
    "sheikh",
    "spa",
    "srl",
    "the",
    "van",
    "von",
    "zao",
];

/// Normalises a name into tokens (see the module documentation).
pub fn normalize(name: &str) -> Vec<Token> {
    // Dots and apostrophes join ("S.A." → "sa", "O'Brien" → "obrien"); every other
    // non-alphanumeric character separates tokens.
    let ascii = deunicode::deunicode(name)
        .to_ascii_lowercase()
        .replace(['.', '\'', '`'], "");
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| Token {
            text: t.to_owned(),
            kind: if t.bytes().all(|b| b.is_ascii_digit()) {
                TokenKind::Numeric
            } else if WEAK.binary_search(&t).is_ok() {
                TokenKind::Weak
            } else {
                TokenKind::Strong
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_words_are_sorted() {
        assert!(WEAK.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn scripts_case_diacritics_and_punctuation() {
        let t = |s: &str| {
            normalize(s)
                .into_iter()
                .map(|t| (t.text, t.kind))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            t("José  MARÍA-López"),
            vec![
                ("jose".into(), TokenKind::Strong),
                ("maria".into(), TokenKind::Strong),
                ("lopez".into(), TokenKind::Strong)
            ]
        );
        assert_eq!(
            t("11420 CORP."),
            vec![
                ("11420".into(), TokenKind::Numeric),
                ("corp".into(), TokenKind::Weak)
            ]
        );
        assert_eq!(normalize("Владимир Путин")[0].text, "vladimir");
        assert!(!normalize("محمد").is_empty());
        assert!(!normalize("习近平").is_empty());
    }
}
