//! The compliance tensor: lattice laws, every rule of DOMAIN.md §2 against a cell-by-cell
//! model, and sanctions dominance whatever the other evidence.

use pipelines::jobs::tensor::State;
use pipelines::jobs::tensor::eval::{
    Attestation, Evidence, Expiry, LicenceFact, TensorSpec, evaluate,
};
use proptest::prelude::*;

fn state() -> impl Strategy<Value = State> {
    (0u8..5).prop_map(|r| State::from_rank(r).unwrap())
}

proptest! {
    #[test]
    fn meet_and_join_form_a_distributive_lattice(a in state(), b in state(), c in state()) {
        prop_assert_eq!(a.meet(b), b.meet(a));
        prop_assert_eq!(a.join(b), b.join(a));
        prop_assert_eq!(a.meet(b.meet(c)), a.meet(b).meet(c));
        prop_assert_eq!(a.join(b.join(c)), a.join(b).join(c));
        prop_assert_eq!(a.meet(a), a);
        prop_assert_eq!(a.join(a), a);
        prop_assert_eq!(a.meet(a.join(b)), a);
        prop_assert_eq!(a.join(a.meet(b)), a);
        prop_assert_eq!(a.meet(b.join(c)), a.meet(b).join(a.meet(c)));
        prop_assert_eq!(a.meet(State::NonCompliant), State::NonCompliant);
        prop_assert_eq!(a.join(State::Compliant), State::Compliant);
        prop_assert!(a.meet(b) <= a.join(b));
    }
}

#[test]
fn empty_sets_fail_closed_and_passing_is_the_top_three() {
    assert_eq!(State::meet_all([]), State::Pending);
    assert_eq!(State::join_all([]), State::Pending);
    let passing: Vec<State> = State::ALL.into_iter().filter(|s| s.passing()).collect();
    assert_eq!(
        passing,
        [State::NotApplicable, State::Exempt, State::Compliant]
    );
    for s in State::ALL {
        assert_eq!(State::parse(s.as_str()), Some(s));
    }
}

const SANCTIONS: u8 = 2;
const LICENSING: u8 = 8;
const AS_OF: i32 = 20_000;

/// The rules, cell by cell, written plainly: the oracle for the columnar evaluation.
fn model(spec: &TensorSpec, ev: &Evidence, entity: &str, jurisdiction: &str, domain: u8) -> State {
    let applicable = jurisdiction != spec.jurisdiction_id || spec.zone_domains.contains(&domain);
    if !applicable {
        return State::NotApplicable;
    }
    // The screening's outcomes for this entity: none when it was not screened (by id).
    let screened: Vec<State> = ev
        .screening
        .iter()
        .flatten()
        .filter(|(e, _)| e == entity)
        .map(|(_, s)| *s)
        .collect();
    if domain == SANCTIONS && screened.contains(&State::NonCompliant) {
        return State::NonCompliant;
    }
    let mut sources = Vec::new();
    for a in ev
        .attestations
        .iter()
        .filter(|a| a.entity_id == entity && a.domain_index == domain)
    {
        let expired = match a.expires {
            Expiry::Never => false,
            Expiry::On(d) => d < spec.as_of,
            Expiry::Unreadable => true,
        };
        sources.push(if a.state.passing() && expired {
            State::NonCompliant
        } else {
            a.state
        });
    }
    if domain == LICENSING {
        for l in ev.licences.iter().filter(|l| l.holder == entity) {
            let in_force = l.valid_from <= spec.as_of && l.valid_to.is_none_or(|t| t >= spec.as_of);
            sources.push(match l.status.as_str() {
                "active" if in_force => State::Compliant,
                "pending" => State::Pending,
                _ => State::NonCompliant,
            });
        }
    }
    if domain == SANCTIONS && !screened.is_empty() {
        sources.push(State::meet_all(screened));
    }
    State::join_all(sources)
}

fn evidence() -> impl Strategy<Value = (TensorSpec, Evidence)> {
    let entity = (0u8..6).prop_map(|i| format!("E{i}"));
    let attestation = (
        entity.clone(),
        0u8..20,
        state(),
        prop_oneof![
            Just(Expiry::Never),
            Just(Expiry::Unreadable),
            (AS_OF - 5..AS_OF + 5).prop_map(Expiry::On),
        ],
    )
        .prop_map(|(entity_id, domain_index, state, expires)| Attestation {
            entity_id,
            domain_index,
            state,
            expires,
        });
    let licence = (
        entity.clone(),
        prop::sample::select(vec!["active", "pending", "revoked", "expired"]),
        AS_OF - 5..AS_OF + 5,
        prop::option::of(AS_OF - 5..AS_OF + 5),
    )
        .prop_map(|(holder, status, valid_from, valid_to)| LicenceFact {
            holder,
            status: status.into(),
            valid_from,
            valid_to,
        });
    (
        prop::collection::btree_set(0u8..20, 1..20),
        prop::collection::vec((entity.clone(), prop::bool::weighted(0.2)), 1..6),
        prop::collection::vec(attestation, 0..40),
        prop::collection::vec(licence, 0..8),
        prop::option::of(prop::collection::vec(
            (
                entity,
                prop_oneof![
                    Just(State::NonCompliant),
                    Just(State::Pending),
                    Just(State::Compliant)
                ],
            ),
            0..6,
        )),
    )
        .prop_map(|(domains, entities, attestations, licences, screening)| {
            let mut seen = std::collections::BTreeSet::new();
            let entities = entities
                .into_iter()
                .filter(|(e, _)| seen.insert(e.clone()))
                .map(|(e, foreign)| (e, foreign.then(|| "ZZ".to_owned())))
                .collect();
            (
                TensorSpec {
                    jurisdiction_id: "AE-AZ".into(),
                    zone_domains: domains.into_iter().collect(),
                    registry_len: 20,
                    as_of: AS_OF,
                },
                Evidence {
                    entities,
                    attestations,
                    licences,
                    screening,
                },
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every cell of the columnar evaluation equals the plain model, cells come sorted and
    /// complete, and the named rules hold.
    #[test]
    fn columnar_evaluation_follows_every_rule((spec, ev) in evidence()) {
        let cells = evaluate(&spec, &ev).unwrap();
        prop_assert_eq!(cells.len(), ev.entities.len() * spec.registry_len);
        let keys: Vec<(&String, &String, u8)> = (0..cells.len())
            .map(|i| (&cells.entity_id[i], &cells.jurisdiction_id[i], cells.domain_index[i]))
            .collect();
        prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        for i in 0..cells.len() {
            let expected = model(&spec, &ev, &cells.entity_id[i], &cells.jurisdiction_id[i], cells.domain_index[i]);
            prop_assert_eq!(cells.state[i], expected, "cell {} {} {}", cells.entity_id[i], cells.jurisdiction_id[i], cells.domain_index[i]);
            // Sanctions dominance: a hit makes sanctions non_compliant whatever is attested.
            let hit = ev
                .screening
                .iter()
                .flatten()
                .any(|(e, s)| *s == State::NonCompliant && *e == cells.entity_id[i]);
            let applicable = cells.jurisdiction_id[i] != spec.jurisdiction_id || spec.zone_domains.contains(&cells.domain_index[i]);
            if hit && applicable && cells.domain_index[i] == SANCTIONS {
                prop_assert_eq!(cells.state[i], State::NonCompliant);
                prop_assert_eq!(cells.source[i].as_str(), "screening_hit");
            }
            // An unknown jurisdiction has every domain applicable.
            // (It may still be attested not_applicable.)
            if cells.jurisdiction_id[i] == "ZZ" {
                prop_assert_ne!(cells.source[i].as_str(), "out_of_scope");
            }
        }
    }
}

#[test]
fn named_fail_closed_rules() {
    let spec = TensorSpec {
        jurisdiction_id: "SG".into(),
        zone_domains: vec![0, 1, SANCTIONS, LICENSING],
        registry_len: 20,
        as_of: AS_OF,
    };
    let att = |e: &str, d: u8, s: State, x: Expiry| Attestation {
        entity_id: e.into(),
        domain_index: d,
        state: s,
        expires: x,
    };
    let ev = Evidence {
        entities: vec![
            ("A".into(), None),
            ("B".into(), None),
            ("C".into(), Some("XX".into())),
            ("D".into(), None),
        ],
        attestations: vec![
            att("A", 0, State::Compliant, Expiry::On(AS_OF - 1)),
            att("A", 1, State::Exempt, Expiry::Unreadable),
            att("B", 0, State::Compliant, Expiry::On(AS_OF)),
            att("A", SANCTIONS, State::Exempt, Expiry::Never),
            att("A", SANCTIONS, State::Compliant, Expiry::Never),
        ],
        licences: vec![],
        screening: Some(vec![
            ("A".into(), State::NonCompliant),
            ("B".into(), State::Pending),
            ("C".into(), State::Compliant),
        ]),
    };
    let cells = evaluate(&spec, &ev).unwrap();
    let get = |e: &str, d: u8| {
        (0..cells.len())
            .find(|&i| cells.entity_id[i] == e && cells.domain_index[i] == d)
            .map(|i| cells.state[i])
            .unwrap()
    };
    assert_eq!(get("A", 0), State::NonCompliant, "expired attestation");
    assert_eq!(
        get("A", 1),
        State::NonCompliant,
        "unreadable expiry counts as expired"
    );
    assert_eq!(
        get("B", 0),
        State::Compliant,
        "valid through its expiry day"
    );
    assert_eq!(get("B", 1), State::Pending, "no evidence");
    assert_eq!(
        get("A", SANCTIONS),
        State::NonCompliant,
        "a hit beats exempt and compliant attestations"
    );
    assert_eq!(get("B", SANCTIONS), State::Pending, "a review is pending");
    assert_eq!(
        get("A", 5),
        State::NotApplicable,
        "outside the zone's domains"
    );
    assert_eq!(
        get("C", 5),
        State::Pending,
        "unknown jurisdiction: every domain applies"
    );
    assert_eq!(get("C", SANCTIONS), State::Compliant, "screened, no match");
    // D was never screened: a screening given for others does not make it clear.
    assert_eq!(get("D", SANCTIONS), State::Pending, "not screened");
    let d = (0..cells.len())
        .find(|&i| cells.entity_id[i] == "D" && cells.domain_index[i] == SANCTIONS)
        .unwrap();
    assert_eq!(cells.source[d], "not_screened");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Entities are independent: evaluating any split of the entity range and concatenating
    /// gives exactly the whole evaluation (how large tensors are evaluated in bounded memory).
    #[test]
    fn chunked_evaluation_equals_the_whole((spec, ev) in evidence(), cut in 0usize..8) {
        let e = pipelines::jobs::tensor::eval::Evaluator::new(&spec, &ev);
        let n = e.entities.len() as u32;
        let whole = e.chunk(0, n).unwrap();
        prop_assert_eq!(e.cells(), whole.state.len());
        let cut = (cut as u32).min(n);
        let (a, b) = (e.chunk(0, cut).unwrap(), e.chunk(cut, n).unwrap());
        prop_assert_eq!([a.entity, b.entity].concat(), whole.entity);
        prop_assert_eq!([a.state, b.state].concat(), whole.state);
        prop_assert_eq!([a.domain_index, b.domain_index].concat(), whole.domain_index);
        prop_assert_eq!([a.source, b.source].concat(), whole.source);
    }
}

#[test]
fn bad_evidence_rows_are_quarantined_with_reasons_and_the_rest_kept() {
    let dir = tempfile::tempdir().unwrap();
    let entities = dir.path().join("entities.csv");
    std::fs::write(&entities, "entity_id,jurisdiction_id\nA,\nB,XX\nA,\n,\n").unwrap();
    let (kept, q, (digest, bytes)) =
        pipelines::jobs::tensor::evidence::read_entities(&ingest::NamedFile::as_given(&entities))
            .unwrap();
    // The digest recorded is that of the bytes the reader parsed.
    assert_eq!((digest, bytes), verify::Digest::of_file(&entities).unwrap());
    assert_eq!(
        kept,
        [
            ("A".to_owned(), None),
            ("B".to_owned(), Some("XX".to_owned()))
        ]
    );
    let reasons: Vec<&str> = q.iter().map(|q| q.reason.as_str()).collect();
    assert_eq!(reasons, ["entity A appears twice", "no entity id"]);
    assert_eq!(q[0].element_path, "row 3/entity_id");
    let att = dir.path().join("att.csv");
    std::fs::write(
        &att,
        "entity_id,domain,state,expires\nA,aml,compliant,2027-01-01\nA,astrology,compliant,\nA,kyc,fine,\nB,tax,exempt,someday\n",
    )
    .unwrap();
    let (kept, q, _) =
        pipelines::jobs::tensor::evidence::read_attestations(&ingest::NamedFile::as_given(&att))
            .unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1].expires, Expiry::Unreadable);
    let reasons: Vec<&str> = q.iter().map(|q| q.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["unknown domain \"astrology\"", "unknown state \"fine\""]
    );
    let missing = dir.path().join("bad.csv");
    std::fs::write(&missing, "id,domain\n").unwrap();
    let err = pipelines::jobs::tensor::evidence::read_attestations(&ingest::NamedFile::as_given(
        &missing,
    ))
    .unwrap_err();
    assert!(err.to_string().contains("no column \"entity_id\""), "{err}");
}
