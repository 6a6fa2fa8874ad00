//! Every real Akoma Ntoso document ingests, and the raw element counts its SOURCES.md row
//! records are reproduced from the provisions table (skipped, saying so, when absent).

use ingest::NamedFile;
use std::collections::BTreeMap;
use std::path::PathBuf;

use ingest::akn;

fn corpus() -> Option<PathBuf> {
    let dir = crate::manifest_dir().join("../../shared/data/akn");
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

/// (file, provisions total, element → count) from the SOURCES.md file table.
fn expected(dir: &std::path::Path) -> Vec<(String, u64, BTreeMap<String, u64>)> {
    let text = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
    let mut rows = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 9 || !cells[1].starts_with('`') || !cells[1].ends_with(".xml`") {
            continue;
        }
        let file = cells[1].trim_matches('`').to_owned();
        let counts_cell = cells[7];
        let (total, rest) = counts_cell.split_once(' ').unwrap();
        let inner = rest.trim().trim_start_matches('(').trim_end_matches(')');
        let counts = inner
            .split_whitespace()
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), v.parse().unwrap())
            })
            .collect();
        rows.push((file, total.parse().unwrap(), counts));
    }
    rows
}

fn counts(doc: &akn::AknDocument) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for p in &doc.provisions {
        let key = match (&p.element[..], &p.name) {
            ("hcontainer", Some(name)) => format!("hc:{name}"),
            (e, _) => e.to_owned(),
        };
        *out.entry(key).or_insert(0) += 1;
    }
    if doc.components > 0 {
        out.insert("attach/comp".into(), u64::from(doc.components));
    }
    out
}

#[test]
fn every_document_reproduces_its_documented_element_counts() {
    let Some(dir) = corpus() else { return };
    let rows = expected(&dir);
    assert!(
        rows.len() >= 40,
        "SOURCES.md table not understood: {} rows",
        rows.len()
    );
    let mut mismatches = Vec::new();
    for (file, total, want) in &rows {
        let doc = akn::read_file(&NamedFile::as_given(dir.join("samples").join(file))).unwrap();
        assert!(doc.refused.is_none(), "{file}: {:?}", doc.refused);
        let got = counts(&doc);
        for (k, v) in want {
            if got.get(k) != Some(v) {
                mismatches.push(format!("{file}: {k} expected {v}, found {:?}", got.get(k)));
            }
        }
        let provisions = ["section", "article", "rule", "hc:regulation", "hc:rule"]
            .iter()
            .map(|k| got.get(*k).copied().unwrap_or(0))
            .sum::<u64>();
        if provisions != *total {
            mismatches.push(format!(
                "{file}: provisions expected {total}, found {provisions}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[test]
fn quoted_structure_is_told_apart_from_the_documents_own() {
    let Some(dir) = corpus() else { return };
    let read = |f: &str| akn::read_file(&NamedFile::as_given(dir.join("samples").join(f))).unwrap();
    let own = |d: &akn::AknDocument, e: &str| {
        d.provisions
            .iter()
            .filter(|p| p.element == e && !p.in_quoted)
            .count()
    };
    let quoted = |d: &akn::AknDocument| d.provisions.iter().filter(|p| p.in_quoted).count();
    // UK Data Protection Act 1998: 97 section elements, 16 schedules; the sections that
    // amending text quotes are flagged, not counted as the Act's own.
    let dpa = read("uk_ukpga-1998-29.xml");
    let sections = dpa
        .provisions
        .iter()
        .filter(|p| p.element == "section")
        .count();
    let schedules = dpa
        .provisions
        .iter()
        .filter(|p| p.name.as_deref() == Some("schedule"))
        .count();
    assert_eq!((sections, schedules), (97, 16));
    assert!(own(&dpa, "section") < sections && quoted(&dpa) > 0);
    // South African Constitution: 287 sections, none quoted.
    let za = read("za_constitution-1996_bluebell.xml");
    assert_eq!((own(&za, "section"), quoted(&za)), (287, 0));
    // A Kenyan amending act: most of its structure is the text it inserts.
    let ke = read("ke_act-1989-12-06_v2.xml");
    assert!(quoted(&ke) > own(&ke, "section"));
    // Every quoted provision sits under a non-quoted one of the document.
    for d in [&dpa, &ke] {
        for p in d.provisions.iter().filter(|p| p.in_quoted) {
            assert!(p.parent_eid.is_some(), "{}", p.eid);
        }
    }
}
