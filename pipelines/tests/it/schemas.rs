//! Every JSON document we write validates against its schema in `schemas/`.

use base64::Engine as _;
use pipelines::jobs::demo::{Demo, DemoParams};
use verify::keys::SecretKey;
use verify::store::Store;

fn validator(name: &str) -> jsonschema::Validator {
    let path = crate::manifest_dir().join("../schemas").join(name);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// `doc` validates against `schemas/cli/<name>.schema.json` (for tests elsewhere).
pub(crate) fn assert_cli_output(name: &str, doc: &serde_json::Value) {
    assert_valid(&validator(&format!("cli/{name}.schema.json")), doc, name);
}

fn assert_valid(v: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn manifests_and_receipts_match_their_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    let signer = SecretKey::from_seed("ops", [1; 32]);
    for seed in 0..2 {
        let params = DemoParams {
            transfers: 500,
            seed,
        };
        crate::run_job::<Demo>(&store, &signer, 1_795_398_979, &params);
    }
    let (envelope_schema, statement_schema, receipt_schema) = (
        validator("dsse-envelope.schema.json"),
        validator("run-statement.v1.schema.json"),
        validator("receipt.v1.schema.json"),
    );
    let manifests = store.list("manifests/").unwrap();
    assert_eq!(manifests.len(), 2);
    for m in manifests {
        let envelope: serde_json::Value =
            serde_json::from_slice(&store.get(&m.key).unwrap()).unwrap();
        assert_valid(&envelope_schema, &envelope, &m.key);
        let payload = base64::engine::general_purpose::STANDARD
            .decode(envelope["payload"].as_str().unwrap())
            .unwrap();
        let mut statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        assert_valid(&statement_schema, &statement, &m.key);
        // The schema can fail: a float where a count belongs is refused.
        statement["subject"][0]["annotations"]["rows"] = serde_json::json!(1.5);
        assert!(!statement_schema.is_valid(&statement));
    }
    let receipts = store.list("log/demo/receipts/").unwrap();
    assert_eq!(receipts.len(), 2);
    for r in receipts {
        let mut receipt: serde_json::Value =
            serde_json::from_slice(&store.get(&r.key).unwrap()).unwrap();
        assert_valid(&receipt_schema, &receipt, &r.key);
        receipt["sequence"] = serde_json::json!(-1);
        assert!(!receipt_schema.is_valid(&receipt));
    }
}

/// What the commands print with `--json` validates against `schemas/cli/`: every run of a
/// whole demo, the audit, the plans, units and merges of the three sharded jobs, a
/// screening and a nightly.
#[test]
fn command_outputs_match_their_schemas() {
    use crate::{mez_command, succeeded_json};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cli = |name: &str| validator(&format!("cli/{name}.schema.json"));
    let (summary, plan, partial, nightly, audit) = (
        cli("run-summary"),
        cli("shard-plan"),
        cli("shard-partial"),
        cli("nightly-report"),
        cli("verify-report"),
    );
    let mez = |args: &[&str]| {
        succeeded_json(
            &mez_command(d)
                .args(["--json", "--key", "outputs/demo.key"])
                .args(args)
                .output()
                .unwrap(),
        )
    };
    let demo = crate::zones_demo(d, "300", "10");
    let zones = crate::manifest_dir().join("../jurisdictions");
    assert_cli_output("demo", &demo);
    for run in demo["runs"].as_array().unwrap() {
        assert_valid(&summary, run, "a demo run");
    }
    assert_valid(&audit, &demo["verify"], "demo's audit");
    assert_valid(
        &audit,
        &mez(&["verify", "--trusted-key", "outputs/demo.pub"]),
        "verify",
    );

    // The sharded jobs: plan, one unit, merge.
    crate::succeeded(
        &mez_command(d)
            .args([
                "gen",
                "pacs008",
                "--out",
                "day",
                "--transactions",
                "300",
                "--files",
                "2",
            ])
            .output()
            .unwrap(),
    );
    crate::succeeded(
        &mez_command(d)
            .args(["gen", "names", "--out", "names.csv", "--count", "50"])
            .output()
            .unwrap(),
    );
    crate::nightly::copy_dir(&zones, &d.join("zones"));
    crate::succeeded(
        &mez_command(d)
            .args([
                "gen",
                "sources",
                "--out",
                "sources",
                "--entities",
                "5",
                "--jurisdictions",
                "zones",
            ])
            .output()
            .unwrap(),
    );
    for (job, args) in [
        ("netting", vec!["--input", "day", "--shards", "2"]),
        (
            "screen",
            vec![
                "--names",
                "names.csv",
                "--regpack",
                "runs/regpack-sg/latest",
                "--shards",
                "2",
            ],
        ),
        (
            "nightly",
            vec![
                "--jurisdictions",
                "zones",
                "--sources",
                "sources",
                "--as-of",
                "2026-11-23",
            ],
        ),
    ] {
        let mut planning = vec![job, "plan"];
        planning.extend(&args);
        let planned = mez(&planning);
        assert_valid(&plan, &planned, job);
        let digest = planned["plan"].as_str().unwrap().to_owned();
        for unit in 0..planned["units"].as_u64().unwrap() {
            let mapped = mez(&[job, "map", "--plan", &digest, "--shard", &unit.to_string()]);
            assert_valid(&partial, &mapped, job);
        }
        let merged = mez(&[job, "merge", "--plan", &digest]);
        assert_valid(
            if job == "nightly" { &nightly } else { &summary },
            &merged,
            job,
        );
    }
    let screened = mez(&[
        "screen",
        "--names",
        "names.csv",
        "--regpack",
        "runs/regpack-sg/latest",
    ]);
    assert_valid(&summary, &screened, "screen");
    let built = mez(&[
        "nightly",
        "--jurisdictions",
        "zones",
        "--sources",
        "sources",
        "--as-of",
        "2026-11-24",
    ]);
    assert_valid(&nightly, &built, "nightly");
    // The other commands that print a document with --json.
    let (keygen, generated, sql, gc, page, attested, log) = (
        cli("keygen"),
        cli("gen"),
        cli("sql"),
        cli("store-gc"),
        cli("report"),
        cli("attest-verify"),
        cli("log"),
    );
    assert_valid(&keygen, &mez(&["keygen", "--out", "other"]), "keygen");
    for args in [
        vec![
            "gen",
            "pacs008",
            "--out",
            "day2",
            "--transactions",
            "50",
            "--files",
            "1",
        ],
        vec!["gen", "names", "--out", "n2.csv", "--count", "5"],
        vec![
            "gen",
            "sources",
            "--out",
            "s2",
            "--entities",
            "2",
            "--jurisdictions",
            "zones",
        ],
    ] {
        assert_valid(&generated, &mez(&args), args[1]);
    }
    assert_valid(
        &sql,
        &mez(&[
            "sql",
            "SELECT currency, count(*) AS n FROM payments GROUP BY 1",
        ]),
        "sql",
    );
    assert_valid(&gc, &mez(&["store", "gc"]), "store gc");
    assert_valid(&page, &mez(&["report", "--out", "r.html"]), "report");
    let netting = demo["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["job"] == "netting")
        .unwrap();
    let credential = mez_command(d)
        .args([
            "--key",
            "outputs/demo.key",
            "attest",
            netting["manifest"].as_str().unwrap(),
        ])
        .args(["--out", "run.vc.json"])
        .output()
        .unwrap();
    crate::succeeded(&credential);
    assert_valid(
        &attested,
        &mez(&["attest", "verify", "run.vc.json"]),
        "attest verify",
    );
    std::fs::write(d.join("leaves.txt"), "00\n01\n").unwrap();
    assert_valid(
        &log,
        &mez(&["log", "root", "--leaves", "leaves.txt"]),
        "log root",
    );
    let proof = mez(&["log", "prove-inclusion", "--chain", "demo", "--index", "0"]);
    assert_valid(&log, &proof, "log prove-inclusion");
    let hashes: Vec<String> = proof["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    let mut args = vec![
        "log".to_owned(),
        "verify-inclusion".into(),
        "--size".into(),
        proof["size"].to_string(),
        "--index".into(),
        "0".into(),
        "--leaf-hash".into(),
        proof["leaf_hash"].as_str().unwrap().into(),
        "--root".into(),
        proof["root"].as_str().unwrap().into(),
    ];
    if !hashes.is_empty() {
        args.push("--proof".into());
        args.extend(hashes);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let verdict = mez(&args);
    assert_valid(&log, &verdict, "log verify-inclusion");
    assert_eq!(verdict["valid"], true);
    assert_valid(
        &log,
        &mez(&[
            "log",
            "prove-consistency",
            "--chain",
            "demo",
            "--old-size",
            "1",
        ]),
        "log prove-consistency",
    );
    // Locks, pack diffs, tensor proofs and leaves, the matcher's evaluation.
    let (lock, diff, tensor, eval) = (
        cli("lock"),
        cli("pack-diff"),
        cli("tensor"),
        cli("screen-eval"),
    );
    assert_valid(
        &lock,
        &mez(&["lock", "zones/sg/zone.yaml", "--check"]),
        "lock",
    );
    // Two zones' packs, by the refs their runs set.
    let latest = |chain: &str| {
        std::fs::read_to_string(d.join("outputs/refs/runs").join(chain).join("latest"))
            .unwrap()
            .trim()
            .to_owned()
    };
    let laws = [latest("lawpack-sg"), latest("lawpack-ae-adgm")];
    let regs = [latest("regpack-sg"), latest("regpack-ae-adgm")];
    let changes = mez(&["lawpack", "diff", &laws[0], &laws[1]]);
    assert!(!changes.as_array().unwrap().is_empty());
    assert_valid(&diff, &changes, "lawpack diff");
    let changes = mez(&["regpack", "diff", &regs[0], &regs[1]]);
    assert_valid(&diff, &changes, "regpack diff");
    let cell = mez(&[
        "sql",
        "SELECT entity_id, domain FROM \"tensor-sg\".tensor ORDER BY 1, 2 LIMIT 1",
    ]);
    let (entity, domain) = (
        cell[0]["entity_id"].as_str().unwrap().to_owned(),
        cell[0]["domain"].as_str().unwrap().to_owned(),
    );
    let proof = mez(&[
        "tensor", "prove", "--zone", "sg", "--entity", &entity, "--domain", &domain,
    ]);
    assert_valid(&tensor, &proof, "tensor prove");
    let leaf = mez(&[
        "tensor",
        "leaf",
        "--entity",
        &entity,
        "--jurisdiction",
        proof["jurisdiction_id"].as_str().unwrap(),
        "--domain",
        &domain,
        "--as-of",
        proof["as_of"].as_str().unwrap(),
        "--state",
        proof["state"].as_str().unwrap(),
    ]);
    assert_valid(&tensor, &leaf, "tensor leaf");
    assert_eq!(leaf["leaf_hash"], proof["leaf_hash"]);
    let measured = mez(&[
        "screen",
        "eval",
        "--regpack",
        "runs/regpack-sg/latest",
        "--positives",
        "40",
        "--negatives",
        "40",
        "--brute-force-sample",
        "10",
    ]);
    assert_valid(&eval, &measured, "screen eval");
    // The schemas can fail: a count that is not an integer, an unknown pack status.
    let mut bad = screened.clone();
    bad["quarantined"] = serde_json::json!(0.5);
    assert!(!summary.is_valid(&bad));
    let mut bad = built.clone();
    bad["packs"][0]["status"] = "maybe".into();
    assert!(!nightly.is_valid(&bad));
}
