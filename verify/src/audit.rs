//! The auditor's verdict over a whole store (`mez verify`).
//!
//! Checks, in order, and keeps going past every failure so that one report names all of
//! them:
//!
//! 1. every manifest: its bytes hash to its key, its DSSE signature is by a trusted key,
//!    its statement is well formed;
//! 2. every blob: streamed through SHA-256 (in parallel) and compared with its key; every
//!    artifact a manifest names is present with the size it records;
//! 3. every chain: each receipt's digest, signature, sequence (0, 1, 2, … with no gap) and
//!    link to the one before; each receipt's manifest is present and names exactly the
//!    receipt's artifacts; every manifest is on some chain;
//! 4. every checkpoint: its signed note verifies against a trusted key, its origin and size
//!    match its key and chain, its root equals the MMR root over that many receipts, and
//!    consecutive checkpoints are consistent (an RFC 9162 consistency proof between them
//!    verifies) — a truncated, reordered or forked chain fails here;
//! 5. every ref points at a manifest that exists.
//!
//! [`audit`] returns `Err` only when it could not run at all (the store cannot be listed);
//! everything wrong *in* the store is a [`Failure`] in the report.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::checkpoint::{Checkpoint, origin_for};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::keys::TrustSet;
use crate::manifest::{self, Statement};
use crate::merkle::{self, Hash, leaf_hash, root_of};
use crate::receipt::Receipt;
use crate::store::{self, Store, blob_key, checkpoint_key, manifest_key, receipt_key};

/// One thing that did not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The object key at fault.
    pub object: String,
    /// Which check failed (`digest`, `signature`, `sequence`, `root`, ...).
    pub check: String,
    pub expected: String,
    pub found: String,
}

/// Something worth knowing that is not a failure (e.g. a blob no manifest names yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub object: String,
    pub note: String,
}

/// Per-chain summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainSummary {
    pub receipts: u64,
    pub checkpoints: u64,
    /// Size and root of the newest valid checkpoint.
    pub checkpoint_size: u64,
    pub checkpoint_root: String,
}

/// The auditor's report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub store: String,
    pub manifests: u64,
    pub blobs: u64,
    pub blob_bytes: u64,
    pub receipts: u64,
    pub checkpoints: u64,
    pub chains: BTreeMap<String, ChainSummary>,
    pub failures: Vec<Failure>,
    pub notes: Vec<Note>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }

    fn fail(&mut self, object: &str, check: &str, expected: impl ToString, found: impl ToString) {
        self.failures.push(Failure {
            object: object.to_owned(),
            check: check.to_owned(),
            expected: expected.to_string(),
            found: found.to_string(),
        });
    }

    fn fail_err(&mut self, object: &str, check: &str, expected: &str, err: &Error) {
        self.fail(object, check, expected, err);
    }
}

/// A chain's size and root as an earlier verification (or a witness) saw them: the store
/// must still hold that many receipts, with the same root over them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Pin {
    pub chain: String,
    pub size: u64,
    /// Hex of the RFC 6962 root over the first `size` receipts.
    pub root: String,
}

/// The witness state `mez verify --state FILE` keeps between runs: each chain's newest
/// verified checkpoint. A later store that is shorter, or not an extension of it, fails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Witness {
    pub chains: BTreeMap<String, Pin>,
}

impl Witness {
    /// What a successful audit saw: each chain's newest verified checkpoint.
    pub fn of(report: &Report) -> Self {
        Witness {
            chains: report
                .chains
                .iter()
                .filter(|(_, c)| c.checkpoint_size > 0)
                .map(|(name, c)| {
                    (
                        name.clone(),
                        Pin {
                            chain: name.clone(),
                            size: c.checkpoint_size,
                            root: c.checkpoint_root.clone(),
                        },
                    )
                })
                .collect(),
        }
    }

    /// The pins of `self` and of `later` together: a chain's larger pin wins.
    pub fn merged(mut self, later: Witness) -> Self {
        for (chain, pin) in later.chains {
            let keep = self.chains.get(&chain).is_some_and(|p| p.size > pin.size);
            if !keep {
                self.chains.insert(chain, pin);
            }
        }
        self
    }
}

/// Options of an audit.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// Objects read and hashed at once.
    pub concurrency: usize,
    /// Checkpoints seen before (a witness state, or checkpoints given): rollback and
    /// truncation of a chain's tail, and a rewritten history, fail against them.
    pub pins: Vec<Pin>,
    /// What to verify: the whole store, one chain, or one run.
    pub scope: Scope,
}

/// What an audit covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scope {
    /// Everything in the store.
    #[default]
    Store,
    /// One chain: its receipts and checkpoints, the manifests they name and their blobs.
    Chain(String),
    /// One run and everything it depends on: its manifest and blobs, the chain it is on,
    /// and the same for every run it used (its packs), recursively.
    Run(Digest),
}

/// The chains and manifests a scoped audit looks at.
#[derive(Debug, Default)]
struct Selection {
    chains: BTreeSet<String>,
    manifests: BTreeSet<Digest>,
}

/// Resolves a scope to chains and manifests (signatures are checked by the audit itself).
fn select(store: &Store, scope: &Scope) -> Result<Option<Selection>> {
    let mut selection = Selection::default();
    let mut pending: Vec<Digest> = Vec::new();
    match scope {
        Scope::Store => return Ok(None),
        Scope::Chain(chain) => {
            selection.chains.insert(chain.clone());
        }
        Scope::Run(manifest) => pending.push(*manifest),
    }
    while let Some(m) = pending.pop() {
        if !selection.manifests.insert(m) {
            continue;
        }
        let key = manifest_key(&m);
        let statement = manifest::statement_unverified(&key, &store.get(&key)?)?;
        selection.chains.insert(statement.predicate.chain.clone());
        pending.extend(statement.predicate.packs.iter().map(|p| p.digest));
    }
    for chain in &selection.chains.clone() {
        let listed = store.list(&format!("log/{chain}/receipts/"))?;
        if listed.is_empty() && matches!(scope, Scope::Chain(_)) {
            return Err(Error::Chain {
                chain: chain.clone(),
                reason: "no such chain in the store".into(),
            });
        }
        for item in listed {
            if let Ok(r) = store
                .get(&item.key)
                .and_then(|b| Receipt::from_bytes(&item.key, &b))
            {
                selection.manifests.insert(r.body.manifest);
            }
        }
    }
    Ok(Some(selection))
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            concurrency: store::default_concurrency(),
            pins: vec![],
            scope: Scope::Store,
        }
    }
}

/// Verifies everything in `store` against `trust`.
pub fn audit(store: &Store, trust: &TrustSet, options: &AuditOptions) -> Result<Report> {
    if trust.is_empty() {
        return Err(Error::signature(
            "audit",
            "no trusted keys: pass at least one --trusted-key",
        ));
    }
    let mut report = Report {
        store: store.url().to_owned(),
        ..Report::default()
    };
    let selection = select(store, &options.scope)?;
    check_links(store, &mut report);
    for (name, reason) in store.unaddressable("")? {
        report.fail(
            &name,
            "name",
            "an object name the store can address",
            reason,
        );
    }
    let manifests = check_manifests(store, trust, options, selection.as_ref(), &mut report)?;
    check_blobs(store, &manifests, options, selection.is_some(), &mut report)?;
    let on_chain = check_chains(
        store,
        trust,
        &manifests,
        options,
        selection.as_ref(),
        &mut report,
    )?;
    for (digest, statement) in &manifests {
        if on_chain.contains(digest) {
            continue;
        }
        match superseded_by(statement, &manifests, &on_chain) {
            Some(later) => report.notes.push(Note {
                object: manifest_key(digest),
                note: format!(
                    "an abandoned attempt: on no chain, but {} publishes the same tables of \
                     the same job later on chain {}",
                    manifest_key(later),
                    statement.predicate.chain
                ),
            }),
            None => report.fail(
                &manifest_key(digest),
                "receipt",
                "a receipt on its chain naming this manifest",
                format!(
                    "none (a truncated chain, or a publication that stopped after the \
                     manifest: `mez publish --adopt {digest}` appends it)"
                ),
            ),
        }
    }
    if selection.is_some() {
        return Ok(report);
    }
    let refs = check_refs(store, &manifests, &mut report)?;
    if report.manifests == 0 && report.blobs == 0 && report.receipts == 0 && refs == 0 {
        // A local store whose only content is a killed job's staging files is a real store
        // where nothing was published yet, not a mistyped path.
        let leftovers = store.staging_leftovers();
        if leftovers > 0 {
            report.notes.push(Note {
                object: crate::store::STAGING_DIR.to_owned(),
                note: format!(
                    "{leftovers} staging leftover(s) of interrupted jobs and nothing published                      (`mez store gc` removes them)"
                ),
            });
            return Ok(report);
        }
        return Err(Error::StoreUrl {
            url: store.url().to_owned(),
            reason: "nothing to verify: the store holds no manifests, blobs, receipts or refs \
                     (a mistyped path or prefix?)"
                .into(),
        });
    }
    Ok(report)
}

/// A local store's objects are its own files: a symbolic link (to a file anywhere, inside
/// or outside the store) is reported, whatever its target holds — reading through it would
/// read bytes the store does not own.
fn check_links(store: &Store, report: &mut Report) {
    let Some(root) = store.local_root() else {
        return;
    };
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let Ok(kind) = e.file_type() else { continue };
            let key = path
                .strip_prefix(root)
                .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
            if kind.is_symlink() {
                let target = std::fs::read_link(&path)
                    .map_or_else(|_| "?".into(), |t| t.display().to_string());
                report.fail(
                    &key,
                    "link",
                    "a file or folder of the store",
                    format!("a symbolic link to {target}"),
                );
            } else if kind.is_dir() && e.file_name() != crate::store::STAGING_DIR {
                pending.push(path);
            }
        }
    }
}

/// A manifest on a chain that publishes the same run as `orphan` (same job, chain and
/// tables) at the same time or later: `orphan` was an attempt that a rerun completed.
fn superseded_by<'a>(
    orphan: &Statement,
    manifests: &'a BTreeMap<Digest, Statement>,
    on_chain: &BTreeSet<Digest>,
) -> Option<&'a Digest> {
    let tables = |s: &Statement| -> BTreeSet<(String, Option<String>)> {
        s.subject
            .iter()
            .map(|x| (x.name.clone(), x.digest.get("sha256").cloned()))
            .collect()
    };
    let wanted = tables(orphan);
    manifests.iter().find_map(|(digest, s)| {
        (on_chain.contains(digest)
            && s.predicate.chain == orphan.predicate.chain
            && s.predicate.job == orphan.predicate.job
            && s.predicate.time >= orphan.predicate.time
            && tables(s) == wanted)
            .then_some(digest)
    })
}

/// Step 1. Returns the valid manifests by digest.
fn check_manifests(
    store: &Store,
    trust: &TrustSet,
    options: &AuditOptions,
    selection: Option<&Selection>,
    report: &mut Report,
) -> Result<BTreeMap<Digest, Statement>> {
    let listed = match selection {
        None => store.list("manifests/")?,
        Some(s) => s
            .manifests
            .iter()
            .map(|d| store::Listed {
                key: manifest_key(d),
                size: 0,
                modified: 0,
            })
            .collect(),
    };
    let mut keyed = Vec::new();
    for item in listed {
        let digest = store::manifest_of_key(&item.key);
        match digest {
            Some(d) => keyed.push((item.key, d)),
            None => report.fail(
                &item.key,
                "key",
                "manifests/sha256/<hex>.dsse.json",
                &item.key,
            ),
        }
    }
    report.manifests = keyed.len() as u64;
    let keys: Vec<String> = keyed.iter().map(|(k, _)| k.clone()).collect();
    let mut valid = BTreeMap::new();
    for ((key, digest), bytes) in keyed.iter().zip(store.get_many(&keys, options.concurrency)) {
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                report.fail_err(key, "read", "readable object", &e);
                continue;
            }
        };
        let found = Digest::of(&bytes);
        if found != *digest {
            report.fail(key, "digest", digest, found);
            continue;
        }
        match manifest::open(key, &bytes, trust) {
            Ok((statement, _)) => {
                valid.insert(*digest, statement);
            }
            Err(e @ Error::Signature { .. }) => {
                report.fail_err(key, "signature", "signature by a trusted key", &e)
            }
            Err(e) => report.fail_err(
                key,
                "manifest",
                "a well-formed signed in-toto statement",
                &e,
            ),
        }
    }
    Ok(valid)
}

/// Step 2.
fn check_blobs(
    store: &Store,
    manifests: &BTreeMap<Digest, Statement>,
    options: &AuditOptions,
    scoped: bool,
    report: &mut Report,
) -> Result<()> {
    // What manifests promise: digest → (size, named by).
    let mut promised: BTreeMap<Digest, (u64, String)> = BTreeMap::new();
    for (manifest_digest, statement) in manifests {
        for subject in &statement.subject {
            match subject.sha256() {
                Ok(d) => {
                    promised.insert(
                        d,
                        (subject.annotations.bytes, manifest_key(manifest_digest)),
                    );
                }
                Err(e) => report.fail_err(
                    &manifest_key(manifest_digest),
                    "subject",
                    "sha256 digest",
                    &e,
                ),
            }
        }
    }
    let listed = if scoped {
        // Only the blobs the selected manifests name (those missing are failures below).
        promised
            .keys()
            .map(|d| store::Listed {
                key: blob_key(d),
                size: 0,
                modified: 0,
            })
            .filter(|l| store.exists(&l.key).unwrap_or(false))
            .collect()
    } else {
        store.list("blobs/")?
    };
    let mut present = BTreeSet::new();
    let mut keys = Vec::new();
    let mut digests = Vec::new();
    for item in &listed {
        match item
            .key
            .strip_prefix("blobs/sha256/")
            .and_then(|h| Digest::from_hex(h).ok())
        {
            Some(d) => {
                keys.push(item.key.clone());
                digests.push(d);
            }
            None => report.fail(&item.key, "key", "blobs/sha256/<hex>", &item.key),
        }
    }
    report.blobs = keys.len() as u64;
    for ((key, expected), result) in keys
        .iter()
        .zip(&digests)
        .zip(store.hash_many(&keys, options.concurrency))
    {
        match result {
            Ok((found, size)) => {
                report.blob_bytes += size;
                if found != *expected {
                    report.fail(key, "digest", expected, found);
                    continue;
                }
                present.insert(*expected);
                match promised.get(expected) {
                    Some((bytes, _)) if *bytes != size => {
                        report.fail(
                            key,
                            "size",
                            format!("{bytes} bytes"),
                            format!("{size} bytes"),
                        );
                    }
                    Some(_) => {}
                    None => report.notes.push(Note {
                        object: key.clone(),
                        note: "no manifest names this blob (left by an interrupted run?)".into(),
                    }),
                }
            }
            Err(e) => report.fail_err(key, "read", "readable object", &e),
        }
    }
    for (digest, (_, named_by)) in &promised {
        if !present.contains(digest) && !digests.contains(digest) {
            report.fail(
                &blob_key(digest),
                "present",
                format!("artifact named by {named_by}"),
                "missing",
            );
        }
    }
    Ok(())
}

/// Steps 3 and 4. Returns the manifests that some valid receipt names.
fn check_chains(
    store: &Store,
    trust: &TrustSet,
    manifests: &BTreeMap<Digest, Statement>,
    options: &AuditOptions,
    selection: Option<&Selection>,
    report: &mut Report,
) -> Result<BTreeSet<Digest>> {
    let listed = match selection {
        None => store.list("log/")?,
        Some(s) => {
            let mut listed = Vec::new();
            for chain in &s.chains {
                listed.extend(store.list(&format!("log/{chain}/"))?);
            }
            listed
        }
    };
    let mut by_chain: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for item in listed {
        let parts: Vec<&str> = item.key.split('/').collect();
        match parts[..] {
            ["log", chain, "receipts", _] => by_chain
                .entry(chain.to_owned())
                .or_default()
                .0
                .push(item.key),
            ["log", chain, "checkpoints", _] => by_chain
                .entry(chain.to_owned())
                .or_default()
                .1
                .push(item.key),
            _ => report.fail(
                &item.key,
                "key",
                "log/<chain>/receipts|checkpoints/<n>",
                &item.key,
            ),
        }
    }
    let mut on_chain = BTreeSet::new();
    let mut all_leaves = BTreeMap::new();
    for (chain, (receipt_keys, checkpoint_keys)) in by_chain {
        let leaves = check_receipts(
            store,
            trust,
            manifests,
            options,
            report,
            &chain,
            &receipt_keys,
            &mut on_chain,
        );
        let summary = check_checkpoints(
            store,
            trust,
            options,
            report,
            &chain,
            &checkpoint_keys,
            &leaves,
        );
        report.chains.insert(chain.clone(), summary);
        all_leaves.insert(chain, leaves);
    }
    let pins: Vec<Pin> = options
        .pins
        .iter()
        .filter(|p| selection.is_none_or(|s| s.chains.contains(&p.chain)))
        .cloned()
        .collect();
    check_pins(report, &pins, &all_leaves);
    Ok(on_chain)
}

#[allow(clippy::too_many_arguments)]
fn check_receipts(
    store: &Store,
    trust: &TrustSet,
    manifests: &BTreeMap<Digest, Statement>,
    options: &AuditOptions,
    report: &mut Report,
    chain: &str,
    keys: &[String],
    on_chain: &mut BTreeSet<Digest>,
) -> Vec<Hash> {
    report.receipts += keys.len() as u64;
    let mut leaves = Vec::with_capacity(keys.len());
    let mut prev: Option<Receipt> = None;
    for (position, (key, bytes)) in keys
        .iter()
        .zip(store.get_many(keys, options.concurrency))
        .enumerate()
    {
        let expected_key = receipt_key(chain, position as u64);
        if *key != expected_key {
            report.fail(key, "sequence", &expected_key, key);
        }
        let receipt = match bytes.and_then(|b| Receipt::from_bytes(key, &b)) {
            Ok(r) => r,
            Err(e) => {
                report.fail_err(
                    key,
                    "receipt",
                    "a well-formed receipt whose digest matches",
                    &e,
                );
                // The chain cannot be followed past a receipt we cannot read.
                prev = None;
                leaves.push([0u8; 32]);
                continue;
            }
        };
        if let Err(e) = receipt.verify_signature(key, trust) {
            report.fail_err(key, "signature", "signature by a trusted key", &e);
        }
        if receipt.body.chain != chain {
            report.fail(key, "chain", chain, &receipt.body.chain);
        }
        let follows = if position == 0 {
            receipt.check_follows(None)
        } else {
            match &prev {
                Some(p) => receipt.check_follows(Some(p)),
                None => Ok(()), // the previous receipt was unreadable and already reported
            }
        };
        if let Err(e) = follows {
            report.fail_err(
                key,
                "linkage",
                "sequence +1 and prev_root = digest of the previous receipt",
                &e,
            );
        }
        if let Some(p) = &prev
            && receipt.body.timestamp < p.body.timestamp
        {
            report.fail(
                key,
                "time",
                format!("not before the previous receipt's {}", p.body.timestamp),
                receipt.body.timestamp,
            );
        }
        match manifests.get(&receipt.body.manifest) {
            Some(statement) => {
                on_chain.insert(receipt.body.manifest);
                if statement.predicate.chain != chain {
                    report.fail(
                        key,
                        "chain",
                        format!("its manifest's chain {}", statement.predicate.chain),
                        chain,
                    );
                }
                let mut named: Vec<Digest> = statement
                    .subject
                    .iter()
                    .filter_map(|s| s.sha256().ok())
                    .collect();
                named.sort();
                named.dedup();
                if named != receipt.body.artifacts {
                    report.fail(
                        key,
                        "artifacts",
                        "the artifacts its manifest names",
                        "a different list",
                    );
                }
            }
            None => report.fail(
                key,
                "manifest",
                format!("a valid manifest {}", manifest_key(&receipt.body.manifest)),
                "missing or invalid",
            ),
        }
        leaves.push(leaf_hash(&receipt.digest.0));
        prev = Some(receipt);
    }
    leaves
}

fn check_checkpoints(
    store: &Store,
    trust: &TrustSet,
    options: &AuditOptions,
    report: &mut Report,
    chain: &str,
    keys: &[String],
    leaves: &[Hash],
) -> ChainSummary {
    report.checkpoints += keys.len() as u64;
    let mut summary = ChainSummary {
        receipts: leaves.len() as u64,
        checkpoints: keys.len() as u64,
        checkpoint_size: 0,
        checkpoint_root: hex::encode(merkle::empty_root()),
    };
    let mut prev: Option<Checkpoint> = None;
    for (key, bytes) in keys.iter().zip(store.get_many(keys, options.concurrency)) {
        let checkpoint = match bytes.and_then(|b| Checkpoint::open(key, &b, trust)) {
            Ok((c, _)) => c,
            Err(e @ Error::Signature { .. }) => {
                report.fail_err(key, "signature", "signed note by a trusted key", &e);
                continue;
            }
            Err(e) => {
                report.fail_err(key, "checkpoint", "a well-formed signed checkpoint", &e);
                continue;
            }
        };
        if checkpoint.origin != origin_for(chain) {
            report.fail(key, "origin", origin_for(chain), &checkpoint.origin);
            continue;
        }
        if *key != checkpoint_key(chain, checkpoint.size) {
            report.fail(key, "size", key, checkpoint_key(chain, checkpoint.size));
            continue;
        }
        let size = checkpoint.size as usize;
        if size > leaves.len() {
            report.fail(
                key,
                "size",
                format!("{} receipts on the chain", checkpoint.size),
                format!("{} (truncated chain)", leaves.len()),
            );
            continue;
        }
        let root = root_of(&leaves[..size]);
        if root != checkpoint.root {
            report.fail(
                key,
                "root",
                hex::encode(checkpoint.root),
                format!(
                    "{} recomputed from the receipts (forked or rewritten chain)",
                    hex::encode(root)
                ),
            );
            continue;
        }
        if let Some(p) = &prev {
            let proof =
                merkle::consistency_proof(&leaves[..size], p.size as usize).unwrap_or_default();
            if let Err(e) = merkle::verify_consistency(
                p.size,
                checkpoint.size,
                &p.root,
                &checkpoint.root,
                &proof,
            ) {
                report.fail_err(
                    key,
                    "consistency",
                    "consistent with the previous checkpoint",
                    &e,
                );
            }
        }
        summary.checkpoint_size = checkpoint.size;
        summary.checkpoint_root = hex::encode(checkpoint.root);
        prev = Some(checkpoint);
    }
    if (summary.checkpoint_size as usize) < leaves.len() {
        report.notes.push(Note {
            object: format!("log/{chain}"),
            note: format!(
                "{} receipt(s) after the newest checkpoint are not yet covered by a signed checkpoint",
                leaves.len() - summary.checkpoint_size as usize
            ),
        });
    }
    summary
}

/// Step 5. Returns how many refs there are.
fn check_refs(
    store: &Store,
    manifests: &BTreeMap<Digest, Statement>,
    report: &mut Report,
) -> Result<usize> {
    let listed = store.list("refs/")?;
    let count = listed.len();
    for item in listed {
        let target = store.get(&item.key).and_then(|bytes| {
            std::str::from_utf8(&bytes)
                .map_err(|_| Error::malformed(&item.key, "not UTF-8"))
                .and_then(|t| t.trim_end().parse::<Digest>())
        });
        match target {
            Ok(d) if manifests.contains_key(&d) => {}
            Ok(d) => report.fail(
                &item.key,
                "ref",
                format!("a valid manifest {}", manifest_key(&d)),
                "missing or invalid",
            ),
            Err(e) => report.fail_err(&item.key, "ref", "sha256:<hex> of a manifest", &e),
        }
    }
    Ok(count)
}

/// Each pin against the chain's receipts as the store holds them now.
fn check_pins(report: &mut Report, pins: &[Pin], chains: &BTreeMap<String, Vec<Hash>>) {
    for pin in pins {
        let object = format!("log/{}", pin.chain);
        let Some(leaves) = chains.get(&pin.chain) else {
            report.fail(
                &object,
                "rollback",
                format!("{} receipts, as seen before", pin.size),
                "no such chain in the store",
            );
            continue;
        };
        if (leaves.len() as u64) < pin.size {
            report.fail(
                &object,
                "rollback",
                format!("at least {} receipts, as seen before", pin.size),
                format!("{} (the chain's tail was cut or rolled back)", leaves.len()),
            );
            continue;
        }
        let root = hex::encode(root_of(&leaves[..pin.size as usize]));
        if root != pin.root {
            report.fail(
                &object,
                "consistency",
                format!(
                    "root {} over the first {} receipts, as seen before",
                    pin.root, pin.size
                ),
                format!("{root} (the history was rewritten)"),
            );
        }
    }
}
