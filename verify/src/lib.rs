//! # verify — the mez trust kernel
//!
//! Everything an auditor needs to check a mez store offline, and nothing more: SHA-256
//! digests, RFC 8785 canonical JSON, Ed25519 keys, DSSE-signed in-toto manifests, the
//! receipt chain (an RFC 6962-compatible Merkle Mountain Range with inclusion and
//! consistency proofs and C2SP signed checkpoints), and the write-once object-store layer.
//! No Arrow, Parquet, Polars or DuckDB: an auditor builds and reads only this crate.
//!
//! ```
//! use verify::{Digest, merkle::Mmr};
//!
//! let mut mmr = Mmr::new();
//! mmr.append(&Digest::of(b"receipt-1").0);
//! assert_eq!(
//!     hex::encode(mmr.root()),
//!     "29534994a3ad2af6dd418f46d4093897971cd14bea312167ad82c4b31dbbfcec"
//! );
//! ```
//!
//! Start at [`store`] for the layout and the commit protocol, and at [`audit`] for what
//! `mez verify` checks.

pub mod audit;
pub mod canon;
pub mod chain;
pub mod checkpoint;
pub mod clock;
pub mod digest;
pub mod dsse;
mod error;
pub mod keys;
pub mod manifest;
pub mod merkle;
pub mod receipt;
pub mod store;
pub mod vc;

pub use digest::Digest;
pub use error::{Error, Result};
