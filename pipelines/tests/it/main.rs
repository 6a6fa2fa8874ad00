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

/// The `mez` binary, to run in `dir` without a store or key taken from the caller's
/// environment.
fn mez_command(dir: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mez"));
    command
        .current_dir(dir)
        .env_remove("MEZ_STORE")
        .env_remove("MEZ_KEY");
    command
}

/// A `mez` run's standard output, once it is asserted to have exited 0 (its output shown
/// otherwise).
fn succeeded(o: &std::process::Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A `mez --json` run's report, once it is asserted to have exited 0; null when it printed
/// none.
fn succeeded_json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&succeeded(o)).unwrap_or(serde_json::Value::Null)
}

/// A whole `mez --json demo` run in `dir` (its store `outputs/`, its key
/// `outputs/demo.key`): transfers, the netting of a generated day, and for the repository's
/// six zones the nightly, screening and tensor. Returns its report.
fn zones_demo(dir: &std::path::Path, transactions: &str, entities: &str) -> serde_json::Value {
    let zones = manifest_dir().join("../jurisdictions");
    succeeded_json(
        &mez_command(dir)
            .args([
                "--json",
                "demo",
                "--transfers",
                "300",
                "--transactions",
                transactions,
            ])
            .args([
                "--entities",
                entities,
                "--jurisdictions",
                zones.to_str().unwrap(),
            ])
            .output()
            .unwrap(),
    )
}

/// A generated pacs.008 day in `dir/day`: `transactions` payments over `files` files, and
/// whatever else `extra` asks of `mez gen pacs008`.
fn gen_day(dir: &std::path::Path, transactions: &str, files: &str, extra: &[&str]) {
    let mut args = vec![
        "--quiet",
        "gen",
        "pacs008",
        "--out",
        "day",
        "--transactions",
        transactions,
        "--files",
        files,
    ];
    args.extend_from_slice(extra);
    mez_ok(dir, &args);
}

/// Runs `mez` with `args` in `dir`, which must succeed; its stdout.
fn mez_ok(dir: &std::path::Path, args: &[&str]) -> String {
    succeeded(&mez_command(dir).args(args).output().unwrap())
}

/// Whether `program` runs with `args` and exits 0 (an outside tool is installed and works).
fn runs(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> bool {
    std::process::Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// An outside tool a test needs is missing: it is skipped, saying so, unless the variable
/// `require` is 1 (as CI sets it), when it fails.
fn missing(require: &str, what: &str) {
    assert!(
        std::env::var(require).as_deref() != Ok("1"),
        "{require}=1 but {what} is missing"
    );
    eprintln!("SKIPPED: {what} is missing");
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
mod attest;
mod cli;
mod conflicts;
mod crash;
mod fetch;
mod generator;
mod hostile;
mod interop;
mod lawpack;
mod netting;
mod nightly;
mod ray;
mod regpack;
mod report_page;
mod reproducible;
mod roots;
mod samples;
mod schemas;
mod screen;
mod screening;
mod shard;
mod sql;
mod storage_faults;
mod tensor;
