//! Hand-written Akoma Ntoso fixtures: refusals, quoted structure, ids, text.

use ingest::akn;
use proptest::prelude::*;

const NS3: &str = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0";

fn doc(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><akomaNtoso xmlns=\"{NS3}\" xmlns:x=\"urn:other\"><act name=\"act\"><meta><identification source=\"#s\">\
         <FRBRWork><FRBRthis value=\"/akn/zz/act/2020/1/!main\"/><FRBRdate date=\"2020-01-01\" name=\"g\"/></FRBRWork>\
         <FRBRExpression><FRBRthis value=\"/akn/zz/act/2020/1/eng@2021-02-03/!main\"/><FRBRdate date=\"2021-02-03\" name=\"e\"/><FRBRlanguage language=\"eng\"/></FRBRExpression>\
         </identification></meta><body>{body}</body></act></akomaNtoso>"
    )
}

#[test]
fn provisions_carry_ids_text_refs_notes_and_quoted_flags() {
    let xml = doc(
        "<section eId=\"sec_1\"><num>1.</num><heading>Scope</heading><content><p>Applies to <ref href=\"/akn/zz/act/2019/9\">the 2019 Act</ref>\
         <authorialNote eId=\"n1\"><p>Inserted in 2021.</p></authorialNote> and to <term refersTo=\"#bank\">banks</term>.</p><p>Second line.</p></content></section>\
         <section><num>2.</num><content><p>Section 1 is amended by inserting <mod><quotedStructure><section eId=\"q\"><num>1A.</num><content><p>New text.</p></content></section></quotedStructure></mod></p></content></section>\
         <x:section><p>foreign</p></x:section>",
    );
    let d = akn::read("f.xml", xml.as_bytes());
    assert!(d.refused.is_none(), "{:?}", d.refused);
    assert_eq!(d.expression_date.as_deref(), Some("2021-02-03"));
    assert_eq!(d.language.as_deref(), Some("eng"));
    let p: Vec<_> = d
        .provisions
        .iter()
        .map(|p| (p.eid.as_str(), p.eid_source, p.in_quoted, p.depth))
        .collect();
    assert_eq!(
        p,
        vec![
            ("sec_1", "eId", false, 0),
            ("section_1", "generated", false, 0),
            ("q", "eId", true, 1)
        ]
    );
    let first = &d.provisions[0];
    assert_eq!(first.num.as_deref(), Some("1."));
    assert_eq!(first.heading.as_deref(), Some("Scope"));
    assert_eq!(
        first.text,
        "Applies to the 2019 Act and to banks.\nSecond line."
    );
    assert_eq!(first.refs, vec!["/akn/zz/act/2019/9"]);
    assert_eq!(first.terms, vec!["#bank"]);
    assert_eq!(first.notes, vec!["Inserted in 2021."]);
    assert_eq!(d.provisions[2].parent_eid.as_deref(), Some("section_1"));
}

#[test]
fn dtds_entities_foreign_roots_and_broken_files_are_refused() {
    let good = doc("<section eId=\"s\"><content><p>x</p></content></section>");
    let cases = [
        (
            format!("<!DOCTYPE akomaNtoso [<!ENTITY e \"boom\">]>{good}"),
            "DTDs are refused",
        ),
        (
            good.replace("<p>x</p>", "<p>&e;</p>"),
            "undeclared entity &e;",
        ),
        (
            good.replace("<p>x</p>", "<p>&nbsp;</p>"),
            "undeclared entity &nbsp;",
        ),
        (
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"/>".to_owned(),
            "not akomaNtoso",
        ),
        (
            good.replace(NS3, "urn:not-akn"),
            "not an Akoma Ntoso namespace",
        ),
        (good[..good.len() - 30].to_owned(), ""),
        (String::new(), "no akomaNtoso root"),
    ];
    for (xml, reason) in cases {
        let d = akn::read("bad.xml", xml.as_bytes());
        let (_, _, why) = d
            .refused
            .clone()
            .unwrap_or_else(|| panic!("accepted: {xml}"));
        assert!(why.contains(reason), "{reason}: {why}");
        assert!(d.provisions.is_empty());
        assert_eq!(d.file_digest, verify::Digest::of(xml.as_bytes()));
    }
}

#[test]
fn akn2_ids_and_prefixed_roots() {
    let xml = "<an:akomaNtoso xmlns:an=\"http://www.akomantoso.org/2.0\"><an:act><an:body><an:section id=\"sec1\"><an:content><an:p>A</an:p></an:content></an:section></an:body></an:act></an:akomaNtoso>";
    let d = akn::read("v2.xml", xml.as_bytes());
    assert_eq!(d.dialect, "akn-2.0");
    assert_eq!(
        (d.provisions[0].eid.as_str(), d.provisions[0].eid_source),
        ("sec1", "id")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    // Edits are mostly ASCII, markup included: a byte that is not UTF-8 stops the scan
    // where it is, and would leave the rest of the document unexplored.
    #[test]
    fn arbitrary_and_edited_input_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..500),
        edits in prop::collection::vec((
            any::<prop::sample::Index>(),
            prop_oneof![4 => 0x20u8..0x7f, 1 => Just(b'\n'), 1 => any::<u8>()],
        ), 1..6),
    ) {
        let _ = akn::read("x.xml", &bytes[..]);
        let mut xml = doc("<section eId=\"s\"><num>1</num><content><p>a <ref href=\"h\">b</ref></p></content></section>").into_bytes();
        for (at, b) in edits {
            let i = at.index(xml.len());
            xml[i] = b;
        }
        let d = akn::read("x.xml", &xml[..]);
        prop_assert!(d.refused.is_some() || d.provisions.len() <= 2);
    }
}
