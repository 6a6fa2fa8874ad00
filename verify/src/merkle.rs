//! RFC 6962 / RFC 9162 Merkle trees: the receipt chain's Merkle Mountain Range, and
//! inclusion and consistency proofs.
//!
//! The MMR keeps only its peaks (one per set bit of the size) and appends in amortised
//! O(1). Its root bags the peaks right to left, `node(p1, node(p2, … node(p_{k-1}, p_k)))`,
//! which makes it equal, bit for bit, to the RFC 6962 tree head over the same leaves: the
//! DOMAIN.md §5 vectors and the Certificate Transparency vectors check exactly that.
//!
//! Proof generation works from the full list of leaf hashes (an auditor or a writer that
//! has read the chain has it); proof verification follows the RFC 9162 §2.1.3.2 and
//! §2.1.4.2 algorithms step by step and needs nothing but the proof.

use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// A 32-byte tree hash.
pub type Hash = [u8; 32];

/// SHA-256(0x00 ‖ data): the hash of a leaf.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// SHA-256(0x01 ‖ left ‖ right): the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: SHA-256 of no bytes (RFC 6962 §2.1).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A Merkle Mountain Range of leaf hashes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mmr {
    /// Peaks from left (tallest) to right, with their heights.
    peaks: Vec<(u32, Hash)>,
    size: u64,
}

impl Mmr {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends leaf *data* (hashed with [`leaf_hash`]).
    pub fn append(&mut self, data: &[u8]) {
        self.append_leaf_hash(leaf_hash(data));
    }

    /// Appends an already computed leaf hash; merges peaks while heights are equal.
    pub fn append_leaf_hash(&mut self, leaf: Hash) {
        let mut height = 0u32;
        let mut hash = leaf;
        while let Some(&(top_height, top)) = self.peaks.last() {
            if top_height != height {
                break;
            }
            self.peaks.pop();
            hash = node_hash(&top, &hash);
            height += 1;
        }
        self.peaks.push((height, hash));
        self.size += 1;
    }

    /// The root: peaks bagged right to left (equals the RFC 6962 tree head).
    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(&(_, mut acc)) = peaks.next() else {
            return empty_root();
        };
        for (_, peak) in peaks {
            acc = node_hash(peak, &acc);
        }
        acc
    }
}

/// The RFC 6962 tree head over `leaves` (leaf hashes), computed recursively.
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// Largest power of two strictly less than `n` (n ≥ 2).
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// RFC 6962 §2.1.1 audit path for leaf `index` in the tree over `leaves`.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Result<Vec<Hash>> {
    if index >= leaves.len() {
        return Err(Error::Proof(format!(
            "leaf index {index} is outside a tree of size {}",
            leaves.len()
        )));
    }
    let mut path = Vec::new();
    path_rec(leaves, index, &mut path);
    Ok(path)
}

fn path_rec(leaves: &[Hash], index: usize, out: &mut Vec<Hash>) {
    if leaves.len() <= 1 {
        return;
    }
    let k = split(leaves.len());
    if index < k {
        path_rec(&leaves[..k], index, out);
        out.push(root_of(&leaves[k..]));
    } else {
        path_rec(&leaves[k..], index - k, out);
        out.push(root_of(&leaves[..k]));
    }
}

/// RFC 6962 §2.1.2 consistency proof between the first `old_size` leaves and all of them.
pub fn consistency_proof(leaves: &[Hash], old_size: usize) -> Result<Vec<Hash>> {
    if old_size > leaves.len() {
        return Err(Error::Proof(format!(
            "old size {old_size} is larger than the tree size {}",
            leaves.len()
        )));
    }
    let mut proof = Vec::new();
    if old_size > 0 && old_size < leaves.len() {
        subproof(old_size, leaves, true, &mut proof);
    }
    Ok(proof)
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            out.push(root_of(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, out);
        out.push(root_of(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root_of(&leaves[..k]));
    }
}

/// RFC 9162 §2.1.3.2: checks that `leaf` (a leaf hash) sits at `index` in the tree of
/// `size` leaves with head `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<()> {
    if index >= size {
        return Err(Error::Proof(format!(
            "leaf index {index} is outside a tree of size {size}"
        )));
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return Err(Error::Proof(
                "inclusion proof is longer than the tree is deep".into(),
            ));
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(Error::Proof(
            "inclusion proof is shorter than the tree is deep".into(),
        ));
    }
    if r != *root {
        return Err(Error::Proof(format!(
            "inclusion proof leads to root {}, expected {}",
            hex::encode(r),
            hex::encode(root)
        )));
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: checks that the tree of `new_size` leaves with head `new_root`
/// extends the tree of `old_size` leaves with head `old_root`.
///
/// Edge cases (outside the RFC's algorithm, as transparency-dev handles them): equal sizes
/// need an empty proof and equal roots; an empty old tree is consistent with anything and
/// needs an empty proof.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<()> {
    if old_size > new_size {
        return Err(Error::Proof(format!(
            "old size {old_size} is larger than new size {new_size}"
        )));
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(Error::Proof("equal sizes need an empty proof".into()));
        }
        if old_root != new_root {
            return Err(Error::Proof("equal sizes but different roots".into()));
        }
        return Ok(());
    }
    if old_size == 0 {
        if !proof.is_empty() {
            return Err(Error::Proof(
                "an empty old tree needs an empty proof".into(),
            ));
        }
        return Ok(());
    }
    if proof.is_empty() {
        return Err(Error::Proof("consistency proof is empty".into()));
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut f_n, mut s_n) = (old_size - 1, new_size - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s_n == 0 {
            return Err(Error::Proof("consistency proof is too long".into()));
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(Error::Proof("consistency proof is too short".into()));
    }
    if fr != *old_root {
        return Err(Error::Proof(format!(
            "consistency proof leads to old root {}, expected {}",
            hex::encode(fr),
            hex::encode(old_root)
        )));
    }
    if sr != *new_root {
        return Err(Error::Proof(format!(
            "consistency proof leads to new root {}, expected {}",
            hex::encode(sr),
            hex::encode(new_root)
        )));
    }
    Ok(())
}

/// Parses 64 hex characters into a tree hash; `what` names the value in errors.
pub fn parse_hash(what: &str, text: &str) -> Result<Hash> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut out)
        .map_err(|_| Error::malformed(what, format!("{text:?} is not 64 hex characters")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt_leaves(n: usize) -> Vec<Hash> {
        (1..=n)
            .map(|i| leaf_hash(&Sha256::digest(format!("receipt-{i}").as_bytes())))
            .collect()
    }

    /// DOMAIN.md §5 vectors: d_i = SHA-256("receipt-i"), leaf = SHA-256(0x00 ‖ d_i).
    #[test]
    fn domain_seed_vectors() {
        for (n, expected) in [
            (
                1,
                "29534994a3ad2af6dd418f46d4093897971cd14bea312167ad82c4b31dbbfcec",
            ),
            (
                2,
                "a34e6d5dac1ff07f820cc5156b41a50ce78c6a6868d81d5c5824cad0cab7250b",
            ),
            (
                9,
                "2cbf59819f3070f62601d1e0c47af000896f1c7bcb3f1e421c9bcdbf6c20ef09",
            ),
            (
                17,
                "338734a36416c5153c1a46812c5b3c2bfc3a4fa688beae56eb6ae8447143db2e",
            ),
        ] {
            let mut mmr = Mmr::new();
            for i in 1..=n {
                mmr.append(&Sha256::digest(format!("receipt-{i}").as_bytes()));
            }
            assert_eq!(hex::encode(mmr.root()), expected, "n={n}");
            assert_eq!(hex::encode(root_of(&receipt_leaves(n))), expected, "n={n}");
        }
    }

    #[test]
    fn proofs_round_trip_on_small_trees() {
        for n in 1..=20 {
            let leaves = receipt_leaves(n);
            let root = root_of(&leaves);
            for i in 0..n {
                let proof = inclusion_proof(&leaves, i).unwrap();
                verify_inclusion(i as u64, n as u64, &leaves[i], &proof, &root).unwrap();
            }
            for m in 0..=n {
                let proof = consistency_proof(&leaves, m).unwrap();
                let old = root_of(&leaves[..m]);
                verify_consistency(m as u64, n as u64, &old, &root, &proof).unwrap();
            }
        }
    }

    #[test]
    fn out_of_range_inputs_are_errors_not_panics() {
        let leaves = receipt_leaves(3);
        assert!(inclusion_proof(&leaves, 3).is_err());
        assert!(consistency_proof(&leaves, 4).is_err());
        let root = root_of(&leaves);
        assert!(verify_inclusion(3, 3, &leaves[0], &[], &root).is_err());
        assert!(verify_inclusion(0, 0, &leaves[0], &[], &root).is_err());
        assert!(verify_consistency(4, 3, &root, &root, &[]).is_err());
        assert!(verify_consistency(u64::MAX, u64::MAX, &root, &root, &[root]).is_err());
        assert!(verify_inclusion(u64::MAX - 1, u64::MAX, &leaves[0], &[root; 70], &root).is_err());
    }
}
