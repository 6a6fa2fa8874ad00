//! Names → tokens.

/// What a token counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenKind {
    /// A name word, weighted by its rarity.
    Strong,
    /// An honorific, particle or stopword (MR, HAJI, AL, BIN, THE): kept, weighted low.
    Weak,
    /// Digits, or a number written as a word ("third" → `3`): must be equal to match.
    Numeric,
    /// A legal form or vessel designator, as one symbol ([`super::legal_forms`]): compared
    /// only when both names carry one.
    Legal,
    /// One letter, or two or three consonants ("J", "JC"): initials of given names, which
    /// match a word (or a run of words) starting with them.
    Initials,
}

/// A normalised token.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Token {
    pub text: String,
    pub kind: TokenKind,
    /// Phonetic key of a strong token ([`super::variants::phonetic_key`]), else empty.
    pub phonetic: String,
    /// The nickname families of a strong token ([`super::variants::nickname_groups`]).
    pub nicknames: &'static [u32],
}

impl Token {
    /// A token of `kind` with its phonetic key and nickname families.
    pub fn new(text: impl Into<String>, kind: TokenKind) -> Self {
        let text = text.into();
        let (phonetic, nicknames) = if kind == TokenKind::Strong {
            (
                super::variants::phonetic_key(&text),
                super::variants::nickname_groups(&text),
            )
        } else {
            (String::new(), &[][..])
        };
        Token {
            text,
            kind,
            phonetic,
            nicknames,
        }
    }
}

/// Honorifics, particles and stopwords: kept as weak tokens, never deleted.
const WEAK: &[&str] = &[
    "a", "abu", "al", "and", "bin", "bint", "da", "das", "de", "del", "della", "der", "di", "do",
    "dos", "dr", "du", "el", "group", "haji", "hajji", "holding", "holdings", "ibn", "la", "le",
    "mr", "mrs", "ms", "mullah", "of", "shaikh", "sheikh", "the", "van", "von", "y",
];

/// Whether a word is initials: one letter, or two or three letters with no vowel.
fn is_initials(word: &str) -> bool {
    word.len() == 1
        || (word.len() <= 3
            && word.bytes().all(|b| b.is_ascii_lowercase())
            && !word
                .bytes()
                .any(|b| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')))
}

/// Normalises a name into tokens (see the module documentation).
pub fn normalize(name: &str) -> Vec<Token> {
    // Dots and apostrophes join ("S.A." → "sa", "O'Brien" → "obrien"); every other
    // non-alphanumeric character separates tokens.
    let ascii = deunicode::deunicode(name)
        .to_ascii_lowercase()
        .replace(['.', '\'', '`'], "");
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let t = words[i];
        if let Some((symbol, len)) = super::legal_forms::legal_form_at(&words[i..]) {
            out.push(Token::new(symbol, TokenKind::Legal));
            i += len;
            continue;
        }
        i += 1;
        let token = if t.bytes().all(|b| b.is_ascii_digit()) {
            Token::new(t, TokenKind::Numeric)
        } else if let Some(n) = super::variants::number_word(t) {
            Token::new(n, TokenKind::Numeric)
        } else if WEAK.binary_search(&t).is_ok() {
            Token::new(t, TokenKind::Weak)
        } else if is_initials(t) {
            // Initials fold as the words they stand for begin ("W" → "v", like "William").
            let folded: String = t
                .chars()
                .filter_map(|c| fold(&c.to_string()).chars().next())
                .collect();
            Token::new(folded, TokenKind::Initials)
        } else {
            Token::new(fold(t), TokenKind::Strong)
        };
        out.push(token);
    }
    out
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

pub(super) fn fold(token: &str) -> String {
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
                ("corp".into(), TokenKind::Legal)
            ]
        );
        // Every spelling of a legal form is one symbol; initials and numbers as words.
        assert_eq!(t("Siemens Aktiengesellschaft"), t("SIEMENS AG"),);
        assert_eq!(t("OAO Gazprom"), t("Open Joint Stock Company Gazprom"));
        assert_eq!(
            t("J.-C. Juncker")[..2],
            [
                ("j".into(), TokenKind::Initials),
                ("c".into(), TokenKind::Initials)
            ]
        );
        assert_eq!(t("JC Juncker")[0], ("jc".into(), TokenKind::Initials));
        assert_eq!(t("Grace Third"), t("GRACE 3rd"));
        assert_eq!(normalize("Владимир Путин")[0].text, "vladimir");
        // Russian and English transliterations of one name meet.
        assert_eq!(t("Моджтаба Хосровтадж"), t("Mojtaba Khosrowtaj"));
        assert!(!normalize("محمد").is_empty());
        assert!(!normalize("习近平").is_empty());
    }
}
