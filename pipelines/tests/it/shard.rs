//! A netting run split into a plan, map units and a merge writes exactly what one machine
//! writes; bad plans, shards and partials are refused by name.

use std::collections::BTreeMap;
use std::path::Path;

use pipelines::generators::pacs008::{self as gen_pacs008, GenParams};
use pipelines::jobs::netting::shard::{self, NettingMerge, ShardError};
use pipelines::jobs::netting::{Netting, NettingConfig, NettingParams, SEGMENT_BYTES};
use pipelines::jobs::{JobError, PACS008_SUFFIXES, expand_inputs};
use proptest::prelude::*;
use verify::Digest;
use verify::keys::{SecretKey, TrustSet};
use verify::store::Store;

const TIME: i64 = 1_795_398_979;

/// A generated day with re-sends and amended payments, in `dir`; copies under names that
/// sort far from the originals put duplicates and conflicts in different shards: a bulk
/// file and a single re-sent last, an amended single sent first.
fn day(dir: &Path, seed: u64, files: u32) {
    gen_pacs008::generate(
        dir,
        &GenParams {
            transactions: 400,
            banks: 5,
            currencies: vec!["EUR".into(), "USD".into()],
            files,
            singles: 6,
            duplicates: 5,
            conflicts: 2,
            invalid: 2,
            seed,
            value_date: "2026-11-23".into(),
        },
    )
    .unwrap();
    for (from, to) in [
        ("bulk-0000.xml", "zz-bulk-copy.xml"),
        ("cbpr-0000.xml", "zz-single-resent.xml"),
        ("cbpr-0005-amended.xml", "0-amended-early.xml"),
    ] {
        std::fs::copy(dir.join(from), dir.join(to)).unwrap();
    }
}

fn digests(tables: &[pipelines::artifact::WrittenTable]) -> BTreeMap<String, Digest> {
    tables.iter().map(|t| (t.name.clone(), t.digest)).collect()
}

/// The one-machine run's tables.
fn one_machine(input: &Path, config: NettingConfig) -> BTreeMap<String, Digest> {
    let store_dir = tempfile::tempdir().unwrap();
    let store = Store::open(store_dir.path().to_str().unwrap()).unwrap();
    let params = NettingParams {
        inputs: expand_inputs(&[input.to_owned()], &PACS008_SUFFIXES)
            .unwrap()
            .files,
        config,
        chain: "netting".into(),
    };
    digests(&crate::run_job::<Netting>(&store, &signer(), TIME, &params).tables)
}

fn signer() -> SecretKey {
    SecretKey::from_seed("ops", [3; 32])
}

fn trust() -> TrustSet {
    TrustSet::new([signer().public()])
}

/// Plans `input` into `shards` on `store`.
fn plan(store: &Store, input: &Path, shards: usize, config: NettingConfig) -> Digest {
    let found = expand_inputs(&[input.to_owned()], &PACS008_SUFFIXES).unwrap();
    let locations = vec![None; found.files.len()];
    shard::plan(
        store,
        &signer(),
        &found.files,
        &locations,
        &config,
        "netting",
        shards,
    )
    .unwrap()
    .0
}

fn merge(store: &Store, plan: &Digest) -> Result<BTreeMap<String, Digest>, JobError> {
    let ctx = pipelines::jobs::Context {
        store,
        signer: &signer(),
        trust: &TrustSet::default(),
        clock: &verify::clock::FixedClock(verify::clock::Timestamp::from_unix(TIME)),
        reporter: &pipelines::report::Silent,
    };
    pipelines::jobs::run::<NettingMerge>(&ctx, plan).map(|f| digests(&f.tables))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// For any day, segment size and number of shards, map units run in any order (some
    /// twice) and merged give every table of the one-machine run, byte for byte, under
    /// either conflict rule, with or without a value date (the other date sets every
    /// payment aside).
    #[test]
    fn map_and_merge_equal_the_one_machine_run(
        seed in 0u64..1_000,
        files in 1u32..5,
        shards in 1usize..9,
        keep_all in any::<bool>(),
        segment_bytes in prop_oneof![Just(1u64), 2_000u64..80_000, Just(SEGMENT_BYTES)],
        value_date in prop_oneof![Just(None), Just(Some("2026-11-23")), Just(Some("2026-11-24"))],
        order_seed in any::<u64>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("day");
        day(&input, seed, files);
        let config = NettingConfig {
            conflicts: if keep_all {
                pipelines::jobs::netting::ConflictRule::KeepAll
            } else {
                pipelines::jobs::netting::ConflictRule::Hold
            },
            segment_bytes,
            value_date: value_date.map(|d| ingest::pacs008::parse_date(d).unwrap()),
            ..NettingConfig::default()
        };
        let expected = one_machine(&input, config);
        let store_dir = tempfile::tempdir().unwrap();
        let store = Store::open(store_dir.path().to_str().unwrap()).unwrap();
        let plan = plan(&store, &input, shards, config);
        let mut order: Vec<usize> = (0..shards).collect();
        let mut rng = pipelines::generators::SplitMix64::new(order_seed);
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut partials = BTreeMap::new();
        for &i in order.iter().chain(order.first()) {
            let partial = shard::map(&store, &trust(), &plan, i).unwrap();
            // A unit run again writes the same partial.
            prop_assert_eq!(*partials.entry(i).or_insert(partial), partial);
        }
        prop_assert_eq!(merge(&store, &plan).unwrap(), expected);
    }
}

#[test]
fn bad_plans_shards_and_partials_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("day");
    day(&input, 7, 3);
    let store_dir = tempfile::tempdir().unwrap();
    let store = Store::open(store_dir.path().to_str().unwrap()).unwrap();
    let plan3 = plan(&store, &input, 3, NettingConfig::default());

    // A shard out of range.
    let err = shard::map(&store, &trust(), &plan3, 3)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("shard 3 is out of range (the plan has 3 shards, 0 to 2)"),
        "{err}"
    );
    // A plan signed by a key not trusted.
    let stranger = TrustSet::new([SecretKey::from_seed("other", [9; 32]).public()]);
    let err = shard::map(&store, &stranger, &plan3, 0)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("plan {plan3}")), "{err}");
    // No plan under a digest.
    let nothing = Digest::of(b"no plan");
    assert!(shard::map(&store, &trust(), &nothing, 0).is_err());

    // A missing partial: the merge names the shard, and publishes nothing.
    shard::map(&store, &trust(), &plan3, 0).unwrap();
    shard::map(&store, &trust(), &plan3, 2).unwrap();
    match merge(&store, &plan3) {
        Err(JobError::Shard(ShardError::Missing { shard: 1, .. })) => {}
        other => panic!("{other:?}"),
    }
    assert!(store.list("manifests/").unwrap().is_empty());

    // A partial of another plan under this plan's index: refused as foreign.
    let plan2 = plan(&store, &input, 2, NettingConfig::default());
    shard::map(&store, &trust(), &plan2, 1).unwrap();
    let index = |plan: &Digest, shard: usize| format!("scale/netting/{}/shard-{shard}", plan.hex());
    let foreign = store.get(&index(&plan2, 1)).unwrap();
    store.put_create(&index(&plan3, 1), foreign).unwrap();
    let err = merge(&store, &plan3).unwrap_err().to_string();
    assert!(
        err.contains("the partial of shard 1 is shard 1 of mez.netting.partial/v2 plan"),
        "{err}"
    );
    assert!(matches!(
        merge(&store, &plan3),
        Err(JobError::Shard(ShardError::Plan { .. }))
    ));

    // A damaged partial (its payments stream cut): refused as corrupt, naming the shard.
    let plan4 = plan(&store, &input, 4, NettingConfig::default());
    for i in 0..4 {
        shard::map(&store, &trust(), &plan4, i).unwrap();
    }
    let partial: serde_json::Value = {
        let text = store.get(&index(&plan4, 0)).unwrap();
        let digest: Digest = std::str::from_utf8(&text).unwrap().trim().parse().unwrap();
        serde_json::from_slice(&store.get_blob(&digest).unwrap()).unwrap()
    };
    let payments: Digest = partial["body"]["payments"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let key = verify::store::blob_key(&payments);
    let bytes = store.get(&key).unwrap();
    let root = store_dir.path();
    std::fs::write(root.join(&key), &bytes[..bytes.len() / 2]).unwrap();
    match merge(&store, &plan4) {
        Err(JobError::Shard(ShardError::Corrupt { shard: 0, .. })) => {}
        other => panic!("{other:?}"),
    }
    assert!(store.list("manifests/").unwrap().is_empty());

    // A damaged identity list (the merge's way to find identities of several shards):
    // refused as corrupt, naming the shard, even when it still hashes right (a list out
    // of order, re-stored under its new digest and a new partial).
    let config = NettingConfig {
        segment_bytes: 20_000,
        ..NettingConfig::default()
    };
    let plan5 = plan(&store, &input, 3, config);
    for i in 0..3 {
        shard::map(&store, &trust(), &plan5, i).unwrap();
    }
    let entry = index(&plan5, 2);
    let text = store.get(&entry).unwrap();
    let digest: Digest = std::str::from_utf8(&text).unwrap().trim().parse().unwrap();
    let mut partial: serde_json::Value =
        serde_json::from_slice(&store.get_blob(&digest).unwrap()).unwrap();
    let identities: Digest = partial["body"]["identities"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let mut list = store.get_blob(&identities).unwrap().to_vec();
    assert!(list.len() >= 48, "shard 2 saw at least two identities");
    let (first, second) = list.split_at_mut(24);
    first.swap_with_slice(&mut second[..24]);
    let (reordered, _) = store.put_blob(list.into()).unwrap();
    // Stores `partial` as shard 2's and returns why the merge refused it (naming shard 2,
    // publishing nothing).
    let refused = |partial: &serde_json::Value| -> String {
        let (forged, _) = store
            .put_blob(verify::canon::to_canonical_vec(partial).unwrap().into())
            .unwrap();
        std::fs::write(store_dir.path().join(&entry), format!("{forged}\n")).unwrap();
        let reason = match merge(&store, &plan5) {
            Err(JobError::Shard(ShardError::Corrupt {
                shard: 2, reason, ..
            })) => reason,
            other => panic!("{other:?}"),
        };
        assert!(store.list("manifests/").unwrap().is_empty());
        reason
    };
    partial["body"]["identities"] = serde_json::json!(reordered.to_string());
    let reason = refused(&partial);
    assert!(reason.contains("not sorted"), "{reason}");

    // Payments that are not Parquet, stored under their own digest: named by shard.
    let (garbage, _) = store
        .put_blob(b"not parquet at all".to_vec().into())
        .unwrap();
    partial["body"]["identities"] = serde_json::json!(identities.to_string());
    partial["body"]["payments"] = serde_json::json!(garbage.to_string());
    let reason = refused(&partial);
    assert!(reason.contains("not a Parquet file"), "{reason}");

    // A signed plan whose shard starts inside a segment: its row groups would not be the
    // table's, so no unit runs it.
    let opened = shard::open_plan(&store, &trust(), &plan5).unwrap();
    let mut cut = opened.clone();
    cut.config.segment_bytes = 1 << 40;
    let forged =
        pipelines::jobs::shards::store_plan(&store, &signer(), shard::PLAN_TYPE, &cut).unwrap();
    let err = shard::map(&store, &trust(), &forged, 0)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a shard starts inside an input segment"),
        "{err}"
    );
}

/// The commands: `plan` prints the plan, `map` takes its shard from `--shard` or from a
/// Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` (as the manifest in the repo runs it),
/// the merge exits 1 naming a shard without partial and 2 for a plan it cannot trust,
/// publishing nothing, and 0 with the one-machine tables once every unit has run.
#[test]
fn the_shard_commands_and_their_exit_codes() {
    use crate::{mez_command, succeeded, succeeded_json};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    day(&d.join("day"), 11, 3);
    succeeded(
        &mez_command(d)
            .args(["keygen", "--out", "ops"])
            .output()
            .unwrap(),
    );
    succeeded(
        &mez_command(d)
            .args(["keygen", "--out", "other"])
            .output()
            .unwrap(),
    );
    let mez = |args: &[&str]| {
        mez_command(d)
            .args(["--store", "s", "--key", "ops.key"])
            .args(args)
            .output()
            .unwrap()
    };
    // Small segments, so that every shard has files of its own.
    let planned = succeeded_json(&mez(&[
        "--json",
        "netting",
        "plan",
        "--input",
        "day",
        "--shards",
        "3",
        "--segment-bytes",
        "20000",
    ]));
    let plan = planned["plan"].as_str().unwrap().to_owned();
    assert_eq!(planned["shards"].as_array().unwrap().len(), 3);
    // Shard 0 by flag, shard 2 by the Indexed Job's variable; shard 1 not yet.
    succeeded(&mez(&["netting", "map", "--plan", &plan, "--shard", "0"]));
    succeeded(
        &mez_command(d)
            .args([
                "--store", "s", "--key", "ops.key", "netting", "map", "--plan", &plan,
            ])
            .env("JOB_COMPLETION_INDEX", "2")
            .output()
            .unwrap(),
    );
    let o = mez_command(d)
        .args([
            "--store", "s", "--key", "ops.key", "netting", "map", "--plan", &plan,
        ])
        .env("JOB_COMPLETION_INDEX", "5")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shard 5 is out of range"));
    let o = mez(&["netting", "merge", "--plan", &plan]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&format!("shard 1 of plan {plan} has no partial")),
        "{stderr}"
    );
    // Signed by a key nobody trusts: refused, exit 2.
    let o = mez_command(d)
        .args([
            "--store",
            "s",
            "--key",
            "other.key",
            "netting",
            "merge",
            "--plan",
            &plan,
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        !d.join("s/manifests").exists()
            || std::fs::read_dir(d.join("s/manifests"))
                .unwrap()
                .next()
                .is_none()
    );
    succeeded(&mez(&["netting", "map", "--plan", &plan, "--shard", "1"]));
    let merged = succeeded_json(&mez(&["--json", "netting", "merge", "--plan", &plan]));
    let one = succeeded_json(
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
                "--segment-bytes",
                "20000",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(merged["tables"], one["tables"]);

    // The Kubernetes manifest runs the same map command as an Indexed Job.
    let text = std::fs::read_to_string(crate::manifest_dir().join("k8s/netting-map.yaml")).unwrap();
    let job: serde_json::Value = yaml_serde::from_str(&text).unwrap();
    assert_eq!(job["kind"], "Job");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    let args: Vec<&str> = job["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(args.windows(2).any(|w| w == ["netting", "map"]), "{args:?}");
    assert!(
        !args.contains(&"--shard"),
        "the shard comes from JOB_COMPLETION_INDEX"
    );
}

/// Screening split into 1, 5 and 8 ranges of a generated names file (with names on the list
/// and rows that cannot be screened), units run in reverse: the merge publishes the
/// `matches`, `coverage` and `quarantine` tables of `mez screen`, byte for byte.
#[test]
fn screening_map_and_merge_equal_mez_screen() {
    use crate::{mez_command, succeeded, succeeded_json};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mez = |args: &[&str]| {
        mez_command(d)
            .args(["--store", "s", "--key", "ops.key"])
            .args(args)
            .output()
            .unwrap()
    };
    succeeded(
        &mez_command(d)
            .args(["keygen", "--out", "ops"])
            .output()
            .unwrap(),
    );
    std::fs::write(
        d.join("list.csv"),
        "id,name,type,aliases,dob,countries,programs\n\
         L1,\"HADDAD, Omar Khalil\",individual,Omar Haddad,1971-04-02,Lebanon,TEST\n\
         L2,Northwind Maritime Holdings LLC,entity,,,Panama,TEST\n\
         L3,Ivan Petrovich Sokolov,individual,,1965,Russia,TEST\n",
    )
    .unwrap();
    succeeded(&mez(&[
        "regpack",
        "build",
        "--jurisdiction",
        "test",
        "--lists",
        "list.csv",
    ]));
    succeeded(
        &mez_command(d)
            .args([
                "gen",
                "names",
                "--out",
                "names.csv",
                "--count",
                "3000",
                "--seed",
                "4",
            ])
            .output()
            .unwrap(),
    );
    let mut names = std::fs::read_to_string(d.join("names.csv")).unwrap();
    for (i, extra) in [
        "x1,Omar Khalil Hadad,1971-04-02,LB",
        "x2,,,",
        "x3,!!!,,",
        "x4,NORTHWIND MARITIME HOLDINGS,,PA",
        "x5,\"Sokolov, Ivan\",1965,RU",
    ]
    .iter()
    .enumerate()
    {
        // Spread over the file, so that they land in different ranges.
        let at = names.match_indices('\n').nth(500 * (i + 1)).unwrap().0 + 1;
        names.insert_str(at, &format!("{extra}\n"));
    }
    std::fs::write(d.join("names.csv"), names).unwrap();
    let regpack = "runs/regpack-test/latest";
    let one = succeeded_json(&mez(&[
        "--json",
        "screen",
        "--names",
        "names.csv",
        "--regpack",
        regpack,
    ]));
    assert_eq!(one["quarantined"], 2);
    assert!(one["tables"]["matches"]["rows"].as_u64().unwrap() >= 3);
    for shards in ["1", "5", "8"] {
        let planned = succeeded_json(&mez(&[
            "--json",
            "screen",
            "plan",
            "--names",
            "names.csv",
            "--regpack",
            regpack,
            "--shards",
            shards,
        ]));
        let plan = planned["plan"].as_str().unwrap().to_owned();
        let n: usize = shards.parse().unwrap();
        for i in (0..n).rev() {
            succeeded(&mez(&[
                "screen",
                "map",
                "--plan",
                &plan,
                "--shard",
                &i.to_string(),
            ]));
        }
        let merged = succeeded_json(&mez(&["--json", "screen", "merge", "--plan", &plan]));
        assert_eq!(merged["tables"], one["tables"], "{shards} shards");
    }
}

/// The nightly of the zones as one unit per (zone, pack kind), run in reverse order and one
/// of them twice, then merged: the same packs, the same stack.lock files and the same
/// `nightly` manifest as `mez nightly` on one machine.
#[test]
fn nightly_units_and_merge_equal_mez_nightly() {
    use crate::{mez_command, succeeded, succeeded_json};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let repo = crate::manifest_dir().join("..");
    for copy in ["one", "many"] {
        crate::nightly::copy_dir(&repo.join("jurisdictions"), &d.join(copy));
    }
    succeeded(
        &mez_command(d)
            .args(["keygen", "--out", "ops"])
            .output()
            .unwrap(),
    );
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
                "one",
            ])
            .output()
            .unwrap(),
    );
    let mez = |store: &str, args: &[&str]| {
        mez_command(d)
            .args(["--json", "--store", store, "--key", "ops.key"])
            .args(args)
            .output()
            .unwrap()
    };
    let one = succeeded_json(&mez(
        "s1",
        &[
            "nightly",
            "--jurisdictions",
            "one",
            "--sources",
            "sources",
            "--as-of",
            "2026-11-23",
        ],
    ));
    let planned = succeeded_json(&mez(
        "s2",
        &[
            "nightly",
            "plan",
            "--jurisdictions",
            "many",
            "--sources",
            "sources",
            "--as-of",
            "2026-11-23",
        ],
    ));
    let plan = planned["plan"].as_str().unwrap().to_owned();
    let units = planned["shards"].as_u64().unwrap() as usize;
    assert_eq!(units, 3 * one["packs"].as_array().unwrap().len() / 3);
    for i in (0..units).rev().chain([0]) {
        succeeded(&mez(
            "s2",
            &["nightly", "map", "--plan", &plan, "--shard", &i.to_string()],
        ));
    }
    let merged = succeeded_json(&mez("s2", &["nightly", "merge", "--plan", &plan]));
    assert_eq!(merged, one);
    assert!(!one["locks_written"].as_array().unwrap().is_empty());
    for zone in std::fs::read_dir(d.join("one")).unwrap() {
        let zone = zone.unwrap();
        if !zone.path().is_dir() {
            continue;
        }
        let zone = zone.file_name();
        let lock = |copy: &str| std::fs::read(d.join(copy).join(&zone).join("stack.lock")).ok();
        assert!(lock("one").is_some(), "{zone:?}");
        assert_eq!(lock("many"), lock("one"), "{zone:?}");
    }
}

/// Inputs under an S3 prefix: the plan names each by its object URL, and every map unit
/// fetches its own objects; the merge equals `mez netting run` over the same files.
#[test]
fn a_plan_over_object_store_inputs_sends_each_unit_to_its_objects() {
    use crate::{mez_command, succeeded, succeeded_json};
    let Some(server) = crate::support::s3_server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    day(&d.join("day"), 5, 3);
    succeeded(
        &mez_command(d)
            .args(["keygen", "--out", "ops"])
            .output()
            .unwrap(),
    );
    let bucket = crate::support::s3_store(server, "shard-inputs");
    let prefix = format!("{}/day/", bucket.url().trim_end_matches('/'));
    for f in std::fs::read_dir(d.join("day")).unwrap() {
        let f = f.unwrap();
        let key = format!("day/{}", f.file_name().to_string_lossy());
        bucket
            .put_create(&key, std::fs::read(f.path()).unwrap().into())
            .unwrap();
    }
    let env = crate::support::s3_env(server);
    let mez = |args: &[&str]| {
        mez_command(d)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .args(["--json", "--store", "s", "--key", "ops.key"])
            .args(args)
            .output()
            .unwrap()
    };
    let planned = succeeded_json(&mez(&[
        "netting",
        "plan",
        "--input",
        &prefix,
        "--shards",
        "3",
        "--segment-bytes",
        "20000",
    ]));
    let plan = planned["plan"].as_str().unwrap().to_owned();
    for i in 0..3 {
        succeeded(&mez(&[
            "netting",
            "map",
            "--plan",
            &plan,
            "--shard",
            &i.to_string(),
        ]));
    }
    let merged = succeeded_json(&mez(&["netting", "merge", "--plan", &plan]));
    let one = succeeded_json(&mez(&[
        "netting",
        "run",
        "--input",
        "day",
        "--segment-bytes",
        "20000",
    ]));
    assert_eq!(merged["tables"], one["tables"]);
    // The plan names the objects by URL, not by the planner's temporary copies.
    let stored = verify::store::Store::open(d.join("s").to_str().unwrap()).unwrap();
    let digest: Digest = plan.parse().unwrap();
    let opened = shard::open_plan(&stored, &trust_of(d), &digest).unwrap();
    assert!(
        opened
            .inputs
            .iter()
            .all(|i| i.location.starts_with(&prefix)),
        "{:?}",
        opened.inputs
    );
}

fn trust_of(dir: &Path) -> TrustSet {
    TrustSet::new([verify::keys::PublicKey::read(&dir.join("ops.pub")).unwrap()])
}
