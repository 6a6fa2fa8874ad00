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
    // The samples re-use UETRs across files, for re-sends and for unrelated payments alike.
    // DuckDB restates the rules from their documentation: the identity, the settlement
    // system and the content; an identity with one content is a re-send (its copies are
    // duplicates), with several a conflict (every payment of it held and quarantined).
    let number = |sql: &mut SqlSession, q: &str| -> i64 {
        sql.query(q).unwrap().rows[0][0]
            .as_deref()
            .unwrap()
            .parse()
            .unwrap()
    };
    let per_identity = "WITH p AS (SELECT \
            coalesce('uetr:' || lower(nullif(uetr, '')), 'ids:' || coalesce(msg_id, '') || chr(31) || coalesce(end_to_end_id, '') || chr(31) || coalesce(tx_id, '')) AS identity, \
            CASE WHEN trim(coalesce(clearing_system, '')) <> '' THEN trim(clearing_system) \
                 WHEN trim(coalesce(sttlm_mtd, '')) = 'INDA' THEN 'INDA:' || coalesce(instructed_agent, '') \
                 WHEN trim(coalesce(sttlm_mtd, '')) = 'INGA' THEN 'INGA:' || coalesce(instructing_agent, '') \
                 WHEN trim(coalesce(sttlm_mtd, '')) IN ('COVE', 'CLRG') THEN trim(sttlm_mtd) \
                 ELSE 'unspecified' END AS system, * FROM payments) \
        SELECT identity, count(*) AS payments, count(DISTINCT (system, settlement_date, currency, payer, payee, amount_minor, coalesce(debtor_account, ''), coalesce(creditor_account, ''))) AS contents \
        FROM p GROUP BY identity";
    let resent = number(
        &mut sql,
        &format!("SELECT coalesce(sum(payments - 1), 0) FROM ({per_identity}) WHERE contents = 1"),
    );
    let conflicting = number(
        &mut sql,
        &format!("SELECT coalesce(sum(payments), 0) FROM ({per_identity}) WHERE contents > 1"),
    );
    assert!(resent > 0 && conflicting > 0, "{resent} {conflicting}");
    assert_eq!(number(&mut sql, "SELECT count(*) FROM duplicates"), resent);
    assert_eq!(
        number(&mut sql, "SELECT count(*) FROM conflicts"),
        conflicting
    );
    assert_eq!(
        number(
            &mut sql,
            "SELECT count(*) FROM conflicts WHERE status <> 'held'"
        ),
        0
    );
    // SOURCES.md: one XAU fixture, one USDDSO message, and five files holding no pacs.008
    // (the four under related/ and the Fedwire head.001); and the held conflicts.
    assert_eq!(summary.quarantined as i64, 7 + conflicting);
    assert_eq!(
        number(
            &mut sql,
            "SELECT count(*) FROM quarantine WHERE reason LIKE 'identity conflict:%'"
        ),
        conflicting
    );
    // Nothing netted carries a conflicted identity: the gross of every bucket is that of
    // the payments neither duplicated nor held, recomputed here.
    let unmatched = number(
        &mut sql,
        "WITH ok AS (SELECT p.* FROM payments p \
               WHERE NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.file_digest = p.file_digest AND c.byte_offset = p.byte_offset AND c.source_file = p.source_file) \
               AND NOT EXISTS (SELECT 1 FROM duplicates d WHERE d.duplicate_file_digest = p.file_digest AND d.duplicate_byte_offset = p.byte_offset)), \
             sums AS (SELECT currency, settlement_date, sum(amount_minor) AS g FROM ok WHERE settlement_date IS NOT NULL GROUP BY ALL), \
             eff AS (SELECT currency, value_date, sum(gross_minor) AS g FROM efficiency GROUP BY ALL) \
             SELECT count(*) FROM sums FULL JOIN eff ON sums.currency = eff.currency AND sums.settlement_date = eff.value_date \
             WHERE sums.g IS DISTINCT FROM eff.g",
    );
    assert_eq!(
        unmatched, 0,
        "buckets whose gross is not that of the payments kept"
    );
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
