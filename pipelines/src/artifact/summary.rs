//! The machine summary every run command prints with `--json`.

use std::collections::BTreeMap;

use serde::Serialize;
use verify::Digest;
use verify::chain::Publication;

use crate::artifact::WrittenTable;

/// One table of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableSummary {
    pub digest: Digest,
    pub rows: u64,
    pub bytes: u64,
}

/// What a run wrote: manifest, tables, receipt and checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub job: String,
    pub chain: String,
    pub manifest: Digest,
    pub receipt: Digest,
    pub receipt_sequence: u64,
    pub checkpoint_size: u64,
    pub checkpoint_root: String,
    pub tables: BTreeMap<String, TableSummary>,
    pub quarantined: u64,
}

impl RunSummary {
    pub fn new(
        job: &str,
        tables: &[WrittenTable],
        quarantined: u64,
        publication: &Publication,
    ) -> Self {
        RunSummary {
            job: job.to_owned(),
            chain: publication.receipt.body.chain.clone(),
            manifest: publication.manifest,
            receipt: publication.receipt.digest,
            receipt_sequence: publication.receipt.body.sequence,
            checkpoint_size: publication.checkpoint.size,
            checkpoint_root: hex::encode(publication.checkpoint.root),
            tables: tables
                .iter()
                .map(|t| {
                    (
                        t.name.clone(),
                        TableSummary {
                            digest: t.digest,
                            rows: t.rows,
                            bytes: t.bytes,
                        },
                    )
                })
                .collect(),
            quarantined,
        }
    }
}
