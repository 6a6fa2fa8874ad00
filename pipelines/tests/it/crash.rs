//! Crash consistency: `mez netting run`, `mez screen`, `mez lawpack build` and `mez
//! nightly` killed with SIGKILL at seeded random moments, on the local store and on the
//! SeaweedFS S3 server.
//!
//! Each job first runs uninterrupted on a store of its own (the reference). Then, for each
//! kill point, it starts on a fresh store and is killed after a delay drawn (seeded): every
//! other kill point from 0 to 1.2 × the reference's duration, the others from 0.85 to 1.05
//! × (where a run publishes), so that kills land before the first write, among the blobs,
//! between manifest and receipt, between receipt and checkpoint, and after the end. After each kill, `mez verify` must show nothing half-published: it passes (orphan
//! blobs and staging leftovers are notes, never artifacts), or it fails only because a
//! manifest has no receipt yet (which it says, with the command that completes it), or the
//! store is still empty. Then the same command runs again to the end, and `mez verify`
//! must pass with every table digest (for the nightly: every `stack.lock`) equal to the
//! reference's.
//!
//! `MEZ_CRASH_TRIALS` sets the kill points per job and store (default 4, as CI runs; the
//! closing note's figures come from 50).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use pipelines::generators::SplitMix64;

fn trials() -> usize {
    std::env::var("MEZ_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

/// A job under test: its arguments after the store and key, and whether it writes its
/// locks into a zones folder of its own (the nightly).
struct Job {
    name: &'static str,
    args: Vec<String>,
    zones: bool,
}

/// Inputs every job reads, generated once into `d`.
fn setup(d: &Path) -> Vec<Job> {
    let ok = |args: &[&str]| crate::mez_ok(d, args);
    ok(&["keygen", "--out", "k"]);
    crate::nightly::copy_dir(
        &crate::manifest_dir().join("../jurisdictions"),
        &d.join("zones"),
    );
    crate::gen_day(d, "40000", "6", &["--duplicates", "10"]);
    ok(&[
        "--quiet",
        "gen",
        "sources",
        "--out",
        "sources",
        "--entities",
        "10",
        "--jurisdictions",
        "zones",
    ]);
    ok(&[
        "--quiet",
        "gen",
        "names",
        "--out",
        "names.csv",
        "--count",
        "20000",
    ]);
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    vec![
        Job {
            name: "netting",
            args: s(&["netting", "run", "--input", "day"]),
            zones: false,
        },
        Job {
            name: "screen",
            args: s(&[
                "screen",
                "--names",
                "names.csv",
                "--lists",
                "sources/lists/ofac-sdn/ofac-sdn.csv",
                "sources/lists/un-consolidated/un-consolidated.csv",
            ]),
            zones: false,
        },
        Job {
            name: "lawpack",
            args: s(&[
                "lawpack",
                "build",
                "--jurisdiction",
                "ae-adgm",
                "--input",
                "sources/law/ae-adgm",
            ]),
            zones: false,
        },
        Job {
            name: "nightly",
            args: s(&["nightly", "--sources", "sources", "--as-of", "2026-11-23"]),
            zones: true,
        },
    ]
}

/// Where a trial publishes: the store URL, the environment to reach it, and the zones
/// folder of its own (for the nightly).
struct Target {
    store: String,
    env: Vec<(String, String)>,
    zones: PathBuf,
}

fn command(d: &Path, t: &Target, job: &Job) -> Command {
    let mut c = crate::mez_command(d);
    c.envs(t.env.iter().map(|(k, v)| (k, v)))
        .args(["--quiet", "--json", "--store", &t.store, "--key", "k.key"])
        .args(&job.args);
    if job.zones {
        c.arg("--jurisdictions").arg(&t.zones);
    }
    c
}

fn verify(d: &Path, t: &Target) -> Output {
    crate::mez_command(d)
        .envs(t.env.iter().map(|(k, v)| (k, v)))
        .args([
            "--json",
            "--store",
            &t.store,
            "verify",
            "--trusted-key",
            "k.pub",
        ])
        .output()
        .unwrap()
}

/// What a finished run published: its tables' digests, or for the nightly its locks.
fn outcome(t: &Target, job: &Job, o: &Output) -> BTreeMap<String, String> {
    assert!(
        o.status.success(),
        "{}: {}",
        job.name,
        String::from_utf8_lossy(&o.stderr)
    );
    if job.zones {
        let mut locks = BTreeMap::new();
        for e in std::fs::read_dir(&t.zones).unwrap().flatten() {
            let lock = e.path().join("stack.lock");
            if lock.is_file() {
                let name = e.file_name().to_string_lossy().into_owned();
                locks.insert(name, std::fs::read_to_string(lock).unwrap());
            }
        }
        assert!(!locks.is_empty(), "the nightly wrote no lock");
        return locks;
    }
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    summary["tables"]
        .as_object()
        .unwrap_or_else(|| panic!("{}: no tables in {summary}", job.name))
        .iter()
        .map(|(name, t)| (name.clone(), t["digest"].as_str().unwrap().to_owned()))
        .collect()
}

/// What `mez verify` showed right after a kill (panics on anything half-published).
fn after_kill(job: &str, o: &Output) -> &'static str {
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    match o.status.code() {
        Some(2) => {
            // Killed before its first write: no store directory, or an empty prefix.
            assert!(
                stderr.contains("nothing to verify") || stderr.contains("no store here"),
                "{job}: {stderr}"
            );
            "nothing written"
        }
        Some(0) | Some(1) => {
            let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let failures = r["failures"].as_array().unwrap();
            for f in failures {
                assert_eq!(
                    f["check"], "receipt",
                    "{job}: a half-published store: {stdout}"
                );
                assert!(
                    f["found"].as_str().unwrap().contains("publish --adopt"),
                    "{f}"
                );
            }
            if !failures.is_empty() {
                "manifest without receipt (named, with the command that completes it)"
            } else if r["receipts"].as_u64() > Some(0) {
                "published (a whole run)"
            } else if r["blobs"].as_u64() > Some(0) {
                "orphan blobs only (notes)"
            } else {
                "staging leftovers only (a note)"
            }
        }
        other => panic!("{job}: verify exited {other:?}: {stderr}"),
    }
}

fn kill_trials(d: &Path, jobs: &[Job], fresh: &dyn Fn(&str) -> Target, seed: u64) -> Vec<String> {
    let mut rng = SplitMix64::new(seed);
    let mut lines = Vec::new();
    for job in jobs {
        let reference = fresh(&format!("{}-reference", job.name));
        let start = Instant::now();
        let o = command(d, &reference, job).output().unwrap();
        let took = start.elapsed();
        let expected = outcome(&reference, job, &o);
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for trial in 0..trials() {
            let t = fresh(&format!("{}-{trial}", job.name));
            // Half the kill points anywhere in the run, half in its last stretch, where it
            // publishes (blobs, manifest, receipt, checkpoint, refs).
            let permille = if trial % 2 == 0 {
                rng.below(1200)
            } else {
                850 + rng.below(200)
            };
            let delay = took.mul_f64(permille as f64 / 1000.0);
            let mut child = command(d, &t, job)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let _ = child.kill(); // SIGKILL
            child.wait().unwrap();
            let state = after_kill(job.name, &verify(d, &t));
            *seen.entry(state).or_default() += 1;
            // A rerun completes with the reference's digests, and the store verifies.
            let o = command(d, &t, job).output().unwrap();
            assert_eq!(
                outcome(&t, job, &o),
                expected,
                "{} after a kill at {delay:?}",
                job.name
            );
            let v = verify(d, &t);
            assert_eq!(
                v.status.code(),
                Some(0),
                "{}: {}",
                job.name,
                String::from_utf8_lossy(&v.stdout)
            );
        }
        lines.push(format!(
            "{} ({} ms uninterrupted): {seen:?}",
            job.name,
            took.as_millis()
        ));
    }
    lines
}

#[test]
fn killed_jobs_leave_nothing_half_published_and_rerun_to_the_same_digests() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let jobs = setup(d);
    let zones_of = |name: &str| {
        let zones = d.join(format!("zones-{name}"));
        crate::nightly::copy_dir(&d.join("zones"), &zones);
        zones
    };
    let local = |name: &str| Target {
        store: d.join(format!("store-{name}")).display().to_string(),
        env: vec![],
        zones: zones_of(name),
    };
    for line in kill_trials(d, &jobs, &local, 18) {
        eprintln!("local store: {line}");
    }
    if let Some(server) = crate::support::s3_server() {
        let s3 = |name: &str| Target {
            store: crate::support::s3_store(server, &format!("crash-{name}"))
                .url()
                .to_owned(),
            env: crate::support::s3_env(server),
            zones: zones_of(&format!("s3-{name}")),
        };
        for line in kill_trials(d, &jobs, &s3, 19) {
            eprintln!("S3 store: {line}");
        }
    }
}

/// The window the random kills found once: a nightly killed after storing the manifest that
/// publishes its locks, before the receipt. The locks on disk are then current, and the
/// next night used to see nothing to publish, leaving the manifest without a receipt for
/// good; it now publishes every lock no run on the `nightly` chain names.
#[test]
fn a_nightly_stopped_between_manifest_and_receipt_is_completed_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| crate::mez_ok(d, args);
    ok(&["keygen", "--out", "k"]);
    crate::nightly::copy_dir(
        &crate::manifest_dir().join("../jurisdictions"),
        &d.join("zones"),
    );
    ok(&[
        "--quiet",
        "gen",
        "sources",
        "--out",
        "sources",
        "--entities",
        "3",
        "--jurisdictions",
        "zones",
    ]);
    let night = [
        "--quiet",
        "--store",
        "s",
        "--key",
        "k.key",
        "nightly",
        "--jurisdictions",
        "zones",
        "--sources",
        "sources",
        "--as-of",
        "2026-11-23",
    ];
    ok(&night);
    let log = d.join("s/log/nightly");
    std::fs::remove_file(log.join("receipts/00000000000000000000.json")).unwrap();
    std::fs::remove_file(log.join("checkpoints/00000000000000000001.note")).unwrap();
    let verify = || {
        crate::mez_command(d)
            .args(["--store", "s", "verify", "--trusted-key", "k.pub"])
            .output()
            .unwrap()
    };
    let o = verify();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    ok(&night);
    let o = verify();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
