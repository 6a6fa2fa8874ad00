//! # packs — lawpacks, regpacks and licensepacks
//!
//! Building packs from ingested tables (one signed, content-addressed Parquet artifact set per
//! jurisdiction, with a Merkle root over its entries) and reading them back by digest.
//!
//! The pack builders arrive with the pipelines that use them; this crate is the workspace's
//! fixed place for them.
