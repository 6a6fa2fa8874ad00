//! The MMR and proofs against a naive model written straight from RFC 6962 §2.1.

use proptest::prelude::*;
use sha2::{Digest as _, Sha256};
use verify::merkle::{self, Hash, Mmr};

fn naive_leaf(data: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(data)
        .finalize()
        .into()
}

fn naive_node(l: &Hash, r: &Hash) -> Hash {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(l)
        .chain_update(r)
        .finalize()
        .into()
}

fn naive_k(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]) from the RFC, over leaf data.
fn naive_mth(data: &[Vec<u8>]) -> Hash {
    match data.len() {
        0 => Sha256::digest([]).into(),
        1 => naive_leaf(&data[0]),
        n => {
            let k = naive_k(n);
            naive_node(&naive_mth(&data[..k]), &naive_mth(&data[k..]))
        }
    }
}

/// PATH(m, D[n]) from the RFC.
fn naive_path(m: usize, data: &[Vec<u8>]) -> Vec<Hash> {
    let n = data.len();
    if n <= 1 {
        return vec![];
    }
    let k = naive_k(n);
    if m < k {
        let mut p = naive_path(m, &data[..k]);
        p.push(naive_mth(&data[k..]));
        p
    } else {
        let mut p = naive_path(m - k, &data[k..]);
        p.push(naive_mth(&data[..k]));
        p
    }
}

/// SUBPROOF(m, D[n], b) from the RFC.
fn naive_subproof(m: usize, data: &[Vec<u8>], b: bool) -> Vec<Hash> {
    let n = data.len();
    if m == n {
        return if b { vec![] } else { vec![naive_mth(data)] };
    }
    let k = naive_k(n);
    if m <= k {
        let mut p = naive_subproof(m, &data[..k], b);
        p.push(naive_mth(&data[k..]));
        p
    } else {
        let mut p = naive_subproof(m - k, &data[k..], false);
        p.push(naive_mth(&data[..k]));
        p
    }
}

fn leaves_strategy() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..80)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn mmr_root_equals_the_rfc_tree_head_after_every_append(data in leaves_strategy()) {
        let mut mmr = Mmr::new();
        prop_assert_eq!(mmr.root(), naive_mth(&[]));
        for i in 0..data.len() {
            mmr.append(&data[i]);
            prop_assert_eq!(mmr.size(), i as u64 + 1);
            prop_assert_eq!(mmr.root(), naive_mth(&data[..=i]));
        }
    }

    #[test]
    fn inclusion_proofs_match_the_model_and_verify(data in leaves_strategy(), pick in any::<prop::sample::Index>()) {
        prop_assume!(!data.is_empty());
        let leaves: Vec<Hash> = data.iter().map(|d| naive_leaf(d)).collect();
        let i = pick.index(data.len());
        let n = data.len() as u64;
        let root = naive_mth(&data);
        let proof = merkle::inclusion_proof(&leaves, i).unwrap();
        prop_assert_eq!(&proof, &naive_path(i, &data));
        prop_assert!(merkle::verify_inclusion(i as u64, n, &leaves[i], &proof, &root).is_ok());
        // Any change to the proof, index, size or leaf is rejected.
        if !proof.is_empty() {
            let mut bad = proof.clone();
            bad[pick.index(proof.len())][0] ^= 1;
            prop_assert!(merkle::verify_inclusion(i as u64, n, &leaves[i], &bad, &root).is_err());
            prop_assert!(merkle::verify_inclusion(i as u64, n, &leaves[i], &proof[1..], &root).is_err());
        }
        let mut longer = proof.clone();
        longer.push(root);
        prop_assert!(merkle::verify_inclusion(i as u64, n, &leaves[i], &longer, &root).is_err());
        let mut other_leaf = leaves[i];
        other_leaf[31] ^= 1;
        prop_assert!(merkle::verify_inclusion(i as u64, n, &other_leaf, &proof, &root).is_err());
        if n > 1 {
            let j = (i as u64 + 1) % n;
            if leaves[j as usize] != leaves[i] {
                prop_assert!(merkle::verify_inclusion(j, n, &leaves[i], &proof, &root).is_err());
            }
        }
    }

    #[test]
    fn consistency_proofs_match_the_model_and_verify(data in leaves_strategy(), pick in any::<prop::sample::Index>()) {
        let leaves: Vec<Hash> = data.iter().map(|d| naive_leaf(d)).collect();
        let n = data.len();
        let m = pick.index(n + 1);
        let (old, new) = (naive_mth(&data[..m]), naive_mth(&data));
        let proof = merkle::consistency_proof(&leaves, m).unwrap();
        let expected = if m == 0 || m == n { vec![] } else { naive_subproof(m, &data, true) };
        prop_assert_eq!(&proof, &expected);
        prop_assert!(merkle::verify_consistency(m as u64, n as u64, &old, &new, &proof).is_ok());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            bad[pick.index(proof.len())][5] ^= 0x80;
            prop_assert!(merkle::verify_consistency(m as u64, n as u64, &old, &new, &bad).is_err());
            prop_assert!(merkle::verify_consistency(m as u64, n as u64, &old, &new, &proof[..proof.len() - 1]).is_err());
            let mut forked_old = old;
            forked_old[0] ^= 1;
            prop_assert!(merkle::verify_consistency(m as u64, n as u64, &forked_old, &new, &proof).is_err());
        }
    }
}
