//! Inputs built to hurt: each gets a named refusal or a quarantine row (or a failed header
//! check), the rest of the batch goes on exactly as without it, and the process stays
//! under 512 MB of resident memory (its own peak, `VmHWM`, which `mez` writes out when
//! `MEZ_PEAK_RSS_FILE` is set).
//!
//! Sizes are cut for CI; `MEZ_HOSTILE_FULL=1` runs the sizes (a 1 GiB text node,
//! a 100 MB CSV line).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const RSS_LIMIT_KB: i64 = 512 * 1024;

fn full() -> bool {
    std::env::var("MEZ_HOSTILE_FULL").as_deref() == Ok("1")
}

/// Runs `mez` with `args` in `d`: exit code, stdout, stderr and peak resident memory in KB
/// (what `mez` itself reads from `/proc/self/status` on its way out, `MEZ_PEAK_RSS_FILE`).
fn measured(d: &Path, args: &[&str]) -> (i32, String, String, i64) {
    let peak = d.join("peak-rss");
    let _ = std::fs::remove_file(&peak);
    let o = crate::mez_command(d)
        .env("MEZ_PEAK_RSS_FILE", &peak)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let kb = std::fs::read_to_string(&peak)
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("mez wrote no peak memory to {}", peak.display()));
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        kb,
    )
}

fn table(d: &Path, store: &str, summary: &serde_json::Value, name: &str) -> Vec<serde_json::Value> {
    let digest = summary["tables"][name]["digest"].as_str().unwrap();
    let o = crate::mez_command(d)
        .args([
            "--quiet", "--store", store, "--key", "k.key", "export", digest, "--format", "jsonl",
        ])
        .output()
        .unwrap();
    String::from_utf8(crate::succeeded(&o).into_bytes())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const NS: &str = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08";

/// The hostile pacs.008 files: name → bytes written (gzip for the text node).
fn hostile_files(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let put = |name: &str, body: &[u8]| std::fs::write(dir.join(name), body).unwrap();
    put(
        "laughs.xml",
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"lol\"><!ENTITY b \
             \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\
             <Document xmlns=\"{NS}\"><FIToFICstmrCdtTrf><GrpHdr><MsgId>&c;</MsgId></GrpHdr>\
             </FIToFICstmrCdtTrf></Document>"
        )
        .as_bytes(),
    );
    put(
        "external-entity.xml",
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\
             <Document xmlns=\"{NS}\"><FIToFICstmrCdtTrf><GrpHdr><MsgId>&x;</MsgId></GrpHdr>\
             </FIToFICstmrCdtTrf></Document>"
        )
        .as_bytes(),
    );
    let n = 1_000_000;
    let mut deep = format!("<Document xmlns=\"{NS}\"><FIToFICstmrCdtTrf>").into_bytes();
    deep.extend("<a>".repeat(n).bytes());
    deep.extend("</a>".repeat(n).bytes());
    deep.extend(b"</FIToFICstmrCdtTrf></Document>");
    put("deep.xml", &deep);
    let mut attrs = format!("<Document xmlns=\"{NS}\"").into_bytes();
    for i in 0..n {
        write!(attrs, " a{i}=\"v\"").unwrap();
    }
    attrs.extend(b"><FIToFICstmrCdtTrf/></Document>");
    put("attributes.xml", &attrs);
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(dir.join("text-node.xml.gz")).unwrap(),
        flate2::Compression::fast(),
    );
    write!(
        gz,
        "<Document xmlns=\"{NS}\"><FIToFICstmrCdtTrf><GrpHdr><Extra>"
    )
    .unwrap();
    let mib = vec![b'A'; 1 << 20];
    for _ in 0..if full() { 1024 } else { 64 } {
        gz.write_all(&mib).unwrap();
    }
    gz.write_all(b"</Extra></GrpHdr></FIToFICstmrCdtTrf></Document>")
        .unwrap();
    gz.finish().unwrap();
}

#[test]
fn hostile_xml_beside_a_day_is_refused_or_checked_and_the_day_nets_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::mez_ok(d, &["keygen", "--out", "k"]);
    crate::gen_day(d, "3000", "3", &[]);
    hostile_files(&d.join("hostile"));
    let run = |store: &str, inputs: &[&str]| {
        let mut args = vec![
            "--quiet", "--json", "--store", store, "--key", "k.key", "netting", "run", "--input",
        ];
        args.extend(inputs);
        let (code, out, err, rss) = measured(d, &args);
        assert_eq!(code, 0, "{err}");
        (
            serde_json::from_str::<serde_json::Value>(&out).unwrap(),
            rss,
        )
    };
    let (alone, _) = run("alone", &["day"]);
    let (with, rss) = run("with", &["day", "hostile"]);
    assert!(rss < RSS_LIMIT_KB, "peak RSS {rss} KB");
    for name in [
        "bilateral",
        "multilateral",
        "legs",
        "efficiency",
        "duplicates",
        "conflicts",
    ] {
        assert_eq!(with["tables"][name], alone["tables"][name], "{name}");
    }
    let quarantine = table(d, "with", &with, "quarantine");
    for refused in ["laughs.xml", "external-entity.xml"] {
        let row = quarantine
            .iter()
            .find(|r| r["source_file"].as_str().unwrap().ends_with(refused))
            .unwrap_or_else(|| panic!("{refused} not quarantined: {quarantine:?}"));
        assert!(row["reason"].as_str().unwrap().contains("DTD"), "{row}");
    }
    // Well-formed but no payment in them: each is a failed header check, named.
    let checks = table(d, "with", &with, "header_checks");
    for empty in ["deep.xml", "attributes.xml", "text-node.xml.gz"] {
        assert!(
            checks.iter().any(|r| {
                r["source_file"].as_str().unwrap().ends_with(empty) && r["ok"] == false
            }),
            "{empty}: {checks:?}"
        );
    }
}

#[test]
fn a_huge_csv_field_is_quarantined_and_the_other_names_screened() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::mez_ok(d, &["keygen", "--out", "k"]);
    std::fs::write(d.join("list.csv"), "id,name\nL1,Viktor Morozov\n").unwrap();
    let mut names = std::fs::File::create(d.join("names.csv")).unwrap();
    writeln!(names, "id,name\n1,John Smith\n2,\"").unwrap();
    let mb = if full() { 100 } else { 16 };
    let chunk = "Ab ".repeat(1 << 18);
    for _ in 0..(mb << 20) / chunk.len() {
        names.write_all(chunk.as_bytes()).unwrap();
    }
    writeln!(names, "\"\n3,Viktor Morozov").unwrap();
    drop(names);
    let (code, out, err, rss) = measured(
        d,
        &[
            "--quiet",
            "--json",
            "--store",
            "s",
            "--key",
            "k.key",
            "screen",
            "--names",
            "names.csv",
            "--lists",
            "list.csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(rss < RSS_LIMIT_KB, "peak RSS {rss} KB");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    let quarantine = table(d, "s", &summary, "quarantine");
    assert_eq!(quarantine.len(), 1, "{quarantine:?}");
    assert!(
        quarantine[0]["reason"]
            .as_str()
            .unwrap()
            .contains("longer than"),
        "{quarantine:?}"
    );
    let matches = table(d, "s", &summary, "matches");
    assert!(matches.iter().any(|m| m["query_id"] == "3"), "{matches:?}");
}

#[test]
fn a_zone_file_of_yaml_aliases_is_refused_by_name_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::mez_ok(d, &["keygen", "--out", "k"]);
    let zones = d.join("zones");
    crate::nightly::copy_dir(&crate::manifest_dir().join("../jurisdictions"), &zones);
    crate::mez_ok(
        d,
        &[
            "--quiet",
            "gen",
            "sources",
            "--out",
            "sources",
            "--entities",
            "3",
            "--jurisdictions",
            "zones",
        ],
    );
    // Nine aliases of nine: 9^9 strings if anything expanded them.
    let mut bomb = String::from("compliance_domains: [[&a [aml,aml,aml,aml,aml,aml,aml,aml,aml]");
    let mut prev = 'a';
    for c in 'b'..='i' {
        bomb.push_str(&format!(
            ", &{c} [{}]",
            vec![format!("*{prev}"); 9].join(",")
        ));
        prev = c;
    }
    bomb.push_str("]]");
    let zone = zones.join("sg/zone.yaml");
    let text = std::fs::read_to_string(&zone).unwrap();
    let mut out = Vec::new();
    let mut in_domains = false;
    for line in text.lines() {
        if line.starts_with("compliance_domains:") {
            out.push(bomb.clone());
            in_domains = true;
        } else if !(in_domains && line.starts_with("  - ")) {
            in_domains = false;
            out.push(line.to_owned());
        }
    }
    std::fs::write(&zone, out.join("\n")).unwrap();
    let (code, _, err, rss) = measured(
        d,
        &[
            "--quiet",
            "--store",
            "s",
            "--key",
            "k.key",
            "nightly",
            "--jurisdictions",
            "zones",
            "--sources",
            "sources",
            "--as-of",
            "2026-11-23",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("sg/zone.yaml") && err.contains("compliance_domains"),
        "{err}"
    );
    assert!(rss < RSS_LIMIT_KB, "peak RSS {rss} KB");
}

#[test]
fn symbolic_links_in_a_store_are_reported_and_odd_file_names_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::mez_ok(d, &["keygen", "--out", "k"]);
    crate::gen_day(d, "200", "2", &[]);
    // A file name with a newline and one reached through `..` are inputs like any other.
    let first = std::fs::read_dir(d.join("day"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    std::fs::rename(&first, d.join("day").join("odd\nname.xml")).unwrap();
    let o = crate::mez_command(d)
        .args([
            "--quiet",
            "--json",
            "--store",
            "s",
            "--key",
            "k.key",
            "netting",
            "run",
            "--input",
            "day/../day",
        ])
        .output()
        .unwrap();
    let summary = crate::succeeded_json(&o);
    assert_eq!(summary["quarantined"], 0, "{summary}");
    let verify = || {
        Command::new(env!("CARGO_BIN_EXE_mez"))
            .current_dir(d)
            .args(["--store", "s", "verify", "--trusted-key", "k.pub"])
            .output()
            .unwrap()
    };
    assert_eq!(verify().status.code(), Some(0));
    // A blob replaced by a link to a copy outside the store: same bytes, still reported.
    let blobs = d.join("s/blobs/sha256");
    let blob = std::fs::read_dir(&blobs)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let outside = d.join("outside-copy");
    std::fs::copy(&blob, &outside).unwrap();
    std::fs::remove_file(&blob).unwrap();
    std::os::unix::fs::symlink(&outside, &blob).unwrap();
    let o = verify();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("symbolic link to") && stdout.contains("outside-copy"),
        "{stdout}"
    );
    // Objects whose names no run can address (a tab, a newline) are each reported, and the
    // rest of the store is still verified (such a name used to stop the audit at once).
    std::fs::remove_file(&blob).unwrap();
    std::fs::rename(&outside, &blob).unwrap();
    for odd in [
        "s/manifests/sha256/tab\there.dsse.json",
        "s/log/netting/receipts/new\nline.json",
    ] {
        std::fs::write(d.join(odd), b"odd").unwrap();
    }
    let o = Command::new(env!("CARGO_BIN_EXE_mez"))
        .current_dir(d)
        .args(["--json", "--store", "s", "verify", "--trusted-key", "k.pub"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let odd: Vec<&str> = report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "name")
        .map(|f| f["object"].as_str().unwrap())
        .collect();
    assert!(odd.iter().any(|n| n.contains("tab\\there")), "{report}");
    assert!(odd.iter().any(|n| n.contains("new\\nline")), "{report}");
    assert_eq!(
        report["failures"].as_array().unwrap().len(),
        odd.len(),
        "{report}"
    );
    assert_eq!(report["chains"]["netting"]["receipts"], 1, "{report}");
}

/// No secret key material anywhere a run leaves text or bytes: its output, its errors
/// (a key file refused for its mode, a key file damaged), and every file of its store —
/// searched for the 32-byte seed raw, in hex (both cases) and in base64 (with and without
/// the algorithm byte, padded or not, standard and URL-safe alphabets).
#[test]
fn no_secret_key_material_in_outputs_errors_or_artifacts() {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut seen: Vec<u8> = Vec::new();
    let mut run = |args: &[&str]| {
        let o = crate::mez_command(d).args(args).output().unwrap();
        seen.extend(&o.stdout);
        seen.extend(&o.stderr);
        o
    };
    assert!(run(&["keygen", "--out", "k"]).status.success());
    let line = std::fs::read_to_string(d.join("k.key")).unwrap();
    // PRIVATE+KEY+<name>+<hash>+<base64>, and base64 may hold '+' itself.
    let b64 = line.trim().splitn(5, '+').nth(4).unwrap().to_owned();
    let raw = STANDARD.decode(&b64).unwrap();
    let seed = raw[1..].to_vec();
    assert_eq!(seed.len(), 32);
    let o = run(&[
        "--store",
        "s",
        "--key",
        "k.key",
        "demo",
        "--transfers",
        "300",
        "--no-zones",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A key that others may read is refused, saying why, without echoing it.
    use std::os::unix::fs::PermissionsExt;
    std::fs::copy(d.join("k.key"), d.join("open.key")).unwrap();
    std::fs::set_permissions(d.join("open.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = run(&[
        "--store",
        "s2",
        "--key",
        "open.key",
        "demo",
        "--transfers",
        "50",
        "--no-zones",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("readable by others"),
        "{o:?}"
    );
    // A damaged key file: an error that names the file, not the key.
    std::fs::write(
        d.join("bad.key"),
        line.replace("PRIVATE+KEY+k+", "PRIVATE+KEY+k+00"),
    )
    .unwrap();
    std::fs::set_permissions(d.join("bad.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = run(&[
        "--store",
        "s3",
        "--key",
        "bad.key",
        "demo",
        "--transfers",
        "50",
        "--no-zones",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // Every file of the stores.
    let mut pending = vec![d.join("s"), d.join("s2"), d.join("s3")];
    let mut files = 0;
    while let Some(p) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&p) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().is_dir() {
                pending.push(e.path());
            } else {
                seen.extend(std::fs::read(e.path()).unwrap());
                files += 1;
            }
        }
    }
    assert!(files > 20, "{files} files");
    let mut needles: Vec<Vec<u8>> = vec![seed.clone(), raw.clone()];
    for bytes in [&seed, &raw] {
        needles.push(hex::encode(bytes).into_bytes());
        needles.push(hex::encode_upper(bytes).into_bytes());
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            needles.push(engine.encode(bytes).into_bytes());
        }
    }
    for needle in &needles {
        assert!(
            !seen.windows(needle.len()).any(|w| w == needle.as_slice()),
            "key material found: {}",
            String::from_utf8_lossy(needle)
        );
    }
}
