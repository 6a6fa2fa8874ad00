//! Our signed manifests as the reference implementations auditors use see them: every
//! manifest kind of a whole `mez demo` store verified by securesystemslib (DSSE envelope,
//! Ed25519 signature) and in-toto-attestation (Statement v1), subjects against the blobs,
//! and tampered envelopes rejected by them too (`pipelines/interop/dsse_intoto.py`).

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
        .filter(|p| {
            Command::new(p)
                .args(["-c", "import securesystemslib, in_toto_attestation"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if python.is_none() {
        assert!(
            std::env::var("MEZ_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "MEZ_REQUIRE_INTEROP=1 but no Python with securesystemslib and in-toto-attestation"
        );
        eprintln!(
            "SKIPPED the DSSE/in-toto interoperability test: pip install securesystemslib \
             in-toto-attestation cryptography into ~/.cache/mez/interop-venv"
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
    let zones = crate::manifest_dir().join("../jurisdictions");
    crate::succeeded(
        &crate::mez_command(d)
            .args([
                "--quiet",
                "demo",
                "--transfers",
                "300",
                "--transactions",
                "300",
                "--entities",
                "20",
                "--jurisdictions",
                zones.to_str().unwrap(),
            ])
            .output()
            .unwrap(),
    );
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
