//! Auditor utilities over Merkle logs: roots and proofs, checked with nothing but the
//! numbers given on the command line (or computed from a chain in the store).

use anyhow::{Context, Result};
use verify::chain;
use verify::merkle::{self, Hash, Mmr, parse_hash};

use super::{ExitStatus, out, out_json};
use crate::cli::LogCommand;
use crate::settings::Settings;

pub fn log(settings: &Settings, command: LogCommand) -> Result<ExitStatus> {
    match command {
        LogCommand::Root { leaves } => {
            let text = std::fs::read_to_string(&leaves)
                .with_context(|| format!("cannot read {}", leaves.display()))?;
            let mut mmr = Mmr::new();
            let body = text.strip_suffix('\n').unwrap_or(&text);
            if !text.is_empty() {
                for (n, line) in body.split('\n').enumerate() {
                    let line = line.trim_end_matches('\r');
                    let data = hex::decode(line).with_context(|| {
                        format!(
                            "{}: line {}: not hex leaf data: {line:?}",
                            leaves.display(),
                            n + 1
                        )
                    })?;
                    mmr.append(&data);
                }
            }
            if settings.json {
                out_json(&serde_json::json!({ "root": hex::encode(mmr.root()) }))?;
            } else {
                out(&hex::encode(mmr.root()))?;
            }
            Ok(ExitStatus::Success)
        }
        LogCommand::VerifyInclusion {
            size,
            index,
            leaf_hash,
            root,
            proof,
        } => {
            let leaf = parse_hash("--leaf-hash", &leaf_hash)?;
            let root = parse_hash("--root", &root)?;
            let proof = parse_proof(&proof)?;
            verdict(
                settings,
                merkle::verify_inclusion(index, size, &leaf, &proof, &root),
            )
        }
        LogCommand::VerifyConsistency {
            old_size,
            new_size,
            old_root,
            new_root,
            proof,
        } => {
            let old_root = parse_hash("--old-root", &old_root)?;
            let new_root = parse_hash("--new-root", &new_root)?;
            let proof = parse_proof(&proof)?;
            verdict(
                settings,
                merkle::verify_consistency(old_size, new_size, &old_root, &new_root, &proof),
            )
        }
        LogCommand::ProveInclusion {
            chain: id,
            index,
            size,
        } => {
            let store = settings.open_existing_store()?;
            let leaves = chain::leaves(&chain::read_chain(&store, &id)?);
            let size = size.unwrap_or(leaves.len() as u64);
            anyhow::ensure!(
                size as usize <= leaves.len(),
                "chain {id} has only {} receipts",
                leaves.len()
            );
            let tree = &leaves[..size as usize];
            let proof = merkle::inclusion_proof(tree, index as usize)?;
            let root = merkle::root_of(tree);
            out_json(&serde_json::json!({
                "chain": id,
                "size": size,
                "index": index,
                "leaf_hash": hex::encode(tree[index as usize]),
                "root": hex::encode(root),
                "proof": proof.iter().map(hex::encode).collect::<Vec<_>>(),
            }))?;
            Ok(ExitStatus::Success)
        }
        LogCommand::ProveConsistency {
            chain: id,
            old_size,
            new_size,
        } => {
            let store = settings.open_existing_store()?;
            let leaves = chain::leaves(&chain::read_chain(&store, &id)?);
            let new_size = new_size.unwrap_or(leaves.len() as u64);
            anyhow::ensure!(
                new_size as usize <= leaves.len(),
                "chain {id} has only {} receipts",
                leaves.len()
            );
            let tree = &leaves[..new_size as usize];
            let proof = merkle::consistency_proof(tree, old_size as usize)?;
            out_json(&serde_json::json!({
                "chain": id,
                "old_size": old_size,
                "new_size": new_size,
                "old_root": hex::encode(merkle::root_of(&tree[..old_size as usize])),
                "new_root": hex::encode(merkle::root_of(tree)),
                "proof": proof.iter().map(hex::encode).collect::<Vec<_>>(),
            }))?;
            Ok(ExitStatus::Success)
        }
    }
}

fn parse_proof(proof: &[String]) -> Result<Vec<Hash>> {
    proof
        .iter()
        .enumerate()
        .map(|(i, h)| Ok(parse_hash(&format!("--proof #{}", i + 1), h)?))
        .collect()
}

fn verdict(settings: &Settings, result: verify::Result<()>) -> Result<ExitStatus> {
    let (valid, reason) = match &result {
        Ok(()) => (true, None),
        Err(e) => (false, Some(e.to_string())),
    };
    if settings.json {
        out_json(&serde_json::json!({ "valid": valid, "reason": reason }))?;
    } else {
        out(&reason.map_or_else(|| "valid".to_owned(), |r| format!("invalid: {r}")))?;
    }
    Ok(if valid {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
