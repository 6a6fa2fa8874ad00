//! Lawpacks over the real corpus (skipped, saying so, when absent) and fixtures.

/// This package's directory, asked of cargo when the tests run. A test binary built in one
/// clone can be reused from a shared target directory by another clone of the same
/// sources, so the compile-time path (`env!`) may name a clone that is gone.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

use ingest::NamedFile;
use std::path::PathBuf;

use ingest::akn;
use packs::lawpack;

fn samples() -> Option<PathBuf> {
    let dir = manifest_dir().join("../../shared/data/akn/samples");
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

#[test]
fn the_italian_copyright_law_gains_one_article_between_expressions() {
    let Some(dir) = samples() else { return };
    let old = akn::read_file(&NamedFile::as_given(
        dir.join("it_normattiva_rd-1941-633_2021-12-31.xml"),
    ))
    .unwrap();
    let new = akn::read_file(&NamedFile::as_given(
        dir.join("it_normattiva_rd-1941-633_2024-12-22.xml"),
    ))
    .unwrap();
    let count = |d: &akn::AknDocument| {
        d.provisions
            .iter()
            .filter(|p| p.element == "article")
            .count()
    };
    assert_eq!((count(&old), count(&new)), (306, 307));
    let (a, b) = (
        lawpack::build(std::slice::from_ref(&old)).unwrap(),
        lawpack::build(std::slice::from_ref(&new)).unwrap(),
    );
    let changes = lawpack::diff(&a.provisions, &b.provisions, None, None).unwrap();
    let added: Vec<_> = changes
        .iter()
        .filter(|c| c.change == "added" && c.element == "article")
        .collect();
    assert_eq!(added.len(), 1, "{added:#?}");
    assert!(
        changes
            .iter()
            .all(|c| !(c.change == "removed" && c.element == "article"))
    );
    // The same diff between two expressions held in one lawpack.
    let both = lawpack::build(&[new.clone(), old.clone()]).unwrap();
    let within = lawpack::diff(
        &both.provisions,
        &both.provisions,
        old.expression_uri.as_deref(),
        new.expression_uri.as_deref(),
    )
    .unwrap();
    assert_eq!(within, changes);
    eprintln!(
        "added article: {} ({:?})",
        added[0].provision_key, added[0].num_after
    );
}

#[test]
fn lawpacks_do_not_depend_on_input_order_and_commit_to_every_row() {
    let Some(dir) = samples() else { return };
    let mut docs: Vec<akn::AknDocument> = [
        "uk_asp-2017-1.xml",
        "us_act-2011-11-29.xml",
        "ke_act-1989-12-06_v2.xml",
    ]
    .iter()
    .map(|f| akn::read_file(&NamedFile::as_given(dir.join(f))).unwrap())
    .collect();
    let a = lawpack::build(&docs).unwrap();
    docs.reverse();
    let b = lawpack::build(&docs).unwrap();
    assert_eq!(a.provisions, b.provisions);
    assert_eq!(a.merkle_root, b.merkle_root);
    // An auditor recomputes the root from the stored table's rows alone.
    assert_eq!(
        lawpack::root_of_table(&a.provisions).unwrap(),
        a.merkle_root
    );
    // Any change to any provision's text changes the root.
    docs[0].provisions[0].text.push('.');
    assert_ne!(lawpack::build(&docs).unwrap().merkle_root, a.merkle_root);
}

#[test]
fn regpacks_commit_to_every_entry_and_diff_consecutive_ofac_snapshots() {
    use ingest::sanctions;
    use packs::regpack;
    let dir = manifest_dir().join("../../shared/data/sanctions/ofac/sdn-csv-2024-05");
    if !dir.is_dir() {
        assert!(
            std::env::var("MEZ_REQUIRE_DATA").as_deref() != Ok("1"),
            "MEZ_REQUIRE_DATA=1, and the real corpus {} is absent",
            dir.display()
        );
        eprintln!("SKIPPED: the real corpus {} is absent", dir.display());
        return;
    }
    let read = |f: &str| {
        sanctions::read_ofac_csv_set(
            "ofac_sdn",
            &NamedFile::as_given(dir.join(f)),
            None,
            None,
            None,
        )
        .unwrap()
    };
    let (may2, may3) = (read("sdn-2024-05-02.csv.gz"), read("sdn-2024-05-03.csv.gz"));
    let (a, b) = (
        regpack::build(std::slice::from_ref(&may2)).unwrap(),
        regpack::build(std::slice::from_ref(&may3)).unwrap(),
    );
    assert_eq!(
        (a.entries.num_rows(), b.entries.num_rows()),
        (14_973, 14_965)
    );
    // An auditor recomputes each root from the stored tables' rows alone.
    for p in [&a, &b] {
        assert_eq!(
            regpack::root_of_tables(&p.entries, &p.names).unwrap(),
            p.merkle_root
        );
    }
    assert_eq!(a.leaves.len(), 14_973, "one leaf per entry");
    assert_ne!(a.merkle_root, b.merkle_root);
    let changes = regpack::diff(&a, &b);
    let removed = changes.iter().filter(|c| c.2 == "removed").count();
    assert_eq!(removed, 8, "the published delta removes 8 rows");
    // Rebuilding gives the same root; one changed remark changes it.
    assert_eq!(
        regpack::build(std::slice::from_ref(&may3))
            .unwrap()
            .merkle_root,
        b.merkle_root
    );
    let mut edited = may3.clone();
    edited.entries[100].remarks = Some("edited".into());
    let c = regpack::build(&[edited]).unwrap();
    assert_ne!(c.merkle_root, b.merkle_root);
    assert_eq!(regpack::diff(&b, &c).len(), 1);
    // The same diff from the stored tables (their `entry_leaf` column).
    assert_eq!(
        regpack::diff_tables(&a.entries, &b.entries).unwrap(),
        changes
    );
}
