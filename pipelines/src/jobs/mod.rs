//! The bulk jobs. Every job has the same shape, so that a newcomer knows where to look and
//! so that what all jobs share (writing, publishing, and later splitting into map units and
//! a merge) is written once:
//!
//! 1. **Logic**: pure functions over Arrow batches or plain rows (`netting::net`,
//!    `screening::screen`, `tensor::eval`), with no store, key or clock.
//! 2. **Produce**: [`Job::produce`] reads the inputs, runs the logic and writes the result
//!    tables with the artifact writer; it returns them unpublished, with a
//!    [`RunDescription`] of the run (job, chain, parameters, inputs by digest, semantic
//!    roots).
//! 3. **Publish**: [`run`] publishes what `produce` returned through the one publication
//!    step, [`crate::artifact::publish()`] (manifest → receipt → checkpoint → ref).
//!
//! A job is a unit struct implementing [`Job`]; `jobs::run::<Netting>(&ctx, &params)` runs
//! it. The [`Context`] carries what every job runs with: the store, the signing key, the
//! trusted keys, the clock and the progress reporter. `nightly` is a job of jobs: it runs
//! the pack jobs through [`run`] and publishes its locks through the same step.

pub mod demo;
pub mod inputs;
pub mod lists;
pub mod netting;
pub mod nightly;
pub mod packs;
pub mod roots;
pub mod screening;
pub mod shards;
pub mod tensor;

use std::path::PathBuf;

use verify::clock::Clock;
use verify::keys::{SecretKey, TrustSet};
use verify::store::Store;

use crate::artifact::{self, ArtifactError, RunDescription, RunSummary, WrittenTable};
use crate::report::Reporter;

pub use inputs::{Inputs, NamedFile, PACS008_SUFFIXES, expand_inputs};

/// Errors that stop a job (bad records and files never do: they are quarantined).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobError {
    #[error("{path}: {reason}", path = path.display())]
    Input { path: PathBuf, reason: String },
    #[error(transparent)]
    Ingest(#[from] ingest::IngestError),
    #[error(transparent)]
    Netting(#[from] netting::NettingError),
    #[error(transparent)]
    Shard(#[from] shards::ShardError),
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    #[error(transparent)]
    Verify(#[from] verify::Error),
    #[error(transparent)]
    Ordered(#[from] artifact::ordered::OrderedError),
}

impl JobError {
    /// An input that cannot be used, and why.
    pub fn input(path: impl Into<PathBuf>, reason: impl ToString) -> Self {
        JobError::Input {
            path: path.into(),
            reason: reason.to_string(),
        }
    }
}

/// What every job runs with.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub store: &'a Store,
    pub signer: &'a SecretKey,
    /// Keys whose earlier checkpoints on a chain are accepted when appending to it.
    pub trust: &'a TrustSet,
    /// The only source of time: manifests and receipts carry it, tables never do.
    pub clock: &'a dyn Clock,
    pub reporter: &'a dyn Reporter,
}

impl Context<'_> {
    /// Whose runs a job may read: the trusted keys and the signer's own.
    pub fn readers(&self) -> TrustSet {
        let mut trust = self.trust.clone();
        trust.add(self.signer.public());
        trust
    }
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("store", self.store)
            .field("signer", &self.signer.public().key_id())
            .finish_non_exhaustive()
    }
}

/// What a job produced: its tables, written to the store but not yet published, the
/// description of its run, and what it reports beyond the summary (`extra`).
#[derive(Debug)]
pub struct Produced<E> {
    pub run: RunDescription,
    pub tables: Vec<WrittenTable>,
    pub extra: E,
}

/// A published job: its tables, the run's summary and the job's `extra` report.
#[derive(Debug)]
pub struct Finished<E> {
    pub tables: Vec<WrittenTable>,
    pub summary: RunSummary,
    pub extra: E,
}

/// One bulk job: parameters in, tables out.
pub trait Job {
    /// What the job is asked to do.
    type Params;
    /// What the job reports beyond its tables (counts, a report), `()` when nothing.
    type Extra;
    /// Reads the inputs and writes the result tables (unpublished).
    fn produce(ctx: &Context<'_>, params: &Self::Params)
    -> Result<Produced<Self::Extra>, JobError>;
}

/// Runs job `J` and publishes its tables as one signed run.
pub fn run<J: Job>(ctx: &Context<'_>, params: &J::Params) -> Result<Finished<J::Extra>, JobError> {
    let Produced { run, tables, extra } = J::produce(ctx, params)?;
    let summary = artifact::publish(ctx.store, ctx.signer, ctx.trust, ctx.clock, run, &tables)?;
    Ok(Finished {
        tables,
        summary,
        extra,
    })
}
