//! Hand-written sanctions fixtures: bad entries and files are set aside, never a panic.

use ingest::NamedFile;
use ingest::sanctions;
use proptest::prelude::*;

fn write(dir: &std::path::Path, name: &str, body: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn bad_rows_and_entries_are_quarantined_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let sdn = write(
        dir.path(),
        "sdn.csv",
        b"1,\"ACME, Ltd\",-0- ,\"IRAN] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,\"DOE, John\",spaceship,X,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n3,too,short\r\n\x1a",
    );
    let r = sanctions::read_ofac_csv_set("ofac_sdn", &NamedFile::as_given(&sdn), None, None, None)
        .unwrap();
    assert_eq!(r.entries.len(), 1);
    assert_eq!(r.entries[0].programs, vec!["IRAN", "SDGT"]);
    assert_eq!(r.entries[0].entry_type, sanctions::EntryType::Entity);
    let reasons: Vec<&str> = r.quarantine.iter().map(|q| q.reason.as_str()).collect();
    assert_eq!(
        reasons,
        vec!["unknown SDN_Type \"spaceship\"", "3 columns, expected 12"]
    );

    let xml = write(dir.path(), "sdn.xml", b"<sdnList><sdnEntry><uid>9</uid><lastName>X</lastName><sdnType>Starship</sdnType></sdnEntry><sdnEntry><uid>10</uid><lastName>Y</lastName><sdnType>Entity</sdnType></sdnEntry></sdnList>");
    let r = sanctions::read_xml(&NamedFile::as_given(&xml)).unwrap();
    assert_eq!(r.entries.len(), 1);
    assert!(
        r.quarantine[0]
            .reason
            .contains("unknown sdnType \"Starship\"")
    );
    assert_eq!(r.quarantine[0].msg_id.as_deref(), Some("9"));

    let dtd = write(dir.path(), "dtd.xml", b"<!DOCTYPE sdnList [<!ENTITY e \"x\">]><sdnList><sdnEntry><uid>1</uid></sdnEntry></sdnList>");
    let r = sanctions::read_xml(&NamedFile::as_given(&dtd)).unwrap();
    assert!(r.entries.is_empty());
    assert!(r.quarantine[0].reason.contains("DTDs are refused"));
}

#[test]
fn the_custom_csv_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "custom.csv",
        b"id,name,type,aliases,dob,countries,programs\nC1,Acme Trading LLC,entity,Acme Co; ACME,,AE,LOCAL\nC2,Jane Roe,individual,,1970-01-02,GB;FR,\nC3,,entity,,,,\nC4,X,starship,,,,\n",
    );
    let r = sanctions::read_custom_csv("zone-watchlist", &NamedFile::as_given(&path)).unwrap();
    assert_eq!(r.entries.len(), 2);
    assert_eq!(r.names.len(), 4);
    assert_eq!(r.entries[1].countries, vec!["GB", "FR"]);
    assert_eq!(r.quarantine.len(), 2);
    let no_name = write(dir.path(), "bad.csv", b"uid,label\n1,x\n");
    assert!(
        sanctions::read_custom_csv("x", &NamedFile::as_given(&no_name))
            .unwrap_err()
            .to_string()
            .contains("id and name")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn arbitrary_files_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let dir = tempfile::tempdir().unwrap();
        let csv = write(dir.path(), "sdn.csv", &bytes);
        let csv = NamedFile::as_given(&csv);
        let _ = sanctions::read_ofac_csv_set("ofac_sdn", &csv, Some(&csv), Some(&csv), Some(&csv));
        let mut xml = b"<sdnList>".to_vec();
        xml.extend_from_slice(&bytes);
        let path = write(dir.path(), "list.xml", &xml);
        let _ = sanctions::read_xml(&NamedFile::as_given(&path));
    }
}

#[test]
fn a_list_gzipped_in_several_members_is_read_whole() {
    use std::io::Write;
    let gz = |text: &str| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    // As bgzip or `cat a.gz b.gz` write it: one list in two gzip members.
    let mut body = gz("id,name\nW-1,First Person\nW-2,Second Person\n");
    body.extend(gz("W-3,Third Person\nW-4,Fourth Person\n"));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "watchlist.csv.gz", &body);
    let r = sanctions::read_custom_csv("watchlist", &NamedFile::as_given(&path)).unwrap();
    let ids: Vec<&str> = r.entries.iter().map(|e| e.source_uid.as_str()).collect();
    assert_eq!(ids, ["W-1", "W-2", "W-3", "W-4"]);
}

/// An entry with a name longer than any list's (a broken or hostile file) is set aside with
/// the reason, in every format; the other entries are read.
#[test]
fn an_oversized_name_quarantines_its_entry_only() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "Ab ".repeat(ingest::sanctions::MAX_NAME_BYTES);
    let custom = write(
        dir.path(),
        "custom.csv",
        format!("id,name,aliases\n1,Viktor Morozov,\n2,Orion Bay,\"{huge}\"\n3,{huge},\n")
            .as_bytes(),
    );
    let reading =
        ingest::sanctions::read_custom_csv("custom", &ingest::NamedFile::as_given(&custom))
            .unwrap();
    assert_eq!(reading.entries.len(), 1);
    assert_eq!(reading.quarantine.len(), 2);
    assert!(
        reading
            .quarantine
            .iter()
            .all(|q| q.reason.contains("longer than"))
    );
    let un = write(
        dir.path(),
        "un.xml",
        format!(
            "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>\
             <FIRST_NAME>{huge}</FIRST_NAME><REFERENCE_NUMBER>Q1</REFERENCE_NUMBER></INDIVIDUAL>\
             <INDIVIDUAL><DATAID>2</DATAID><FIRST_NAME>VIKTOR</FIRST_NAME>\
             <REFERENCE_NUMBER>Q2</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
        )
        .as_bytes(),
    );
    let reading = ingest::sanctions::read_xml(&ingest::NamedFile::as_given(&un)).unwrap();
    assert_eq!(reading.entries.len(), 1, "{:?}", reading.quarantine);
    assert!(reading.quarantine[0].reason.contains("longer than"));
}
