//! Integration tests of the readers, on real files from `../shared/data` (skipped, saying
//! so, when absent) and on fixtures written here.

/// This package's directory, asked of cargo when the tests run. A test binary built in one
/// clone can be reused from a shared target directory by another clone of the same
/// sources, so the compile-time path (`env!`) may name a clone that is gone.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

mod akn_fixtures;
mod akn_samples;
mod pacs008_fixtures;
mod pacs008_samples;
mod sanctions_fixtures;
mod sanctions_samples;
