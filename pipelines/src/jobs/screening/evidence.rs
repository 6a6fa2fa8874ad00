//! Dates of birth and countries as evidence for or against a name match.
//!
//! A name alone cannot tell two Mohammed Alis apart; a date of birth or a country can. The
//! adjustments are small integers of basis points added to the name score, so evidence can
//! push a borderline name over the review line or drop a common-name coincidence below it,
//! but cannot by itself make a weak name a hit. Absent evidence (either side) adjusts
//! nothing: fail-open on missing data would hide matches, and a screening miss is the
//! costly error.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;

use super::countries::COUNTRIES;

/// Same full date of birth.
pub const DOB_EXACT_BP: i32 = 500;
/// Same year of birth (the list or the query gives only a year, or the days differ).
pub const DOB_YEAR_BP: i32 = 250;
/// Every year of birth on the entry is more than one year from the query's.
pub const DOB_CONFLICT_BP: i32 = -1500;
/// The query's country is among the entry's nationalities or countries.
pub const COUNTRY_MATCH_BP: i32 = 300;
/// The entry names countries and the query's is none of them.
pub const COUNTRY_CONFLICT_BP: i32 = -300;

/// The name matched is one the list itself calls a weak or low-quality alias.
pub const WEAK_ALIAS_BP: i32 = -700;

/// A date of birth as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BirthDate {
    pub year: u16,
    /// (month, day) when the full date is known.
    pub month_day: Option<(u8, u8)>,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Every date of birth in a list's or a query's text: `1965-03-12`, `12 Mar 1965`,
/// `12/03/1965` (day first), `1965`, `circa 1965`, `1960 to 1962` (each year).
pub fn birth_dates(text: &str) -> Vec<BirthDate> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let year_of = |w: &str| -> Option<u16> {
        (w.len() == 4)
            .then(|| w.parse::<u16>().ok())
            .flatten()
            .filter(|y| (1800..=2100).contains(y))
    };
    let month_of = |w: &str| -> Option<u8> {
        if let Ok(m) = w.parse::<u8>() {
            return (1..=12).contains(&m).then_some(m);
        }
        let w = w.get(..3)?;
        MONTHS
            .iter()
            .position(|m| *m == w)
            .and_then(|i| u8::try_from(i + 1).ok())
    };
    let day_of = |w: &str| -> Option<u8> {
        w.parse::<u8>()
            .ok()
            .filter(|d| (1..=31).contains(d) && w.len() <= 2)
    };
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(year) = year_of(w) else { continue };
        // year-month-day
        let after = (words.get(i + 1), words.get(i + 2));
        let before = (
            i.checked_sub(2).and_then(|j| words.get(j)),
            i.checked_sub(1).and_then(|j| words.get(j)),
        );
        let month_day = match (after, before) {
            ((Some(m), Some(d)), _) if m.len() <= 2 && month_of(m).is_some() => {
                month_of(m).zip(day_of(d))
            }
            (_, (Some(d), Some(m))) => month_of(m).zip(day_of(d)),
            _ => None,
        };
        out.push(BirthDate { year, month_day });
    }
    out.sort();
    out.dedup();
    out
}

fn normalized(text: &str) -> String {
    deunicode::deunicode(text)
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ISO 3166-1 alpha-2 code of a country given by code or English name.
pub fn country_code(text: &str) -> Option<&'static str> {
    static INDEX: OnceLock<BTreeMap<String, &'static str>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut map = BTreeMap::new();
        for (a2, a3, names) in COUNTRIES {
            map.insert(a2.to_ascii_lowercase(), *a2);
            map.insert(a3.to_ascii_lowercase(), *a2);
            for n in *names {
                map.insert(normalized(n), *a2);
            }
        }
        map
    });
    index.get(&normalized(text)).copied()
}

/// One piece of evidence and what it did to the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// `dob`, `country` or `alias`.
    pub kind: &'static str,
    pub query: String,
    pub entry: String,
    /// `exact`, `year`, `conflict`, `match`.
    pub outcome: &'static str,
    pub adjustment_bp: i32,
}

/// Date-of-birth evidence: the best agreement between the query's dates and the entry's.
pub fn dob_evidence(query: &[BirthDate], entry: &[BirthDate]) -> Option<Evidence> {
    let show = |d: &BirthDate| match d.month_day {
        Some((m, day)) => format!("{:04}-{m:02}-{day:02}", d.year),
        None => format!("{:04}", d.year),
    };
    let mut best: Option<(i32, &'static str, &BirthDate, &BirthDate)> = None;
    for q in query {
        for e in entry {
            let (bp, outcome) = if q.year == e.year {
                match (q.month_day, e.month_day) {
                    (Some(a), Some(b)) if a == b => (DOB_EXACT_BP, "exact"),
                    _ => (DOB_YEAR_BP, "year"),
                }
            } else if q.year.abs_diff(e.year) <= 1 {
                (0, "near")
            } else {
                (DOB_CONFLICT_BP, "conflict")
            };
            if best.is_none_or(|b| bp > b.0) {
                best = Some((bp, outcome, q, e));
            }
        }
    }
    best.map(|(adjustment_bp, outcome, q, e)| Evidence {
        kind: "dob",
        query: show(q),
        entry: show(e),
        outcome,
        adjustment_bp,
    })
}

/// The list's own judgement of the alias matched, when it calls it weak.
pub fn weak_alias_evidence(alias: &str) -> Evidence {
    Evidence {
        kind: "alias",
        query: String::new(),
        entry: alias.to_owned(),
        outcome: "weak",
        adjustment_bp: WEAK_ALIAS_BP,
    }
}

/// Country evidence: the query's country against the entry's nationalities and countries
/// (all as alpha-2 codes; names that are not countries are ignored).
pub fn country_evidence(query: Option<&str>, entry: &[&'static str]) -> Option<Evidence> {
    let q = query?;
    if entry.is_empty() {
        return None;
    }
    let (adjustment_bp, outcome) = if entry.contains(&q) {
        (COUNTRY_MATCH_BP, "match")
    } else {
        (COUNTRY_CONFLICT_BP, "conflict")
    };
    Some(Evidence {
        kind: "country",
        query: q.to_owned(),
        entry: entry.join(","),
        outcome,
        adjustment_bp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: u16, md: Option<(u8, u8)>) -> BirthDate {
        BirthDate {
            year,
            month_day: md,
        }
    }

    #[test]
    fn dates_in_the_shapes_lists_use() {
        assert_eq!(birth_dates("1965-03-12"), vec![d(1965, Some((3, 12)))]);
        assert_eq!(birth_dates("12 Mar 1965"), vec![d(1965, Some((3, 12)))]);
        assert_eq!(birth_dates("12/03/1965"), vec![d(1965, Some((3, 12)))]);
        assert_eq!(birth_dates("circa 1965"), vec![d(1965, None)]);
        assert_eq!(
            birth_dates("1960 to 1962"),
            vec![d(1960, None), d(1962, None)]
        );
        assert!(birth_dates("unknown").is_empty());
        assert!(birth_dates("12345").is_empty());
    }

    #[test]
    fn countries_by_code_or_name() {
        assert_eq!(country_code("IR"), Some("IR"));
        assert_eq!(country_code("irn"), Some("IR"));
        assert_eq!(country_code("Iran"), Some("IR"));
        assert_eq!(country_code("Iran, Islamic Republic of"), Some("IR"));
        assert_eq!(country_code("Russia"), Some("RU"));
        assert_eq!(country_code("Korea, North"), Some("KP"));
        assert_eq!(country_code("Atlantis"), None);
    }

    #[test]
    fn dob_evidence_takes_the_best_agreement() {
        let q = [d(1965, Some((3, 12)))];
        let e = dob_evidence(&q, &[d(1970, None), d(1965, Some((3, 12)))]);
        assert_eq!(e.map(|e| e.adjustment_bp), Some(DOB_EXACT_BP));
        let e = dob_evidence(&q, &[d(1965, None)]);
        assert_eq!(e.map(|e| e.adjustment_bp), Some(DOB_YEAR_BP));
        let e = dob_evidence(&q, &[d(1980, None)]);
        assert_eq!(e.map(|e| e.adjustment_bp), Some(DOB_CONFLICT_BP));
        assert_eq!(dob_evidence(&q, &[]), None);
        assert_eq!(dob_evidence(&[], &[d(1980, None)]), None);
    }
}
