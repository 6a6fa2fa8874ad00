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
    assert!(summary.quarantined > 0);
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
    let dups = sql.query("SELECT count(*) FROM duplicates").unwrap();
    assert!(dups.rows[0][0].as_deref().unwrap().parse::<i64>().unwrap() > 0);
    // Header mismatches of the re-namespaced CBPR+ files are in header_checks.
    let bad = sql
        .query("SELECT count(*) FROM header_checks WHERE check_name = 'MsgDefIdr' AND NOT ok")
        .unwrap();
    assert!(bad.rows[0][0].as_deref().unwrap().parse::<i64>().unwrap() >= 5);
}
