//! `mez lists fetch` against a local HTTP server on loopback serving the shared list files.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

/// Serves files under `root` over HTTP/1.1 (one request per connection) until the test ends.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            if BufReader::new(&stream).read_line(&mut line).is_err() {
                continue;
            }
            let path = line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/')
                .to_owned();
            // A server that answers an error page with 200, as some do.
            let page = (path == "error-page")
                .then(|| b"<!DOCTYPE html><html><body>Service unavailable</body></html>".to_vec());
            let reply = match page.map_or_else(|| std::fs::read(root.join(&path)), Ok) {
                Ok(body) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                Err(_) => {
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_vec()
                }
            };
            let _ = stream.write_all(&reply);
        }
    });
    port
}

fn copy_zones(from: &std::path::Path, to: &std::path::Path) {
    for zone in std::fs::read_dir(from).unwrap() {
        let zone = zone.unwrap().path();
        if zone.join("zone.yaml").is_file() {
            let target = to.join(zone.file_name().unwrap());
            std::fs::create_dir_all(&target).unwrap();
            std::fs::copy(zone.join("zone.yaml"), target.join("zone.yaml")).unwrap();
        }
    }
}

#[test]
fn lists_are_fetched_stored_by_digest_and_failures_reported() {
    let lists = crate::manifest_dir().join("../../shared/data/sanctions");
    if !lists.is_dir() {
        assert!(
            std::env::var("MEZ_REQUIRE_DATA").as_deref() != Ok("1"),
            "MEZ_REQUIRE_DATA=1, and the real corpus {} is absent",
            lists.display()
        );
        eprintln!("SKIPPED: the real corpus {} is absent", lists.display());
        return;
    }
    let port = serve(lists.clone());
    let dir = tempfile::tempdir().unwrap();
    let mez = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_mez"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    assert_eq!(mez(&["keygen", "--out", "k"]).0, 0);
    let base = format!("http://127.0.0.1:{port}");
    let (code, out, err) = mez(&[
        "--json",
        "--store",
        "s",
        "--key",
        "k.key",
        "lists",
        "fetch",
        "--source",
        &format!("ofac/sdn.csv={base}/ofac/csv-2021-07-07/sdn.csv.gz"),
        "--source",
        &format!("un/consolidated.xml={base}/excerpts/un_consolidated_excerpt.xml"),
        // Gzipped under a .csv name: recognised by its content.
        "--source",
        &format!("ofac/add.csv={base}/ofac/csv-2021-07-07/add.csv.gz"),
        "--source",
        &format!("ofac/alt.csv={base}/ofac/csv-2021-07-07/alt.csv.gz"),
        "--source",
        &format!("eu/fsf.xml={base}/no/such/file.xml"),
        "--source",
        &format!("uk/sanctions-list.xml={base}/error-page"),
    ]);
    assert_eq!(code, 1, "two sources failed: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    crate::schemas::assert_cli_output("lists-fetch", &v);
    crate::schemas::assert_cli_output("run-summary", &v["run"]);
    let failed = v["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2, "{v}");
    assert_eq!(failed[0][0], "eu/fsf.xml");
    assert!(failed[0][2].as_str().unwrap().contains("404"));
    // The page answered with 200 is read as a list, refused, and never stored or signed.
    assert_eq!(failed[1][0], "uk/sanctions-list.xml");
    assert!(
        failed[1][2].as_str().unwrap().starts_with("refused: "),
        "{v}"
    );
    let tables = v["run"]["tables"].as_object().unwrap();
    assert_eq!(
        tables.keys().collect::<Vec<_>>(),
        [
            "ofac/add.csv",
            "ofac/alt.csv",
            "ofac/sdn.csv",
            "un/consolidated.xml"
        ]
    );
    let stored = v["run"]["tables"]["un/consolidated.xml"]["digest"]
        .as_str()
        .unwrap();
    let expected = verify::Digest::of(
        &std::fs::read(lists.join("excerpts/un_consolidated_excerpt.xml")).unwrap(),
    );
    assert_eq!(stored, expected.to_string());
    let (code, out, _) = mez(&["--store", "s", "verify", "--trusted-key", "k.pub"]);
    assert_eq!(code, 0, "{out}");
    // The nightly builds a zone's regpack from the fetched lists (sg screens UN and OFAC
    // SDN), named as the sources folder would name them.
    copy_zones(
        &crate::manifest_dir().join("../jurisdictions"),
        &dir.path().join("jurisdictions"),
    );
    assert_eq!(
        mez(&["gen", "sources", "--out", "sources", "--entities", "5"]).0,
        0
    );
    let (_, out, err) = mez(&[
        "--json",
        "--store",
        "s",
        "--key",
        "k.key",
        "nightly",
        "--as-of",
        "2026-11-23",
        "--lists-from",
        "runs/lists/latest",
    ]);
    // Zones screening lists that were not fetched (EU, UK) fail their regpack; sg's builds.
    let report: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
    let sg = report["packs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["zone"] == "sg" && p["kind"] == "regpack")
        .unwrap();
    assert_eq!(sg["status"], "built", "{report}");
    let regpack = verify::store::Store::open(&dir.path().join("s").display().to_string())
        .unwrap()
        .get_ref("zones/sg/regpack")
        .unwrap()
        .unwrap();
    let store = verify::store::Store::open(&dir.path().join("s").display().to_string()).unwrap();
    let key = verify::store::manifest_key(&regpack);
    let statement =
        verify::manifest::statement_unverified(&key, &store.get(&key).unwrap()).unwrap();
    let mut names: Vec<&str> = statement
        .predicate
        .inputs
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "lists/ofac-sdn/add.csv",
            "lists/ofac-sdn/alt.csv",
            "lists/ofac-sdn/sdn.csv",
            "lists/un-consolidated/consolidated.xml"
        ]
    );
    // A store holding non-Parquet runs still answers SQL about its Parquet runs.
    let (code, _, err) = mez(&["--store", "s", "--key", "k.key", "sql", "SELECT 1"]);
    assert_eq!(code, 0, "{err}");
}
