//! # ingest — streaming readers from source formats to Arrow tables
//!
//! One module per format (pacs.008, sanctions lists, Akoma Ntoso), each a streaming,
//! namespace-aware reader that turns files into Arrow `RecordBatch`es and sets bad records
//! aside in a quarantine table, with errors naming file, byte offset and element path.
//! Readers never print, draw progress or write to a store: they return tables.
//!
//! The readers arrive with the pipelines that use them; this crate is the workspace's
//! fixed place for them.
