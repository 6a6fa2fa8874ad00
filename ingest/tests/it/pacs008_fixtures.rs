//! Hand-written pacs.008 fixtures for the cases real samples do not cover.

use ingest::NamedFile;
use ingest::pacs008::{self, FileSummary, Payment};
use proptest::prelude::*;

fn read(xml: &str) -> (FileSummary, Vec<Payment>) {
    let mut payments = Vec::new();
    let summary = pacs008::read("fixture.xml", xml.as_bytes(), &mut |p| {
        payments.push(p.clone())
    });
    (summary, payments)
}

/// A message in `ns` (or none) with the given transactions: (amount, currency, tx-level date).
fn message(
    ns: Option<&str>,
    bic_tag: &str,
    nb: &str,
    ctrl: Option<&str>,
    txs: &[(&str, &str, Option<&str>)],
) -> String {
    let xmlns = ns.map(|n| format!(" xmlns=\"{n}\"")).unwrap_or_default();
    let ctrl = ctrl
        .map(|c| format!("<CtrlSum>{c}</CtrlSum>"))
        .unwrap_or_default();
    let mut body = String::new();
    for (i, (amount, ccy, date)) in txs.iter().enumerate() {
        let date = date
            .map(|d| format!("<IntrBkSttlmDt>{d}</IntrBkSttlmDt>"))
            .unwrap_or_default();
        body.push_str(&format!(
            "<CdtTrfTxInf><PmtId><EndToEndId>E{i}</EndToEndId><TxId>T{i}</TxId></PmtId>\
             <IntrBkSttlmAmt Ccy=\"{ccy}\">{amount}</IntrBkSttlmAmt>{date}<ChrgBr>SLEV</ChrgBr>\
             <DbtrAgt><FinInstnId><{bic_tag}>BANKDEFF</{bic_tag}></FinInstnId></DbtrAgt>\
             <CdtrAgt><FinInstnId><{bic_tag}>BANKFRPPXXX</{bic_tag}></FinInstnId></CdtrAgt>\
             <Dbtr><Nm>Caf&#233; &amp; Co</Nm></Dbtr></CdtTrfTxInf>"
        ));
    }
    format!(
        "<Document{xmlns}><FIToFICstmrCdtTrf><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-23T09:00:00</CreDtTm>\
         <NbOfTxs>{nb}</NbOfTxs>{ctrl}<IntrBkSttlmDt>2026-11-23</IntrBkSttlmDt>\
         <SttlmInf><SttlmMtd>CLRG</SttlmMtd><ClrSys><Prtry>ST2</Prtry></ClrSys></SttlmInf></GrpHdr>{body}\
         </FIToFICstmrCdtTrf></Document>"
    )
}

const V02: &str = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.02";

#[test]
fn version_02_with_bic_and_debtor_agent_fallback() {
    let (summary, payments) = read(&message(
        Some(V02),
        "BIC",
        "2",
        Some("10.50"),
        &[("10", "EUR", None), ("0.50", "EUR", Some("2026-11-24"))],
    ));
    assert!(summary.file_ok);
    assert_eq!(payments.len(), 2);
    let p = &payments[0];
    assert_eq!(&*p.version, "pacs.008.001.02");
    assert_eq!(
        (p.payer.as_str(), p.payee.as_str()),
        ("BANKDEFFXXX", "BANKFRPPXXX")
    );
    assert_eq!(p.participant_rule, pacs008::RULE_ACCOUNT_AGENTS);
    assert_eq!(p.amount_minor, 1000);
    assert_eq!(p.debtor_name.as_deref(), Some("Café & Co"));
    assert_eq!(p.clearing_system.as_deref(), Some("ST2"));
    // Transaction-level settlement date overrides the group header's.
    assert_eq!(payments[0].settlement_date, Some(20_780));
    assert_eq!(payments[1].settlement_date, Some(20_781));
    assert!(summary.checks.iter().all(|c| c.ok), "{:?}", summary.checks);
}

#[test]
fn several_messages_in_one_file_and_no_namespace() {
    let xml = format!(
        "<?xml version=\"1.0\"?>{}{}",
        message(None, "BICFI", "1", None, &[("1", "JPY", None)]),
        message(
            Some("urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"),
            "BICFI",
            "1",
            None,
            &[("2.5", "BHD", None)]
        )
    );
    let (summary, payments) = read(&xml);
    assert_eq!(summary.messages, 2);
    assert_eq!(
        payments
            .iter()
            .map(|p| (p.message_index, p.amount_minor))
            .collect::<Vec<_>>(),
        vec![(0, 1), (1, 2500)]
    );
    assert_eq!(&*payments[1].version, "pacs.008.001.08");
}

#[test]
fn bad_transactions_are_set_aside_and_the_header_still_checked() {
    let (summary, payments) = read(&message(
        None,
        "BICFI",
        "3",
        Some("1001.5"),
        &[
            ("1000.0", "JPY", None),
            ("1", "JPY", None),
            ("0.5", "ZZZ", None),
        ],
    ));
    assert_eq!(payments.len(), 1);
    assert_eq!(summary.quarantine.len(), 2);
    assert!(
        summary.quarantine[0]
            .reason
            .contains("more decimals than JPY allows (0)"),
        "{:?}",
        summary.quarantine[0]
    );
    assert!(
        summary.quarantine[0]
            .element_path
            .ends_with("/CdtTrfTxInf[0]/IntrBkSttlmAmt")
    );
    assert!(
        summary.quarantine[1]
            .reason
            .contains("unknown currency code \"ZZZ\"")
    );
    assert_eq!(summary.quarantine[1].msg_id.as_deref(), Some("M1"));
    let nb = summary
        .checks
        .iter()
        .find(|c| c.check == "NbOfTxs")
        .unwrap();
    assert!(nb.ok);
    let ctrl = summary
        .checks
        .iter()
        .find(|c| c.check == "CtrlSum")
        .unwrap();
    assert!(ctrl.ok, "{ctrl:?}");
}

#[test]
fn header_count_and_sum_mismatches_are_reported() {
    let (summary, payments) = read(&message(
        None,
        "BICFI",
        "5",
        Some("3"),
        &[("1", "EUR", None)],
    ));
    assert_eq!(payments.len(), 1);
    let nb = summary
        .checks
        .iter()
        .find(|c| c.check == "NbOfTxs")
        .unwrap();
    assert_eq!(
        (nb.declared.as_str(), nb.computed.as_str(), nb.ok),
        ("5", "1", false)
    );
    let ctrl = summary
        .checks
        .iter()
        .find(|c| c.check == "CtrlSum")
        .unwrap();
    assert!(!ctrl.ok);
}

#[test]
fn dtds_entities_and_broken_xml_refuse_the_file() {
    let good = message(None, "BICFI", "1", None, &[("1", "EUR", None)]);
    let cases = [
        (
            format!("<!DOCTYPE d [<!ENTITY x \"y\">]>{good}"),
            "DTDs are refused",
        ),
        (good.replace("Caf&#233;", "&x;"), "undeclared entity &x;"),
        (good[..good.len() - 40].to_owned(), "file refused"),
        (good.replace("</GrpHdr>", "</GrpHdrX>"), "malformed XML"),
    ];
    for (xml, reason) in cases {
        let (summary, payments) = read(&xml);
        assert!(!summary.file_ok, "{reason}");
        assert_eq!(summary.accepted, 0);
        let q = summary.quarantine.last().unwrap();
        assert!(q.reason.contains(reason), "{reason}: {q:?}");
        // Rows handed out before the problem was found must be discarded by the caller.
        let _ = payments;
    }
}

#[test]
fn bytes_that_are_not_utf8_refuse_the_file_where_they_are() {
    // A Latin-1 "é" in the debtor's name, a field the reader keeps, and in the postal
    // address lines, which it skips: the file is refused either way, at that byte.
    let good = message(None, "BICFI", "1", None, &[("1", "EUR", None)]);
    for (place, bad) in [
        ("Nm", good.replace("Caf&#233;", "Caf\u{FFFD}")),
        (
            "AdrLine",
            good.replace(
                "</Nm>",
                "</Nm><PstlAdr><AdrLine>Caf\u{FFFD}</AdrLine></PstlAdr>",
            ),
        ),
    ] {
        let replacement = bad.find('\u{FFFD}').unwrap();
        let mut bytes = bad.into_bytes();
        bytes.splice(replacement..replacement + 3, [0xE9]);
        let mut payments = 0;
        let summary = pacs008::read("latin1.xml", &bytes[..], &mut |_| payments += 1);
        assert!(!summary.file_ok, "{place}");
        let q = summary.quarantine.last().unwrap();
        assert_eq!(q.byte_offset, replacement as u64, "{place}: {q:?}");
        assert!(q.reason.contains("not UTF-8"), "{place}: {q:?}");
        assert!(q.element_path.ends_with(place), "{place}: {q:?}");
    }
}

#[test]
fn gzipped_files_are_read_as_their_document_and_hashed_as_stored() {
    use std::io::Write;
    let xml = message(
        Some(V02),
        "BIC",
        "2",
        None,
        &[("1.50", "EUR", None), ("2", "EUR", None)],
    );
    let gzip = |members: &[&[u8]]| {
        let mut out = Vec::new();
        for member in members {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(member).unwrap();
            out.extend(encoder.finish().unwrap());
        }
        out
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let read_path = |path: &std::path::Path| {
        let mut payments = Vec::new();
        let summary = pacs008::read_file(&NamedFile::as_given(path), &mut |p| {
            payments.push(p.clone())
        })
        .unwrap();
        (summary, payments)
    };
    let (plain, plain_payments) = read_path(&write("day.xml", xml.as_bytes()));
    assert!(plain.file_ok && plain.accepted == 2);
    // One gzip member, and the document split over two members (read as `gzip -d` would).
    let (head, tail) = xml.as_bytes().split_at(xml.len() / 2);
    for (name, stored) in [
        ("one.xml.gz", gzip(&[xml.as_bytes()])),
        ("two.XML.GZ", gzip(&[head, tail])),
    ] {
        let (summary, payments) = read_path(&write(name, &stored));
        assert!(summary.file_ok, "{name}: {:?}", summary.quarantine);
        assert_eq!(summary.file_digest, verify::Digest::of(&stored), "{name}");
        assert_eq!(summary.bytes, stored.len() as u64, "{name}");
        assert_eq!(payments.len(), plain_payments.len(), "{name}");
        for (p, q) in payments.iter().zip(&plain_payments) {
            assert_eq!(
                (p.byte_offset, p.amount_minor, &p.tx_id, &p.payer),
                (q.byte_offset, q.amount_minor, &q.tx_id, &q.payer),
                "{name}"
            );
        }
    }
    // A damaged archive refuses the file, still hashed whole as stored: cut short, or
    // whole but for its checksum (checked after the document's last byte).
    let whole = gzip(&[xml.as_bytes()]);
    let cut = whole[..whole.len() - 12].to_vec();
    let mut bad_crc = whole.clone();
    let crc_at = bad_crc.len() - 8;
    bad_crc[crc_at] ^= 1;
    for (name, damaged) in [("cut.xml.gz", cut), ("crc.xml.gz", bad_crc)] {
        let (summary, _) = read_path(&write(name, &damaged));
        assert!(!summary.file_ok, "{name}");
        assert_eq!(summary.accepted, 0, "{name}");
        assert_eq!(summary.file_digest, verify::Digest::of(&damaged), "{name}");
        let reason = &summary.quarantine.last().unwrap().reason;
        assert!(reason.contains("read error"), "{name}: {reason}");
    }
}

#[test]
fn field_text_is_trimmed_joined_and_taken_from_the_first_occurrence() {
    let base = message(
        Some(V02),
        "BIC",
        "2",
        None,
        &[("1", "EUR", None), ("2", "EUR", None)],
    );
    // Padding, a comment, a CDATA section and a reference inside one field; a second
    // debtor name that must not win; the next transaction has neither.
    let xml = base.replacen(
        "<Dbtr><Nm>Caf&#233; &amp; Co</Nm></Dbtr>",
        "<Dbtr><Nm>\n  A<!-- c -->B<![CDATA[ <C> ]]>&#x44;\t </Nm><Nm>Second</Nm></Dbtr>\
         <RmtInf><Ustrd>  </Ustrd></RmtInf>",
        1,
    );
    let (summary, payments) = read(&xml);
    assert!(summary.file_ok, "{:?}", summary.quarantine);
    assert_eq!(payments[0].debtor_name.as_deref(), Some("AB <C> D"));
    assert_eq!(payments[0].remittance.as_deref(), Some(""));
    assert_eq!(payments[1].debtor_name.as_deref(), Some("Café & Co"));
    assert_eq!(payments[1].remittance, None);
    assert_eq!(payments[1].end_to_end_id.as_deref(), Some("E1"));

    // The text of an ignored repeat is still decoded, so a bad reference there refuses
    // the file as it would anywhere else.
    let bad = base.replacen(
        "<Nm>Caf&#233; &amp; Co</Nm>",
        "<Nm>First</Nm><Nm>&bogus;</Nm>",
        1,
    );
    let (summary, _) = read(&bad);
    assert!(!summary.file_ok);
    assert_eq!(summary.accepted, 0);
    let reason = &summary.quarantine.last().unwrap().reason;
    assert!(reason.contains("bogus"), "{reason}");
}

#[test]
fn the_file_digest_covers_every_byte() {
    let xml = message(None, "BICFI", "1", None, &[("1", "EUR", None)]) + "\n\n<!-- trailing -->\n";
    let (summary, _) = read(&xml);
    assert_eq!(summary.file_digest, verify::Digest::of(xml.as_bytes()));
    assert_eq!(summary.bytes, xml.len() as u64);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_input_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut n = 0;
        let summary = pacs008::read("x.xml", &bytes[..], &mut |_| n += 1);
        prop_assert_eq!(summary.file_digest, verify::Digest::of(&bytes));
    }

    // Edits are mostly ASCII, markup included: a byte that is not UTF-8 stops the scan
    // where it is, and would leave the rest of the message unexplored.
    #[test]
    fn edited_messages_never_panic(edits in prop::collection::vec((
        any::<prop::sample::Index>(),
        prop_oneof![4 => 0x20u8..0x7f, 1 => Just(b'\n'), 1 => any::<u8>()],
    ), 1..8)) {
        let mut bytes = message(None, "BICFI", "2", Some("3"), &[("1", "EUR", None), ("2", "EUR", None)]).into_bytes();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let summary = pacs008::read("x.xml", &bytes[..], &mut |_| {});
        prop_assert!(summary.accepted <= summary.transactions);
    }
}

/// Every `payments` column holds the field of the same name, row by row, and a reused
/// reader buffer never leaks one transaction's optional field into the next.
#[test]
fn payments_table_columns_match_the_payments() {
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{Date32Type, Int64Type, UInt32Type, UInt64Type};
    let ns = Some("urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08");
    let mut xml = message(
        ns,
        "BICFI",
        "3",
        None,
        &[
            ("10.00", "EUR", None),
            ("2.5", "EUR", Some("2026-11-24")),
            ("7", "JPY", None),
        ],
    );
    // The second transaction has a UETR and the first a purpose; the third has neither.
    xml = xml.replacen(
        "<TxId>T1</TxId>",
        "<TxId>T1</TxId><UETR>AB12CD34-0000-4000-8000-000000000001</UETR>",
        1,
    );
    xml = xml.replacen(
        "<ChrgBr>SLEV</ChrgBr>",
        "<ChrgBr>SLEV</ChrgBr><Purp><Cd>SALA</Cd></Purp>",
        1,
    );
    xml = xml.replacen(
        "<Dbtr><Nm>",
        "<UltmtDbtr><Nm>On Behalf Ltd</Nm></UltmtDbtr><Dbtr><Nm>",
        1,
    );
    let (summary, payments) = read(&xml);
    assert_eq!(summary.accepted, 3);
    assert_eq!(payments[0].purpose.as_deref(), Some("SALA"));
    assert_eq!(payments[1].purpose, None);
    assert_eq!(payments[2].uetr, None);
    let digest = summary.file_digest;
    let batch = pacs008::table::payments_batch(&payments, &|_| digest).unwrap();
    let text = |p: &Payment, name: &str| -> Option<String> {
        let owned = |v: &Option<String>| v.clone();
        let shared = |v: &Option<std::sync::Arc<str>>| v.as_deref().map(str::to_owned);
        match name {
            "file_digest" => Some(digest.to_string()),
            "source_file" => Some(p.source_file.to_string()),
            "version" => Some(p.version.to_string()),
            "msg_id" => shared(&p.msg_id),
            "cre_dt_tm" => shared(&p.cre_dt_tm),
            "nb_of_txs" => shared(&p.nb_of_txs),
            "sttlm_mtd" => shared(&p.sttlm_mtd),
            "clearing_system" => shared(&p.clearing_system),
            "service_level" => owned(&p.service_level),
            "instr_id" => owned(&p.instr_id),
            "end_to_end_id" => owned(&p.end_to_end_id),
            "tx_id" => owned(&p.tx_id),
            "uetr" => owned(&p.uetr),
            "currency" => Some(p.currency.clone()),
            "charge_bearer" => owned(&p.charge_bearer),
            "instructing_agent" => owned(&p.instructing_agent),
            "instructed_agent" => owned(&p.instructed_agent),
            "debtor_agent" => owned(&p.debtor_agent),
            "creditor_agent" => owned(&p.creditor_agent),
            "payer" => Some(p.payer.clone()),
            "payee" => Some(p.payee.clone()),
            "participant_rule" => Some(p.participant_rule.to_owned()),
            "debtor_name" => owned(&p.debtor_name),
            "debtor_country" => owned(&p.debtor_country),
            "debtor_account" => owned(&p.debtor_account),
            "creditor_name" => owned(&p.creditor_name),
            "creditor_country" => owned(&p.creditor_country),
            "creditor_account" => owned(&p.creditor_account),
            "purpose" => owned(&p.purpose),
            "remittance" => owned(&p.remittance),
            "app_hdr_msg_def_idr" => owned(&p.app_hdr_msg_def_idr),
            "ultimate_debtor_name" => owned(&p.ultimate_debtor_name),
            "ultimate_creditor_name" => owned(&p.ultimate_creditor_name),
            "debtor_agent_name" => owned(&p.debtor_agent_name),
            "creditor_agent_name" => owned(&p.creditor_agent_name),
            other => panic!("untested column {other}"),
        }
    };
    for (c, field) in batch.schema().fields().iter().enumerate() {
        let column = batch.column(c);
        for (row, p) in payments.iter().enumerate() {
            let name = field.name().as_str();
            match name {
                "message_index" => assert_eq!(
                    column.as_primitive::<UInt32Type>().value(row),
                    p.message_index
                ),
                "tx_index" => {
                    assert_eq!(column.as_primitive::<UInt32Type>().value(row), p.tx_index)
                }
                "byte_offset" => assert_eq!(
                    column.as_primitive::<UInt64Type>().value(row),
                    p.byte_offset
                ),
                "amount_minor" => assert_eq!(
                    column.as_primitive::<Int64Type>().value(row),
                    p.amount_minor
                ),
                "settlement_date" => {
                    let dates = column.as_primitive::<Date32Type>();
                    assert_eq!(
                        dates.is_valid(row).then(|| dates.value(row)),
                        p.settlement_date
                    );
                }
                _ => {
                    let strings = column.as_string::<i32>();
                    let value = strings.is_valid(row).then(|| strings.value(row).to_owned());
                    assert_eq!(value, text(p, name), "column {name}, row {row}");
                }
            }
        }
    }
}

#[test]
fn a_field_past_its_limit_and_unterminated_markup_refuse_the_file_by_name() {
    use ingest::pacs008::MAX_FIELD_BYTES;
    let good = message(None, "BICFI", "1", None, &[("1", "EUR", None)]);
    // A message id of 2 MiB (in text, then in CDATA): refused at its element, not kept.
    for (huge, how) in [
        ("A".repeat(MAX_FIELD_BYTES + 1), "text"),
        (
            format!("<![CDATA[{}]]>", "A".repeat(MAX_FIELD_BYTES + 1)),
            "CDATA",
        ),
    ] {
        let xml = good.replace("<MsgId>M1</MsgId>", &format!("<MsgId>{huge}</MsgId>"));
        let (summary, _) = read(&xml);
        assert!(!summary.file_ok, "{how}");
        let q = summary.quarantine.last().unwrap();
        assert!(
            q.reason.contains("a field value longer than 1048576 bytes"),
            "{how}: {q:?}"
        );
        assert!(q.element_path.ends_with("/MsgId"), "{how}: {q:?}");
    }
    // An unterminated comment is refused when the input ends, naming what was open.
    let cut = good.find("<GrpHdr>").unwrap() + "<GrpHdr>".len();
    let (summary, _) = read(&format!("{}<!-- {}", &good[..cut], "x".repeat(100_000)));
    assert!(!summary.file_ok);
    assert!(
        summary
            .quarantine
            .last()
            .unwrap()
            .reason
            .contains("inside a comment"),
        "{:?}",
        summary.quarantine
    );
}

#[test]
fn ultimate_parties_and_agent_names_are_kept_for_screening() {
    let good = message(None, "BICFI", "1", None, &[("1", "EUR", None)]);
    let xml = good
        .replace(
            "<Dbtr><Nm>",
            "<UltmtDbtr><Nm>Behalf Holdings Ltd</Nm></UltmtDbtr><Dbtr><Nm>",
        )
        .replace(
            "<DbtrAgt><FinInstnId><BICFI>BANKDEFF</BICFI>",
            "<DbtrAgt><FinInstnId><BICFI>BANKDEFF</BICFI><Nm>Bank of Elsewhere</Nm>",
        )
        .replace(
            "</CdtTrfTxInf>",
            "<UltmtCdtr><Nm>Final Beneficiary SA</Nm></UltmtCdtr></CdtTrfTxInf>",
        );
    let (summary, payments) = read(&xml);
    assert!(summary.file_ok, "{:?}", summary.quarantine);
    let p = &payments[0];
    assert_eq!(
        p.ultimate_debtor_name.as_deref(),
        Some("Behalf Holdings Ltd")
    );
    assert_eq!(
        p.ultimate_creditor_name.as_deref(),
        Some("Final Beneficiary SA")
    );
    assert_eq!(p.debtor_agent_name.as_deref(), Some("Bank of Elsewhere"));
    assert_eq!(p.creditor_agent_name, None);
    // The agent's BIC (as an 11-character BIC) is still its identity.
    assert_eq!(p.debtor_agent.as_deref(), Some("BANKDEFFXXX"));
}

/// Every limit is the caller's to set: a compressed file that decompresses past
/// `max_decompressed` is refused at the offset where it passed it (one that decompresses to
/// exactly the limit is read), and the field and token limits refuse at theirs.
#[test]
fn read_limits_refuse_the_file_at_the_offset_where_they_are_passed() {
    use ingest::pacs008::ReadLimits;
    use std::io::Write;
    let good = message(None, "BICFI", "1", None, &[("1", "EUR", None)]);
    // 3 MiB of blanks between the header and the transaction: nothing kept, all read.
    let padded = good.replacen(
        "<CdtTrfTxInf>",
        &format!("{}<CdtTrfTxInf>", " ".repeat(3 << 20)),
        1,
    );
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(padded.as_bytes()).unwrap();
    let stored = encoder.finish().unwrap();
    assert!(stored.len() < 10_000, "a small file that expands 300-fold");
    let read_gz = |limits: ReadLimits| {
        let mut payments = 0;
        let summary =
            pacs008::read_gzip_within("bomb.xml.gz", &stored[..], &limits, &mut |_| payments += 1);
        (summary, payments)
    };
    let limit = 1 << 20;
    let (summary, payments) = read_gz(ReadLimits {
        max_decompressed: limit,
        ..ReadLimits::default()
    });
    assert!(!summary.file_ok);
    assert_eq!(payments, 0);
    let q = summary.quarantine.last().unwrap();
    assert!(
        q.reason
            .contains("decompresses to more than 1048576 bytes, the limit of a compressed file"),
        "{q:?}"
    );
    assert!(q.byte_offset <= limit, "{q:?}");
    assert_eq!(
        summary.file_digest,
        verify::Digest::of(&stored),
        "hashed whole as stored"
    );
    // Exactly the document's size is within the limit; one byte less is not.
    let size = padded.len() as u64;
    let (summary, payments) = read_gz(ReadLimits {
        max_decompressed: size,
        ..ReadLimits::default()
    });
    assert!(summary.file_ok, "{:?}", summary.quarantine);
    assert_eq!(payments, 1);
    let (summary, _) = read_gz(ReadLimits {
        max_decompressed: size - 1,
        ..ReadLimits::default()
    });
    assert!(!summary.file_ok);
    // The field and token limits, set lower than their defaults.
    let strict = |limits: ReadLimits, xml: &str| {
        let summary = pacs008::read_gzip_within(
            "x.xml.gz",
            &{
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(xml.as_bytes()).unwrap();
                e.finish().unwrap()
            }[..],
            &limits,
            &mut |_| {},
        );
        summary
            .quarantine
            .last()
            .map(|q| q.reason.clone())
            .unwrap_or_default()
    };
    let long_id = good.replace(
        "<MsgId>M1</MsgId>",
        &format!("<MsgId>{}</MsgId>", "A".repeat(300)),
    );
    let reason = strict(
        ReadLimits {
            max_field: 256,
            ..ReadLimits::default()
        },
        &long_id,
    );
    assert!(
        reason.contains("a field value longer than 256 bytes"),
        "{reason}"
    );
    assert_eq!(strict(ReadLimits::default(), &long_id), "");
    let long_tag = good.replace("<MsgId>", &format!("<MsgId a=\"{}\">", "b".repeat(1 << 20)));
    let reason = strict(
        ReadLimits {
            max_token: 4_096,
            ..ReadLimits::default()
        },
        &long_tag,
    );
    assert!(reason.contains("longer than 4096 bytes"), "{reason}");
}
