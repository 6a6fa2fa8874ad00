//! Settlement legs: the payments that bring every net position of a group to zero.
//!
//! Why a heap: the largest debtor pays the largest creditor, again and again; a scan for
//! the two largest per leg is O(N²) in the participants of a currency, a heap per side
//! O(N log N). The scan is kept in the tests, to check the heap against it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::LegsMode;
use super::compute::Group;

/// Participants and the positive amounts they owe or are owed.
type Side = Vec<(String, i64)>;

/// The participants of `group` with a nonzero net position, split into debtors (what they
/// owe) and creditors (what they are owed), both as positive amounts and in id order.
fn debtors_and_creditors(group: &Group) -> (Side, Side) {
    let (mut debtors, mut creditors) = (Side::new(), Side::new());
    for (p, (paid, received, _)) in &group.positions {
        let n = received - paid;
        if n < 0 {
            debtors.push((p.clone(), -n));
        } else if n > 0 {
            creditors.push((p.clone(), n));
        }
    }
    (debtors, creditors)
}

/// Settlement legs that bring every position of `group` to zero.
pub(super) fn legs(group: &Group, mode: LegsMode) -> Vec<(String, String, i64, i64, i64)> {
    let (mut debtors, mut creditors) = debtors_and_creditors(group);
    let mut out = Vec::new();
    match mode {
        LegsMode::LargestFirst => {
            // Largest first, ties by id (the smallest index: both sides are sorted by id),
            // from a heap per side: O(N log N) for N participants, not a scan per leg.
            let heap = |side: &[(String, i64)]| -> BinaryHeap<(i64, Reverse<usize>)> {
                side.iter()
                    .enumerate()
                    .map(|(i, (_, amount))| (*amount, Reverse(i)))
                    .collect()
            };
            let (mut owing, mut owed) = (heap(&debtors), heap(&creditors));
            while let (Some((d_amount, Reverse(d))), Some((c_amount, Reverse(c)))) =
                (owing.pop(), owed.pop())
            {
                let amount = d_amount.min(c_amount);
                out.push((
                    debtors[d].0.clone(),
                    creditors[c].0.clone(),
                    amount,
                    -d_amount,
                    c_amount,
                ));
                if d_amount > amount {
                    owing.push((d_amount - amount, Reverse(d)));
                }
                if c_amount > amount {
                    owed.push((c_amount - amount, Reverse(c)));
                }
            }
        }
        LegsMode::LegacyById => {
            let (mut i, mut j) = (0, 0);
            while i < debtors.len() && j < creditors.len() {
                let amount = debtors[i].1.min(creditors[j].1);
                out.push((
                    debtors[i].0.clone(),
                    creditors[j].0.clone(),
                    amount,
                    -debtors[i].1,
                    creditors[j].1,
                ));
                debtors[i].1 -= amount;
                creditors[j].1 -= amount;
                if debtors[i].1 == 0 {
                    i += 1;
                }
                if creditors[j].1 == 0 {
                    j += 1;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The legs as they were chosen before the heap: a scan for the largest on each side
    /// per leg (O(N²)), kept to check the heap against.
    fn legs_by_scanning(group: &Group) -> Vec<(String, String, i64, i64, i64)> {
        let pick_largest = |side: &[(String, i64)]| -> Option<usize> {
            let mut best: Option<usize> = None;
            for (i, (_, amount)) in side.iter().enumerate() {
                if *amount > 0 && best.is_none_or(|b| *amount > side[b].1) {
                    best = Some(i);
                }
            }
            best
        };
        let (mut debtors, mut creditors) = debtors_and_creditors(group);
        let mut out = Vec::new();
        while let (Some(d), Some(c)) = (pick_largest(&debtors), pick_largest(&creditors)) {
            let amount = debtors[d].1.min(creditors[c].1);
            out.push((
                debtors[d].0.clone(),
                creditors[c].0.clone(),
                amount,
                -debtors[d].1,
                creditors[c].1,
            ));
            debtors[d].1 -= amount;
            creditors[c].1 -= amount;
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The heap picks exactly the legs the scan picked, ties and all.
        #[test]
        fn the_heap_chooses_the_same_legs_as_the_scan(
            positions in prop::collection::vec((0i64..6, 0i64..6), 0..40)
        ) {
            let mut group = Group::default();
            for (i, (paid, received)) in positions.iter().enumerate() {
                // Small amounts, so that ties between participants are frequent.
                group.positions.insert(format!("P{i:03}"), (*paid, *received, 1));
            }
            // Make the positions sum to zero, as netting's do.
            let total: i64 = group.positions.values().map(|(p, r, _)| r - p).sum();
            group.positions.insert("ZZZ".into(), (total.max(0), (-total).max(0), 1));
            prop_assert_eq!(legs(&group, LegsMode::LargestFirst), legs_by_scanning(&group));
        }
    }
}
