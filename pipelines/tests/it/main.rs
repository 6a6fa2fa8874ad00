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

/// Runs job `J` on `store`, signed by `signer` at the fixed time `unix_seconds`, silently,
/// and returns what it published.
fn run_job<J: pipelines::jobs::Job>(
    store: &verify::store::Store,
    signer: &verify::keys::SecretKey,
    unix_seconds: i64,
    params: &J::Params,
) -> pipelines::jobs::Finished<J::Extra> {
    let ctx = pipelines::jobs::Context {
        store,
        signer,
        trust: &verify::keys::TrustSet::default(),
        clock: &verify::clock::FixedClock(verify::clock::Timestamp::from_unix(unix_seconds)),
        reporter: &pipelines::report::Silent,
    };
    pipelines::jobs::run::<J>(&ctx, params).unwrap()
}

/// The trust kernel's test fixtures, the SeaweedFS S3 server among them (one per process).
#[allow(dead_code)]
#[path = "../../../verify/tests/it/support.rs"]
mod support;

mod artifact;
mod cli;
mod fetch;
mod generator;
mod lawpack;
mod netting;
mod nightly;
mod regpack;
mod reproducible;
mod roots;
mod samples;
mod schemas;
mod screen;
mod screening;
mod sql;
mod tensor;
