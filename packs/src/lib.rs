//! # packs — lawpacks, regpacks and licensepacks
//!
//! A pack is the set of tables a zone builds from one kind of source for one jurisdiction,
//! with a semantic digest (a Merkle root over its rows) that the run manifest publishes next
//! to the artifacts' content digests. This crate turns ingested rows into pack tables and
//! compares packs; writing, signing and publishing stay in `pipelines`.
//!
//! - [`lawpack`] — Akoma Ntoso documents and provisions; diffs by stable provision key.
//! - [`regpack`] — sanctions list entries and names; a Merkle leaf per entry; diffs.
//! - [`licensepack`] — a licence register; a Merkle leaf per licence.
//! - [`zone`] — the zone definitions the packs are built for (`jurisdictions/*/zone.yaml`).
//! - [`lock`] — `stack.lock`, a zone pinned to its signed packs.

mod columns;
pub mod lawpack;
pub mod licensepack;
pub mod lock;
pub mod regpack;
pub mod zone;
