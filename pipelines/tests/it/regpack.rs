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

#[test]
fn an_ofac_csv_without_its_siblings_is_refused_unless_allowed_and_a_header_makes_a_custom_list() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mez = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mez"))
            .current_dir(d)
            .env_remove("MEZ_STORE")
            .env_remove("MEZ_KEY")
            .args(args)
            .output()
            .unwrap()
    };
    assert!(mez(&["keygen", "--out", "k"]).status.success());
    std::fs::create_dir_all(d.join("ofac")).unwrap();
    std::fs::write(
        d.join("ofac/sdn.csv"),
        "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n",
    )
    .unwrap();
    let build = |extra: &[&str]| {
        let mut args = vec![
            "--json",
            "--store",
            "s",
            "--key",
            "k.key",
            "regpack",
            "build",
            "--jurisdiction",
            "sg",
            "--lists",
            "ofac/sdn.csv",
        ];
        args.extend_from_slice(extra);
        mez(&args)
    };
    // Alone, the primary file would give entries without any alias or address: refused.
    let o = build(&[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("without its addresses and aliases file"),
        "{err}"
    );
    // Allowed explicitly: built, and the quarantine says what is missing.
    let o = build(&["--allow-missing-siblings"]);
    assert!(o.status.success(), "{o:?}");
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["quarantined"], 2, "{summary}");
    assert_eq!(summary["tables"]["entries"]["rows"], 1);
    // With its siblings beside it, nothing is missing.
    std::fs::write(
        d.join("ofac/add.csv"),
        "36,25,\"Havana\",-0- ,\"Cuba\",-0- \r\n",
    )
    .unwrap();
    std::fs::write(
        d.join("ofac/alt.csv"),
        "36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n",
    )
    .unwrap();
    let o = build(&[]);
    assert!(o.status.success(), "{o:?}");
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["quarantined"], 0, "{summary}");
    // A list with a header is a custom list, even when its name says "sdn".
    std::fs::write(
        d.join("ofac-sdn.csv"),
        "id,name,type\nX-1,Orion Bay Trading LLC,entity\nX-2,Viktor Morozov,individual\n",
    )
    .unwrap();
    let o = mez(&[
        "--json",
        "--store",
        "s",
        "--key",
        "k.key",
        "regpack",
        "build",
        "--jurisdiction",
        "ae-adgm",
        "--lists",
        "ofac-sdn.csv",
    ]);
    assert!(o.status.success(), "{o:?}");
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (
            summary["tables"]["entries"]["rows"].as_u64(),
            summary["quarantined"].as_u64()
        ),
        (Some(2), Some(0)),
        "{summary}"
    );
}
