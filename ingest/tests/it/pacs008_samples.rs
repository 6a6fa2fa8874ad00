//! Every real pacs.008 sample parses with the transaction count its SOURCES.md gives, or is
//! quarantined with a precise reason.

use ingest::NamedFile;
use std::path::PathBuf;

use ingest::pacs008::{self, FileSummary, Payment};

fn corpus() -> Option<PathBuf> {
    let dir = crate::manifest_dir().join("../../shared/data/pacs008");
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

/// (file under samples/, CdtTrfTxInf count) from the SOURCES.md table.
fn expected(dir: &std::path::Path) -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
    let mut rows = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 6 || !cells[1].starts_with('`') || !cells[1].ends_with(".xml`") {
            continue;
        }
        let file = cells[1].trim_matches('`').to_owned();
        let count = cells[4].rsplit('/').next().unwrap().trim().parse().unwrap();
        rows.push((file, count));
    }
    rows
}

fn read(path: &std::path::Path) -> (FileSummary, Vec<Payment>) {
    let mut payments = Vec::new();
    let summary = pacs008::read_file(&NamedFile::as_given(path), &mut |p| {
        payments.push(p.clone())
    })
    .unwrap();
    (summary, payments)
}

#[test]
fn every_sample_has_its_documented_transaction_count() {
    let Some(dir) = corpus() else { return };
    let rows = expected(&dir);
    assert!(
        rows.len() >= 40,
        "SOURCES.md table not understood: {} rows",
        rows.len()
    );
    for (file, count) in rows {
        let (summary, payments) = read(&dir.join("samples").join(&file));
        assert!(summary.file_ok, "{file}: {:?}", summary.quarantine);
        assert_eq!(summary.transactions, count, "{file}");
        assert_eq!(payments.len() as u64, summary.accepted, "{file}");
        // Whatever was not accepted is in quarantine with a reason naming the problem.
        let set_aside = summary.transactions - summary.accepted;
        let tx_quarantined = summary
            .quarantine
            .iter()
            .filter(|q| q.element_path.contains("CdtTrfTxInf["))
            .count() as u64;
        assert_eq!(
            set_aside, tx_quarantined,
            "{file}: {:?}",
            summary.quarantine
        );
        if count == 0 {
            assert_eq!(
                summary.quarantine[0].reason, "no FIToFICstmrCdtTrf message in file",
                "{file}"
            );
        }
        for p in &payments {
            assert!(!p.payer.is_empty() && !p.payee.is_empty(), "{file}");
        }
    }
}

#[test]
fn deliberately_broken_samples_are_quarantined_with_precise_reasons() {
    let Some(dir) = corpus() else { return };
    let s = dir.join("samples");
    let (summary, payments) = read(&s.join("coreum/pacs.008.001.09_USDDSO_TDSO_prefixed.xml"));
    assert!(payments.is_empty());
    assert_eq!(summary.quarantine.len(), 1);
    let q = &summary.quarantine[0];
    assert!(
        q.reason.contains("unknown currency code \"USDDSO\""),
        "{q:?}"
    );
    assert!(
        q.element_path
            .ends_with("/FIToFICstmrCdtTrf/CdtTrfTxInf[0]/IntrBkSttlmAmt"),
        "{q:?}"
    );
    assert!(q.byte_offset > 0);

    let (summary, payments) = read(&s.join("cbpr-plus-generated/fixture_2026_invalid_XAU.xml"));
    assert!(payments.is_empty());
    assert!(
        summary.quarantine[0]
            .reason
            .contains("XAU has no minor unit"),
        "{:?}",
        summary.quarantine
    );
}

#[test]
fn header_mismatches_are_reported() {
    let Some(dir) = corpus() else { return };
    let s = dir.join("samples");
    // The CBPR+ files re-namespaced to .12 still declare MsgDefIdr pacs.008.001.08.
    let (summary, payments) = read(&s.join("cbpr-plus/p.2.1.1_pacs008_AtoB_EUR.xml"));
    assert_eq!(&*payments[0].version, "pacs.008.001.12");
    let check = summary
        .checks
        .iter()
        .find(|c| c.check == "MsgDefIdr")
        .unwrap();
    assert!(!check.ok);
    assert_eq!(
        (check.declared.as_str(), check.computed.as_str()),
        ("pacs.008.001.08", "pacs.008.001.12")
    );

    // The two-transaction MDR example: counts and totals agree.
    let (summary, payments) = read(&s.join("iso-mdr/pacs008_nons_mdr_2tx_EUR_INDA.xml"));
    assert_eq!(payments.len(), 2);
    assert_eq!(&*payments[0].version, "");
    let nb = summary
        .checks
        .iter()
        .find(|c| c.check == "NbOfTxs")
        .unwrap();
    assert!(nb.ok, "{nb:?}");
    let total = summary
        .checks
        .iter()
        .find(|c| c.check == "TtlIntrBkSttlmAmt")
        .unwrap();
    assert!(total.ok, "{total:?}");
    let sum: i64 = payments.iter().map(|p| p.amount_minor).sum();
    assert_eq!(
        sum,
        ingest::currency::to_minor_units(total.declared.split(' ').next().unwrap(), "EUR").unwrap()
    );
}

#[test]
fn clearing_member_ids_identify_banks_without_bic() {
    let Some(dir) = corpus() else { return };
    let s = dir.join("samples");
    let (_, payments) =
        read(&s.join("fedwire/CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml"));
    assert!(payments[0].payer.starts_with("USABA:"), "{:?}", payments[0]);
    assert!(payments[0].payee.starts_with("USABA:"));
    let (_, payments) = read(&s.join("rtp/pacs008_TCH_RTP_prefixed_ct.xml"));
    assert_eq!(payments[0].payer, "TCH:234567891");
    assert_eq!(payments[0].payee, "TCH:000000010");
    assert_eq!(payments[0].amount_minor, 4_615_449);
    assert_eq!(payments[0].currency, "USD");
}
