//! The deep check: a signed semantic root must be the root of the signed tables' rows.

use pipelines::jobs::packs::licensepack::{Licensepack, LicensepackParams};
use pipelines::jobs::{Context, Job, inputs, roots};
use verify::clock::{FixedClock, Timestamp};
use verify::keys::{SecretKey, TrustSet};
use verify::store::Store;

#[test]
fn a_signed_root_that_is_not_the_root_of_the_rows_fails_the_deep_check() {
    let dir = tempfile::tempdir().unwrap();
    let register = dir.path().join("sg.csv");
    std::fs::write(
        &register,
        "licence_id,holder,holder_name,type,status,valid_from,valid_to,activities\n\
         sg-L1,sg-1,Orion Bay Trading LLC,category 1,active,2021-01-02,,accepting deposits\n\
         sg-L2,sg-2,Joseph Gupta,category 3A,revoked,2025-01-01,2028-12-31,dealing\n",
    )
    .unwrap();
    let store = Store::open(dir.path().join("s").to_str().unwrap()).unwrap();
    let signer = SecretKey::from_seed("ops", [1; 32]);
    let trust = TrustSet::new([signer.public()]);
    let ctx = Context {
        store: &store,
        signer: &signer,
        trust: &trust,
        clock: &FixedClock(Timestamp::from_unix(1_795_398_979)),
        reporter: &pipelines::report::Silent,
    };
    let params = LicensepackParams {
        jurisdiction: "sg".into(),
        register: inputs::given(&register),
    };
    // An honest run: the root recomputed from the rows is the signed one.
    pipelines::jobs::run::<Licensepack>(&ctx, &params).unwrap();
    let checks = roots::recompute(&store, &trust, None).unwrap();
    assert_eq!(checks.len(), 1);
    assert!(checks[0].ok(), "{checks:?}");
    // A run whose manifest signs another root over the very same tables (a signer's bug):
    // every digest and signature checks out, and the deep check does not.
    let mut produced = Licensepack::produce(&ctx, &params).unwrap();
    produced.run.semantic.insert(
        "licences_merkle_root".into(),
        format!("sha256:{}", "ab".repeat(32)),
    );
    produced.run.chain = "licensepack-sg-other".into();
    pipelines::artifact::publish(
        &store,
        &signer,
        &trust,
        ctx.clock,
        produced.run,
        &produced.tables,
    )
    .unwrap();
    let report = verify::audit::audit(&store, &trust, &Default::default()).unwrap();
    assert!(report.ok(), "{:#?}", report.failures);
    let checks = roots::recompute(&store, &trust, None).unwrap();
    let bad: Vec<_> = checks.iter().filter(|c| !c.ok()).collect();
    assert_eq!(bad.len(), 1, "{checks:?}");
    assert_eq!(bad[0].chain, "licensepack-sg-other");
}
