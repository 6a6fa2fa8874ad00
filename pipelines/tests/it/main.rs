//! Integration tests of the pipelines crate: the artifact writer's determinism and the
//! `mez` binary end to end.

/// This package's directory, asked of cargo when the tests run. A test binary built in one
/// clone can be reused from a shared target directory by another clone of the same
/// sources, so the compile-time path (`env!`) may name a clone that is gone.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

mod artifact;
mod cli;
mod fetch;
mod generator;
mod lawpack;
mod netting;
mod nightly;
mod regpack;
mod samples;
mod schemas;
mod screen;
mod screening;
mod sql;
mod tensor;
