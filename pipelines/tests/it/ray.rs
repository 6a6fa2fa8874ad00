//! The netting job on a real Ray cluster (a head and one more node, with a SeaweedFS S3
//! store, all inside a network namespace of their own), through the driver in
//! `pipelines/ray/`: in 1, 3 and 7 shards, and with a map worker killed mid-task, every
//! table is byte-identical to `mez netting run` on one machine.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use crate::{mez_command, succeeded, succeeded_json};

/// Python with Ray installed (`MEZ_RAY_PYTHON`, else the venv `.ci/run` makes), and the
/// other parts the cluster needs; `None`, saying why, when something is missing (a failure
/// instead under `MEZ_REQUIRE_RAY=1`).
fn cluster_parts() -> Option<PathBuf> {
    let python = std::env::var_os("MEZ_RAY_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cache/mez/ray-venv/bin/python"))
        })
        .filter(|p| p.is_file());
    let has = |program: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let missing = match &python {
        None => Some("Python with Ray (pip install ray==2.60.0 into ~/.cache/mez/ray-venv)"),
        Some(_) if !has("weed") => Some("SeaweedFS (weed)"),
        Some(_) if !has("unshare") || !has("ip") => Some("unshare and ip (util-linux, iproute2)"),
        Some(_) => None,
    };
    if let Some(what) = missing {
        assert!(
            std::env::var("MEZ_REQUIRE_RAY").as_deref() != Ok("1"),
            "MEZ_REQUIRE_RAY=1 but {what} is missing"
        );
        eprintln!("SKIPPED the Ray cluster test: {what} is missing");
        return None;
    }
    python
}

fn tables(summary: &serde_json::Value) -> BTreeMap<String, String> {
    summary["tables"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, t)| (name.clone(), t["digest"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn netting_on_a_ray_cluster_is_byte_identical_to_one_machine() {
    let Some(python) = cluster_parts() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    succeeded(
        &mez_command(d)
            .args([
                "gen",
                "pacs008",
                "--out",
                "day",
                "--transactions",
                "3000",
                "--banks",
                "6",
                "--files",
                "6",
                "--singles",
                "8",
                "--duplicates",
                "6",
                "--conflicts",
                "2",
                "--currencies",
                "EUR,USD",
            ])
            .output()
            .unwrap(),
    );
    // A bulk file delivered again under a name that sorts last: its payments are
    // duplicates of payments in another shard.
    std::fs::copy(
        d.join("day/bulk-0000.xml"),
        d.join("day/zz-bulk-0000-again.xml"),
    )
    .unwrap();
    succeeded(
        &mez_command(d)
            .args(["keygen", "--out", "ops"])
            .output()
            .unwrap(),
    );
    let one = tables(&succeeded_json(
        &mez_command(d)
            .args([
                "--json", "--store", "one", "--key", "ops.key", "netting", "run", "--input", "day",
            ])
            .output()
            .unwrap(),
    ));
    assert_eq!(one.len(), 9);

    let script = crate::manifest_dir().join("ray/cluster_test.sh");
    let o = Command::new("unshare")
        .args(["--net", "--fork", "bash"])
        .arg(&script)
        .arg(d)
        .arg(env!("CARGO_BIN_EXE_mez"))
        .arg(&python)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for run in ["shards-1", "shards-3", "shards-7", "killed"] {
        let text = std::fs::read_to_string(d.join(format!("ray-{run}.json"))).unwrap();
        let summary: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{run}: {e}: {text}"));
        assert_eq!(tables(&summary), one, "{run}");
    }
    let victim = std::fs::read_to_string(d.join("ray-killed.victim")).unwrap();
    assert_ne!(victim.trim(), "none", "no map worker was killed");
}
