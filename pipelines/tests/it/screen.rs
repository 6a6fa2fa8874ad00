//! `mez screen` and its search: blocked equals brute force, decisions, evidence, the
//! matches artifact end to end, determinism across thread counts, and the evaluation
//! harness over the real lists (skipped when absent).

use std::io::Write;
use std::path::Path;
use std::process::Output;

use pipelines::generators::SplitMix64;
use pipelines::jobs::screening::eval::{self as screening_eval, EvalParams};
use pipelines::jobs::screening::{
    DEFAULT_REVIEW_BP, Decision, ListIndex, Query, Scratch, Thresholds, WEAK_ONLY_CAP, screen,
    screen_brute_force,
};
use proptest::prelude::*;

/// A list of our own making: fictional people and companies, with aliases, dates of birth
/// and countries, plus a weak-only name.
const LIST: &str = "\
id,name,type,aliases,dob,countries,programs
L1,\"HADDAD, Omar Khalil\",individual,Omar Haddad;Abu Khalil,1971-04-02,Lebanon,TEST
L2,Northwind Maritime Holdings LLC,entity,Northwind Shipping,,Panama,TEST
L3,Ivan Petrovich Sokolov,individual,Иван Соколов,1965,Russia,TEST
L4,11420 CORP.,entity,,,,TEST
L5,Mohammed Ali Hassan,individual,,1980-01-01,Iraq,TEST
L6,Mohammed Ali Hassan,individual,,1955,Egypt,TEST
L7,Zhang Wei,individual,,1990,China,TEST
L8,Crescent Star Trading FZE,entity,Crescent Star General Trading,,United Arab Emirates,TEST
";

fn fixture_index(dir: &Path) -> ListIndex {
    let path = dir.join("test-list.csv");
    std::fs::write(&path, LIST).unwrap();
    let reading =
        ingest::sanctions::read_custom_csv("test", &ingest::NamedFile::as_given(&path)).unwrap();
    let pack = packs::regpack::build(&[reading]).unwrap();
    ListIndex::from_tables(&pack.entries, &pack.names).unwrap()
}

fn hits(index: &ListIndex, q: &Query) -> Vec<(String, u32, Decision)> {
    screen(index, q, Thresholds::default(), &mut Scratch::default())
        .into_iter()
        .map(|h| {
            (
                index.entries[h.entry as usize].source_uid.clone(),
                h.score_bp,
                h.decision,
            )
        })
        .collect()
}

#[test]
fn decisions_on_the_fixture_list() {
    let dir = tempfile::tempdir().unwrap();
    let index = fixture_index(dir.path());
    let q = |name: &str| Query::new("q", name, None, None);
    let top = |name: &str| hits(&index, &q(name)).first().cloned();
    // Order, case, punctuation and script do not matter.
    assert_eq!(top("omar khalil haddad").map(|h| h.1), Some(10_000));
    assert!(matches!(top("Иван Петрович Соколов"), Some((id, _, Decision::Hit)) if id == "L3"));
    // A typo is still a hit; a legal form changed is found.
    assert!(matches!(top("Omar Khalil Hadad"), Some((id, _, _)) if id == "L1"));
    assert!(matches!(top("Northwind Maritime Holdings Ltd"), Some((id, _, _)) if id == "L2"));
    // The weak-only name matches itself and nothing else.
    assert_eq!(top("11420 Corp").map(|h| h.1), Some(10_000));
    assert_eq!(top("77777 CORP."), None);
    assert!(
        hits(&index, &q("11420 LLC"))
            .iter()
            .all(|h| h.1 <= WEAK_ONLY_CAP)
    );
    // One- and two-token names: a lone common given name is not a hit on a longer name.
    assert!(
        hits(&index, &q("Mohammed"))
            .iter()
            .all(|h| h.2 == Decision::Review)
    );
    assert_eq!(top("Wei"), None);
    assert!(matches!(top("Wei Zhang"), Some((id, 10_000, Decision::Hit)) if id == "L7"));
    // Unrelated names find nothing.
    assert_eq!(top("Maria Garcia Lopez"), None);
}

#[test]
fn dates_of_birth_and_countries_tell_namesakes_apart() {
    let dir = tempfile::tempdir().unwrap();
    let index = fixture_index(dir.path());
    let both = hits(
        &index,
        &Query::new("q", "Mohammed Ali Hassan", Some("1980-01-01"), Some("IQ")),
    );
    assert_eq!(both[0].0, "L5", "{both:?}");
    assert_eq!(both[0].1, 10_000);
    assert_eq!(both[0].2, Decision::Hit);
    // The namesake born 1955 in Egypt is pushed below the line by both conflicts.
    assert!(both.iter().all(|h| h.0 != "L6"), "{both:?}");
    let explained = screen(
        &index,
        &Query::new("q", "Mohammed Ali Hassan", Some("1955"), None),
        Thresholds::default(),
        &mut Scratch::default(),
    );
    let l6 = explained
        .iter()
        .find(|h| index.entries[h.entry as usize].source_uid == "L6")
        .unwrap();
    assert_eq!(l6.evidence[0].kind, "dob");
    assert_eq!(l6.evidence[0].outcome, "year");
}

/// A changed form of a name: a letter swapped, dropped or replaced, the words rotated, and
/// the variation classes the matcher relates (two words joined, a word split, a word as its
/// initial, a legal form added or spelled out, a number as a word, a nickname).
fn perturb(rng: &mut SplitMix64, name: &str) -> String {
    let mut b: Vec<char> = name.chars().collect();
    match rng.below(4) {
        0 if b.len() > 3 => {
            let i = 1 + rng.below(b.len() as u64 - 2) as usize;
            b.swap(i, i + 1);
        }
        1 if b.len() > 3 => {
            let i = rng.below(b.len() as u64) as usize;
            b.remove(i);
        }
        2 => {
            let i = rng.below(b.len() as u64) as usize;
            b[i] = char::from(b'a' + rng.below(26) as u8);
        }
        _ => {}
    }
    let mut words: Vec<String> = b
        .into_iter()
        .collect::<String>()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        return String::new();
    }
    let i = rng.below(words.len() as u64) as usize;
    match rng.below(8) {
        0 if i + 1 < words.len() => {
            let next = words.remove(i + 1);
            words[i].push_str(&next);
        }
        1 if words[i].len() >= 6 => {
            let w = words[i].clone();
            words[i] = format!("{} {}", &w[..3], &w[3..]);
        }
        2 if words.len() >= 2 => words[i] = format!("{}.", &words[i][..1]),
        3 => {
            words.push((*rng_pick(rng, &["AG", "Aktiengesellschaft", "LLC", "OOO", "Ltd"])).into())
        }
        4 => words.push((*rng_pick(rng, &["2", "two", "3rd", "third"])).into()),
        5 => words[i] = (*rng_pick(rng, &["Bill", "William", "Sasha", "Bob", "Robert"])).into(),
        _ => {}
    }
    if words.len() > 1 && rng.below(2) == 0 {
        words.rotate_left(1);
    }
    words.join(" ")
}

fn rng_pick<'a>(rng: &mut SplitMix64, items: &'a [&'a str]) -> &'a &'a str {
    &items[rng.below(items.len() as u64) as usize]
}

/// An index over 1 500 generated names (our generator, not a real list), built once.
fn generated_index() -> &'static ListIndex {
    static INDEX: std::sync::OnceLock<ListIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        build_generated_index(dir.path())
    })
}

fn build_generated_index(dir: &Path) -> ListIndex {
    let path = dir.join("generated.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "id,name").unwrap();
    let mut rng = SplitMix64::new(42);
    for i in 0..1500 {
        let name = pipelines::generators::names::name(&mut rng).replace('"', "");
        writeln!(f, "G{i},\"{name}\"").unwrap();
    }
    drop(f);
    let reading =
        ingest::sanctions::read_custom_csv("generated", &ingest::NamedFile::as_given(&path))
            .unwrap();
    let pack = packs::regpack::build(&[reading]).unwrap();
    ListIndex::from_tables(&pack.entries, &pack.names).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The blocked search returns exactly what scoring every name returns.
    #[test]
    fn blocked_search_equals_brute_force(seed in any::<u64>(), review in 5000u32..9500, evidence in any::<bool>()) {
        let index = generated_index();
        let mut rng = SplitMix64::new(seed);
        let thresholds = Thresholds { review_bp: review, hit_bp: review.max(9300) };
        let mut scratch = Scratch::default();
        for _ in 0..20 {
            let base = &index.names[rng.below(index.names.len() as u64) as usize].text;
            let name = if rng.below(4) == 0 {
                pipelines::generators::names::name(&mut rng)
            } else {
                perturb(&mut rng, base)
            };
            let q = if evidence {
                Query::new("q", &name, Some("1970"), Some("IR"))
            } else {
                Query::new("q", &name, None, None)
            };
            let blocked = screen(index, &q, thresholds, &mut scratch);
            let brute = screen_brute_force(index, &q, thresholds);
            prop_assert_eq!(blocked, brute, "{}", name);
        }
    }
}

fn mez(dir: &Path, threads: &str, args: &[&str]) -> Output {
    crate::mez_command(dir)
        .env("RAYON_NUM_THREADS", threads)
        .args(args)
        .output()
        .unwrap()
}

fn export(dir: &Path, store: &str, digest: &str) -> Vec<serde_json::Value> {
    let o = mez(
        dir,
        "2",
        &[
            "--store", store, "--key", "k.key", "export", digest, "--format", "jsonl",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn screen_names_publishes_explained_matches_deterministically_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("list.csv"), LIST).unwrap();
    std::fs::write(
        d.join("names.csv"),
        "customer_id,full_name,dob,country\n\
         c1,Omar Khalil Hadad,1971-04-02,LB\n\
         c2,Jane Austen,,\n\
         c3,,,\n\
         c4,77777 CORP.,,\n\
         c5,NORTHWIND MARITIME HOLDINGS,,PA\n\
         c6,\"Sokolov, Ivan\",1965,RU\n",
    )
    .unwrap();
    crate::succeeded_json(&mez(d, "2", &["keygen", "--out", "k"]));
    let regpack = crate::succeeded_json(&mez(
        d,
        "2",
        &[
            "--json",
            "--store",
            "s1",
            "--key",
            "k.key",
            "regpack",
            "build",
            "--jurisdiction",
            "test",
            "--lists",
            "list.csv",
        ],
    ));
    let _ = regpack;
    let run = |threads: &str, store: &str, lists: &[&str]| {
        let mut args = vec![
            "--json",
            "--store",
            store,
            "--key",
            "k.key",
            "screen",
            "--names",
            "names.csv",
            "--name-column",
            "full_name",
        ];
        args.extend_from_slice(lists);
        crate::succeeded_json(&mez(d, threads, &args))
    };
    let one = run("1", "s1", &["--regpack", "runs/regpack-test/latest"]);
    let two = run("2", "s2", &["--lists", "list.csv"]);
    assert_eq!(one["tables"]["matches"], two["tables"]["matches"]);
    assert_eq!(one["quarantined"], 1, "the row without a name");
    let digest = one["tables"]["matches"]["digest"].as_str().unwrap();
    let rows = export(d, "s1", digest);
    let by_query = |q: &str| {
        rows.iter()
            .filter(|r| r["query_name"] == q)
            .collect::<Vec<_>>()
    };
    let omar = by_query("Omar Khalil Hadad");
    assert_eq!(omar[0]["entry_id"], "L1");
    assert_eq!(omar[0]["decision"], "hit");
    let why: serde_json::Value =
        serde_json::from_str(omar[0]["explanation"].as_str().unwrap()).unwrap();
    assert!(
        why["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["query"] == "hadad" && t["matched"] == "haddad")
    );
    assert!(
        why["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "dob" && e["outcome"] == "exact")
    );
    assert!(by_query("Jane Austen").is_empty());
    assert!(by_query("77777 CORP.").is_empty());
    assert_eq!(by_query("NORTHWIND MARITIME HOLDINGS")[0]["entry_id"], "L2");
    assert_eq!(by_query("Sokolov, Ivan")[0]["entry_id"], "L3");
    // Rows come in input order.
    let order: Vec<u64> = rows
        .iter()
        .map(|r| r["query_row"].as_u64().unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]));
    // The store verifies with regpack and screening runs on it.
    let o = mez(
        d,
        "2",
        &["--store", "s1", "verify", "--trusted-key", "k.pub"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Missing inputs are refused with exit code 2 and a reason.
    let o = mez(
        d,
        "2",
        &[
            "--store",
            "s1",
            "--key",
            "k.key",
            "screen",
            "--names",
            "names.csv",
            "--lists",
            "list.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no column \"name\""));
}

#[test]
fn screen_payments_of_a_netting_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::succeeded_json(&mez(d, "2", &["keygen", "--out", "k"]));
    crate::succeeded_json(&mez(
        d,
        "2",
        &[
            "gen",
            "pacs008",
            "--out",
            "day",
            "--transactions",
            "200",
            "--files",
            "2",
        ],
    ));
    let netting = crate::succeeded_json(&mez(
        d,
        "2",
        &[
            "--json", "--store", "s", "--key", "k.key", "netting", "run", "--input", "day",
        ],
    ));
    let payments = export(
        d,
        "s",
        netting["tables"]["payments"]["digest"].as_str().unwrap(),
    );
    let debtor = payments[0]["debtor_name"].as_str().unwrap().to_owned();
    std::fs::write(d.join("list.csv"), format!("id,name\nX1,\"{debtor}\"\n")).unwrap();
    let manifest = netting["manifest"].as_str().unwrap();
    let screened = crate::succeeded_json(&mez(
        d,
        "2",
        &[
            "--json",
            "--store",
            "s",
            "--key",
            "k.key",
            "screen",
            "--payments",
            manifest,
            "--lists",
            "list.csv",
        ],
    ));
    let rows = export(
        d,
        "s",
        screened["tables"]["matches"]["digest"].as_str().unwrap(),
    );
    // Each party is screened once: one query per distinct (name, country) among debtors
    // and creditors, however many payments it is on.
    let mut parties = std::collections::BTreeSet::new();
    for p in &payments {
        for (name, country) in [
            ("debtor_name", "debtor_country"),
            ("creditor_name", "creditor_country"),
            ("ultimate_debtor_name", ""),
            ("ultimate_creditor_name", ""),
            ("debtor_agent_name", ""),
            ("creditor_agent_name", ""),
        ] {
            if let Some(n) = p[name].as_str() {
                parties.insert((n.to_owned(), p[country].as_str().unwrap_or("").to_owned()));
            }
        }
    }
    assert!(
        parties.len() < 2 * payments.len(),
        "parties repeat in the day"
    );
    assert_eq!(
        screened["tables"]["coverage"]["rows"].as_u64(),
        Some(parties.len() as u64),
        "{screened}"
    );
    let expected = parties.iter().filter(|(n, _)| *n == debtor).count();
    let debtor_hits: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r["query_name"] == debtor.as_str() && r["score_bp"] == 10_000)
        .map(|r| r["query_id"].as_str().unwrap())
        .collect();
    assert_eq!(debtor_hits.len(), expected);
    assert!(debtor_hits.iter().all(|id| id.starts_with("party:")));
}

/// The harness over the real OFAC SDN and UN lists: the blocked search keeps ≥ 99 % of
/// brute force, and the default line keeps F1 ≥ 90 %.
#[test]
fn evaluation_on_the_real_lists() {
    let data = crate::manifest_dir().join("../../shared/data/sanctions");
    if !data.is_dir() {
        assert!(
            std::env::var("MEZ_REQUIRE_DATA").as_deref() != Ok("1"),
            "MEZ_REQUIRE_DATA=1, and the real corpus {} is absent",
            data.display()
        );
        eprintln!("SKIPPED: the real corpus {} is absent", data.display());
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let store = verify::store::Store::open(&store.path().display().to_string()).unwrap();
    let lists = pipelines::jobs::screening::run::load_lists(
        &store,
        &verify::keys::TrustSet::default(),
        &pipelines::jobs::screening::run::ListSource::Files {
            paths: vec![
                data.join("ofac/csv-2021-07-07/sdn.csv.gz"),
                data.join("un/un-consolidated-2026-02-27.xml.gz"),
            ],
            allow_missing_siblings: false,
        },
    )
    .unwrap();
    assert_eq!(lists.index.entries.len(), 8_976 + 1_003);
    let report = screening_eval::evaluate(
        &lists.index,
        &EvalParams {
            positives: 300,
            negatives: 300,
            seed: 7,
            brute_force_sample: 40,
            thresholds: Thresholds::default(),
            pairs: vec![],
        },
    );
    assert!(report.blocking.brute_force_pairs > 0);
    assert!(report.blocking.recall_bp >= 9_900, "{:?}", report.blocking);
    assert!(report.at_review.f1_bp >= 9_000, "{:?}", report.at_review);
    assert!(
        report.blocking.blocked_scored_mean * 100 < report.blocking.brute_force_scored,
        "blocking scores under 1 % of the names"
    );
}

/// The examples of the issue that asked for name-part handling (each a true match that
/// scored below the review line before), screened both ways against a list of 1 500
/// generated names plus the other name: every one reaches the review line, and the
/// explanation names the rule that matched.
#[test]
fn name_variation_examples_reach_the_review_line() {
    let examples: &[(&str, &str, &str)] = &[
        ("Deutsche Bank AG", "Deutsche Bank", "legal_form_dropped"),
        (
            "Deutsche Bank AG",
            "Deutsche Bank Aktiengesellschaft",
            "legal_form",
        ),
        ("Siemens Aktiengesellschaft", "Siemens AG", "legal_form"),
        (
            "OAO Gazprom",
            "Open Joint Stock Company Gazprom",
            "legal_form",
        ),
        (
            "HOMS REFINERY CORPORATION",
            "The Homs Refinery Company",
            "exact",
        ),
        ("SergeiLavrov", "Sergei Lavrov", "joined"),
        ("SiemensAG", "Siemens AG", "joined"),
        ("FridrichBuchenberg", "Friedrich Buchenberg", "joined"),
        ("Angela Merkur", "Angela Merkel", "fuzzy"),
        ("Shi Jinping", "Xi Jinping", "phonetic"),
        ("Si Jinpin", "Xi Jinping", "phonetic"),
        ("J.-C. Juncker", "Jean-Claude Juncker", "initial"),
        ("JC Juncker", "Jean-Claude Juncker", "initial"),
        ("Hans J Friedrich", "Hans Joachim Friedrich", "initial"),
        ("Kim Jong-uun", "Kim Jong-un", "phonetic"),
        ("PLA", "People's Liberation Army", "acronym"),
        ("3rd Ocean Shipping", "Third Ocean Shipping", "exact"),
        ("Grace 2", "Grace Two", "exact"),
        ("Bill Clinton", "William Clinton", "nickname"),
    ];
    let base = generated_index();
    let listed: Vec<&str> = examples.iter().flat_map(|(a, b, _)| [*a, *b]).collect();
    let entries = listed
        .iter()
        .enumerate()
        .map(|(i, _)| pipelines::jobs::screening::IndexedEntry {
            list: "examples".into(),
            source_uid: format!("X{i}"),
            entry_type: "entity".into(),
            birth_dates: vec![],
            countries: vec![],
        })
        .collect();
    let names = listed
        .iter()
        .enumerate()
        .map(|(i, n)| (i, (*n).to_owned(), "primary".to_owned()))
        .collect();
    let index = base.extended(entries, names);
    let mut scratch = Scratch::default();
    for (k, (a, b, rule)) in examples.iter().enumerate() {
        for (query, target) in [(a, 2 * k + 1), (b, 2 * k)] {
            let hits = screen(
                &index,
                &Query::new("q", query, None, None),
                Thresholds::default(),
                &mut scratch,
            );
            let uid = format!("X{target}");
            let hit = hits
                .iter()
                .find(|h| index.entries[h.entry as usize].source_uid == uid)
                .unwrap_or_else(|| panic!("{query:?} does not reach {:?}", listed[target]));
            assert!(
                hit.score_bp >= DEFAULT_REVIEW_BP,
                "{query:?}: {}",
                hit.score_bp
            );
            assert!(
                hit.pairs.iter().any(|p| p.rule.as_str() == *rule
                    || (*rule == "joined" && p.rule.as_str() == "split")),
                "{query:?} / {:?}: no {rule} in {:?}",
                listed[target],
                hit.pairs
            );
        }
    }
}
