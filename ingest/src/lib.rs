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
mod xml;

pub use error::IngestError;
