//! Developer tasks, run through cargo aliases (`.cargo/config.toml`):
//!
//! - `cargo xtest [ARGS]` — fetch libduckdb if needed, then `cargo test --workspace [ARGS]`;
//!   without ARGS, then also the auditor's build of `verify` (`--no-default-features`: no
//!   cloud backends, `sha2` for every digest), which the workspace build never compiles;
//! - `cargo mez ARGS` — fetch libduckdb if needed, then run the `mez` CLI;
//! - `cargo xtask duckdb` — only fetch libduckdb and print where it is.
//!
//! Why: `mez sql` and the tests' SQL oracle use DuckDB. Building DuckDB's C++ from source
//! (the crate's `bundled` feature) takes about 25 minutes on two cores; linking the
//! official prebuilt `libduckdb.so` 1.5.6 instead takes under a minute. The library comes
//! from the npm registry package `@duckdb/node-bindings-linux-x64` (the same build DuckDB
//! ships), unpacked into `.duckdb/1.5.6/` at the workspace root (git-ignored). The `mez`
//! binary finds it at run time through an rpath set by `pipelines/build.rs`.
//! Set `DUCKDB_LIB_DIR` to use a libduckdb 1.5.x of your own instead.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const DUCKDB_VERSION: &str = "1.5.6";
const NPM_PACKAGE: &str = "@duckdb/node-bindings-linux-x64@1.5.6-r.1";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("duckdb") => ensure_duckdb(&root).map(|dir| {
            println!("{}", dir.display());
            0
        }),
        Some("test") => ensure_duckdb(&root).and_then(|dir| {
            let code = cargo(&root, &dir, &["test", "--workspace"], &args[1..])?;
            if code != 0 || args.len() > 1 {
                return Ok(code);
            }
            let auditor = ["test", "--package", "verify", "--no-default-features"];
            cargo(&root, &dir, &auditor, &[])
        }),
        Some("mez") => ensure_duckdb(&root).and_then(|dir| {
            cargo(
                &root,
                &dir,
                &[
                    "run",
                    "--quiet",
                    "--package",
                    "pipelines",
                    "--bin",
                    "mez",
                    "--",
                ],
                &args[1..],
            )
        }),
        _ => Err("usage: cargo xtask duckdb | cargo xtest [ARGS] | cargo mez ARGS".to_owned()),
    };
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::from(2)
        }
    }
}

/// The workspace this xtask was run for. `cargo run` sets `CARGO_MANIFEST_DIR` at run time;
/// the compile-time value is only a fallback, since one target directory may serve several
/// clones and the binary may have been built for another.
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned)
}

/// The directory holding libduckdb.so and duckdb.h, fetched on first use.
fn ensure_duckdb(root: &Path) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("DUCKDB_LIB_DIR").map(PathBuf::from)
        && dir.join("libduckdb.so").is_file()
    {
        return Ok(dir);
    }
    let dir = root.join(".duckdb").join(DUCKDB_VERSION);
    if dir.join("libduckdb.so").is_file() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!(
        "xtask: fetching libduckdb {DUCKDB_VERSION} ({NPM_PACKAGE}) into {}",
        dir.display()
    );
    let pack = Command::new("npm")
        .args(["pack", "--silent", NPM_PACKAGE])
        .current_dir(&dir)
        .output()
        .map_err(|e| {
            format!("cannot run npm ({e}); install Node.js and npm, or set DUCKDB_LIB_DIR")
        })?;
    if !pack.status.success() {
        return Err(format!(
            "npm pack {NPM_PACKAGE} failed: {}",
            String::from_utf8_lossy(&pack.stderr)
        ));
    }
    let tarball = String::from_utf8_lossy(&pack.stdout)
        .trim()
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    let untar = Command::new("tar")
        .args([
            "xzf",
            &tarball,
            "--strip-components=1",
            "package/libduckdb.so",
        ])
        .current_dir(&dir)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if !untar.success() || !dir.join("libduckdb.so").is_file() {
        return Err(format!("{tarball} did not contain package/libduckdb.so"));
    }
    let _ = std::fs::remove_file(dir.join(&tarball));
    Ok(dir)
}

fn cargo(root: &Path, duckdb: &Path, base: &[&str], extra: &[String]) -> Result<i32, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(base)
        .args(extra)
        .current_dir(root)
        .env("DUCKDB_LIB_DIR", duckdb)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    Ok(status.code().unwrap_or(1))
}
