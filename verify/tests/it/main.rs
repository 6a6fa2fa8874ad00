//! Integration tests of the trust kernel: published vectors, the MMR against a naive
//! model, the store on every backend (local directory, memory, a real S3 server), and the
//! auditor against tampered stores.

/// This package's directory, asked of cargo when the tests run. A test binary built in one
/// clone can be reused from a shared target directory by another clone of the same
/// sources, so the compile-time path (`env!`) may name a clone that is gone.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

mod audit;
mod backends;
mod credentials;
mod malformed;
mod mmr_model;
mod publication;
mod support;
mod vectors;
