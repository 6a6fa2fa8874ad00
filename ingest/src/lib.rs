//! # ingest — streaming readers from source formats to Arrow tables
//!
//! One module per format, each a streaming, namespace-aware reader that turns files into
//! rows and Arrow `RecordBatch`es and sets bad records aside as quarantine rows naming the
//! file, byte offset, element path and reason. Readers never print, draw progress or write
//! to a store: they return tables, and one bad record never stops a file, nor one bad file
//! a batch.
//!
//! - [`pacs008`] — ISO 20022 FIToFICustomerCreditTransfer, every version .02–.13.
//! - [`currency`] — ISO 4217 minor units and exact decimal amounts.
//! - [`licences`] — licence registers (CSV) of zone regulators.

pub mod akn;
pub mod currency;
mod error;
pub mod licences;
pub mod pacs008;
pub mod sanctions;
mod xml;

pub use error::IngestError;
