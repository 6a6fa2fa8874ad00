//! # ingest — streaming readers from source formats to Arrow tables
//!
//! One module per format, each a streaming, namespace-aware reader that turns files into
//! rows and Arrow `RecordBatch`es and sets bad records aside as quarantine rows naming the
//! file, byte offset, element path and reason. Readers never print, draw progress or write
//! to a store: they return tables, and one bad record never stops a file, nor one bad file
//! a batch.
//!
//! - [`pacs008`] — ISO 20022 FIToFICustomerCreditTransfer, every version .02–.13.
//! - [`akn`] — Akoma Ntoso documents → documents and provisions.
//! - [`sanctions`] — OFAC, UN, EU and UK lists and custom CSV → entries and names.
//! - [`currency`] — ISO 4217 minor units and exact decimal amounts.
//! - [`licences`] — licence registers (CSV) of zone regulators.
//!
//! The pacs.008 and Akoma Ntoso readers touch every byte of large inputs, so they run on
//! our own byte-level XML scanner (`xml::scan`); the sanctions readers use quick-xml.

pub mod akn;
pub mod currency;
mod error;
pub mod licences;
pub mod pacs008;
pub mod sanctions;
/// The streaming XML scanner every XML reader shares (public for the fuzz targets).
pub mod xml;

pub use error::IngestError;

use std::path::PathBuf;

/// A file to read: where it is on this machine, and the name it has in every row and table
/// made from it.
///
/// Jobs name an input relative to the root it was found under, so that what they write
/// does not depend on where the inputs lay; errors meant for the operator name `path`.
/// Ordered by name first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NamedFile {
    pub name: String,
    pub path: PathBuf,
}

impl NamedFile {
    pub fn new(path: impl Into<PathBuf>, name: impl Into<String>) -> Self {
        NamedFile {
            name: name.into(),
            path: path.into(),
        }
    }

    /// Named by its path as given (for tools and tests that want the path itself).
    pub fn as_given(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        NamedFile {
            name: path.display().to_string(),
            path,
        }
    }
}
