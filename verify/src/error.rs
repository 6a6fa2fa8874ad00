//! The one error type of the trust kernel.
//!
//! Every variant names *what* failed and *where* (object key, file, field), so that a
//! message read in a nightly log or by an auditor is enough to find the object at fault.
//! Variants are `PartialEq` so tests assert exact errors.

use std::path::PathBuf;

/// Result alias for the trust kernel.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `verify`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A digest string is not `sha256:<64 lowercase hex>`.
    #[error("malformed digest {text:?}: {reason}")]
    MalformedDigest { text: String, reason: &'static str },

    /// Bytes read back did not hash to the digest they are stored under.
    #[error("{key}: digest mismatch: expected {expected}, found {found}")]
    DigestMismatch {
        key: String,
        expected: String,
        found: String,
    },

    /// A JSON document could not be parsed or does not have the expected shape.
    #[error("{what}: malformed JSON: {reason}")]
    MalformedJson { what: String, reason: String },

    /// A JSON document carries a float where only integers are allowed.
    #[error("{what}: JSON floats are not allowed (at {path}); use integer minor units or strings")]
    FloatInJson { what: String, path: String },

    /// A key file could not be read or parsed.
    #[error("key {path}: {reason}", path = path.display())]
    Key { path: PathBuf, reason: String },

    /// A key or signature encoding (not a file) is malformed.
    #[error("{what}: {reason}")]
    Malformed { what: String, reason: String },

    /// A signature failed to verify, or no trusted key signed.
    #[error("{what}: {reason}")]
    Signature { what: String, reason: String },

    /// A receipt chain is inconsistent (sequence, linkage, roots).
    #[error("chain {chain}: {reason}")]
    Chain { chain: String, reason: String },

    /// A Merkle proof is malformed or does not verify.
    #[error("proof: {0}")]
    Proof(String),

    /// The store URL could not be understood.
    #[error("store URL {url:?}: {reason}")]
    StoreUrl { url: String, reason: String },

    /// A write-once key already holds different bytes (lost race or tampering).
    #[error("{key}: conflict: the key already holds different bytes ({reason})")]
    Conflict { key: String, reason: String },

    /// An object is missing from the store.
    #[error("{key}: not found in store")]
    NotFound { key: String },

    /// Any other store failure (network, permissions, ...).
    #[error("{key}: store error: {reason}")]
    Store { key: String, reason: String },

    /// A local file could not be read or written.
    #[error("{path}: {reason}", path = path.display())]
    Io { path: PathBuf, reason: String },
}

impl Error {
    pub(crate) fn json(what: impl Into<String>, reason: impl ToString) -> Self {
        Error::MalformedJson {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn malformed(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Malformed {
            what: what.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn signature(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Signature {
            what: what.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, err: &std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            reason: err.to_string(),
        }
    }
}
