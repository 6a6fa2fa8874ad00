//! Integration tests of the readers, on real files from `../shared/data` (skipped, saying
//! so, when absent) and on fixtures written here.

mod akn_fixtures;
mod akn_samples;
mod pacs008_fixtures;
mod pacs008_samples;
mod sanctions_fixtures;
mod sanctions_samples;
