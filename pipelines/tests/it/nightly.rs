//! Zones, `mez nightly`, `mez lock` and the tensor end to end on generated sources: the
//! zone files against their schema, an incremental second night that writes nothing, locks
//! checked byte for byte, a rebuild from the locks on an empty store that reproduces every
//! digest, and a tensor cell proved and checked by `mez log verify-inclusion`.

use std::path::{Path, PathBuf};
use std::process::Output;

fn repo() -> PathBuf {
    crate::manifest_dir().join("..")
}

fn mez(dir: &Path, args: &[&str]) -> Output {
    crate::mez_command(dir).args(args).output().unwrap()
}

/// Copies a folder, without its `stack.lock` files.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    copy_tree(from, to, &|name| name != "stack.lock");
}

/// Copies a folder whole.
pub(crate) fn copy_all(from: &Path, to: &Path) {
    copy_tree(from, to, &|_| true);
}

fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&std::ffi::OsStr) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target, keep);
        } else if keep(&e.file_name()) {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A folder with the zones, a key `k`, generated sources for 10 firms a zone, and a store
/// `s` holding their nightly build as of 2026-11-23.
fn built_night() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&repo().join("jurisdictions"), &d.join("jurisdictions"));
    crate::succeeded(&mez(d, &["keygen", "--out", "k"]));
    crate::succeeded(&mez(
        d,
        &["gen", "sources", "--out", "sources", "--entities", "10"],
    ));
    crate::succeeded(&mez(
        d,
        &[
            "--store",
            "s",
            "--key",
            "k.key",
            "nightly",
            "--as-of",
            "2026-11-23",
        ],
    ));
    dir
}

fn files_in(dir: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn every_zone_file_matches_the_schema_and_the_loader_checks_the_rest() {
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo().join("schemas/zone.v1.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let zones = pipelines::zone::load_all(&repo().join("jurisdictions")).unwrap();
    let folders = std::fs::read_dir(repo().join("jurisdictions"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("zone.yaml").is_file())
        .count();
    assert_eq!(zones.len(), folders);
    assert_eq!(zones.len(), 6, "the six zones of jurisdictions/");
    for z in &zones {
        let value: serde_json::Value = yaml_serde::from_slice(&z.bytes).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", z.path.display());
    }
    // What the schema cannot say, the loader refuses.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("jurisdictions"), dir.path());
    let sg = dir.path().join("sg/zone.yaml");
    let text = std::fs::read_to_string(&sg).unwrap();
    std::fs::write(&sg, text.replace("zone_id: sg", "zone_id: sg-x")).unwrap();
    let err = pipelines::zone::load(&sg).unwrap_err();
    assert!(err.reason.contains("differs from its folder"), "{err}");
    std::fs::write(&sg, text.replacen("  - aml\n", "  - aml\n  - sharia\n", 1)).unwrap();
    let err = pipelines::zone::load(&sg).unwrap_err();
    assert!(err.reason.contains("registry version 2"), "{err}");
}

#[test]
fn nightly_is_incremental_locked_and_reproducible_and_the_tensor_proves_cells() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&repo().join("jurisdictions"), &d.join("jurisdictions"));
    crate::succeeded(&mez(d, &["keygen", "--out", "k"]));
    crate::succeeded(&mez(
        d,
        &["gen", "sources", "--out", "sources", "--entities", "40"],
    ));
    let night = |store: &str, extra: &[&str]| {
        let mut args = vec![
            "--json",
            "--store",
            store,
            "--key",
            "k.key",
            "nightly",
            "--as-of",
            "2026-11-23",
        ];
        args.extend_from_slice(extra);
        let out = crate::succeeded(&mez(d, &args));
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let first = night("s", &[]);
    // The date the packs are built as of is explicit in the summary.
    assert_eq!(first["as_of"], "2026-11-23", "{first}");
    let statuses = |r: &serde_json::Value, s: &str| {
        r["packs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["status"] == s)
            .count()
    };
    assert_eq!(statuses(&first, "built"), 16, "{first}");
    assert_eq!(
        statuses(&first, "absent"),
        2,
        "two zones have no licence register"
    );
    let files = files_in(&d.join("s"));
    let second = night("s", &[]);
    assert_eq!(statuses(&second, "unchanged"), 16);
    assert!(second["manifest"].is_null());
    assert_eq!(
        files_in(&d.join("s")),
        files,
        "the second night writes nothing"
    );
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo().join("schemas/stack-lock.v1.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for z in [
        "ae-adgm",
        "ae-difc",
        "hn-prospera",
        "kz-aifc",
        "pk-sifc",
        "sg",
    ] {
        let zone = format!("jurisdictions/{z}/zone.yaml");
        crate::succeeded(&mez(
            d,
            &["--store", "s", "--key", "k.key", "lock", &zone, "--check"],
        ));
        let lock = std::fs::read(d.join(format!("jurisdictions/{z}/stack.lock"))).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&lock).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{z}: {errors:?}");
        assert_eq!(
            lock,
            verify::canon::to_canonical_vec(&value).unwrap(),
            "canonical JSON"
        );
    }
    // A changed list rebuilds only the regpacks of the zones that use it.
    let list = d.join("sources/lists/eu-fsf/eu-fsf.csv");
    let mut text = std::fs::read_to_string(&list).unwrap();
    text.push_str("eu-fsf-NEW,Newly Listed Holdings Ltd,entity,,,,DEMO\n");
    std::fs::write(&list, text).unwrap();
    let third = night("s", &[]);
    let built: Vec<String> = third["packs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "built")
        .map(|p| {
            format!(
                "{}/{}",
                p["zone"].as_str().unwrap(),
                p["kind"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(built, ["ae-adgm/regpack", "ae-difc/regpack"]);
    // A lock edited by hand fails the byte-for-byte check.
    let lock = d.join("jurisdictions/sg/stack.lock");
    let original = std::fs::read(&lock).unwrap();
    std::fs::write(&lock, [original.as_slice(), b" "].concat()).unwrap();
    let o = mez(
        d,
        &[
            "--store",
            "s",
            "--key",
            "k.key",
            "lock",
            "jurisdictions/sg/zone.yaml",
            "--check",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    std::fs::write(&lock, &original).unwrap();
    // From the locks, on an empty store, every pack comes out with the same digest.
    let rebuilt = night("fresh", &["--locked"]);
    assert_eq!(statuses(&rebuilt, "reproduced"), 16, "{rebuilt}");
    // The tensor of one zone, with screening against its regpack.
    crate::succeeded(&mez(
        d,
        &[
            "--store",
            "s",
            "--key",
            "k.key",
            "screen",
            "--names",
            "sources/entities/sg.csv",
            "--regpack",
            "zones/sg/regpack",
        ],
    ));
    let eval = crate::succeeded(&mez(
        d,
        &[
            "--json",
            "--store",
            "s",
            "--key",
            "k.key",
            "tensor",
            "eval",
            "--zone",
            "jurisdictions/sg/zone.yaml",
            "--entities",
            "sources/entities/sg.csv",
            "--attestations",
            "sources/attestations/sg.csv",
            "--licences",
            "sources/licences/sg.csv",
            "--screening",
            "runs/screening/latest",
            "--as-of",
            "2026-11-23",
        ],
    ));
    let eval: serde_json::Value = serde_json::from_str(&eval).unwrap();
    assert_eq!(eval["tables"]["tensor"]["rows"], 40 * 20);
    // The first generated firms carry listed names: their sanctions cell is non_compliant.
    let proof = crate::succeeded(&mez(
        d,
        &[
            "--json",
            "--store",
            "s",
            "--key",
            "k.key",
            "tensor",
            "prove",
            "--zone",
            "sg",
            "--entity",
            "sg-00000",
            "--domain",
            "sanctions",
        ],
    ));
    let proof: serde_json::Value = serde_json::from_str(&proof).unwrap();
    assert_eq!(proof["state"], "non_compliant");
    let mut args: Vec<String> = vec![
        "log".into(),
        "verify-inclusion".into(),
        "--size".into(),
        proof["size"].to_string(),
        "--index".into(),
        proof["index"].to_string(),
        "--leaf-hash".into(),
        proof["leaf_hash"].as_str().unwrap().into(),
        "--root".into(),
        proof["root"].as_str().unwrap().into(),
    ];
    for p in proof["proof"].as_array().unwrap() {
        args.push("--proof".into());
        args.push(p.as_str().unwrap().into());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    crate::succeeded(&mez(d, &refs));
    // The leaf recomputed from the cell's fields alone is the leaf proved.
    let leaf = crate::succeeded(&mez(
        d,
        &[
            "--json",
            "tensor",
            "leaf",
            "--entity",
            "sg-00000",
            "--jurisdiction",
            proof["jurisdiction_id"].as_str().unwrap(),
            "--domain",
            "sanctions",
            "--as-of",
            proof["as_of"].as_str().unwrap(),
            "--state",
            proof["state"].as_str().unwrap(),
        ],
    ));
    let leaf: serde_json::Value = serde_json::from_str(&leaf).unwrap();
    assert_eq!(leaf["leaf_hash"], proof["leaf_hash"]);
    assert_eq!(leaf["leaf_bytes"], proof["leaf_bytes"]);
    // The root in the signed manifest is the root the proof is for.
    let manifest = eval["manifest"].as_str().unwrap().to_owned();
    let out = crate::succeeded(&mez(
        d,
        &[
            "--store",
            "s",
            "--key",
            "k.key",
            "sql",
            &format!(
                "SELECT count(*) FROM \"{}\"",
                eval["tables"]["tensor"]["digest"].as_str().unwrap()
            ),
        ],
    ));
    // One cell per entity of the file and domain of the zone's registry version (1: 20).
    let entities = std::fs::read_to_string(d.join("sources/entities/sg.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    let cells: usize = out.lines().last().unwrap().trim().parse().unwrap();
    assert_eq!(cells, entities * pipelines::zone::registry_len(1).unwrap());
    let store = verify::store::Store::open(&d.join("s").display().to_string()).unwrap();
    let m: verify::Digest = manifest.parse().unwrap();
    let key = verify::store::manifest_key(&m);
    let statement =
        verify::manifest::statement_unverified(&key, &store.get_verified(&key, &m).unwrap())
            .unwrap();
    assert_eq!(
        statement.predicate.semantic["tensor_merkle_root"],
        format!("sha256:{}", proof["root"].as_str().unwrap())
    );
    // And the whole store verifies.
    crate::succeeded(&mez(
        d,
        &["--store", "s", "verify", "--trusted-key", "k.pub"],
    ));
}

#[test]
fn nightly_locked_is_an_auditors_check_that_needs_no_key_and_writes_nothing() {
    let dir = built_night();
    let d = dir.path();
    let audit = |extra: &[&str]| {
        let mut args = vec![
            "--json",
            "--store",
            "s",
            "nightly",
            "--locked",
            "--trusted-key",
            "k.pub",
        ];
        args.extend_from_slice(extra);
        mez(d, &args)
    };
    let before = files_in(&d.join("s"));
    let o = audit(&[]);
    let report: serde_json::Value = serde_json::from_str(&crate::succeeded(&o)).unwrap();
    let packs = report["packs"].as_array().unwrap();
    assert_eq!(packs.len(), 16, "{report}");
    assert!(
        packs.iter().all(|p| p["status"] == "reproduced"),
        "{report}"
    );
    // The expected and the rebuilt statement are both in the report.
    assert!(
        packs
            .iter()
            .all(|p| p["got"].is_string() && p["manifest"].is_string())
    );
    assert_eq!(
        files_in(&d.join("s")),
        before,
        "the check published nothing"
    );
    // No trusted key at all: it cannot run.
    let o = mez(d, &["--store", "s", "nightly", "--locked"]);
    assert_eq!(o.status.code(), Some(2));
    // A job reads another's run only when a trusted key signed it: screening against the
    // regpack with another key refuses, and goes once that key trusts the regpack's signer.
    crate::succeeded(&mez(d, &["keygen", "--out", "other"]));
    let screen = |extra: &[&str]| {
        let mut args = vec!["--store", "s", "--key", "other.key", "screen"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&[
            "--names",
            "sources/entities/sg.csv",
            "--regpack",
            "zones/sg/regpack",
        ]);
        mez(d, &args)
    };
    let o = screen(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("signature"),
        "{o:?}"
    );
    crate::succeeded(&screen(&["--trusted-key", "k.pub"]));

    let status_of = |o: &Output, zone: &str| -> Vec<String> {
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        report["packs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["zone"] == zone)
            .map(|p| {
                format!(
                    "{}:{}",
                    p["kind"].as_str().unwrap(),
                    p["status"].as_str().unwrap()
                )
            })
            .collect()
    };
    // A zone file changed since the lock was written fails.
    let zone = d.join("jurisdictions/sg/zone.yaml");
    let original = std::fs::read(&zone).unwrap();
    std::fs::write(&zone, [original.as_slice(), b"\n# edited\n"].concat()).unwrap();
    let o = audit(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        status_of(&o, "sg").contains(&"zone:mismatch".to_owned()),
        "{o:?}"
    );
    std::fs::write(&zone, &original).unwrap();
    // Missing law sources fail (they are not "absent": the lock pins them).
    std::fs::rename(d.join("sources/law/sg"), d.join("law-sg-away")).unwrap();
    let o = audit(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        status_of(&o, "sg").contains(&"lawpack:missing".to_owned()),
        "{o:?}"
    );
    std::fs::rename(d.join("law-sg-away"), d.join("sources/law/sg")).unwrap();
    // A changed source fails.
    let register = d.join("sources/licences/sg.csv");
    let mut text = std::fs::read_to_string(&register).unwrap();
    text.push('\n');
    std::fs::write(&register, text).unwrap();
    let o = audit(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        status_of(&o, "sg").contains(&"licensepack:mismatch".to_owned()),
        "{o:?}"
    );
    // A lock that pins no packs fails.
    let lock = d.join("jurisdictions/ae-adgm/stack.lock");
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&lock).unwrap()).unwrap();
    value["packs"] = serde_json::json!({});
    std::fs::write(&lock, verify::canon::to_canonical_vec(&value).unwrap()).unwrap();
    let o = audit(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        status_of(&o, "ae-adgm").contains(&"lock:mismatch".to_owned()),
        "{o:?}"
    );
    // A damaged lock is refused naming the field, and the other zones are still checked.
    let lock = d.join("jurisdictions/hn-prospera/stack.lock");
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&lock).unwrap()).unwrap();
    value["packs"]["regpack"]["built_at"] = "yesterday".into();
    std::fs::write(&lock, value.to_string()).unwrap();
    let o = audit(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        status_of(&o, "hn-prospera").contains(&"lock:mismatch".to_owned()),
        "{o:?}"
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("packs.regpack.built_at"),
        "{o:?}"
    );
    assert!(
        status_of(&o, "kz-aifc").contains(&"regpack:reproduced".to_owned()),
        "{o:?}"
    );
}

#[test]
fn verify_recomputes_the_signed_roots_of_packs_and_tensors() {
    let dir = built_night();
    let d = dir.path();
    let o = mez(
        d,
        &[
            "--json",
            "--store",
            "s",
            "verify",
            "--trusted-key",
            "k.pub",
            "--deep",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&crate::succeeded(&o)).unwrap();
    let note = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["object"] == "semantic roots")
        .unwrap()
        .clone();
    assert_eq!(
        note["note"], "16 signed roots recomputed from their tables",
        "{note}"
    );
}

#[test]
fn a_sanctions_cell_is_clear_only_for_an_entity_screened_against_the_zones_own_regpack() {
    let dir = built_night();
    let d = dir.path();
    // Screen only the first seven of the zone's ten firms.
    let all = std::fs::read_to_string(d.join("sources/entities/sg.csv")).unwrap();
    let some: Vec<&str> = all.lines().take(8).collect();
    std::fs::write(d.join("some.csv"), some.join("\n") + "\n").unwrap();
    let screened: Vec<String> = some[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    crate::succeeded(&mez(
        d,
        &[
            "--store",
            "s",
            "--key",
            "k.key",
            "screen",
            "--names",
            "some.csv",
            "--regpack",
            "zones/sg/regpack",
        ],
    ));
    let eval = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "--json",
            "--store",
            "s",
            "--key",
            "k.key",
            "tensor",
            "eval",
            "--zone",
            "jurisdictions/sg/zone.yaml",
            "--entities",
            "sources/entities/sg.csv",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&crate::succeeded(&mez(d, &args))).unwrap()
    };
    // By default the zone's own screening (runs/screening/sg/latest) is the evidence.
    let summary = eval(&["--as-of", "2026-11-23"]);
    let tensor = summary["tables"]["tensor"]["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    let cells = |digest: &str| -> Vec<(String, String, String)> {
        let out = crate::succeeded(&mez(
            d,
            &[
                "--json",
                "--store",
                "s",
                "--key",
                "k.key",
                "sql",
                &format!(
                    "SELECT entity_id, state, source FROM \"{digest}\" WHERE domain = 'sanctions' ORDER BY entity_id"
                ),
            ],
        ));
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        rows.iter()
            .map(|r| {
                (
                    r["entity_id"].as_str().unwrap().to_owned(),
                    r["state"].as_str().unwrap().to_owned(),
                    r["source"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let rows = cells(&tensor);
    assert_eq!(rows.len(), 10);
    assert!(
        rows.iter().any(|(_, state, _)| state == "compliant"),
        "some screened firm is clear: {rows:?}"
    );
    for (entity, state, source) in &rows {
        if screened.contains(entity) {
            assert!(
                state == "compliant" || source == "screening_hit",
                "{entity}: {state} {source}"
            );
        } else {
            assert_eq!(
                (state.as_str(), source.as_str()),
                ("pending", "not_screened"),
                "{entity}"
            );
        }
    }
    // More than the limit (30 days) before the as-of date, it clears no one.
    let stale = eval(&["--as-of", "2099-01-01"]);
    let stale_rows = cells(stale["tables"]["tensor"]["digest"].as_str().unwrap());
    assert!(
        stale_rows.iter().all(|(_, state, _)| state != "compliant"),
        "{stale_rows:?}"
    );
    // Against another zone's regpack, it clears no one either.
    crate::succeeded(&mez(
        d,
        &[
            "--store",
            "s",
            "--key",
            "k.key",
            "screen",
            "--names",
            "some.csv",
            "--regpack",
            "zones/ae-adgm/regpack",
        ],
    ));
    let other = eval(&[
        "--as-of",
        "2026-11-23",
        "--screening",
        "runs/screening/ae-adgm/latest",
    ]);
    let other_rows = cells(other["tables"]["tensor"]["digest"].as_str().unwrap());
    assert!(
        other_rows.iter().all(|(_, state, _)| state != "compliant"),
        "{other_rows:?}"
    );
}
