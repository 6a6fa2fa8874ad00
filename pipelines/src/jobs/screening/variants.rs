//! Name variation that letters alone do not show: phonetic keys for romanisation variants,
//! given-name nicknames, and numbers written as words.
//!
//! - **Phonetic key** ([`phonetic_key`]): "Xi", "Shi", "Si" and "Hsi" are one Chinese
//!   surname in Pinyin, older English and Wade-Giles spellings; "Jong-uun" and "Jong-un",
//!   "Lee" and "Li", "Aly" and "Ali" one name each. The key folds the spellings that
//!   romanisation systems use for one sound (word-initial x/hs/sh/sch → s, zh → j, ch/tch →
//!   c, c before e/i/y → s, otherwise k, z → s, th → t, y → i, ou/oo → u, ee/ie/ea → i, a
//!   final h dropped, doubled letters once) and keeps the vowels, so it is much narrower
//!   than the consonant skeleton.
//! - **Nicknames** ([`nickname_groups`]): the diminutives and short forms a given name is
//!   known by in English, Russian, German, French, Spanish and Italian usage (Bill and Will
//!   for William, Sasha for Alexander, Pepe for José). These are facts of naming usage, as
//!   recorded in common nickname registers; the table holds only unambiguous families, a
//!   short form that belongs to several names (Al, Alex, Chris…) is in each of them.
//! - **Organisation words** ([`is_organisation_word`]): army, bank, front, party… — what
//!   lets a three-letter acronym stand for a name.
//! - **Numbers as words** ([`number_word`]): "third", "3rd" and "3" are one token, and so
//!   are "two" and "2", in a vessel's or a company's name.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The phonetic key of a folded token (see the module documentation); empty when the token
/// has fewer than two letters of key.
pub fn phonetic_key(token: &str) -> String {
    let b = token.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let at = |i: usize, s: &str| b[i..].starts_with(s.as_bytes());
    // Word-initial spellings of one sibilant.
    for (from, to) in [
        ("sch", "s"),
        ("ks", "s"),
        ("hs", "s"),
        ("sh", "s"),
        ("zh", "j"),
    ] {
        if at(0, from) {
            out.extend_from_slice(to.as_bytes());
            i = from.len();
            break;
        }
    }
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let (emit, step): (&[u8], usize) = if at(i, "tch") || at(i, "tsch") {
            (b"c", if at(i, "tsch") { 4 } else { 3 })
        } else if at(i, "ch") {
            (b"c", 2)
        } else if at(i, "sch") {
            (b"s", 3)
        } else if at(i, "sh") {
            (b"s", 2)
        } else if at(i, "zh") {
            (b"j", 2)
        } else if at(i, "th") {
            (b"t", 2)
        } else if at(i, "ou") || at(i, "oo") {
            (b"u", 2)
        } else if at(i, "ee") || at(i, "ie") || at(i, "ea") {
            (b"i", 2)
        } else {
            match c {
                b'c' if matches!(next, Some(b'e' | b'i' | b'y')) => (b"s", 1),
                b'c' => (b"k", 1),
                b'z' => (b"s", 1),
                b'y' => (b"i", 1),
                b'h' if i + 1 == b.len() && i > 0 => (b"", 1),
                _ => (std::slice::from_ref(&b[i]), 1),
            }
        };
        for &e in emit {
            if out.last() != Some(&e) {
                out.push(e);
            }
        }
        i += step;
    }
    if out.len() < 2 {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Given-name families: the first is the formal name, the rest its nicknames and short
/// forms (spelled as a name is normalised: lower case, Latin letters).
const NICKNAMES: &[&str] = &[
    "abraham abe abram",
    "albert al bert bertie",
    "alexander aleksandr alexandr aleksander alex alec alastair alistair sandy sasha sascha shura",
    "alexandra aleksandra alex alexa sandra sasha sandy",
    "alfred al alf alfie fred freddie",
    "andrew andy drew",
    "anthony tony antony",
    "antonio tonio toni nino",
    "arthur art artie",
    "barbara barb babs",
    "benjamin ben benny benji",
    "bernard bernie",
    "catherine cathy kate katie kathy katya katherine kathryn",
    "charles charlie chuck chas",
    "christina chris tina christine",
    "christopher chris kit topher",
    "daniel dan danny",
    "david dave davy",
    "deborah debbie debra deb",
    "dmitry dima mitya dmitri dmitrii",
    "donald don donnie",
    "dorothy dot dottie",
    "edward ed eddie ted teddy ned",
    "elizabeth liz lizzie beth betty bess eliza elisabeth libby lisa",
    "eugene gene",
    "evgeny zhenya yevgeny evgenii yevgeni",
    "francis frank fran",
    "francisco paco pancho frank",
    "frederick fred freddie fritz",
    "friedrich fritz",
    "gabriel gabe",
    "gerald gerry jerry",
    "gregory greg",
    "harold harry hal",
    "henry harry hank hal",
    "ignacio nacho",
    "isabel bel isa isabella",
    "ivan vanya",
    "jacob jake jack",
    "james jim jimmy jamie",
    "jennifer jen jenny",
    "johann hans",
    "johannes hans jo",
    "john jack johnny jon",
    "jonathan jon jonny",
    "jose pepe",
    "joseph joe joey jo",
    "josephine jo josie",
    "katherine kate katie kathy kat",
    "konstantin kostya",
    "lawrence larry laurie",
    "leonard leo len lenny",
    "luis lucho",
    "manuel manolo manny",
    "margaret maggie meg peggy marge madge greta",
    "maria masha marusya",
    "michael mike mick mickey misha",
    "mikhail mikhael misha",
    "nicholas nick nicky",
    "nikolai kolya",
    "patricia pat patty trish",
    "patrick pat paddy",
    "peter pete",
    "pyotr petya",
    "philip phil",
    "rebecca becky becca",
    "richard dick rick ricky rich",
    "robert bob bobby rob robbie bert",
    "ronald ron ronnie",
    "samuel sam sammy",
    "sergei seryozha serezha sergey",
    "stephen steve stevie",
    "steven steve stevie",
    "susan sue susie",
    "tatiana tanya tatyana",
    "theodore ted teddy theo",
    "thomas tom tommy",
    "timothy tim timmy",
    "valentina valya",
    "victoria vicky tori",
    "vladimir volodya vova",
    "walter walt",
    "william bill billy will willy liam",
    "yekaterina katya katia ekaterina",
    "yuri yura",
    "zachary zach zack",
];

type Groups = HashMap<String, Vec<u32>>;

/// The nickname families a folded token belongs to (indices into the table).
pub fn nickname_groups(token: &str) -> &'static [u32] {
    static GROUPS: OnceLock<Groups> = OnceLock::new();
    let groups = GROUPS.get_or_init(|| {
        let mut g: Groups = HashMap::new();
        for (i, family) in NICKNAMES.iter().enumerate() {
            for name in family.split(' ') {
                let list = g.entry(super::normalize::fold(name)).or_default();
                if !list.contains(&(i as u32)) {
                    list.push(i as u32);
                }
            }
        }
        g
    });
    groups.get(token).map_or(&[], Vec::as_slice)
}

/// Words that say a name is an organisation's ("People's Liberation *Army*"): an acronym of
/// three letters is taken for one only beside such a word or a legal form.
const ORGANISATION_WORDS: &[&str] = &[
    "agency",
    "airlines",
    "airways",
    "army",
    "association",
    "authority",
    "bank",
    "battalion",
    "brigade",
    "brigades",
    "bureau",
    "center",
    "centre",
    "committee",
    "corps",
    "council",
    "department",
    "directorate",
    "force",
    "forces",
    "foundation",
    "front",
    "fund",
    "guard",
    "guards",
    "industries",
    "institute",
    "league",
    "lines",
    "ministry",
    "movement",
    "navy",
    "network",
    "office",
    "organisation",
    "organization",
    "party",
    "resistance",
    "service",
    "shipping",
    "society",
    "trading",
    "trust",
    "union",
];

/// Whether a folded token is a word of [`ORGANISATION_WORDS`].
pub fn is_organisation_word(token: &str) -> bool {
    static WORDS: OnceLock<Vec<String>> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            let mut w: Vec<String> = ORGANISATION_WORDS
                .iter()
                .map(|x| super::normalize::fold(x))
                .collect();
            w.sort_unstable();
            w
        })
        .binary_search_by(|w| w.as_str().cmp(token))
        .is_ok()
}

const CARDINALS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];
const ORDINALS: &[&str] = &[
    "",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
];

/// The number a word spells: a cardinal or ordinal word up to twenty, or digits with an
/// English ordinal suffix ("3rd", "21st").
pub fn number_word(word: &str) -> Option<String> {
    if let Some(n) = CARDINALS.iter().position(|w| *w == word) {
        return Some(n.to_string());
    }
    if let Some(n) = ORDINALS.iter().position(|w| !w.is_empty() && *w == word) {
        return Some(n.to_string());
    }
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    (!digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(suffix, "st" | "nd" | "rd" | "th"))
    .then(|| digits.trim_start_matches('0').to_owned())
    .filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn romanisations_share_a_key() {
        let k = |s: &str| phonetic_key(&super::super::normalize::fold(s));
        assert_eq!(k("xi"), k("shi"));
        assert_eq!(k("si"), k("hsi"));
        assert_eq!(k("uun"), k("un"));
        assert_eq!(k("lee"), k("li"));
        assert_eq!(k("zhang"), k("jang"));
        assert_ne!(k("smith"), k("jones"));
        assert_eq!(k("a"), "");
    }

    fn same_nickname_family(a: &str, b: &str) -> bool {
        let gb = nickname_groups(b);
        nickname_groups(a).iter().any(|g| gb.contains(g))
    }

    #[test]
    fn nicknames_and_numbers() {
        assert!(same_nickname_family(
            "bill",
            &super::super::normalize::fold("william")
        ));
        assert!(same_nickname_family(
            "sasha",
            &super::super::normalize::fold("alexander")
        ));
        assert!(!same_nickname_family("bill", "robert"));
        assert_eq!(number_word("third").as_deref(), Some("3"));
        assert_eq!(number_word("3rd").as_deref(), Some("3"));
        assert_eq!(number_word("two").as_deref(), Some("2"));
        assert_eq!(number_word("21st").as_deref(), Some("21"));
        assert_eq!(number_word("first").as_deref(), Some("1"));
        assert_eq!(number_word("rd"), None);
        assert_eq!(number_word("oneida"), None);
    }
}
