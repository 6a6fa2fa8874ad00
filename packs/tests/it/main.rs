//! Lawpacks over the real corpus (skipped, saying so, when absent) and fixtures.

use std::path::PathBuf;

use ingest::akn;
use packs::lawpack;

fn samples() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/akn/samples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: the real corpus {} is absent", dir.display());
        None
    }
}

#[test]
fn the_italian_copyright_law_gains_one_article_between_expressions() {
    let Some(dir) = samples() else { return };
    let old = akn::read_file(&dir.join("it_normattiva_rd-1941-633_2021-12-31.xml")).unwrap();
    let new = akn::read_file(&dir.join("it_normattiva_rd-1941-633_2024-12-22.xml")).unwrap();
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
    .map(|f| akn::read_file(&dir.join(f)).unwrap())
    .collect();
    let a = lawpack::build(&docs).unwrap();
    docs.reverse();
    let b = lawpack::build(&docs).unwrap();
    assert_eq!(a.provisions, b.provisions);
    assert_eq!(a.merkle_root, b.merkle_root);
    // Any change to any provision's text changes the root.
    docs[0].provisions[0].text.push('.');
    assert_ne!(lawpack::build(&docs).unwrap().merkle_root, a.merkle_root);
}
