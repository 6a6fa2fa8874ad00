//! Published vectors (see `tests/data/README.md` for where each comes from).

use std::path::PathBuf;

use serde::Deserialize;
use verify::merkle::{self, Hash, leaf_hash, parse_hash, root_of};

fn data_dir() -> PathBuf {
    crate::manifest_dir().join("tests/data")
}

#[derive(Deserialize)]
struct Vectors {
    leaves_hex: Vec<String>,
    roots: Vec<RootVector>,
    inclusion: Vec<InclusionVector>,
    consistency: Vec<ConsistencyVector>,
}

#[derive(Deserialize)]
struct RootVector {
    size: usize,
    root_hex: String,
}

#[derive(Deserialize)]
struct InclusionVector {
    index: usize,
    size: usize,
    path_hex: Vec<String>,
}

#[derive(Deserialize)]
struct ConsistencyVector {
    size1: usize,
    size2: usize,
    proof_hex: Vec<String>,
}

fn hashes(hex: &[String]) -> Vec<Hash> {
    hex.iter()
        .map(|h| parse_hash("vector", h).unwrap())
        .collect()
}

fn ct_vectors() -> (Vectors, Vec<Hash>) {
    let text = std::fs::read_to_string(data_dir().join("rfc6962_vectors.json")).unwrap();
    let v: Vectors = serde_json::from_str(&text).unwrap();
    let leaves = v
        .leaves_hex
        .iter()
        .map(|h| leaf_hash(&hex::decode(h).unwrap()))
        .collect();
    (v, leaves)
}

#[test]
fn certificate_transparency_roots() {
    let (v, leaves) = ct_vectors();
    assert_eq!(v.roots.len(), 9);
    for r in &v.roots {
        let expected = parse_hash("root", &r.root_hex).unwrap();
        assert_eq!(root_of(&leaves[..r.size]), expected, "size {}", r.size);
        let mut mmr = merkle::Mmr::new();
        leaves[..r.size]
            .iter()
            .for_each(|l| mmr.append_leaf_hash(*l));
        assert_eq!(mmr.root(), expected, "mmr size {}", r.size);
    }
}

#[test]
fn certificate_transparency_inclusion_proofs() {
    let (v, leaves) = ct_vectors();
    assert!(!v.inclusion.is_empty());
    for case in &v.inclusion {
        let tree = &leaves[..case.size];
        let path = hashes(&case.path_hex);
        assert_eq!(merkle::inclusion_proof(tree, case.index).unwrap(), path);
        merkle::verify_inclusion(
            case.index as u64,
            case.size as u64,
            &tree[case.index],
            &path,
            &root_of(tree),
        )
        .unwrap();
    }
}

#[test]
fn certificate_transparency_consistency_proofs() {
    let (v, leaves) = ct_vectors();
    assert!(!v.consistency.is_empty());
    for case in &v.consistency {
        let proof = hashes(&case.proof_hex);
        assert_eq!(
            merkle::consistency_proof(&leaves[..case.size2], case.size1).unwrap(),
            proof
        );
        merkle::verify_consistency(
            case.size1 as u64,
            case.size2 as u64,
            &root_of(&leaves[..case.size1]),
            &root_of(&leaves[..case.size2]),
            &proof,
        )
        .unwrap();
    }
}

#[test]
fn rfc8785_input_output_pairs() {
    let dir = data_dir().join("rfc8785");
    let mut pairs = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let Some(stem) = name.strip_suffix(".input.json") else {
            continue;
        };
        let input = std::fs::read_to_string(&path).unwrap();
        let expected = std::fs::read(dir.join(format!("{stem}.output.json"))).unwrap();
        let got = verify::canon::canonicalize_text(&name, &input).unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            String::from_utf8(expected).unwrap(),
            "{stem}"
        );
        pairs += 1;
    }
    assert!(pairs >= 8, "only {pairs} pairs found");
}

#[test]
fn rfc8785_appendix_b_numbers() {
    #[derive(Deserialize)]
    struct Number {
        ieee_hex: String,
        expected: String,
    }
    let text = std::fs::read_to_string(data_dir().join("rfc8785/numbers.json")).unwrap();
    let numbers: Vec<Number> = serde_json::from_str(&text).unwrap();
    assert!(numbers.len() >= 20);
    for n in numbers {
        let value = f64::from_bits(u64::from_str_radix(&n.ieee_hex, 16).unwrap());
        let got = verify::canon::to_canonical_vec(&value).unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            n.expected,
            "{}",
            n.ieee_hex
        );
    }
}
