//! The one error type of `ingest`.

use std::path::PathBuf;

/// Errors that stop a whole file from being read. Record-level problems are not errors:
/// they become quarantine rows and the run goes on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("{file}: {reason}", file = file.display())]
    Io { file: PathBuf, reason: String },
    /// The file is not well-formed, or uses a refused construct (DTD, unknown entity).
    #[error("{file}: byte {byte_offset}: {element_path}: {reason}")]
    Malformed {
        file: String,
        byte_offset: u64,
        element_path: String,
        reason: String,
    },
    /// Building an Arrow table failed (a bug, never the input's fault).
    #[error("building table {table}: {reason}")]
    Table { table: &'static str, reason: String },
}
