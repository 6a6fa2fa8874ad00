//! What we sign, as the implementations auditors already trust see it (`pipelines/interop/`):
//! every manifest kind verified by securesystemslib (DSSE, Ed25519) and in-toto-attestation
//! (Statement v1); every checkpoint by Go's `golang.org/x/mod/sumdb/note`; every inclusion
//! and consistency proof by an RFC 9162 implementation of its own; tampered copies refused
//! by each; every table read alike by pyarrow, polars, DuckDB and Spark.

use std::path::PathBuf;
use std::process::Command;

/// Python with securesystemslib and in-toto-attestation (`MEZ_INTEROP_PYTHON`, else the
/// venv `.ci/run` makes); `None`, saying so, when absent (a failure under
/// `MEZ_REQUIRE_INTEROP=1`).
fn interop_python() -> Option<PathBuf> {
    let python = std::env::var_os("MEZ_INTEROP_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cache/mez/interop-venv/bin/python"))
        })
        .filter(|p| crate::runs(p, &["-c", "import securesystemslib, in_toto_attestation"]));
    if python.is_none() {
        crate::missing(
            "MEZ_REQUIRE_INTEROP",
            "a Python with securesystemslib and in-toto-attestation (~/.cache/mez/interop-venv)",
        );
    }
    python
}

#[test]
fn every_manifest_kind_verifies_with_securesystemslib_and_in_toto() {
    let Some(python) = interop_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::zones_demo(d, "300", "20");
    let o = Command::new(&python)
        .arg(crate::manifest_dir().join("interop/dsse_intoto.py"))
        .arg(d.join("outputs"))
        .arg(d.join("outputs/demo.pub"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    assert!(o.status.success(), "{report:#}");
    let manifests = report["manifests"].as_u64().unwrap();
    assert!(manifests >= 8, "{report:#}");
    assert_eq!(report["verified"], manifests, "{report:#}");
    assert_eq!(report["tampered_rejected"], manifests, "{report:#}");
    for job in [
        "netting",
        "screening",
        "lawpack",
        "regpack",
        "licensepack",
        "tensor",
        "nightly",
    ] {
        assert!(
            report["jobs"][job].as_u64().unwrap_or(0) > 0,
            "{job}: {report:#}"
        );
    }
}

/// Go with `golang.org/x/mod/sumdb/note` (Debian `golang-go`, `golang-golang-x-mod-dev`);
/// `false`, saying so, when absent (a failure under `MEZ_REQUIRE_INTEROP=1`).
fn go_with_note() -> bool {
    let ok = crate::runs("go", &["version"])
        && std::path::Path::new("/usr/share/gocode/src/golang.org/x/mod/sumdb/note").is_dir();
    if !ok {
        crate::missing(
            "MEZ_REQUIRE_INTEROP",
            "Go with golang.org/x/mod/sumdb/note (golang-go, golang-golang-x-mod-dev)",
        );
    }
    ok
}

/// Every checkpoint of a store (two demo runs: chains of several sizes) verified by the
/// Go checksum database's signed-note package, a changed root refused by it; every
/// inclusion proof (leaf hashes computed from the receipt files) and every consistency
/// proof between verified checkpoints checked by an independent RFC 9162 implementation
/// in Python, changed proofs refused (`pipelines/interop/`).
#[test]
fn checkpoints_verify_with_go_sumdb_note_and_proofs_with_an_independent_rfc9162() {
    if !go_with_note() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let zones = crate::manifest_dir().join("../jurisdictions");
    for extra in [
        vec![
            "--jurisdictions",
            zones.to_str().unwrap(),
            "--entities",
            "20",
        ],
        vec!["--no-zones", "--seed", "7"],
    ] {
        crate::succeeded(
            &crate::mez_command(d)
                .args([
                    "--quiet",
                    "demo",
                    "--transfers",
                    "200",
                    "--transactions",
                    "200",
                ])
                .args(&extra)
                .output()
                .unwrap(),
        );
    }
    let mut checkpoints: Vec<PathBuf> = Vec::new();
    let mut pending = vec![d.join("outputs/log")];
    while let Some(p) = pending.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "note") {
                checkpoints.push(path);
            }
        }
    }
    checkpoints.sort();
    let cache = d.join("go-cache");
    let o = Command::new("go")
        .arg("run")
        .arg(crate::manifest_dir().join("interop/note_verify.go"))
        .arg(d.join("outputs/demo.pub"))
        .args(&checkpoints)
        .env("GOPATH", "/usr/share/gocode")
        .env("GO111MODULE", "off")
        .env("GOCACHE", &cache)
        .output()
        .unwrap();
    let verified = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{verified}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<serde_json::Value> = verified
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), checkpoints.len());
    assert!(
        lines
            .iter()
            .all(|l| l["ok"] == true && l["tamper_rejected"] == true)
    );
    assert!(
        lines.iter().any(|l| l["size"].as_u64().unwrap() >= 4),
        "a chain of several receipts"
    );
    std::fs::write(d.join("checkpoints.jsonl"), &verified).unwrap();

    let o = Command::new("python3")
        .arg(crate::manifest_dir().join("interop/rfc9162.py"))
        .arg(env!("CARGO_BIN_EXE_mez"))
        .arg(d.join("outputs"))
        .arg(d.join("checkpoints.jsonl"))
        .current_dir(d)
        .env_remove("MEZ_STORE")
        .env_remove("MEZ_KEY")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    assert!(o.status.success(), "{report:#}");
    let receipts = std::fs::read_dir(d.join("outputs/log"))
        .unwrap()
        .map(|c| {
            std::fs::read_dir(c.unwrap().path().join("receipts"))
                .unwrap()
                .count()
        })
        .sum::<usize>();
    assert_eq!(
        report["inclusion"].as_u64().unwrap() as usize,
        receipts,
        "{report:#}"
    );
    assert!(report["consistency"].as_u64().unwrap() >= 3, "{report:#}");
    assert!(
        report["tampered_rejected"].as_u64().unwrap() > 0,
        "{report:#}"
    );
}

/// Every table of a whole `mez demo` store read by pyarrow, polars, DuckDB and Apache Spark
/// (local mode): the same rows, the same kind of value in every column and the same values
/// as `mez export --format jsonl` (`pipelines/interop/parquet_engines.py`).
#[test]
fn every_table_reads_the_same_in_pyarrow_polars_duckdb_and_spark() {
    let Some(python) = interop_python() else {
        return;
    };
    let engines = crate::runs(&python, &["-c", "import pyarrow, polars, duckdb, pyspark"])
        && crate::runs("java", &["-version"]);
    if !engines {
        crate::missing(
            "MEZ_REQUIRE_INTEROP",
            "pyarrow, polars, duckdb, pyspark or a JDK",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::zones_demo(d, "300", "20");
    let exports = d.join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let mut tables = 0;
    for blob in std::fs::read_dir(d.join("outputs/blobs/sha256")).unwrap() {
        let blob = blob.unwrap().path();
        let bytes = std::fs::read(&blob).unwrap();
        if !bytes.starts_with(b"PAR1") {
            continue;
        }
        let hex = blob.file_name().unwrap().to_str().unwrap().to_owned();
        let out = exports.join(format!("{hex}.jsonl"));
        crate::succeeded(
            &crate::mez_command(d)
                .args([
                    "--key",
                    "outputs/demo.key",
                    "export",
                    &format!("sha256:{hex}"),
                ])
                .args(["--format", "jsonl", "--out", out.to_str().unwrap()])
                .output()
                .unwrap(),
        );
        tables += 1;
    }
    let o = Command::new(&python)
        .arg(crate::manifest_dir().join("interop/parquet_engines.py"))
        .arg(d.join("outputs"))
        .arg(&exports)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    assert!(o.status.success(), "{report:#}");
    assert_eq!(report["tables"], tables, "{report:#}");
    assert!(report["rows"].as_u64().unwrap() > 1000, "{report:#}");
}
