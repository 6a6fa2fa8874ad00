//! # pipelines — mez bulk jobs and the artifact writer
//!
//! Jobs are plain functions over Arrow batches that return tables; the artifact writer
//! turns tables into reproducible Parquet and stores them; `verify` publishes them. The
//! `mez` binary (in `main.rs` and `commands/`) is the only place that prints, draws
//! progress or reads the system clock.

pub mod artifact;
pub mod demo;
pub mod fetch;
pub mod gen_names;
pub mod gen_pacs008;
pub mod gen_zone;
pub mod lawpack_run;
pub mod licensepack_run;
pub mod netting;
pub mod netting_run;
pub mod nightly;
pub mod ordered;
pub mod publish;
pub mod regpack_run;
pub mod report;
pub mod screening;
pub mod screening_eval;
pub mod screening_run;
pub mod sql;
pub mod summary;
pub mod tensor;
pub mod tensor_run;
pub mod zone;
