//! # pipelines — mez bulk jobs and the artifact writer
//!
//! - [`jobs`]: one folder per job (netting, screening, tensor, nightly, packs, lists, demo),
//!   each with its logic over Arrow batches and its [`jobs::Job`] implementation;
//! - [`artifact`]: the deterministic Parquet writer, publication, ordered parallel reading
//!   and run summaries, shared by every job;
//! - [`generators`]: generated data for tests, the demo and benchmarks;
//! - [`zone`] (zone files and the domain registry, from `packs`), [`sql`] (DuckDB over a store) and
//!   [`report`] (the progress trait).
//!
//! The `mez` binary (`src/bin/mez/`) is the only code that prints, draws progress or reads
//! the system clock; this library takes a clock and a reporter from it.

pub mod artifact;
pub mod attest;
pub mod audit_page;
pub mod generators;
pub mod jobs;
pub mod report;
pub mod sql;
pub use packs::zone;
