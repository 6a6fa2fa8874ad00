//! DuckDB as the independent oracle: positions recomputed in SQL from the `payments`
//! artifact must equal ours, row for row.

use pipelines::generators::pacs008::{self as gen_pacs008, GenParams};
use pipelines::jobs::netting::{Netting, NettingParams};
use pipelines::sql::SqlSession;
use verify::keys::SecretKey;
use verify::store::Store;

fn netted_store(dir: &std::path::Path) -> Store {
    let inputs = dir.join("in");
    gen_pacs008::generate(
        &inputs,
        &GenParams {
            transactions: 3000,
            banks: 9,
            currencies: vec!["EUR".into(), "JPY".into(), "OMR".into()],
            files: 9,
            singles: 12,
            duplicates: 8,
            conflicts: 0,
            invalid: 4,
            seed: 11,
            value_date: "2026-11-23".into(),
        },
    )
    .unwrap();
    let store = Store::open(dir.join("store").to_str().unwrap()).unwrap();
    let params = NettingParams {
        inputs: pipelines::jobs::expand_inputs(&[inputs], &pipelines::jobs::PACS008_SUFFIXES)
            .unwrap()
            .files,
        config: Default::default(),
        chain: "netting".into(),
    };
    let signer = SecretKey::from_seed("ops", [1; 32]);
    crate::run_job::<Netting>(&store, &signer, 1_795_398_979, &params);
    store
}

/// Payments counted once per identity: UETR, else message + end-to-end + transaction id;
/// the first in (file digest, message, transaction) order is kept.
const UNIQUE: &str = "WITH keyed AS (
    SELECT *, coalesce('uetr:' || lower(uetr), 'ids:' || coalesce(msg_id, '') || chr(31) || coalesce(end_to_end_id, '') || chr(31) || coalesce(tx_id, '')) AS identity
    FROM payments),
  unique_payments AS (
    SELECT *,
      -- The settlement system, written from the rule (DOMAIN.md §6), not from our code.
      CASE WHEN coalesce(trim(clearing_system), '') <> '' THEN trim(clearing_system)
           WHEN sttlm_mtd = 'INDA' THEN 'INDA:' || coalesce(instructed_agent, '')
           WHEN sttlm_mtd = 'INGA' THEN 'INGA:' || coalesce(instructing_agent, '')
           WHEN sttlm_mtd IN ('COVE', 'CLRG') THEN sttlm_mtd
           ELSE 'unspecified' END AS settlement_system
    FROM keyed
    QUALIFY row_number() OVER (PARTITION BY identity ORDER BY source_file, file_digest, message_index, tx_index) = 1)";

/// The signer of the netted store's runs.
fn ops() -> verify::keys::TrustSet {
    verify::keys::TrustSet::new([SecretKey::from_seed("ops", [1; 32]).public()])
}

fn count(session: &mut SqlSession, sql: &str) -> i64 {
    let r = session.query(sql).unwrap();
    r.rows[0][0].as_deref().unwrap().parse().unwrap()
}

#[test]
fn duckdb_recomputes_our_bilateral_and_multilateral_positions() {
    let dir = tempfile::tempdir().unwrap();
    let store = netted_store(dir.path());
    let mut session = SqlSession::open(&store, &ops()).unwrap();
    assert!(session.tables.contains_key("netting.payments"));

    let multilateral = format!(
        "{UNIQUE}, flows AS (
            SELECT settlement_system, settlement_date AS value_date, currency, payee AS participant, amount_minor AS received, 0 AS paid FROM unique_payments
            UNION ALL
            SELECT settlement_system, settlement_date, currency, payer, 0, amount_minor FROM unique_payments),
          oracle AS (
            SELECT settlement_system, value_date, currency, participant, sum(paid)::BIGINT AS paid_minor, sum(received)::BIGINT AS received_minor,
                   (sum(received) - sum(paid))::BIGINT AS net_minor
            FROM flows GROUP BY ALL),
          ours AS (SELECT settlement_system, value_date, currency, participant, paid_minor, received_minor, net_minor FROM multilateral)
        SELECT (SELECT count(*) FROM (SELECT * FROM oracle EXCEPT SELECT * FROM ours))
             + (SELECT count(*) FROM (SELECT * FROM ours EXCEPT SELECT * FROM oracle))"
    );
    assert_eq!(count(&mut session, &multilateral), 0);
    // As many positions as the oracle finds (participants per system, date and currency).
    let oracle_rows = format!(
        "{UNIQUE}, flows AS (
            SELECT settlement_system, settlement_date, currency, payee AS p FROM unique_payments
            UNION SELECT settlement_system, settlement_date, currency, payer FROM unique_payments)
        SELECT count(*) FROM flows"
    );
    assert_eq!(
        count(&mut session, "SELECT count(*) FROM multilateral"),
        count(&mut session, &oracle_rows)
    );

    let bilateral = format!(
        "{UNIQUE}, oriented AS (
            SELECT settlement_system, settlement_date AS value_date, currency, least(payer, payee) AS a, greatest(payer, payee) AS b,
                   CASE WHEN payee < payer THEN amount_minor ELSE -amount_minor END AS to_a
            FROM unique_payments WHERE payer <> payee),
          oracle AS (SELECT settlement_system, value_date, currency, a, b, sum(to_a)::BIGINT AS net_minor FROM oriented GROUP BY ALL),
          ours AS (SELECT settlement_system, value_date, currency, participant_a, participant_b, net_minor FROM bilateral)
        SELECT (SELECT count(*) FROM (SELECT * FROM oracle EXCEPT SELECT * FROM ours))
             + (SELECT count(*) FROM (SELECT * FROM ours EXCEPT SELECT * FROM oracle))"
    );
    assert_eq!(count(&mut session, &bilateral), 0);

    // Efficiency figures: G, B, M per currency from the oracle's own tables.
    let efficiency = format!(
        "{UNIQUE}, g AS (SELECT settlement_system, settlement_date AS value_date, currency, sum(amount_minor)::BIGINT AS gross FROM unique_payments GROUP BY ALL)
        SELECT count(*) FROM g FULL JOIN efficiency e USING (settlement_system, value_date, currency) WHERE g.gross IS DISTINCT FROM e.gross_minor"
    );
    assert_eq!(count(&mut session, &efficiency), 0);
    // The legs bring every position to zero.
    let legs = "WITH moves AS (
            SELECT settlement_system, value_date, currency, payer AS participant, amount_minor AS delta FROM legs
            UNION ALL SELECT settlement_system, value_date, currency, payee, -amount_minor FROM legs
            UNION ALL SELECT settlement_system, value_date, currency, participant, net_minor FROM multilateral)
        SELECT count(*) FROM (SELECT settlement_system, value_date, currency, participant, sum(delta) s FROM moves GROUP BY ALL) WHERE s <> 0";
    assert_eq!(count(&mut session, legs), 0);
}

#[test]
fn artifacts_are_reachable_by_digest_and_tampering_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = netted_store(dir.path());
    let mut session = SqlSession::open(&store, &ops()).unwrap();
    let digest = session.tables["netting.quarantine"];
    let n = count(&mut session, &format!("SELECT count(*) FROM \"{digest}\""));
    assert_eq!(n, 4);
    // Trusting someone else, no run is registered and no artifact can be read by digest.
    let stranger = verify::keys::TrustSet::new([SecretKey::from_seed("x", [9; 32]).public()]);
    let err = SqlSession::open(&store, &stranger).unwrap_err();
    assert!(err.to_string().contains("signature"), "{err}");
    // A flipped byte in a blob: the session refuses to read it.
    let path = dir
        .path()
        .join("store")
        .join(verify::store::blob_key(&digest));
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let err = SqlSession::open(&store, &ops()).unwrap_err();
    assert!(err.to_string().contains("digest mismatch"), "{err}");
}
