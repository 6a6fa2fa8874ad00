//! The screening evaluation harness (`mez screen eval`): labelled queries built from real
//! list entries, precision, recall and F1 at the review and hit lines, and the recall of the
//! blocked search against the brute-force scorer.
//!
//! Positives take a name of a listed entry and change it the way real data does: a typo, a
//! transposition, the tokens in another order, a token dropped or added, an honorific, a
//! legal form changed, another transliteration, the name written in Cyrillic, or only its
//! case and punctuation. A positive counts as found when its own entry is reported.
//! Negatives are real-looking names that are not on the lists: generated people and
//! companies (any that equal a listed name exactly are skipped, since the list would be
//! right to report them), names made only of numbers and legal forms, and *near* negatives
//! — a listed name with its rarest word swapped for a common surname. A negative counts as
//! a false positive when anything at all is reported. Everything is seeded, so two runs over
//! the same lists give the same report.
//!
//! Beside the generated queries, a labelled pair set ([`super::pairs`]: the project's own,
//! or one given with `--pairs`) is screened against the same lists and reported per class
//! of variation.

use std::collections::BTreeSet;

use rayon::prelude::*;
use serde::Serialize;

use crate::generators::SplitMix64;
use crate::generators::names as gen_names;
use crate::jobs::screening::pairs::{LabelledPair, PairsOutcome, evaluate_pairs};
use crate::jobs::screening::{
    Hit, ListIndex, Query, Scratch, Thresholds, TokenKind, normalize, screen, screen_brute_force,
};

/// Parameters of an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalParams {
    pub positives: usize,
    pub negatives: usize,
    pub seed: u64,
    /// How many labelled queries are also run through the brute-force scorer.
    pub brute_force_sample: usize,
    pub thresholds: Thresholds,
    /// A labelled pair set evaluated against the same lists (see [`super::pairs`]).
    pub pairs: Vec<LabelledPair>,
}

/// A query with what it should find.
#[derive(Debug, Clone)]
pub struct LabelledQuery {
    pub query: Query,
    pub category: &'static str,
    /// The entry a positive must find; `None` for negatives.
    pub target: Option<u32>,
    /// The list name it was made from (positives and near negatives).
    pub source_name: Option<String>,
}

/// Counts at one decision line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    pub true_positives: u64,
    pub false_negatives: u64,
    pub false_positives: u64,
    pub true_negatives: u64,
    pub precision_bp: u32,
    pub recall_bp: u32,
    pub f1_bp: u32,
}

impl Confusion {
    pub(super) fn finish(mut self) -> Self {
        let ratio =
            |a: u64, b: u64| u32::try_from((a * 10_000).checked_div(b).unwrap_or(0)).unwrap_or(0);
        self.precision_bp = ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        );
        self.recall_bp = ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        );
        let (p, r) = (u64::from(self.precision_bp), u64::from(self.recall_bp));
        self.f1_bp = u32::try_from((2 * p * r).checked_div(p + r).unwrap_or(0)).unwrap_or(0);
        self
    }
}

/// One category's outcome at the review line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CategoryOutcome {
    pub category: String,
    pub queries: u64,
    /// Positives: found at the review line; negatives: nothing reported.
    pub correct: u64,
}

/// Blocked search against brute force.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BlockingOutcome {
    pub queries: u64,
    /// (query, entry) pairs the brute-force scorer reports at the review line.
    pub brute_force_pairs: u64,
    /// Of those, the pairs the blocked search also reports with the same score.
    pub blocked_pairs: u64,
    pub recall_bp: u32,
    /// Names fully scored per query: blocked (mean) and brute force (every name).
    pub blocked_scored_mean: u64,
    pub brute_force_scored: u64,
}

/// The harness's report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EvalReport {
    pub entries: u64,
    pub names: u64,
    pub review_bp: u32,
    pub hit_bp: u32,
    pub positives: u64,
    pub negatives: u64,
    pub skipped_negatives_on_list: u64,
    pub at_review: Confusion,
    pub at_hit: Confusion,
    pub categories: Vec<CategoryOutcome>,
    pub blocking: BlockingOutcome,
    /// The labelled pair set, per class.
    pub pairs: PairsOutcome,
    /// Up to 20 missed positives and 20 false positives, for reading.
    pub examples: Vec<String>,
}

const HONORIFICS: &[&str] = &["Mr", "Dr", "Sheikh", "Haji", "Mrs"];
const LEGAL_FORMS: &[&str] = &["LLC", "Limited", "Ltd", "Corp", "Inc", "Company", "JSC"];
const TRANSLITERATIONS: &[(&str, &str)] = &[
    ("ou", "u"),
    ("u", "ou"),
    ("kh", "h"),
    ("y", "i"),
    ("i", "y"),
    ("q", "k"),
    ("ph", "f"),
    ("ee", "i"),
    ("j", "dj"),
    ("dj", "j"),
    ("sh", "ch"),
    ("w", "v"),
    ("v", "w"),
    ("x", "ks"),
    ("mm", "m"),
    ("e", "a"),
    ("o", "u"),
];
/// Latin → Cyrillic, longest spelling first, as a Russian clerk would write a foreign name.
const CYRILLIC: &[(&str, &str)] = &[
    ("shch", "щ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("kh", "х"),
    ("zh", "ж"),
    ("ts", "ц"),
    ("ya", "я"),
    ("yu", "ю"),
    ("yo", "ё"),
    ("a", "а"),
    ("b", "б"),
    ("c", "к"),
    ("d", "д"),
    ("e", "е"),
    ("f", "ф"),
    ("g", "г"),
    ("h", "х"),
    ("i", "и"),
    ("j", "дж"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("q", "к"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("v", "в"),
    ("w", "в"),
    ("x", "кс"),
    ("y", "й"),
    ("z", "з"),
];

fn to_cyrillic(latin: &str) -> String {
    let mut out = String::new();
    let mut rest = latin;
    while let Some(c) = rest.chars().next() {
        match CYRILLIC.iter().find(|(l, _)| rest.starts_with(l)) {
            Some((l, cy)) => {
                out.push_str(cy);
                rest = &rest[l.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// Legal-form abbreviations and a spelling in full (for `legal_form_expanded`).
const EXPANSIONS: &[(&str, &str)] = &[
    ("ltd", "Limited"),
    ("llc", "Limited Liability Company"),
    ("jsc", "Joint Stock Company"),
    ("ojsc", "Open Joint Stock Company"),
    ("cjsc", "Closed Joint Stock Company"),
    ("pjsc", "Public Joint Stock Company"),
    ("ag", "Aktiengesellschaft"),
    ("gmbh", "Gesellschaft mit beschraenkter Haftung"),
    ("sa", "Sociedad Anonima"),
    ("corp", "Corporation"),
    ("inc", "Incorporated"),
    ("co", "Company"),
    ("plc", "Public Limited Company"),
    ("ooo", "Limited Liability Company"),
    ("oao", "Open Joint Stock Company"),
    ("zao", "Closed Joint Stock Company"),
    ("fze", "Free Zone Establishment"),
    ("bv", "Besloten Vennootschap"),
];

/// Spellings of one sound in different romanisations (for `romanisation`).
const ROMANISATIONS: &[(&str, &str)] = &[
    ("sh", "s"),
    ("x", "sh"),
    ("zh", "j"),
    ("ch", "tch"),
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "u"),
    ("y", "i"),
    ("ts", "z"),
    ("uu", "u"),
];

fn entity_type_is(entry_type: &str) -> bool {
    entry_type == "entity"
}

/// The word, lower-cased, with one of the `rules` that applies to it applied once.
fn respell(rng: &mut SplitMix64, word: &str, rules: &[(&str, &str)]) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let rules: Vec<&(&str, &str)> = rules.iter().filter(|(a, _)| lower.contains(a)).collect();
    if rules.is_empty() {
        return None;
    }
    let (from, to) = **pick(rng, &rules);
    Some(lower.replacen(from, to, 1))
}

fn pick<'a, T>(rng: &mut SplitMix64, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len() as u64) as usize]
}

/// The words of a name, split on spaces.
fn words(name: &str) -> Vec<String> {
    name.split_whitespace().map(str::to_owned).collect()
}

/// Indices of words that normalise to one strong token of at least `min` letters.
fn strong_words(w: &[String], min: usize) -> Vec<usize> {
    w.iter()
        .enumerate()
        .filter(|(_, x)| {
            let t = normalize(x);
            t.len() == 1 && t[0].kind == TokenKind::Strong && t[0].text.len() >= min && x.is_ascii()
        })
        .map(|(i, _)| i)
        .collect()
}

fn edit_word(
    rng: &mut SplitMix64,
    name: &str,
    min: usize,
    f: &dyn Fn(&mut SplitMix64, &str) -> Option<String>,
) -> Option<String> {
    let mut w = words(name);
    let strong = strong_words(&w, min);
    if strong.is_empty() {
        return None;
    }
    let i = *pick(rng, &strong);
    let word = w[i].trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let changed = f(rng, word)?;
    if changed.eq_ignore_ascii_case(word) {
        return None;
    }
    w[i] = w[i].replacen(word, &changed, 1);
    Some(w.join(" "))
}

/// A changed form of a listed name in the given category, if the name allows it.
pub fn perturb(
    rng: &mut SplitMix64,
    category: &str,
    name: &str,
    entry_type: &str,
) -> Option<String> {
    let w = words(name);
    match category {
        "typo" => edit_word(rng, name, 5, &|rng, word| {
            let mut b: Vec<u8> = word.bytes().collect();
            let i = 1 + rng.below(b.len() as u64 - 1) as usize;
            let c = b'a' + rng.below(26) as u8;
            b[i] = if b[i].is_ascii_uppercase() {
                c.to_ascii_uppercase()
            } else {
                c
            };
            String::from_utf8(b).ok()
        }),
        "transposition" => edit_word(rng, name, 5, &|rng, word| {
            let mut b: Vec<u8> = word.bytes().collect();
            let i = 1 + rng.below(b.len() as u64 - 2) as usize;
            b.swap(i, i + 1);
            String::from_utf8(b).ok()
        }),
        "token_order" => {
            let clean: Vec<String> = w.iter().map(|x| x.trim_matches(',').to_owned()).collect();
            (clean.len() >= 2).then(|| {
                let mut r = clean.clone();
                r.reverse();
                r.join(" ")
            })
        }
        "dropped_token" => {
            let strong = strong_words(&w, 1);
            (strong.len() >= 3).then(|| {
                let drop = *pick(rng, &strong);
                w.iter()
                    .enumerate()
                    .filter(|(i, _)| *i != drop)
                    .map(|(_, x)| x.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        }
        "added_token" => (entry_type == "individual" && w.len() >= 2).then(|| {
            let mut r = w.clone();
            r.insert(
                1,
                (*pick(rng, &["Ahmed", "Maria", "John", "Ali", "Sergei", "Jean"])).to_owned(),
            );
            r.join(" ")
        }),
        "honorific" => {
            (entry_type == "individual").then(|| format!("{} {name}", pick(rng, HONORIFICS)))
        }
        "legal_form" => (entry_type == "entity").then(|| {
            let kept: Vec<&str> = w
                .iter()
                .map(String::as_str)
                .filter(|x| normalize(x).iter().all(|t| t.kind == TokenKind::Strong))
                .collect();
            format!("{} {}", kept.join(" "), pick(rng, LEGAL_FORMS))
        }),
        "transliteration" => edit_word(rng, name, 4, &|rng, word| {
            respell(rng, word, TRANSLITERATIONS)
        }),
        "cyrillic" => {
            let lower = name.to_ascii_lowercase();
            (lower.is_ascii() && lower.chars().any(|c| c.is_ascii_alphabetic()))
                .then(|| to_cyrillic(&lower))
        }
        "legal_form_dropped" => (entity_type_is(entry_type))
            .then(|| {
                let kept: Vec<&str> = w
                    .iter()
                    .map(String::as_str)
                    .filter(|x| normalize(x).iter().all(|t| t.kind != TokenKind::Legal))
                    .collect();
                kept.join(" ")
            })
            .filter(|k| *k != name && normalize(k).iter().any(|t| t.kind == TokenKind::Strong)),
        "legal_form_expanded" => {
            let mut changed = false;
            let out: Vec<String> = w
                .iter()
                .map(|x| {
                    let bare = x.trim_matches(|c: char| !c.is_ascii_alphanumeric());
                    let key = bare.to_ascii_lowercase().replace('.', "");
                    match EXPANSIONS.iter().find(|(abbr, _)| *abbr == key) {
                        Some((_, long)) => {
                            changed = true;
                            (*long).to_owned()
                        }
                        None => x.clone(),
                    }
                })
                .collect();
            changed.then(|| out.join(" "))
        }
        "joined" => {
            let strong = strong_words(&w, 2);
            let pairs: Vec<usize> = strong
                .iter()
                .copied()
                .filter(|&i| strong.contains(&(i + 1)))
                .collect();
            (!pairs.is_empty()).then(|| {
                let i = *pick(rng, &pairs);
                let mut r = w.clone();
                let next = r.remove(i + 1);
                r[i] = format!(
                    "{}{}",
                    r[i].trim_matches(|c: char| !c.is_ascii_alphanumeric()),
                    next.trim_matches(|c: char| !c.is_ascii_alphanumeric())
                );
                r.join(" ")
            })
        }
        "split" => edit_word(rng, name, 8, &|rng, word| {
            let at = 3 + rng.below(word.len() as u64 - 5) as usize;
            Some(format!("{} {}", &word[..at], &word[at..]))
        }),
        "initials" => {
            // A given name as its initial: not the family name, which lists write first
            // ("SECHIN, Igor Ivanovich") or, without a comma, last.
            let strong = strong_words(&w, 3);
            (entry_type == "individual" && strong.len() >= 3).then_some(())?;
            let family = if name.contains(',') {
                strong[0]
            } else {
                strong[strong.len() - 1]
            };
            let given: Vec<usize> = strong.into_iter().filter(|&i| i != family).collect();
            let i = *pick(rng, &given);
            let mut r = w.clone();
            r[i] = format!("{}.", &r[i][..1]);
            Some(r.join(" "))
        }
        "two_typos" => edit_word(rng, name, 6, &|rng, word| {
            let mut b: Vec<u8> = word.bytes().collect();
            for _ in 0..2 {
                let i = 1 + rng.below(b.len() as u64 - 1) as usize;
                b[i] = b'a' + rng.below(26) as u8;
            }
            String::from_utf8(b).ok()
        }),
        "romanisation" => edit_word(rng, name, 3, &|rng, word| respell(rng, word, ROMANISATIONS)),
        "acronym" => {
            let strong = strong_words(&w, 2);
            (entry_type == "entity" && (3..=6).contains(&strong.len()) && strong.len() == w.len())
                .then(|| {
                    strong
                        .iter()
                        .map(|&i| w[i].chars().next().unwrap_or('x').to_ascii_uppercase())
                        .collect()
                })
        }
        "formatting" => Some(
            name.to_uppercase()
                .replace([',', '.'], " ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("  "),
        ),
        _ => None,
    }
}

const POSITIVE_CATEGORIES: &[&str] = &[
    "legal_form_dropped",
    "legal_form_expanded",
    "joined",
    "split",
    "initials",
    "two_typos",
    "romanisation",
    "acronym",
    "typo",
    "transposition",
    "token_order",
    "dropped_token",
    "added_token",
    "honorific",
    "legal_form",
    "transliteration",
    "cyrillic",
    "formatting",
];

const WEAK_NAMES: &[&str] = &[
    "77777 CORP.",
    "12345 LLC",
    "HOLDINGS LIMITED",
    "THE COMPANY LTD",
    "2020 INC",
    "AL 99",
    "GROUP HOLDING PLC",
    "555 GMBH",
];

/// Builds the labelled queries (deterministic for the seed and lists).
pub fn labelled_queries(index: &ListIndex, params: &EvalParams) -> (Vec<LabelledQuery>, u64) {
    let mut rng = SplitMix64::new(params.seed);
    let mut out = Vec::new();
    // Names per entry, primary first.
    let mut by_entry: Vec<Vec<u32>> = vec![Vec::new(); index.entries.len()];
    for (n, name) in index.names.iter().enumerate() {
        if name.text.is_ascii() && name.tokens.iter().any(|t| t.kind == TokenKind::Strong) {
            by_entry[name.entry as usize].push(n as u32);
        }
    }
    let usable: Vec<u32> = (0..index.entries.len() as u32)
        .filter(|&e| !by_entry[e as usize].is_empty())
        .collect();
    if usable.is_empty() {
        return (out, 0);
    }
    let mut attempts = 0usize;
    let mut made = 0usize;
    while made < params.positives && attempts < params.positives * 20 {
        let category = POSITIVE_CATEGORIES[attempts % POSITIVE_CATEGORIES.len()];
        attempts += 1;
        let entry = *pick(&mut rng, &usable);
        let names = &by_entry[entry as usize];
        let n = if rng.below(2) == 0 {
            names[0]
        } else {
            *pick(&mut rng, names)
        };
        let name = &index.names[n as usize];
        let etype = index.entries[entry as usize].entry_type.as_str();
        let Some(text) = perturb(&mut rng, category, &name.text, etype) else {
            continue;
        };
        made += 1;
        out.push(LabelledQuery {
            query: Query::new(&format!("p{made:06}"), &text, None, None),
            category,
            target: Some(entry),
            source_name: Some(name.text.clone()),
        });
    }
    let mut skipped = 0u64;
    let mut made = 0usize;
    let mut guard = 0usize;
    while made < params.negatives && guard < params.negatives * 20 {
        guard += 1;
        let roll = rng.below(20);
        let (category, text, source) = if roll == 0 {
            (
                "weak_only_negative",
                (*pick(&mut rng, WEAK_NAMES)).to_owned(),
                None,
            )
        } else if roll <= 5 {
            // A listed name with its rarest strong word replaced by a common surname.
            let entry = *pick(&mut rng, &usable);
            let n = by_entry[entry as usize][0];
            let name = &index.names[n as usize];
            let w = words(&name.text);
            let strong = strong_words(&w, 1);
            if strong.len() < 2 {
                continue;
            }
            let rarest = *strong
                .iter()
                .max_by_key(|&&i| {
                    (
                        index.rarity(&normalize(&w[i])[0].text),
                        std::cmp::Reverse(i),
                    )
                })
                .unwrap_or(&strong[0]);
            let surname = (*pick(&mut rng, gen_names::SURNAMES)).to_owned();
            let mut changed = w.clone();
            changed[rarest] = surname;
            ("near_negative", changed.join(" "), Some(name.text.clone()))
        } else {
            ("generated_negative", gen_names::name(&mut rng), None)
        };
        let tokens = normalize(&text);
        if !index.exact(&tokens).is_empty() {
            skipped += 1;
            continue;
        }
        made += 1;
        out.push(LabelledQuery {
            query: Query::new(&format!("n{made:06}"), &text, None, None),
            category,
            target: None,
            source_name: source,
        });
    }
    (out, skipped)
}

fn tally(c: &mut Confusion, q: &LabelledQuery, hits: &[Hit], line: u32) -> bool {
    let reported = hits.iter().filter(|h| h.score_bp >= line);
    match q.target {
        Some(t) => {
            let found = reported.clone().any(|h| h.entry == t);
            if found {
                c.true_positives += 1;
            } else {
                c.false_negatives += 1;
            }
            found
        }
        None => {
            let any = reported.count() > 0;
            if any {
                c.false_positives += 1;
            } else {
                c.true_negatives += 1;
            }
            !any
        }
    }
}

/// Runs the harness.
pub fn evaluate(index: &ListIndex, params: &EvalParams) -> EvalReport {
    let (queries, skipped) = labelled_queries(index, params);
    let results: Vec<(Vec<Hit>, usize)> = queries
        .par_iter()
        .map_init(Scratch::default, |scratch, q| {
            let hits = screen(index, &q.query, params.thresholds, scratch);
            (hits, scratch.scored)
        })
        .collect();
    let mut report = EvalReport {
        entries: index.entries.len() as u64,
        names: index.names.len() as u64,
        review_bp: params.thresholds.review_bp,
        hit_bp: params.thresholds.hit_bp,
        skipped_negatives_on_list: skipped,
        ..EvalReport::default()
    };
    let mut categories: std::collections::BTreeMap<&str, CategoryOutcome> = Default::default();
    for (q, (hits, _)) in queries.iter().zip(&results) {
        if q.target.is_some() {
            report.positives += 1;
        } else {
            report.negatives += 1;
        }
        let ok = tally(&mut report.at_review, q, hits, params.thresholds.review_bp);
        tally(&mut report.at_hit, q, hits, params.thresholds.hit_bp);
        let c = categories
            .entry(q.category)
            .or_insert_with(|| CategoryOutcome {
                category: q.category.to_owned(),
                ..CategoryOutcome::default()
            });
        c.queries += 1;
        c.correct += u64::from(ok);
        let shown = report
            .examples
            .iter()
            .filter(|e| e.starts_with(&format!("{}:", q.category)))
            .count();
        if !ok && shown < 4 {
            let got = hits
                .first()
                .map(|h| format!("{} ({} bp)", index.names[h.name as usize].text, h.score_bp))
                .unwrap_or_else(|| "nothing".into());
            report.examples.push(format!(
                "{}: {:?} from {:?} → {got}",
                q.category,
                q.query.name,
                q.source_name.as_deref().unwrap_or("-")
            ));
        }
    }
    report.at_review = report.at_review.finish();
    report.at_hit = report.at_hit.finish();
    report.categories = categories.into_values().collect();
    // Blocked against brute force on a sample spread over the whole labelled set.
    let step = (queries.len() / params.brute_force_sample.max(1)).max(1);
    let sample: Vec<usize> = (0..queries.len())
        .step_by(step)
        .take(params.brute_force_sample)
        .collect();
    let brute: Vec<Vec<Hit>> = sample
        .par_iter()
        .map(|&i| screen_brute_force(index, &queries[i].query, params.thresholds))
        .collect();
    let mut b = BlockingOutcome {
        queries: sample.len() as u64,
        brute_force_scored: index.names.len() as u64,
        ..BlockingOutcome::default()
    };
    let mut scored = 0u64;
    for (&i, full) in sample.iter().zip(&brute) {
        let blocked: BTreeSet<(u32, u32)> =
            results[i].0.iter().map(|h| (h.entry, h.score_bp)).collect();
        b.brute_force_pairs += full.len() as u64;
        for h in full {
            if blocked.contains(&(h.entry, h.score_bp)) {
                b.blocked_pairs += 1;
            } else if report.examples.len() < 60 {
                report.examples.push(format!(
                    "blocking miss: {:?} → {} ({} bp)",
                    queries[i].query.name, index.names[h.name as usize].text, h.score_bp
                ));
            }
        }
        scored += results[i].1 as u64;
    }
    b.recall_bp = u32::try_from(
        (b.blocked_pairs * 10_000)
            .checked_div(b.brute_force_pairs)
            .unwrap_or(10_000),
    )
    .unwrap_or(0);
    b.blocked_scored_mean = scored.checked_div(b.queries).unwrap_or(0);
    report.blocking = b;
    if !params.pairs.is_empty() {
        report.pairs = evaluate_pairs(index, &params.pairs, params.thresholds);
    }
    report
}
