//! The matcher's core: known similarities and the invariants DOMAIN.md §8 asks for.

use pipelines::jobs::screening::{WEAK_ONLY_CAP, jaro_winkler_bp, normalize, score};
use proptest::prelude::*;

fn s(a: &str, b: &str) -> u32 {
    score(&normalize(a), &normalize(b), &|_| 100).score_bp
}

#[test]
fn jaro_winkler_matches_the_textbook_values() {
    // Winkler's examples: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840, DIXON/DICKSONX 0.813.
    for (a, b, expected) in [
        ("martha", "marhta", 9611),
        ("dwayne", "duane", 8400),
        ("dixon", "dicksonx", 8133),
    ] {
        let got = jaro_winkler_bp(a, b);
        assert!(got.abs_diff(expected) <= 2, "{a}/{b}: {got}");
    }
    assert_eq!(jaro_winkler_bp("abc", "xyz"), 0);
}

#[test]
fn names_of_only_numbers_or_legal_forms_never_match_another_name_fully() {
    assert_eq!(s("11420 CORP.", "11420 CORP."), 10_000);
    assert!(s("77777 CORP.", "11420 CORP.") < 10_000);
    assert!(s("77777 CORP.", "11420 CORP.") <= WEAK_ONLY_CAP);
    assert!(s("LTD", "LIMITED COMPANY") <= WEAK_ONLY_CAP);
    assert!(s("12345", "12346") < 5000);
}

#[test]
fn typical_variants_score_high_and_unrelated_names_low() {
    assert!(
        s("Vladimir Putin", "Владимир Путин") >= 9500,
        "transliteration"
    );
    assert!(
        s("Nicolas Maduro Moros", "MADURO MOROS, Nicolas") == 10_000,
        "token order"
    );
    assert!(
        s("Banco Nacional de Cuba", "BANCO NACIONAL DE CUBA S.A.") >= 9000,
        "legal form"
    );
    assert!(
        s("Osama bin Laden", "Usama bin Ladin") >= 8500,
        "spelling variant"
    );
    assert!(s("John Smith", "Maria Garcia") < 5000);
}

#[test]
fn numbers_as_words_agree_and_differing_numbers_tell_ships_apart() {
    let review = pipelines::jobs::screening::DEFAULT_REVIEW_BP;
    assert_eq!(s("Adrian Darya One", "ADRIAN DARYA 1"), 10_000);
    assert_eq!(s("Third Line Shipping", "3rd Line Shipping"), 10_000);
    for (a, b) in [
        ("Adrian Darya One", "ADRIAN DARYA 2"),
        ("Grace 2", "GRACE 9"),
        ("First Commercial Bank", "Fifth Commercial Bank"),
    ] {
        let m = score(&normalize(a), &normalize(b), &|_| 100);
        assert!(m.numbers_differ, "{a} / {b}");
        assert!(m.score_bp < review, "{a} / {b}: {}", m.score_bp);
    }
    // A number on one side only is no disagreement.
    assert!(!score(&normalize("Grace"), &normalize("Grace 1"), &|_| 100).numbers_differ);
}

proptest! {
    #[test]
    fn scores_are_bounded_symmetric_and_order_independent(a in "[a-zA-Z0-9 .,]{0,30}", b in "[a-zA-Z0-9 .,]{0,30}", seed in any::<u64>()) {
        let (na, nb) = (normalize(&a), normalize(&b));
        let ab = score(&na, &nb, &|_| 100).score_bp;
        prop_assert!(ab <= 10_000);
        prop_assert_eq!(ab, score(&nb, &na, &|_| 100).score_bp);
        let mut shuffled = na.clone();
        if !shuffled.is_empty() {
            let k = (seed % shuffled.len() as u64) as usize;
            shuffled.rotate_left(k);
        }
        prop_assert_eq!(ab, score(&shuffled, &nb, &|_| 100).score_bp);
        if !na.is_empty() {
            prop_assert_eq!(score(&na, &na, &|_| 100).score_bp, 10_000);
        }
    }

    #[test]
    fn weak_only_names_never_fully_match_a_different_name(a in "[0-9]{1,6}( (corp|ltd|llc|inc))?", b in "[0-9]{1,6}( (corp|ltd|llc|inc))?") {
        let (na, nb) = (normalize(&a), normalize(&b));
        let same = na.iter().map(|t| &t.text).eq(nb.iter().map(|t| &t.text));
        let sc = score(&na, &nb, &|_| 100).score_bp;
        prop_assert!(same || sc <= WEAK_ONLY_CAP, "{} vs {} = {}", a, b, sc);
    }
}
