//! The `mez` binary end to end: exit codes, messages, and the auditor utilities.

use std::path::{Path, PathBuf};
use std::process::Output;

fn mez(dir: &Path, args: &[&str]) -> Output {
    crate::mez_command(dir).args(args).output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn vectors_path() -> PathBuf {
    crate::manifest_dir().join("../verify/tests/data")
}

fn demo_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let o = mez(
        dir.path(),
        &["demo", "--transfers", "2000", "--transactions", "300"],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    dir
}

#[test]
fn demo_then_verify_then_tamper() {
    let dir = demo_store();
    let out = dir.path().join("outputs");
    assert!(out.join("demo.key").is_file());
    let o = mez(dir.path(), &["verify", "--trusted-key", "outputs/demo.pub"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    // Two runs: the transfers tables (2 artifacts) and the netting of a day (9 artifacts).
    assert!(
        stdout(&o).starts_with("verified: 2 manifests, 11 blobs"),
        "{}",
        stdout(&o)
    );

    // A second demo run (of other data) grows the chain and keeps it consistent.
    assert_eq!(
        code(&mez(
            dir.path(),
            &[
                "demo",
                "--transfers",
                "2000",
                "--transactions",
                "300",
                "--seed",
                "43"
            ]
        )),
        0
    );
    let o = mez(
        dir.path(),
        &["--json", "verify", "--trusted-key", "outputs/demo.pub"],
    );
    assert_eq!(code(&o), 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["chains"]["demo"]["checkpoint_size"], 4);

    // Flip a byte of a blob: exit 1, and the blob is named.
    let blob_dir = out.join("blobs/sha256");
    let blob = std::fs::read_dir(&blob_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[100] ^= 0xff;
    std::fs::write(&blob, bytes).unwrap();
    let o = mez(dir.path(), &["verify", "--trusted-key", "outputs/demo.pub"]);
    assert_eq!(code(&o), 1);
    let name = blob.file_name().unwrap().to_str().unwrap();
    assert!(
        stdout(&o).contains(&format!(
            "FAIL blobs/sha256/{name}: digest: expected sha256:{name}"
        )),
        "{}",
        stdout(&o)
    );
}

#[test]
fn verify_refuses_untrusted_and_missing_keys() {
    let dir = demo_store();
    let o = mez(dir.path(), &["keygen", "--out", "other"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = mez(dir.path(), &["verify", "--trusted-key", "other.pub"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("untrusted key id"), "{}", stdout(&o));
    let o = mez(dir.path(), &["verify"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no trusted keys"));
    let o = mez(dir.path(), &["verify", "--trusted-key", "missing.pub"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("missing.pub"), "{}", stderr(&o));
    std::fs::write(dir.path().join("bad.pub"), "not a key\n").unwrap();
    let o = mez(dir.path(), &["verify", "--trusted-key", "bad.pub"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("bad.pub"), "{}", stderr(&o));
}

#[test]
fn keygen_writes_private_keys_once() {
    let dir = tempfile::tempdir().unwrap();
    let o = mez(dir.path(), &["keygen", "--out", "keys/zone-a"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("zone-a+"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("keys/zone-a.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let before = std::fs::read(dir.path().join("keys/zone-a.key")).unwrap();
    let o = mez(dir.path(), &["keygen", "--out", "keys/zone-a"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("refusing to overwrite"));
    assert_eq!(
        std::fs::read(dir.path().join("keys/zone-a.key")).unwrap(),
        before
    );
}

#[test]
fn demo_with_an_explicit_bad_key_or_store_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let o = mez(dir.path(), &["--key", "nope.key", "demo"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nope.key"), "{}", stderr(&o));
    let o = mez(dir.path(), &["--store", "ftp://x/y", "demo"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unsupported scheme \"ftp\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn log_root_matches_the_certificate_transparency_vectors() {
    let text = std::fs::read_to_string(vectors_path().join("rfc6962_vectors.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let leaves: Vec<&str> = v["leaves_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("leaves.txt"),
        format!("{}\n", leaves.join("\n")),
    )
    .unwrap();
    let o = mez(dir.path(), &["log", "root", "--leaves", "leaves.txt"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let root8 = v["roots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["size"] == 8)
        .unwrap()["root_hex"]
        .as_str()
        .unwrap();
    assert_eq!(stdout(&o).trim(), root8);

    std::fs::write(dir.path().join("bad.txt"), "00\nzz\n").unwrap();
    let o = mez(dir.path(), &["log", "root", "--leaves", "bad.txt"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("bad.txt: line 2"), "{}", stderr(&o));
}

#[test]
fn log_verify_inclusion_and_consistency_exit_codes() {
    let text = std::fs::read_to_string(vectors_path().join("rfc6962_vectors.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let root = |n: u64| {
        v["roots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["size"] == n)
            .unwrap()["root_hex"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let dir = tempfile::tempdir().unwrap();
    // Leaf 0 of the tree of 8 (leaf data is empty, so the leaf hash is SHA-256(0x00)).
    let case = v["inclusion"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["size"] == 8 && c["index"] == 0)
        .unwrap();
    let leaf = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
    let mut args: Vec<String> = [
        "log",
        "verify-inclusion",
        "--size",
        "8",
        "--index",
        "0",
        "--leaf-hash",
        leaf,
        "--root",
        &root(8),
    ]
    .map(str::to_owned)
    .to_vec();
    for p in case["path_hex"].as_array().unwrap() {
        args.push("--proof".into());
        args.push(p.as_str().unwrap().into());
    }
    let run = |args: &[String]| {
        mez(
            dir.path(),
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    assert_eq!(code(&run(&args)), 0);
    let mut wrong = args.clone();
    wrong[5] = "1".into();
    assert_eq!(code(&run(&wrong)), 1);
    let mut malformed = args.clone();
    malformed[9] = "xyz".into();
    let o = run(&malformed);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--root"), "{}", stderr(&o));

    let case = v["consistency"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["size1"] == 6 && c["size2"] == 8)
        .unwrap();
    let mut args: Vec<String> = [
        "log",
        "verify-consistency",
        "--old-size",
        "6",
        "--new-size",
        "8",
        "--old-root",
        &root(6),
        "--new-root",
        &root(8),
    ]
    .map(str::to_owned)
    .to_vec();
    for p in case["proof_hex"].as_array().unwrap() {
        args.push("--proof".into());
        args.push(p.as_str().unwrap().into());
    }
    assert_eq!(code(&run(&args)), 0);
    let mut forked = args.clone();
    forked[7] = root(5);
    assert_eq!(code(&run(&forked)), 1);
    let mut bad_size = args.clone();
    bad_size[3] = "six".into();
    assert_eq!(code(&run(&bad_size)), 2);
}

#[test]
fn proofs_from_a_store_verify_with_the_standalone_checker() {
    let dir = demo_store();
    assert_eq!(
        code(&mez(
            dir.path(),
            &[
                "demo",
                "--transfers",
                "2000",
                "--transactions",
                "300",
                "--seed",
                "9"
            ]
        )),
        0
    );
    assert_eq!(
        code(&mez(
            dir.path(),
            &[
                "demo",
                "--transfers",
                "2000",
                "--transactions",
                "300",
                "--seed",
                "10"
            ]
        )),
        0
    );
    let o = mez(
        dir.path(),
        &["log", "prove-inclusion", "--chain", "demo", "--index", "1"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut args: Vec<String> = vec![
        "log".into(),
        "verify-inclusion".into(),
        "--size".into(),
        p["size"].to_string(),
        "--index".into(),
        p["index"].to_string(),
        "--leaf-hash".into(),
        p["leaf_hash"].as_str().unwrap().into(),
        "--root".into(),
        p["root"].as_str().unwrap().into(),
    ];
    for h in p["proof"].as_array().unwrap() {
        args.push("--proof".into());
        args.push(h.as_str().unwrap().into());
    }
    let o = mez(
        dir.path(),
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));

    let o = mez(
        dir.path(),
        &[
            "log",
            "prove-consistency",
            "--chain",
            "demo",
            "--old-size",
            "1",
        ],
    );
    let p: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut args: Vec<String> = vec![
        "log".into(),
        "verify-consistency".into(),
        "--old-size".into(),
        p["old_size"].to_string(),
        "--new-size".into(),
        p["new_size"].to_string(),
        "--old-root".into(),
        p["old_root"].as_str().unwrap().into(),
        "--new-root".into(),
        p["new_root"].as_str().unwrap().into(),
    ];
    for h in p["proof"].as_array().unwrap() {
        args.push("--proof".into());
        args.push(h.as_str().unwrap().into());
    }
    assert_eq!(
        code(&mez(
            dir.path(),
            &args.iter().map(String::as_str).collect::<Vec<_>>()
        )),
        0
    );
}

#[test]
fn canon_prints_rfc8785_bytes_and_names_bad_files() {
    let data = vectors_path().join("rfc8785");
    let dir = tempfile::tempdir().unwrap();
    let o = mez(
        dir.path(),
        &[
            "canon",
            data.join("rfc8785-sec3.2.2.input.json").to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0);
    assert_eq!(
        o.stdout,
        std::fs::read(data.join("rfc8785-sec3.2.2.output.json")).unwrap()
    );
    std::fs::write(dir.path().join("broken.json"), "{\"a\": [1, 2}").unwrap();
    let o = mez(dir.path(), &["canon", "broken.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("broken.json: malformed JSON"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn export_formats_agree_and_bad_digests_are_named() {
    let dir = demo_store();
    let o = mez(
        dir.path(),
        &[
            "--json",
            "demo",
            "--transfers",
            "2000",
            "--transactions",
            "0",
        ],
    );
    let summary: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let totals = summary["runs"][0]["tables"]["totals"]["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    let o = mez(
        dir.path(),
        &[
            "--key",
            "outputs/demo.key",
            "export",
            &totals,
            "--format",
            "csv",
        ],
    );
    assert_eq!(code(&o), 0);
    let csv = stdout(&o);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "currency,transfers,gross_minor");
    assert_eq!(lines.len(), 4);
    let o = mez(
        dir.path(),
        &[
            "--key",
            "outputs/demo.key",
            "export",
            &totals,
            "--format",
            "jsonl",
        ],
    );
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let csv_sum: i64 = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(1).unwrap().parse::<i64>().unwrap())
        .sum();
    let json_sum: i64 = rows.iter().map(|r| r["transfers"].as_i64().unwrap()).sum();
    assert_eq!((csv_sum, json_sum), (2000, 2000));
    let o = mez(
        dir.path(),
        &[
            "--key",
            "outputs/demo.key",
            "export",
            &totals,
            "--format",
            "parquet",
            "--out",
            "t.parquet",
        ],
    );
    assert_eq!(code(&o), 0);
    let bytes = std::fs::read(dir.path().join("t.parquet")).unwrap();
    assert_eq!(verify::Digest::of(&bytes).to_string(), totals);

    let missing = format!("sha256:{}", "0".repeat(64));
    let o = mez(
        dir.path(),
        &[
            "--key",
            "outputs/demo.key",
            "export",
            &missing,
            "--format",
            "csv",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no run signed by a trusted key names this artifact"),
        "{}",
        stderr(&o)
    );
    // Without a key to trust, nothing is read.
    let o = mez(dir.path(), &["export", &totals, "--format", "csv"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no trusted keys"), "{}", stderr(&o));
    let o = mez(dir.path(), &["export", "sha256:12", "--format", "csv"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn netting_run_digests_do_not_depend_on_rayon_threads_or_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let o = mez(
        dir.path(),
        &[
            "gen",
            "pacs008",
            "--out",
            "day",
            "--transactions",
            "1500",
            "--banks",
            "5",
            "--files",
            "5",
            "--singles",
            "6",
            "--duplicates",
            "4",
            "--invalid",
            "2",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(code(&mez(dir.path(), &["keygen", "--out", "ops"])), 0);
    let mut files: Vec<String> = std::fs::read_dir(dir.path().join("day"))
        .unwrap()
        .map(|e| format!("day/{}", e.unwrap().file_name().to_str().unwrap()))
        .collect();
    files.sort();
    let run = |threads: &str, store: &str, files: &[String]| {
        let mut args = vec![
            "--json", "--store", store, "--key", "ops.key", "netting", "run", "--input",
        ];
        args.extend(files.iter().map(String::as_str));
        let o = crate::mez_command(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let summary: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        summary["tables"].clone()
    };
    let one = run("1", "s1", &files);
    files.reverse();
    let two = run("2", "s2", &files);
    assert_eq!(one, two);
    // The same files spelled otherwise (./x, an absolute path, a detour through ..) and
    // given twice (each file and their folder): the same tables.
    let absolute = dir.path().display().to_string();
    let mut spelled: Vec<String> = files
        .iter()
        .enumerate()
        .map(|(i, f)| match i % 3 {
            0 => format!("./{f}"),
            1 => format!("{absolute}/{f}"),
            _ => f.replacen("day/", "day/../day/", 1),
        })
        .collect();
    spelled.push("day".into());
    spelled.push(format!("{absolute}/./day/"));
    assert_eq!(run("2", "s4", &spelled), one);
    assert_eq!(one["quarantine"]["rows"], 2);
    assert_eq!(one["duplicates"]["rows"], 4);
    // --strict turns quarantined records into exit code 1.
    let o = mez(
        dir.path(),
        &[
            "--store", "s3", "--key", "ops.key", "netting", "run", "--input", "day", "--strict",
        ],
    );
    assert_eq!(code(&o), 1);
}

#[test]
fn verify_needs_a_store_and_remembers_what_it_saw() {
    let dir = demo_store();
    let d = dir.path();
    // A mistyped store path, or an empty store, cannot be verified (exit 2), and is not
    // created by trying.
    for store in ["mistyped/", "empty/"] {
        if store == "empty/" {
            std::fs::create_dir_all(d.join(store)).unwrap();
        }
        let o = mez(
            d,
            &[
                "--store",
                store,
                "verify",
                "--trusted-key",
                "outputs/demo.pub",
            ],
        );
        assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    }
    assert!(!d.join("mistyped").exists());
    // The witness state pins each chain's checkpoint; a rolled-back chain then fails.
    let verify = || {
        mez(
            d,
            &[
                "verify",
                "--trusted-key",
                "outputs/demo.pub",
                "--state",
                "witness.json",
            ],
        )
    };
    assert_eq!(code(&verify()), 0);
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("witness.json")).unwrap()).unwrap();
    assert_eq!(state["chains"]["demo"]["size"], 2, "{state}");
    let log = d.join("outputs/log/demo");
    std::fs::remove_file(log.join("receipts/00000000000000000001.json")).unwrap();
    std::fs::remove_file(log.join("checkpoints/00000000000000000002.note")).unwrap();
    let o = verify();
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("log/demo: rollback"), "{}", stdout(&o));
    // The manifest left on no chain is adopted back and the store verifies (against the old
    // state only if the new receipt happens to carry the same second as the lost one).
    let failed = stdout(&o);
    let orphan = failed
        .lines()
        .find(|l| l.contains(": receipt:"))
        .and_then(|l| l.split("manifests/sha256/").nth(1))
        .and_then(|l| l.split(".dsse.json").next())
        .unwrap()
        .to_owned();
    let o = mez(
        d,
        &[
            "--json",
            "--key",
            "outputs/demo.key",
            "publish",
            "--adopt",
            &format!("sha256:{orphan}"),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    crate::schemas::assert_cli_output("publish", &serde_json::from_slice(&o.stdout).unwrap());
    let o = mez(d, &["verify", "--trusted-key", "outputs/demo.pub"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    // Nothing in a clean store is garbage.
    let o = mez(d, &["--json", "store", "gc", "--grace-hours", "0"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let gc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(gc["garbage"]["blobs"], serde_json::json!([]), "{gc}");
}

/// Eight processes at a time appending runs to one chain, 200 appends in all (each of 8
/// writers starts 25 `mez` runs one after another): every run lands with its own receipt
/// (none lost, none twice), the chain has no fork, every checkpoint is consistent with the
/// next (`mez verify` checks the proofs), and losers of a race retried rather than failed.
/// On a local store, and on the S3 server when there is one.
#[test]
fn processes_racing_on_one_chain_all_publish() {
    const WRITERS: usize = 8;
    const RUNS: usize = 25;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(code(&mez(d, &["keygen", "--out", "k"])), 0);
    let race = |store: &str, env: &[(String, String)]| {
        let started = std::time::Instant::now();
        let published: Vec<(String, String)> = std::thread::scope(|scope| {
            let writers: Vec<_> = (0..WRITERS)
                .map(|w| {
                    scope.spawn(move || {
                        (0..RUNS)
                            .map(|i| {
                                let seed = (w * RUNS + i).to_string();
                                let o = crate::mez_command(d)
                                    .envs(env.iter().map(|(k, v)| (k, v)))
                                    .args([
                                        "--quiet",
                                        "--json",
                                        "--store",
                                        store,
                                        "--key",
                                        "k.key",
                                        "demo",
                                        "--transfers",
                                        "50",
                                        "--transactions",
                                        "0",
                                        "--no-zones",
                                        "--no-verify",
                                        "--seed",
                                        &seed,
                                    ])
                                    .output()
                                    .unwrap();
                                let run = &crate::succeeded_json(&o)["runs"][0];
                                (
                                    run["manifest"].as_str().unwrap().to_owned(),
                                    run["receipt"].as_str().unwrap().to_owned(),
                                )
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            writers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        let appends = WRITERS * RUNS;
        eprintln!(
            "{appends} appends by {WRITERS} racing writers on {}: {:.1} s",
            if env.is_empty() {
                "a local store"
            } else {
                "S3"
            },
            started.elapsed().as_secs_f64()
        );
        let manifests: std::collections::BTreeSet<_> = published.iter().map(|p| &p.0).collect();
        let receipts: std::collections::BTreeSet<_> = published.iter().map(|p| &p.1).collect();
        assert_eq!(manifests.len(), appends, "every run its own manifest");
        assert_eq!(receipts.len(), appends, "every run its own receipt");
        let o = crate::mez_command(d)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args([
                "--json",
                "--store",
                store,
                "verify",
                "--trusted-key",
                "k.pub",
            ])
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stdout(&o));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(report["failures"], serde_json::json!([]), "{report}");
        // As many receipts on the chain as runs that said they published: none lost, none
        // twice, and one checkpoint per append (each consistent with the one before).
        assert_eq!(report["chains"]["demo"]["receipts"], appends, "{report}");
        assert_eq!(report["chains"]["demo"]["checkpoints"], appends, "{report}");
        assert_eq!(
            report["chains"]["demo"]["checkpoint_size"], appends,
            "{report}"
        );
        assert_eq!(report["manifests"], appends, "{report}");
    };
    race("local-store", &[]);
    if let Some(server) = crate::support::s3_server() {
        let url = crate::support::s3_store(server, "racing-processes")
            .url()
            .to_owned();
        let env = crate::support::s3_env(server);
        race(&url, &env);
    }
}

/// Every table of every job of a whole `mez demo` store (transfers, netting, the zones'
/// nightly packs, screening, tensor) exports as CSV, JSON lines and Parquet with the same
/// rows; list columns become one CSV cell of JSON, equal to the JSON-lines value.
#[test]
fn every_table_of_a_demo_store_exports_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    crate::zones_demo(dir.path(), "300", "20");
    // Every Parquet blob of the store: the tables of every run.
    let mut tables = Vec::new();
    let mut pending = vec![dir.path().join("outputs")];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            if bytes.starts_with(b"PAR1") {
                tables.push(verify::Digest::of(&bytes).to_string());
            }
        }
    }
    tables.sort();
    tables.dedup();
    assert!(tables.len() >= 20, "{} tables", tables.len());
    let mut nested_checked = 0;
    for digest in &tables {
        let export = |format: &str| {
            let o = mez(
                dir.path(),
                &[
                    "--key",
                    "outputs/demo.key",
                    "export",
                    digest,
                    "--format",
                    format,
                    "--out",
                    &format!("out.{format}"),
                ],
            );
            assert_eq!(code(&o), 0, "{digest} as {format}: {}", stderr(&o));
            dir.path().join(format!("out.{format}"))
        };
        let parquet = std::fs::File::open(export("parquet")).unwrap();
        let reader =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(parquet)
                .unwrap();
        let rows = reader.metadata().file_metadata().num_rows() as usize;
        let schema = reader.schema().clone();
        let name = digest;
        let jsonl: Vec<serde_json::Value> = std::fs::read_to_string(export("jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(jsonl.len(), rows, "{name} as jsonl");
        let mut csv = csv::Reader::from_path(export("csv")).unwrap();
        let header = csv.headers().unwrap().clone();
        let records: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), rows, "{name} as csv");
        assert_eq!(header.len(), schema.fields().len(), "{name}");
        for (i, field) in schema.fields().iter().enumerate() {
            if !field.data_type().is_nested() {
                continue;
            }
            for (record, row) in records.iter().zip(&jsonl) {
                let cell = &record[i];
                let expected = row.get(field.name()).unwrap_or(&serde_json::Value::Null);
                if cell.is_empty() {
                    assert!(expected.is_null(), "{name}.{}: {expected}", field.name());
                } else {
                    let value: serde_json::Value = serde_json::from_str(cell)
                        .unwrap_or_else(|e| panic!("{name}.{}: {cell:?}: {e}", field.name()));
                    assert_eq!(&value, expected, "{name}.{}", field.name());
                    nested_checked += 1;
                }
            }
        }
    }
    assert!(nested_checked > 0, "no list value was exported");
}

/// On a terminal (a pseudo-terminal from util-linux `script`) a long job shows its progress
/// — bytes, bytes/s, ETA — and under `NO_COLOR` nothing we print carries a colour code
/// (none of our output is coloured at all).
#[test]
fn progress_shows_on_a_terminal_without_colour() {
    if !crate::runs("script", &["--version"]) {
        crate::missing(
            "MEZ_REQUIRE_INTEROP",
            "util-linux script (a pseudo-terminal)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let generated = mez(
        d,
        &[
            "gen",
            "pacs008",
            "--out",
            "day",
            "--transactions",
            "20000",
            "--files",
            "4",
        ],
    );
    assert_eq!(code(&generated), 0);
    assert_eq!(code(&mez(d, &["keygen", "--out", "ops"])), 0);
    let command = format!(
        "{} --store s --key ops.key netting run --input day",
        env!("CARGO_BIN_EXE_mez")
    );
    let o = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(d)
        .env("NO_COLOR", "1")
        .env_remove("MEZ_STORE")
        .env_remove("MEZ_KEY")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(shown.contains("reading and netting pacs.008"), "{shown}");
    assert!(shown.contains("/s") && shown.contains("eta"), "{shown}");
    // Select Graphic Rendition sequences (ESC [ … m) are colours and styles: none.
    let sgr = shown.match_indices("\u{1b}[").any(|(at, _)| {
        shown[at + 2..]
            .chars()
            .find(|c| !c.is_ascii_digit() && *c != ';')
            == Some('m')
    });
    assert!(!sgr, "a colour code in {shown:?}");
}
