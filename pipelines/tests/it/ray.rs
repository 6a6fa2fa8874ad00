//! Jobs on a real Ray cluster (a head and one more node, with a SeaweedFS S3 store, all
//! inside a network namespace of their own), through the driver in `pipelines/ray/`:
//! netting in 1, 3 and 7 shards and with a map worker killed mid-task, screening in 5
//! ranges, the nightly of the zones as one task per pack: every table, and every lock, is
//! byte-identical to the one-machine run.

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
    let has = |program: &str| crate::runs("sh", &["-c", &format!("command -v {program}")]);
    let missing = match &python {
        None => Some("Python with Ray (pip install ray==2.60.0 into ~/.cache/mez/ray-venv)"),
        Some(_) if !has("weed") => Some("SeaweedFS (weed)"),
        Some(_) if !has("unshare") || !has("ip") => Some("unshare and ip (util-linux, iproute2)"),
        Some(_) => None,
    };
    if let Some(what) = missing {
        crate::missing("MEZ_REQUIRE_RAY", what);
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
fn jobs_on_a_ray_cluster_are_byte_identical_to_one_machine() {
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
                "--json",
                "--store",
                "one",
                "--key",
                "ops.key",
                "netting",
                "run",
                "--input",
                "day",
                // Segments small enough for every shard of 3 and most of 7 to get files.
                "--segment-bytes",
                "100000",
            ])
            .output()
            .unwrap(),
    ));
    assert_eq!(one.len(), 9);

    // Screening: generated names against a regpack of a list of our own.
    std::fs::write(
        d.join("list.csv"),
        "id,name,type,aliases,dob,countries,programs\n\
         L1,\"HADDAD, Omar Khalil\",individual,Omar Haddad,1971-04-02,Lebanon,TEST\n\
         L2,Northwind Maritime Holdings LLC,entity,,,Panama,TEST\n",
    )
    .unwrap();
    succeeded(
        &mez_command(d)
            .args([
                "gen",
                "names",
                "--out",
                "names.csv",
                "--count",
                "2000",
                "--seed",
                "9",
            ])
            .output()
            .unwrap(),
    );
    let mut names = std::fs::read_to_string(d.join("names.csv")).unwrap();
    names.push_str("x1,Omar Khalil Hadad,1971-04-02,LB\nx2,,,\nx3,Northwind Maritime,,PA\n");
    std::fs::write(d.join("names.csv"), names).unwrap();
    let local = |args: &[&str]| {
        mez_command(d)
            .args(["--json", "--store", "screen-one", "--key", "ops.key"])
            .args(args)
            .output()
            .unwrap()
    };
    succeeded(&local(&[
        "regpack",
        "build",
        "--jurisdiction",
        "test",
        "--lists",
        "list.csv",
    ]));
    let screened = tables(&succeeded_json(&local(&[
        "screen",
        "--names",
        "names.csv",
        "--regpack",
        "runs/regpack-test/latest",
    ])));

    // The nightly of the zones, on generated sources.
    let repo = crate::manifest_dir().join("..");
    for copy in ["jur-one", "jur-ray"] {
        crate::nightly::copy_dir(&repo.join("jurisdictions"), &d.join(copy));
    }
    succeeded(
        &mez_command(d)
            .args([
                "gen",
                "sources",
                "--out",
                "sources",
                "--entities",
                "10",
                "--jurisdictions",
                "jur-one",
            ])
            .output()
            .unwrap(),
    );
    let nightly = succeeded_json(
        &mez_command(d)
            .args([
                "--json",
                "--store",
                "nightly-one",
                "--key",
                "ops.key",
                "nightly",
                "--jurisdictions",
                "jur-one",
                "--sources",
                "sources",
                "--as-of",
                "2026-11-23",
            ])
            .output()
            .unwrap(),
    );

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
    let read = |run: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(d.join(format!("ray-{run}.json"))).unwrap())
            .unwrap()
    };
    assert_eq!(tables(&read("screen")), screened, "screening");
    assert_eq!(screened.len(), 3, "matches, coverage, quarantine");
    assert_eq!(read("nightly"), nightly, "nightly report");
    let mut locks = 0;
    for zone in std::fs::read_dir(d.join("jur-one")).unwrap() {
        let zone = zone.unwrap();
        let lock = zone.path().join("stack.lock");
        if lock.is_file() {
            let ray = d.join("jur-ray").join(zone.file_name()).join("stack.lock");
            assert_eq!(
                std::fs::read(&ray).ok(),
                std::fs::read(&lock).ok(),
                "{ray:?}"
            );
            locks += 1;
        }
    }
    assert_eq!(locks, 6, "the six zones' locks");
}
