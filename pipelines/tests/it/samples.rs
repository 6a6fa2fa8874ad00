//! A netting run over the real pacs.008 samples (skipped, saying so, when absent).

use pipelines::jobs::netting::{Netting, NettingParams};
use pipelines::sql::SqlSession;
use verify::keys::{SecretKey, TrustSet};
use verify::store::Store;

#[test]
fn the_real_samples_net_and_verify() {
    let samples = crate::manifest_dir().join("../../shared/data/pacs008/samples");
    if !samples.is_dir() {
        assert!(
            std::env::var("MEZ_REQUIRE_DATA").as_deref() != Ok("1"),
            "MEZ_REQUIRE_DATA=1, and the real corpus {} is absent",
            samples.display()
        );
        eprintln!("SKIPPED: the real corpus {} is absent", samples.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    let signer = SecretKey::from_seed("ops", [1; 32]);
    let params = NettingParams {
        inputs: pipelines::jobs::expand_inputs(&[samples], &pipelines::jobs::PACS008_SUFFIXES)
            .unwrap()
            .files,
        config: Default::default(),
        chain: "samples".into(),
    };
    let summary = crate::run_job::<Netting>(&store, &signer, 1_795_398_979, &params).summary;
    // SOURCES.md: one XAU fixture, one USDDSO message, and five files holding no pacs.008
    // (the four under related/ and the Fedwire head.001).
    assert_eq!(summary.quarantined, 7);
    let report = verify::audit::audit(
        &store,
        &TrustSet::new([signer.public()]),
        &Default::default(),
    )
    .unwrap();
    assert!(report.ok(), "{:#?}", report.failures);

    let mut sql = SqlSession::open(&store, &TrustSet::new([signer.public()])).unwrap();
    let reasons = sql
        .query("SELECT reason FROM quarantine ORDER BY reason")
        .unwrap();
    let reasons: Vec<String> = reasons
        .rows
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("unknown currency code \"USDDSO\"")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("XAU has no minor unit")));
    assert!(
        reasons
            .iter()
            .any(|r| r == "no FIToFICstmrCdtTrf message in file")
    );
    // The samples re-use UETRs across files: counted once, reported as duplicates.
    let number = |sql: &mut SqlSession, q: &str| -> i64 {
        sql.query(q).unwrap().rows[0][0]
            .as_deref()
            .unwrap()
            .parse()
            .unwrap()
    };
    // As many as the payments hold repeated identities, counted by DuckDB from the rule.
    let dups = number(&mut sql, "SELECT count(*) FROM duplicates");
    let repeated = number(
        &mut sql,
        "SELECT count(*) - count(DISTINCT coalesce('uetr:' || lower(uetr), 'ids:' || coalesce(msg_id, '') || chr(31) || coalesce(end_to_end_id, '') || chr(31) || coalesce(tx_id, ''))) FROM payments",
    );
    assert!(repeated > 0);
    assert_eq!(dups, repeated);
    // Header mismatches of the re-namespaced CBPR+ files are in header_checks.
    // SOURCES.md: the seven Ballerina CBPR+/HVPS+ copies moved to pacs.008.001.12 with
    // MsgDefIdr left at .08, and the deliberately invalid XAU fixture.
    let bad = sql
        .query("SELECT source_file FROM header_checks WHERE check_name = 'MsgDefIdr' AND NOT ok ORDER BY 1")
        .unwrap();
    let files: Vec<&str> = bad.rows.iter().map(|r| r[0].as_deref().unwrap()).collect();
    assert_eq!(
        files,
        [
            "cbpr-plus-generated/fixture_2026_invalid_XAU.xml",
            "cbpr-plus/c.52.1.a_pacs008_AtoB_EUR.xml",
            "cbpr-plus/p.2.1.1_pacs008_AtoB_EUR.xml",
            "cbpr-plus/p.2.1.1_pacs008_BtoC_EUR.xml",
            "cbpr-plus/p.2.1.1_pacs008_CtoD_EUR.xml",
            "cbpr-plus/p.2.1.2_pacs008_AtoB_USD.xml",
            "cbpr-plus/p.2.1.2_pacs008_BtoC_USD.xml",
            "hvps-plus/c.29.1.1_pacs008_BtoC_MI_RON.xml",
        ]
    );
}
