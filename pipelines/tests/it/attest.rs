//! `mez attest`: runs of a demo store as W3C Verifiable Credentials (eddsa-jcs-2022), the
//! same bytes every time, checked by `mez attest verify` and by Digital Bazaar's
//! independent implementation (npm); changed credentials and strangers' keys are refused.

use std::path::Path;
use std::process::Output;

use crate::{mez_command, succeeded};

fn mez(d: &Path, args: &[&str]) -> Output {
    mez_command(d)
        .args(["--key", "outputs/demo.key"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn runs_become_credentials_that_verify_and_changes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = crate::zones_demo(d, "300", "20");
    let netting = demo["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["job"] == "netting")
        .unwrap();
    let manifest = netting["manifest"].as_str().unwrap();
    succeeded(&mez(d, &["attest", manifest, "--out", "netting.vc.json"]));
    succeeded(&mez(d, &["attest", manifest, "--out", "again.vc.json"]));
    let bytes = std::fs::read(d.join("netting.vc.json")).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(d.join("again.vc.json")).unwrap(),
        "same run, same bytes"
    );
    let vc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-jcs-2022");
    assert!(vc["issuer"].as_str().unwrap().starts_with("did:key:z6Mk"));
    let subject = &vc["credentialSubject"];
    assert_eq!(subject["id"], format!("urn:mez:manifest:{manifest}"));
    assert_eq!(subject["job"], "netting");
    for output in subject["outputs"].as_array().unwrap() {
        let name = output["name"].as_str().unwrap();
        assert_eq!(
            output["digest"], netting["tables"][name]["digest"],
            "{name}"
        );
        assert_eq!(output["rows"], netting["tables"][name]["rows"], "{name}");
    }
    assert!(
        subject["chainRoot"]["root"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let o = mez(d, &["attest", "verify", "netting.vc.json"]);
    assert!(String::from_utf8_lossy(&succeeded_output(&o)).starts_with("valid: issued by"));
    // Digital Bazaar's Data Integrity implementation (npm) agrees.
    if let Some(modules) = vc_node_modules() {
        assert_eq!(
            digital_bazaar(&modules, &d.join("netting.vc.json")),
            Some(0)
        );
    }

    // Changed after signing: the proof fails.
    let mut changed = vc.clone();
    changed["credentialSubject"]["outputs"][0]["rows"] = 999_999.into();
    std::fs::write(d.join("changed.json"), changed.to_string()).unwrap();
    let o = mez(d, &["attest", "verify", "changed.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("does not verify"));
    if let Some(modules) = vc_node_modules() {
        assert_eq!(digital_bazaar(&modules, &d.join("changed.json")), Some(1));
    }
    // A valid proof by a key nobody trusts.
    succeeded(
        &mez_command(d)
            .args(["keygen", "--out", "stranger"])
            .output()
            .unwrap(),
    );
    let o = mez_command(d)
        .args([
            "--key",
            "stranger.key",
            "--store",
            "elsewhere",
            "attest",
            "verify",
            "netting.vc.json",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("not trusted"));
    // Only the run's signer issues its credential.
    let o = mez_command(d)
        .args([
            "--key",
            "stranger.key",
            "attest",
            manifest,
            "--trusted-key",
            "outputs/demo.pub",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));

    // A tensor's credential counts its cells per state.
    let tensor = demo["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["job"] == "tensor")
        .unwrap();
    let o = mez(d, &["attest", tensor["manifest"].as_str().unwrap()]);
    let vc: serde_json::Value = serde_json::from_slice(&succeeded_output(&o)).unwrap();
    let cells: u64 = vc["credentialSubject"]["cellsPerState"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(cells, tensor["tables"]["tensor"]["rows"].as_u64().unwrap());
    if let Some(modules) = vc_node_modules() {
        std::fs::write(d.join("tensor.vc.json"), vc.to_string()).unwrap();
        assert_eq!(digital_bazaar(&modules, &d.join("tensor.vc.json")), Some(0));
    }
}

/// Digital Bazaar's jsonld-signatures, data-integrity and eddsa-jcs-2022-cryptosuite from
/// npm (`MEZ_VC_NODE_MODULES`, else the folder `.ci/run` fills), with node; `None`, saying
/// so, when absent (a failure under `MEZ_REQUIRE_INTEROP=1`).
fn vc_node_modules() -> Option<std::path::PathBuf> {
    let modules = std::env::var_os("MEZ_VC_NODE_MODULES")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| std::path::PathBuf::from(h).join(".cache/mez/vc-node/node_modules"))
        })
        .filter(|m| m.join("@digitalbazaar/eddsa-jcs-2022-cryptosuite").is_dir())
        .filter(|_| crate::runs("node", &["--version"]));
    if modules.is_none() {
        crate::missing(
            "MEZ_REQUIRE_INTEROP",
            "node or the Digital Bazaar packages (~/.cache/mez/vc-node)",
        );
    }
    modules
}

/// The exit code of Digital Bazaar's verification of `credential`.
fn digital_bazaar(modules: &Path, credential: &Path) -> Option<i32> {
    let o = std::process::Command::new("node")
        .arg(crate::manifest_dir().join("interop/vc_verify.mjs"))
        .arg(credential)
        .env("NODE_PATH", modules)
        .output()
        .unwrap();
    eprintln!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o.status.code()
}

fn succeeded_output(o: &Output) -> Vec<u8> {
    succeeded(o);
    o.stdout.clone()
}
