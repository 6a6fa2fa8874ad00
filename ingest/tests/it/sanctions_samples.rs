//! Every shared sanctions file ingests with the entry counts its SOURCES.md gives (skipped,
//! saying so, when the corpus is absent). The expected figures are the published ones.

use ingest::NamedFile;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ingest::sanctions::{self, ListReading};

fn corpus() -> Option<PathBuf> {
    let dir = crate::manifest_dir().join("../../shared/data/sanctions");
    if dir.join("SOURCES.md").is_file() {
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

fn by_type(r: &ListReading) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for e in &r.entries {
        *out.entry(e.entry_type.as_str()).or_insert(0) += 1;
    }
    out
}

fn csv_set(dir: &Path, list: &str, prefix: &str, names: [&str; 4]) -> ListReading {
    let p = |n: &str| dir.join(prefix).join(n);
    let (sdn, add, alt, comments) = (p(names[0]), p(names[1]), p(names[2]), p(names[3]));
    sanctions::read_ofac_csv_set(
        list,
        &NamedFile::as_given(sdn),
        Some(&NamedFile::as_given(add)),
        Some(&NamedFile::as_given(alt)),
        Some(&NamedFile::as_given(comments)),
    )
    .unwrap()
}

#[test]
fn ofac_sdn_csv_2021_has_its_published_counts() {
    let Some(dir) = corpus() else { return };
    let r = csv_set(
        &dir,
        "ofac_sdn",
        "ofac/csv-2021-07-07",
        [
            "sdn.csv.gz",
            "add.csv.gz",
            "alt.csv.gz",
            "sdn_comments.csv.gz",
        ],
    );
    assert!(
        r.quarantine.is_empty(),
        "{:?}",
        &r.quarantine[..r.quarantine.len().min(3)]
    );
    assert_eq!(r.entries.len(), 8976);
    assert_eq!(
        by_type(&r),
        BTreeMap::from([
            ("aircraft", 277),
            ("entity", 3673),
            ("individual", 4620),
            ("vessel", 406)
        ])
    );
    assert_eq!(
        r.names.iter().filter(|n| n.kind != "primary").count(),
        11_910,
        "alias rows"
    );
    assert_eq!(
        r.entries.iter().map(|e| e.addresses.len()).sum::<usize>(),
        13_837,
        "address rows"
    );
    let hizballah = r.entries.iter().find(|e| e.source_uid == "4697").unwrap();
    assert!(hizballah.programs.len() > 1, "{:?}", hizballah.programs);
}

#[test]
fn ofac_sdn_csv_2024_and_consolidated_csv_have_their_published_counts() {
    let Some(dir) = corpus() else { return };
    let r = sanctions::read_ofac_csv_set(
        "ofac_sdn",
        &NamedFile::as_given(dir.join("ofac/sdn-csv-2024-05/sdn-2024-05-03.csv.gz")),
        None,
        None,
        None,
    )
    .unwrap();
    assert_eq!(r.entries.len(), 14_965);
    assert_eq!(
        by_type(&r),
        BTreeMap::from([
            ("aircraft", 376),
            ("entity", 6884),
            ("individual", 6854),
            ("vessel", 851)
        ])
    );
    let c = csv_set(
        &dir,
        "ofac_consolidated",
        "ofac/consolidated-nonsdn-2025-12-19",
        [
            "cons_prim.csv",
            "cons_add.csv",
            "cons_alt.csv",
            "cons_comments.csv",
        ],
    );
    assert_eq!(c.entries.len(), 442);
    assert_eq!(
        by_type(&c),
        BTreeMap::from([("entity", 363), ("individual", 79)])
    );
}

#[test]
fn ofac_sdnlist_xml_and_un_xml_have_their_published_counts() {
    let Some(dir) = corpus() else { return };
    let x = sanctions::read_xml(&NamedFile::as_given(
        dir.join("ofac/consolidated-nonsdn-xml-2018-04-06/consolidated.xml.gz"),
    ))
    .unwrap();
    assert_eq!(x.entries.len(), 639);
    assert_eq!(
        by_type(&x),
        BTreeMap::from([("entity", 471), ("individual", 94), ("vessel", 74)])
    );
    assert!(x.entries.iter().all(|e| e.list == "ofac_consolidated"));
    let un = sanctions::read_xml(&NamedFile::as_given(
        dir.join("un/un-consolidated-2026-02-27.xml.gz"),
    ))
    .unwrap();
    assert_eq!(un.entries.len(), 1003);
    assert_eq!(
        by_type(&un),
        BTreeMap::from([("entity", 273), ("individual", 730)])
    );
    // Original-script names and alias qualities are kept.
    assert!(un.names.iter().any(|n| n.kind == "original_script"));
    assert!(
        un.names
            .iter()
            .any(|n| n.strength.as_deref() == Some("weak"))
    );
    let tables = (
        sanctions::table::entries_batch(&un.entries).unwrap(),
        sanctions::table::names_batch(&un.names).unwrap(),
    );
    assert_eq!(tables.0.num_rows(), 1003);
    assert!(tables.1.num_rows() > 1003);
}

#[test]
fn excerpts_parse_and_unknown_formats_are_refused() {
    let Some(dir) = corpus() else { return };
    let ex = dir.join("excerpts");
    let r = sanctions::read_ofac_csv_set(
        "ofac_sdn",
        &NamedFile::as_given(ex.join("ofac_sdn_excerpt.csv")),
        Some(&NamedFile::as_given(ex.join("ofac_add_excerpt.csv"))),
        Some(&NamedFile::as_given(ex.join("ofac_alt_excerpt.csv"))),
        None,
    )
    .unwrap();
    assert_eq!(r.entries.len(), 7);
    assert_eq!(r.names.len(), 7 + 23);
    let artavil = r
        .names
        .iter()
        .filter(|n| n.source_uid == "15036" && n.kind == "fka")
        .count();
    assert!(artavil > 0);
    let un =
        sanctions::read_xml(&NamedFile::as_given(ex.join("un_consolidated_excerpt.xml"))).unwrap();
    assert_eq!(
        by_type(&un),
        BTreeMap::from([("entity", 3), ("individual", 4)])
    );
    // EU FSF: 5 sanctionEntity (4 persons, 1 enterprise) with 45 nameAlias.
    let eu = sanctions::read_xml(&NamedFile::as_given(ex.join("eu_fsf_excerpt.xml"))).unwrap();
    assert!(eu.quarantine.is_empty(), "{:?}", eu.quarantine);
    assert_eq!(
        by_type(&eu),
        BTreeMap::from([("entity", 1), ("individual", 4)])
    );
    assert_eq!(eu.names.len(), 45);
    let ksm = eu.entries.iter().find(|e| e.source_uid == "191").unwrap();
    assert_eq!(ksm.dates_of_birth[0], "1965-04-14");
    // UK: 5 designations: 2 entities, 2 individuals, 1 ship; partial dates kept as given.
    let uk = sanctions::read_xml(&NamedFile::as_given(
        ex.join("uk_sanctions_list_excerpt.xml"),
    ))
    .unwrap();
    assert_eq!(
        by_type(&uk),
        BTreeMap::from([("entity", 2), ("individual", 2), ("vessel", 1)])
    );
    assert!(uk.names.iter().any(|n| n.kind == "original_script"));
    assert!(
        uk.names
            .iter()
            .any(|n| n.strength.as_deref() == Some("weak"))
    );
    let akhund = uk
        .entries
        .iter()
        .find(|e| e.source_uid == "AFG0006")
        .unwrap();
    assert!(
        akhund.dates_of_birth.iter().any(|d| d == "dd/mm/1945"),
        "{:?}",
        akhund.dates_of_birth
    );
    assert!(
        uk.entries
            .iter()
            .any(|e| e.identifiers.iter().any(|i| i.starts_with("IMO: ")))
    );
    let unknown = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(unknown.path(), "<html/>").unwrap();
    let err = sanctions::read_xml(&NamedFile::as_given(unknown.path())).unwrap_err();
    assert!(
        err.to_string()
            .contains("not a known sanctions list format"),
        "{err}"
    );
}
