//! `mez regpack build` over the real lists (skipped when absent).

use std::process::Command;

#[test]
fn regpacks_build_from_every_format_verify_and_ignore_list_order() {
    let lists = crate::manifest_dir().join("../../shared/data/sanctions");
    if !lists.is_dir() {
        assert!(
            std::env::var("MEZ_REQUIRE_DATA").as_deref() != Ok("1"),
            "MEZ_REQUIRE_DATA=1, and the real corpus {} is absent",
            lists.display()
        );
        eprintln!("SKIPPED: the real corpus {} is absent", lists.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mez = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_mez"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    assert_eq!(mez(&["keygen", "--out", "k"]).0, 0);
    let files: Vec<String> = [
        "excerpts/ofac_sdn_excerpt.csv",
        "ofac/consolidated-nonsdn-xml-2018-04-06/consolidated.xml.gz",
        "excerpts/un_consolidated_excerpt.xml",
        "excerpts/eu_fsf_excerpt.xml",
        "excerpts/uk_sanctions_list_excerpt.xml",
    ]
    .iter()
    .map(|f| lists.join(f).display().to_string())
    .collect();
    let build = |store: &str, files: &[String]| {
        let mut args = vec![
            "--json",
            "--store",
            store,
            "--key",
            "k.key",
            "regpack",
            "build",
            "--jurisdiction",
            "ae-adgm",
            "--lists",
        ];
        args.extend(files.iter().map(String::as_str));
        let (code, out, err) = mez(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let a = build("s1", &files);
    let mut reversed = files.clone();
    reversed.reverse();
    let b = build("s2", &reversed);
    assert_eq!(a["tables"], b["tables"]);
    assert_eq!(a["tables"]["entries"]["rows"], 7 + 639 + 7 + 5 + 5);
    let (code, out, _) = mez(&["--store", "s1", "verify", "--trusted-key", "k.pub"]);
    assert_eq!(code, 0, "{out}");
    // The manifest names the list files it read, siblings included, and the Merkle root.
    let manifest = a["manifest"].as_str().unwrap();
    let (_, out, _) = mez(&[
        "--store",
        "s1",
        "--key",
        "k.key",
        "--json",
        "sql",
        "SELECT list, count(*) AS n FROM \"regpack-ae-adgm\".entries GROUP BY list ORDER BY list",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(manifest.starts_with("sha256:"));
    // A regpack without the UK list: its 5 entries are "removed" in the diff.
    let without_uk: Vec<String> = files
        .iter()
        .filter(|f| !f.contains("uk_"))
        .cloned()
        .collect();
    let c = build("s1", &without_uk);
    let (code, out, err) = mez(&[
        "--json",
        "--store",
        "s1",
        "--key",
        "k.key",
        "regpack",
        "diff",
        manifest,
        c["manifest"].as_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let changes: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(changes.len(), 5);
    assert!(
        changes
            .iter()
            .all(|c| c["change"] == "removed" && c["list"] == "uk")
    );
}
