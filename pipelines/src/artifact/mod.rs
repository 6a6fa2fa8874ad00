//! Everything between a job's tables and a published run, shared by every job so that no
//! job writes or publishes in its own way:
//!
//! - [`writer`]: the deterministic Parquet writer (same rows ⇒ same bytes ⇒ same digest),
//!   whole tables or streamed, and reading tables back;
//! - [`publish`](mod@publish): a run's in-toto statement over its tables, signed, on its chain with a
//!   receipt and a checkpoint (`verify::chain`), and the run's ref;
//! - [`ordered`]: many inputs read in parallel, consumed in input order, in bounded memory;
//! - [`summary`]: what a published run reports (`--json`).
//!
//! Errors are [`ArtifactError`]: the artifact layer knows nothing of the jobs above it.

pub mod ordered;
pub mod publish;
pub mod splice;
pub mod summary;
pub mod writer;

pub use publish::{RunDescription, publish};
pub use splice::splice;
pub use summary::RunSummary;
pub use writer::{
    ArtifactError, BATCH_ROWS, CREATED_BY, ROW_GROUP_ROWS, TableFile, TableWriter, WrittenTable,
    encode, read_table, store_table_file, write_table,
};
