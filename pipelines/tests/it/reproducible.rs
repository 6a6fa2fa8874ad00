//! Reproducible anywhere: the same input bytes placed under two different folders — one a
//! long absolute path, one reached through a relative path and a symlinked directory — and
//! read under other time zones, locales and thread counts, give every job the same table
//! digests and Merkle roots, and name the same inputs in its manifest; so do the same
//! bytes read from an S3 bucket by URL, and a rebuild from the locks out of a copy of the
//! sources elsewhere.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Output;

/// Where a copy of the inputs lies and how the commands refer to it.
struct Place {
    /// The folder commands run in.
    cwd: PathBuf,
    /// The inputs' folder as the commands name it (absolute, or relative to `cwd`).
    root: String,
    store: String,
    env: [(&'static str, &'static str); 3],
}

fn mez(place: &Place, args: &[&str], extra_env: &[(String, String)]) -> Output {
    crate::mez_command(&place.cwd)
        .envs(place.env)
        .envs(extra_env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .output()
        .unwrap()
}

/// What must not depend on where the inputs lay: every table digest, and from the manifest
/// the inputs (names, digests, sizes), the semantic roots and the parameters.
fn reproducible_part(store: &str, summary: &serde_json::Value) -> serde_json::Value {
    let store = verify::store::Store::open(store).unwrap();
    let manifest: verify::Digest = summary["manifest"]
        .as_str()
        .unwrap_or_else(|| panic!("no manifest in {summary}"))
        .parse()
        .unwrap();
    let key = verify::store::manifest_key(&manifest);
    let bytes = store.get_verified(&key, &manifest).unwrap();
    let statement = verify::manifest::statement_unverified(&key, &bytes).unwrap();
    let tables: BTreeMap<&str, &serde_json::Value> = summary["tables"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), &v["digest"]))
        .collect();
    let p = &statement.predicate;
    let mut inputs: Vec<&verify::manifest::Input> = p.inputs.iter().collect();
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    serde_json::json!({
        "job": p.job,
        "chain": p.chain,
        "tables": tables,
        // Files by name, digest and size; earlier runs by name only (a run's manifest
        // carries the time it was made, so a rerun refers to another manifest digest).
        "inputs": inputs.iter().map(|i| if i.bytes > 0 {
            serde_json::json!([i.name, i.digest.to_string(), i.bytes])
        } else {
            serde_json::json!([i.name])
        }).collect::<Vec<_>>(),
        "semantic": p.semantic,
        "parameters": p.parameters,
        "quarantined": p.quarantined,
    })
}

/// Runs every job at `place`; returns, per job, what must be reproducible.
fn every_job(place: &Place) -> BTreeMap<String, serde_json::Value> {
    let r = &place.root;
    let run = |label: &str, args: Vec<String>| -> (String, serde_json::Value) {
        let mut all = vec!["--json", "--store", &place.store, "--key"];
        let key = format!("{r}/k.key");
        all.push(&key);
        all.extend(args.iter().map(String::as_str));
        let summary = crate::succeeded_json(&mez(place, &all, &[]));
        (label.to_owned(), summary)
    };
    let s = |t: &str| t.replace("R/", &format!("{r}/"));
    let args = |t: &str| -> Vec<String> { t.split(' ').map(s).collect() };
    let mut out = BTreeMap::new();
    let mut keep = |(label, summary): (String, serde_json::Value)| {
        let store = place.cwd.join(&place.store).display().to_string();
        out.insert(label, reproducible_part(&store, &summary));
    };
    keep(run("netting", args("netting run --input R/day")));
    keep(run(
        "lawpack",
        args("lawpack build --jurisdiction sg --input R/sources/law/sg"),
    ));
    keep(run(
        "regpack",
        args(
            "regpack build --jurisdiction sg --lists R/sources/lists/un-consolidated/un-consolidated.csv R/sources/lists/eu-fsf/eu-fsf.csv",
        ),
    ));
    keep(run(
        "screen names against list files",
        args("screen --names R/names.csv --lists R/sources/lists/eu-fsf/eu-fsf.csv"),
    ));
    let (_, nightly) = run(
        "nightly",
        args("nightly --jurisdictions R/jurisdictions --sources R/sources --as-of 2026-11-23"),
    );
    let locks: BTreeMap<String, String> =
        std::fs::read_dir(place.cwd.join(r).join("jurisdictions"))
            .unwrap()
            .map(|z| z.unwrap().path().join("stack.lock"))
            .filter(|l| l.is_file())
            .map(|l| {
                (
                    l.display()
                        .to_string()
                        .replace(&place.cwd.join(r).display().to_string(), "R"),
                    std::fs::read_to_string(l).unwrap(),
                )
            })
            .collect();
    let nightly = serde_json::json!({ "report": nightly, "locks": locks });
    keep(run(
        "screen firms against the zone's regpack",
        args("screen --names R/sources/entities/sg.csv --regpack zones/sg/regpack"),
    ));
    keep(run(
        "tensor",
        args(
            "tensor eval --zone R/jurisdictions/sg/zone.yaml --entities R/sources/entities/sg.csv --attestations R/sources/attestations/sg.csv --licences R/sources/licences/sg.csv --screening runs/screening/latest --as-of 2026-11-23",
        ),
    ));
    out.insert("nightly".into(), nightly);
    out
}

#[test]
fn every_job_gives_the_same_bytes_wherever_its_inputs_lie() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    // The inputs, made once.
    let made = w.join("made");
    std::fs::create_dir_all(&made).unwrap();
    crate::nightly::copy_all(
        &crate::manifest_dir().join("../jurisdictions"),
        &made.join("jurisdictions"),
    );
    let here = Place {
        cwd: made.clone(),
        root: ".".into(),
        store: "unused".into(),
        env: [("TZ", "UTC"), ("LC_ALL", "C"), ("RAYON_NUM_THREADS", "2")],
    };
    for args in [
        "keygen --out k",
        "gen pacs008 --out day --transactions 2000 --banks 6 --files 3 --singles 4 --duplicates 3 --invalid 2 --seed 5",
        "gen sources --out sources --entities 30",
        "gen names --out names.csv --count 300",
    ] {
        let args: Vec<&str> = args.split(' ').collect();
        let o = mez(&here, &args, &[]);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {o:?}");
    }
    // Place A: a long absolute path, UTC, the C locale, one thread.
    let long = w
        .join("a folder with a long name, spaces and ünïcödé")
        .join("nested")
        .join("deeper")
        .join("deeper still")
        .join("inputs of the day");
    crate::nightly::copy_all(&made, &long);
    let a = Place {
        cwd: w.to_owned(),
        root: long.display().to_string(),
        store: w.join("store-a").display().to_string(),
        env: [("TZ", "UTC"), ("LC_ALL", "C"), ("RAYON_NUM_THREADS", "1")],
    };
    // Place B: another copy, reached through a symlinked directory by a relative path, in
    // another time zone and locale, on two threads.
    crate::nightly::copy_all(&made, &w.join("elsewhere").join("copy"));
    std::os::unix::fs::symlink(w.join("elsewhere"), w.join("link")).unwrap();
    let b = Place {
        cwd: w.to_owned(),
        root: "link/copy".into(),
        store: "store-b".into(),
        env: [
            ("TZ", "Pacific/Chatham"),
            ("LC_ALL", "tr_TR.UTF-8"),
            ("RAYON_NUM_THREADS", "2"),
        ],
    };
    let (jobs_a, jobs_b) = (every_job(&a), every_job(&b));
    assert_eq!(jobs_a.len(), 7);
    for (job, at_a) in &jobs_a {
        assert_eq!(
            at_a.to_string(),
            jobs_b[job].to_string(),
            "{job} differs between the places"
        );
    }
    // Nothing of either place's location entered a table or a manifest.
    for (job, part) in &jobs_a {
        let text = part.to_string();
        assert!(
            !text.contains("deeper still") && !text.contains("link/copy"),
            "{job}: {text}"
        );
    }

    // The locks rebuilt from a copy of the sources in a third folder, on an empty store,
    // reproduce every manifest digest.
    crate::nightly::copy_all(&made.join("sources"), &w.join("third").join("sources"));
    let locked = crate::succeeded_json(&mez(
        &a,
        &[
            "--json",
            "--store",
            "store-c",
            "--key",
            &format!("{}/k.key", a.root),
            "nightly",
            "--locked",
            "--jurisdictions",
            &format!("{}/jurisdictions", a.root),
            "--sources",
            "third/sources",
        ],
        &[],
    ));
    let packs = locked["packs"].as_array().unwrap();
    assert!(
        packs
            .iter()
            .all(|p| p["status"] == "reproduced" || p["status"] == "absent"),
        "{locked}"
    );
    assert_eq!(
        packs.iter().filter(|p| p["status"] == "reproduced").count(),
        16
    );

    // The same day read from an S3 bucket by URL nets to the same tables.
    let Some(server) = crate::support::s3_server() else {
        return;
    };
    let bucket = crate::support::s3_store(server, "inputs");
    let prefix = bucket.url().trim_end_matches('/').to_owned();
    for f in std::fs::read_dir(made.join("day")).unwrap() {
        let f = f.unwrap();
        let key = format!("day/{}", f.file_name().to_string_lossy());
        let bytes = std::fs::read(f.path()).unwrap();
        bucket.put_create(&key, bytes.into()).unwrap();
    }
    let env = crate::support::s3_env(server);
    let from_s3 = crate::succeeded_json(&mez(
        &a,
        &[
            "--json",
            "--store",
            "store-s3",
            "--key",
            &format!("{}/k.key", a.root),
            "netting",
            "run",
            "--input",
            &format!("{prefix}/day/"),
        ],
        &env,
    ));
    let store_s3 = w.join("store-s3").display().to_string();
    assert_eq!(
        reproducible_part(&store_s3, &from_s3),
        jobs_a["netting"],
        "netting from S3 differs from netting the local files"
    );
}

#[test]
fn the_demo_gives_the_same_tables_in_any_store() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let place = |store: &str, env| Place {
        cwd: crate::manifest_dir().join(".."),
        root: String::new(),
        store: w.join(store).display().to_string(),
        env,
    };
    let a = place(
        "a/long/path/to/a/store",
        [("TZ", "UTC"), ("LC_ALL", "C"), ("RAYON_NUM_THREADS", "1")],
    );
    let b = place(
        "b",
        [
            ("TZ", "America/St_Johns"),
            ("LC_ALL", "de_DE.UTF-8"),
            ("RAYON_NUM_THREADS", "2"),
        ],
    );
    let key = w.join("k");
    crate::succeeded_json(&mez(&a, &["keygen", "--out", key.to_str().unwrap()], &[]));
    let key = key.with_extension("key");
    let demo = |p: &Place| {
        let summary = crate::succeeded_json(&mez(
            p,
            &[
                "--json",
                "--store",
                &p.store,
                "--key",
                key.to_str().unwrap(),
                "demo",
                "--transfers",
                "500",
                "--transactions",
                "400",
                "--entities",
                "20",
            ],
            &[],
        ));
        summary["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| reproducible_part(&p.store, r))
            .collect::<Vec<_>>()
    };
    let (at_a, at_b) = (demo(&a), demo(&b));
    assert!(at_a.len() > 10, "{at_a:?}");
    assert_eq!(at_a.len(), at_b.len());
    for (x, y) in at_a.iter().zip(&at_b) {
        assert_eq!(x, y);
    }
}
