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
        .map(|t| {
            if t.bytes().all(|b| b.is_ascii_digit()) {
                Token {
                    text: t.to_owned(),
                    kind: TokenKind::Numeric,
                }
            } else if WEAK.binary_search(&t).is_ok() {
                Token {
                    text: t.to_owned(),
                    kind: TokenKind::Weak,
                }
            } else {
                Token {
                    text: fold(t),
                    kind: TokenKind::Strong,
                }
            }
        })
        .collect()
}

/// Spellings that transliteration systems use for one sound, folded to one: Russian
/// clerks write `dzh` where English writes `j`, French `dj`; Arabic ḫ is `kh` or `h`.
const FOLDS: &[(&str, &str)] = &[
    ("dzh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("ph", "f"),
    ("ck", "k"),
    ("w", "v"),
    ("q", "k"),
    ("x", "ks"),
];

fn fold(token: &str) -> String {
    let mut out = String::with_capacity(token.len() + 2);
    let mut rest = token;
    while let Some(c) = rest.chars().next() {
        match FOLDS.iter().find(|(from, _)| rest.starts_with(from)) {
            Some((from, to)) => {
                out.push_str(to);
                rest = &rest[from.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// A consonant skeleton: first letter kept, vowels, h and w dropped after it, letters that
/// transliterations swap merged, runs of one consonant collapsed (unless a vowel separates
/// them).
pub fn skeleton(token: &str) -> String {
    let b = token.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut last = 0u8;
    for (i, &c) in b.iter().enumerate() {
        let mapped = match c {
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' if i > 0 => {
                // A vowel separates: "mama" keeps both m's, as in Soundex.
                last = 0;
                continue;
            }
            b'h' | b'w' if i > 0 => continue,
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' => b'a',
            b'c' | b'k' | b'q' | b'g' => b'k',
            b's' | b'z' | b'x' => b's',
            b'd' | b't' => b't',
            b'b' | b'p' => b'p',
            b'f' | b'v' => b'f',
            b'j' => b'j',
            other => other,
        };
        if mapped != last {
            out.push(char::from(mapped));
            last = mapped;
        }
    }
    out
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
        // Russian and English transliterations of one name meet.
        assert_eq!(t("Моджтаба Хосровтадж"), t("Mojtaba Khosrowtaj"));
        assert!(!normalize("محمد").is_empty());
        assert!(!normalize("习近平").is_empty());
    }
}
