//! DOMAIN.md §6: the worked example and every netting invariant as a property.

use std::collections::BTreeMap;

use pipelines::jobs::netting::{
    self, ConflictRule, ConflictStatus, LegsMode, NettingConfig, Obligation,
};
use proptest::prelude::*;

/// The settlement system of the obligations built here (one system unless a test says).
const SYSTEM: &str = "ST2";

fn ob(i: u32, date: i32, ccy: &str, payer: &str, payee: &str, amount: i64) -> Obligation {
    Obligation {
        settlement_system: SYSTEM.into(),
        settlement_date: Some(date),
        currency: ccy.into(),
        payer: payer.into(),
        payee: payee.into(),
        amount_minor: amount,
        debtor_account: format!("{payer}-ACC"),
        creditor_account: format!("{payee}-ACC"),
        identity: format!("ids:{i}"),
        source_file: "f.xml".into(),
        file_digest: "f".into(),
        byte_offset: u64::from(i),
        message_index: 0,
        tx_index: i,
    }
}

#[test]
fn the_worked_example() {
    let day = 20_780;
    let obligations = vec![
        ob(0, day, "EUR", "A", "B", 100),
        ob(1, day, "EUR", "B", "C", 80),
        ob(2, day, "EUR", "C", "A", 50),
        ob(3, day, "EUR", "B", "A", 30),
    ];
    let result = netting::net(obligations, &NettingConfig::default()).unwrap();
    let g = &result.groups[&(SYSTEM.to_owned(), day, "EUR".to_owned())];
    assert_eq!(
        (g.gross, g.bilateral_total(), g.multilateral_total()),
        (260, 200, 30)
    );
    assert_eq!((g.net("A"), g.net("B"), g.net("C")), (-20, -10, 30));
    let tables = netting::to_tables(&result).unwrap();
    let eff = &tables.efficiency;
    let bp = eff.column_by_name("multilateral_efficiency_bp").unwrap();
    let bp = bp
        .as_any()
        .downcast_ref::<arrow::array::Int64Array>()
        .unwrap()
        .value(0);
    assert_eq!(bp, 8846, "1 - 30/260 = 88.46 %");
    // Largest debtor (A, owes 20) pays the largest creditor (C) first; then B pays C.
    assert_eq!(
        g.legs
            .iter()
            .map(|l| (l.0.as_str(), l.1.as_str(), l.2))
            .collect::<Vec<_>>(),
        vec![("A", "C", 20), ("B", "C", 10)]
    );
    // The legacy order (by id) happens to agree here, and also settles everything.
    let legacy = netting::net(
        result
            .groups
            .values()
            .next()
            .map(|_| {
                vec![
                    ob(0, day, "EUR", "A", "B", 100),
                    ob(1, day, "EUR", "B", "C", 80),
                    ob(2, day, "EUR", "C", "A", 50),
                    ob(3, day, "EUR", "B", "A", 30),
                ]
            })
            .unwrap(),
        &NettingConfig {
            legs: LegsMode::LegacyById,
            ..NettingConfig::default()
        },
    )
    .unwrap();
    assert_eq!(
        legacy.groups[&(SYSTEM.to_owned(), day, "EUR".to_owned())]
            .legs
            .len(),
        2
    );
}

fn obligations_strategy() -> impl Strategy<Value = Vec<Obligation>> {
    let party = prop::sample::select(vec!["BANKA", "BANKB", "BANKC", "BANKD", "BANKE", "BANKF"]);
    let ccy = prop::sample::select(vec!["EUR", "JPY"]);
    prop::collection::vec(
        (
            0i32..2,
            ccy,
            party.clone(),
            party,
            0i64..1_000_000_000,
            prop::sample::select(vec!["ST2", "TGT"]),
        ),
        0..120,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (d, c, p, q, a, system))| Obligation {
                settlement_system: system.into(),
                ..ob(i as u32, 20_780 + d, c, p, q, a)
            })
            .collect()
    })
}

/// Positions straight from the definition, per (settlement system, date, currency).
type NaiveKey = (String, i32, String);

fn naive_positions(obligations: &[Obligation]) -> BTreeMap<NaiveKey, BTreeMap<String, i64>> {
    let mut out: BTreeMap<NaiveKey, BTreeMap<String, i64>> = BTreeMap::new();
    for o in obligations {
        let g = out
            .entry((
                o.settlement_system.clone(),
                o.settlement_date.unwrap(),
                o.currency.clone(),
            ))
            .or_default();
        *g.entry(o.payer.clone()).or_default() -= o.amount_minor;
        *g.entry(o.payee.clone()).or_default() += o.amount_minor;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn invariants_hold(obligations in obligations_strategy()) {
        let result = netting::net(obligations.clone(), &NettingConfig::default()).unwrap();
        let naive = naive_positions(&obligations);
        prop_assert_eq!(result.groups.len(), naive.len(), "systems, currencies and dates never mix");
        for (key, g) in &result.groups {
            let expected = &naive[key];
            // n_p from the definition; Σ n_p = 0 exactly.
            for (p, n) in expected {
                prop_assert_eq!(g.net(p), *n);
            }
            prop_assert_eq!(g.positions.keys().map(|p| g.net(p)).sum::<i64>(), 0);
            // n_p = Σ_q b_qp, with b antisymmetric (a < b stored once).
            let mut from_bilateral: BTreeMap<&str, i64> = BTreeMap::new();
            for ((a, b), (ab, ba, _)) in &g.pairs {
                prop_assert!(a < b);
                *from_bilateral.entry(a).or_default() += ba - ab;
                *from_bilateral.entry(b).or_default() += ab - ba;
            }
            for p in g.positions.keys() {
                prop_assert_eq!(from_bilateral.get(p.as_str()).copied().unwrap_or(0), g.net(p));
            }
            // M ≤ B ≤ G.
            prop_assert!(g.multilateral_total() <= g.bilateral_total());
            prop_assert!(g.bilateral_total() <= g.gross);
            // Legs bring every position to zero, with at most N − 1 legs.
            let mut after: BTreeMap<&str, i64> = g.positions.keys().map(|p| (p.as_str(), g.net(p))).collect();
            for (payer, payee, amount, _, _) in &g.legs {
                prop_assert!(*amount > 0);
                *after.get_mut(payer.as_str()).unwrap() += amount;
                *after.get_mut(payee.as_str()).unwrap() -= amount;
            }
            prop_assert!(after.values().all(|n| *n == 0), "{:?}", after);
            prop_assert!(g.legs.len() < g.positions.len().max(1), "at most N - 1 legs");
        }
    }

    #[test]
    fn input_order_and_duplicates_do_not_change_results(obligations in obligations_strategy(), seed in any::<u64>()) {
        let reference = netting::to_tables(&netting::net(obligations.clone(), &NettingConfig::default()).unwrap()).unwrap();
        let mut shuffled = obligations.clone();
        let mut rng = pipelines::generators::SplitMix64::new(seed);
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.below(i as u64 + 1) as usize);
        }
        // Re-deliver a few payments from another file: counted once, reported.
        let resent: Vec<Obligation> = obligations.iter().take(3).map(|o| Obligation { file_digest: "g".into(), ..o.clone() }).collect();
        shuffled.extend(resent.iter().cloned());
        let result = netting::net(shuffled, &NettingConfig::default()).unwrap();
        prop_assert_eq!(result.duplicates.len(), resent.len());
        let tables = netting::to_tables(&result).unwrap();
        prop_assert_eq!(&tables.bilateral, &reference.bilateral);
        prop_assert_eq!(&tables.multilateral, &reference.multilateral);
        prop_assert_eq!(&tables.legs, &reference.legs);
        prop_assert_eq!(&tables.efficiency, &reference.efficiency);
    }

    #[test]
    fn netting_a_disjoint_union_adds_the_nets(x in obligations_strategy(), y in obligations_strategy()) {
        let y: Vec<Obligation> = y.into_iter().map(|o| Obligation { identity: format!("y{}", o.identity), tx_index: o.tx_index + 10_000, ..o }).collect();
        let nx = netting::net(x.clone(), &NettingConfig::default()).unwrap();
        let ny = netting::net(y.clone(), &NettingConfig::default()).unwrap();
        let both = netting::net(x.into_iter().chain(y).collect(), &NettingConfig::default()).unwrap();
        for (key, g) in &both.groups {
            for p in g.positions.keys() {
                let part = |r: &netting::NettingResult| r.groups.get(key).map_or(0, |g| g.net(p));
                prop_assert_eq!(g.net(p), part(&nx) + part(&ny));
            }
            let gross = |r: &netting::NettingResult| r.groups.get(key).map_or(0, |g| g.gross);
            prop_assert_eq!(g.gross, gross(&nx) + gross(&ny));
        }
    }
}

/// Payments that re-use identities of `base`: for each pick, a payment of the same identity
/// from another file — the same content (a re-send) or a changed amount or account (a
/// conflict) — sometimes in a file that sorts before the original's, so that the changed
/// payment is the first one the run sees.
fn reusing(base: &[Obligation], picks: &[(prop::sample::Index, u8, bool)]) -> Vec<Obligation> {
    if base.is_empty() {
        return Vec::new();
    }
    picks
        .iter()
        .enumerate()
        .map(|(k, (index, change, earlier))| {
            let original = &base[index.index(base.len())];
            let file = if *earlier { "a.xml" } else { "h.xml" };
            let mut o = Obligation {
                source_file: file.into(),
                file_digest: file.into(),
                message_index: k as u32,
                byte_offset: 1_000 + k as u64,
                ..original.clone()
            };
            match change % 3 {
                0 => {}
                1 => o.amount_minor += 1 + i64::from(*change),
                _ => o.creditor_account.push_str("-OTHER"),
            }
            o
        })
        .collect()
}

/// What the sums must be: `payments` netted as if their identities were `identity_of` them.
fn tables_as_if(
    payments: &[Obligation],
    identity_of: impl Fn(&Obligation) -> Option<String>,
) -> netting::NettingTables {
    let kept: Vec<Obligation> = payments
        .iter()
        .filter_map(|o| {
            identity_of(o).map(|identity| Obligation {
                identity,
                ..o.clone()
            })
        })
        .collect();
    netting::to_tables(&netting::net(kept, &NettingConfig::default()).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// An identity used with different content: under `hold` none of its payments is netted
    /// (the sums are those of the other identities alone) and all are listed and set aside;
    /// under `keep-all` each distinct content is netted once (the sums are those of a run
    /// where every content had an identity of its own). Re-sends stay duplicates, and the
    /// netting invariants hold either way.
    #[test]
    fn identity_conflicts_are_held_or_kept_never_picked(
        base in obligations_strategy(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<bool>()), 0..8),
    ) {
        let extra = reusing(&base, &picks);
        let all: Vec<Obligation> = base.iter().chain(&extra).cloned().collect();
        // The conflicted identities, from the definition: more than one content.
        let content = |o: &Obligation| (o.amount_minor, o.creditor_account.clone());
        let mut contents: BTreeMap<&str, std::collections::BTreeSet<(i64, String)>> = BTreeMap::new();
        for o in &all {
            contents.entry(o.identity.as_str()).or_default().insert(content(o));
        }
        let conflicted = |o: &Obligation| contents[o.identity.as_str()].len() > 1;
        let in_conflict = all.iter().filter(|o| conflicted(o)).count();

        let held = netting::net(all.clone(), &NettingConfig::default()).unwrap();
        let expected = tables_as_if(&all, |o| (!conflicted(o)).then(|| o.identity.clone()));
        let tables = netting::to_tables(&held).unwrap();
        prop_assert_eq!(&tables.bilateral, &expected.bilateral);
        prop_assert_eq!(&tables.multilateral, &expected.multilateral);
        prop_assert_eq!(&tables.legs, &expected.legs);
        prop_assert_eq!(&tables.efficiency, &expected.efficiency);
        prop_assert_eq!(held.conflicts.len(), in_conflict);
        prop_assert!(held.conflicts.iter().all(|r| r.status == ConflictStatus::Held));
        prop_assert_eq!(held.set_aside.len(), in_conflict);
        prop_assert_eq!(
            held.duplicates.len(),
            all.len() - in_conflict - contents.iter().filter(|(_, c)| c.len() == 1).count()
        );
        for g in held.groups.values() {
            prop_assert_eq!(g.positions.keys().map(|p| g.net(p)).sum::<i64>(), 0);
        }

        let keep_all = NettingConfig { conflicts: ConflictRule::KeepAll, ..NettingConfig::default() };
        let kept = netting::net(all.clone(), &keep_all).unwrap();
        let expected = tables_as_if(&all, |o| {
            let (amount, account) = content(o);
            Some(format!("{}#{amount}#{account}", o.identity))
        });
        let tables = netting::to_tables(&kept).unwrap();
        prop_assert_eq!(&tables.bilateral, &expected.bilateral);
        prop_assert_eq!(&tables.multilateral, &expected.multilateral);
        prop_assert_eq!(&tables.legs, &expected.legs);
        prop_assert_eq!(&tables.efficiency, &expected.efficiency);
        prop_assert_eq!(kept.conflicts.len(), in_conflict);
        prop_assert!(kept.set_aside.is_empty());
        let distinct: usize = contents.values().map(|c| c.len()).sum();
        prop_assert_eq!(kept.duplicates.len(), all.len() - distinct);
        let netted = kept.conflicts.iter().filter(|r| r.status == ConflictStatus::Netted).count();
        let conflicted_contents: usize = contents.values().filter(|c| c.len() > 1).map(|c| c.len()).sum();
        prop_assert_eq!(netted, conflicted_contents);
        // Variants are numbered from 1 per identity, in order of first appearance.
        for r in &kept.conflicts {
            prop_assert!(r.variant >= 1 && r.variant <= r.variants);
            prop_assert_eq!(r.variants as usize, contents[r.payment.identity.as_str()].len());
        }
    }
}

#[test]
fn a_held_conflict_takes_its_first_payment_out_of_the_sums() {
    let day = 20_780;
    let first = ob(1, day, "EUR", "A", "B", 100);
    let other = ob(2, day, "EUR", "B", "C", 40);
    let changed = Obligation {
        amount_minor: 900,
        source_file: "g.xml".into(),
        file_digest: "g".into(),
        ..first.clone()
    };
    let result = netting::net(
        vec![first.clone(), other, changed],
        &NettingConfig::default(),
    )
    .unwrap();
    let g = &result.groups[&(SYSTEM.to_owned(), day, "EUR".to_owned())];
    // Only B → C is netted: A has no position left, and no A–B pair.
    assert_eq!((g.transactions, g.gross), (1, 40));
    assert!(!g.positions.contains_key("A"));
    assert!(!g.pairs.contains_key(&("A".to_owned(), "B".to_owned())));
    assert_eq!((g.net("B"), g.net("C")), (-40, 40));
    let amounts: Vec<(i64, u32)> = result
        .conflicts
        .iter()
        .map(|r| (r.payment.amount_minor, r.variant))
        .collect();
    assert_eq!(amounts, [(100, 1), (900, 2)]);
    assert!(
        result.set_aside[0]
            .1
            .contains("identity conflict: ids:1 is used by 2 payments with 2 different contents"),
        "{}",
        result.set_aside[0].1
    );
    // Held alone, a group with no payment left is no group.
    let result = netting::net(
        vec![
            first.clone(),
            Obligation {
                amount_minor: 1,
                file_digest: "g".into(),
                ..first
            },
        ],
        &NettingConfig::default(),
    )
    .unwrap();
    assert!(result.groups.is_empty());
}

#[test]
fn other_value_dates_are_set_aside_and_missing_dates_filled() {
    let mut undated = ob(0, 0, "EUR", "A", "B", 5);
    undated.settlement_date = None;
    let config = NettingConfig {
        value_date: Some(20_780),
        ..NettingConfig::default()
    };
    let result = netting::net(
        vec![undated.clone(), ob(1, 20_781, "EUR", "A", "B", 7)],
        &config,
    )
    .unwrap();
    assert_eq!(
        result.groups[&(SYSTEM.to_owned(), 20_780, "EUR".to_owned())].gross,
        5
    );
    assert_eq!(result.set_aside.len(), 1);
    assert!(
        result.set_aside[0]
            .1
            .contains("2026-11-24 is not the run's value date 2026-11-23"),
        "{}",
        result.set_aside[0].1
    );
    let result = netting::net(vec![undated], &NettingConfig::default()).unwrap();
    assert!(result.groups.is_empty());
    assert!(result.set_aside[0].1.contains("no settlement date"));
}

#[test]
fn overflow_is_an_error_not_a_wrap() {
    let big = vec![
        ob(0, 1, "EUR", "A", "B", i64::MAX),
        ob(1, 1, "EUR", "A", "B", 1),
    ];
    assert!(matches!(
        netting::net(big, &NettingConfig::default()),
        Err(netting::NettingError::Overflow { .. })
    ));
}

/// The ISO 20022 amount maximum: 18 digits.
const ISO_MAX: i64 = 999_999_999_999_999_999;

#[test]
fn totals_past_half_of_i64_do_not_wrap() {
    // Five payments of the ISO maximum between five disjoint pairs: G ≈ 5 × 10^18 fits
    // i64, but Σ|n_p| = 2G ≈ 10^19 does not.
    let payments: Vec<_> = (0..5)
        .map(|i| ob(i, 1, "EUR", &format!("A{i}"), &format!("B{i}"), ISO_MAX))
        .collect();
    let result = netting::net(payments, &NettingConfig::default()).unwrap();
    let g = result.groups.values().next().unwrap();
    assert_eq!(g.gross, 5 * ISO_MAX);
    assert_eq!(g.multilateral_total(), 5 * ISO_MAX);
    assert_eq!(g.bilateral_total(), 5 * ISO_MAX);
    let tables = netting::to_tables(&result).unwrap();
    assert_eq!(tables.efficiency.num_rows(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Amounts up to the ISO maximum: either the gross overflows `i64` (an error, never a
    /// wrap), or every total is exact, as `i128` arithmetic over the same payments says.
    #[test]
    fn totals_are_exact_up_to_the_iso_maximum(
        payments in prop::collection::vec((0u8..5, 0u8..5, 1i64..=ISO_MAX), 1..12)
    ) {
        let obligations: Vec<_> = payments
            .iter()
            .enumerate()
            .filter(|(_, (a, b, _))| a != b)
            .map(|(i, (a, b, amount))| {
                ob(i as u32, 1, "EUR", &format!("P{a}"), &format!("P{b}"), *amount)
            })
            .collect();
        let gross: i128 = obligations.iter().map(|o| i128::from(o.amount_minor)).sum();
        match netting::net(obligations.clone(), &NettingConfig::default()) {
            Err(netting::NettingError::Overflow { .. }) => prop_assert!(gross > i128::from(i64::MAX)),
            Err(e) => prop_assert!(false, "{e}"),
            Ok(result) => {
                prop_assert!(gross <= i128::from(i64::MAX));
                let Some(g) = result.groups.values().next() else {
                    prop_assert!(obligations.is_empty());
                    return Ok(());
                };
                let mut net: BTreeMap<String, i128> = BTreeMap::new();
                for o in &obligations {
                    *net.entry(o.payer.clone()).or_default() -= i128::from(o.amount_minor);
                    *net.entry(o.payee.clone()).or_default() += i128::from(o.amount_minor);
                }
                prop_assert_eq!(net.values().sum::<i128>(), 0);
                let m: i128 = net.values().map(|n| n.abs()).sum::<i128>() / 2;
                prop_assert_eq!(i128::from(g.gross), gross);
                prop_assert_eq!(i128::from(g.multilateral_total()), m);
                prop_assert!(g.multilateral_total() <= g.bilateral_total());
                prop_assert!(g.bilateral_total() <= g.gross);
                prop_assert!(netting::to_tables(&result).is_ok());
            }
        }
    }
}

#[test]
fn payments_of_different_settlement_systems_never_net_together() {
    // A pays B 100 through STEP2 and B pays A 100 through TARGET2, same day and currency:
    // in one system they would cancel; in two, each system settles its own.
    let day = 20_780;
    let step2 = ob(0, day, "EUR", "A", "B", 100);
    let target2 = Obligation {
        settlement_system: "TGT".into(),
        ..ob(1, day, "EUR", "B", "A", 100)
    };
    let result = netting::net(vec![step2, target2], &NettingConfig::default()).unwrap();
    assert_eq!(result.groups.len(), 2);
    let st2 = &result.groups[&(SYSTEM.to_owned(), day, "EUR".to_owned())];
    let tgt = &result.groups[&("TGT".to_owned(), day, "EUR".to_owned())];
    assert_eq!((st2.net("A"), st2.net("B")), (-100, 100));
    assert_eq!((tgt.net("A"), tgt.net("B")), (100, -100));
    assert_eq!((st2.legs.len(), tgt.legs.len()), (1, 1));
}

#[test]
fn the_settlement_system_follows_the_clearing_system_then_the_method() {
    let system = |clr: &str, method: &str| {
        let mut out = String::new();
        netting::settlement_system(clr, method, "INSTGBANK", "INSTDBANK", &mut out);
        out
    };
    assert_eq!(system("ST2", "CLRG"), "ST2");
    assert_eq!(system("", "INDA"), "INDA:INSTDBANK");
    assert_eq!(system("", "INGA"), "INGA:INSTGBANK");
    assert_eq!(system("", "COVE"), "COVE");
    assert_eq!(system("", "CLRG"), "CLRG");
    assert_eq!(system("", ""), "unspecified");
}
