//! `mez lawpack build` and `mez lawpack diff` over the real corpus (skipped when absent).

use std::path::PathBuf;
use std::process::Command;

fn akn() -> Option<PathBuf> {
    let dir = crate::manifest_dir().join("../../shared/data/akn");
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(
            std::env::var("MEZ_REQUIRE_DATA").as_deref() != Ok("1"),
            "MEZ_REQUIRE_DATA=1, and the real corpus {} is absent",
            dir.display()
        );
        eprintln!("SKIPPED: the real corpus {} is absent", dir.display());
        None
    }
}

fn mez(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_mez"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn lawpacks_build_verify_diff_and_do_not_depend_on_input_order() {
    let Some(akn) = akn() else { return };
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(mez(dir.path(), &["keygen", "--out", "k"]).0, 0);
    let old = akn.join("samples/it_normattiva_rd-1941-633_2021-12-31.xml");
    let new = akn.join("samples/it_normattiva_rd-1941-633_2024-12-22.xml");
    let extra = akn.join("samples/uk_asp-2017-1.xml");
    let build = |store: &str, inputs: &[&PathBuf]| {
        let mut args = vec![
            "--json",
            "--store",
            store,
            "--key",
            "k.key",
            "lawpack",
            "build",
            "--jurisdiction",
            "it",
            "--input",
        ];
        let inputs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        args.extend(inputs.iter().map(String::as_str));
        let (code, out, err) = mez(dir.path(), &args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let a = build("s1", &[&old, &extra]);
    let b = build("s2", &[&extra, &old]);
    assert_eq!(a["tables"], b["tables"], "input order must not matter");
    let before = a["manifest"].as_str().unwrap().to_owned();
    let after = build("s1", &[&new, &extra])["manifest"]
        .as_str()
        .unwrap()
        .to_owned();
    let (code, out, err) = mez(
        dir.path(),
        &[
            "--store", "s1", "--key", "k.key", "--json", "lawpack", "diff", &before, &after,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let changes: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let added_articles: Vec<_> = changes
        .iter()
        .filter(|c| c["change"] == "added" && c["element"] == "article")
        .collect();
    assert_eq!(added_articles.len(), 1, "{added_articles:#?}");
    // The Scottish act is in both lawpacks unchanged: nothing of it in the diff.
    assert!(
        changes
            .iter()
            .all(|c| !c["provision_key"].as_str().unwrap().contains("asp/2017/1"))
    );
    let (code, out, _) = mez(
        dir.path(),
        &["--store", "s1", "verify", "--trusted-key", "k.pub"],
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn refused_documents_are_quarantined_and_the_build_goes_on() {
    let Some(akn) = akn() else { return };
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(mez(dir.path(), &["keygen", "--out", "k"]).0, 0);
    std::fs::write(dir.path().join("dtd.xml"), "<!DOCTYPE a [<!ENTITY x \"y\">]><akomaNtoso xmlns=\"http://docs.oasis-open.org/legaldocml/ns/akn/3.0\"/>").unwrap();
    let us = akn
        .join("samples/us_act-2011-11-29.xml")
        .display()
        .to_string();
    let (code, out, err) = mez(
        dir.path(),
        &[
            "--json",
            "--store",
            "s",
            "--key",
            "k.key",
            "lawpack",
            "build",
            "--jurisdiction",
            "us",
            "--input",
            &us,
            "dtd.xml",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["quarantined"], 1);
    assert_eq!(summary["tables"]["documents"]["rows"], 1);
    let (_, out, _) = mez(
        dir.path(),
        &[
            "--store",
            "s",
            "--key",
            "k.key",
            "sql",
            "SELECT reason FROM quarantine",
        ],
    );
    assert!(out.contains("DTDs are refused"), "{out}");
}
