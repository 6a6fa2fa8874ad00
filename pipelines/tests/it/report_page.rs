//! `mez report`: the audit page of a whole demo store — its counts agree with `mez verify`,
//! a tampered table shows as a failed run with the reason — and the page as headless
//! Chromium shows it: loaded from the file alone, no console errors, a screenshot kept.

use std::path::Path;
use std::process::Command;

use crate::mez_command;

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

fn report(d: &Path) -> (Option<i32>, String) {
    let o = mez_command(d)
        .args([
            "--key",
            "outputs/demo.key",
            "report",
            "--out",
            "report.html",
        ])
        .output()
        .unwrap();
    (
        o.status.code(),
        std::fs::read_to_string(d.join("report.html")).unwrap(),
    )
}

/// Headless Chromium (Debian `chromium`), when installed (required under
/// `MEZ_REQUIRE_INTEROP=1`).
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| crate::runs(c, &["--version"]));
    if found.is_none() {
        crate::missing(
            "MEZ_REQUIRE_INTEROP",
            "headless Chromium (apt-get install chromium)",
        );
    }
    found
}

#[test]
fn the_audit_page_shows_what_verify_found_and_loads_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = crate::zones_demo(d, "400", "20");
    let verified = &demo["verify"];
    let (code, html) = report(d);
    assert_eq!(code, Some(0));
    assert!(html.contains("verified: no failures"));
    assert_eq!(
        count(&html, "<tr class=\"run\">") as u64,
        verified["manifests"].as_u64().unwrap()
    );
    assert_eq!(
        count(&html, "<tr class=\"chain\">"),
        verified["chains"].as_object().unwrap().len()
    );
    assert_eq!(
        count(&html, "<span class=\"ok\">verified</span>"),
        count(&html, "<tr class=\"run\">")
    );
    assert!(count(&html, "<svg class=\"chart\"") >= 2, "netting charts");
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="));

    if let Some(browser) = chromium() {
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mez-report");
        std::fs::create_dir_all(&shots).unwrap();
        let png = shots.join("report.png");
        let _ = std::fs::remove_file(&png);
        let url = format!("file://{}", d.join("report.html").display());
        let run = |extra: &[&str]| {
            Command::new(browser)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--enable-logging=stderr",
                    "--v=0",
                ])
                .args(extra)
                .arg(&url)
                .output()
                .unwrap()
        };
        let dom = run(&["--dump-dom"]);
        let shown = String::from_utf8_lossy(&dom.stdout);
        let log = String::from_utf8_lossy(&dom.stderr);
        assert!(dom.status.success(), "{log}");
        assert!(!log.contains(":CONSOLE"), "console messages: {log}");
        assert_eq!(
            count(&shown, "<tr class=\"run\">") as u64,
            verified["manifests"].as_u64().unwrap(),
            "the browser shows every run"
        );
        assert!(shown.contains("verified: no failures"));
        let shot = run(&[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2400",
        ]);
        assert!(
            shot.status.success(),
            "{}",
            String::from_utf8_lossy(&shot.stderr)
        );
        assert!(
            std::fs::metadata(&png).unwrap().len() > 10_000,
            "{}",
            png.display()
        );
        eprintln!("report screenshot: {}", png.display());
    }

    // A netting table changed in the store: the run that names it fails, saying why.
    let netting = demo["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["job"] == "netting")
        .unwrap();
    let digest = netting["tables"]["bilateral"]["digest"].as_str().unwrap();
    let blob = d
        .join("outputs/blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&blob, bytes).unwrap();
    let (code, html) = report(d);
    assert_eq!(code, Some(1));
    assert!(html.contains("class=\"verdict fail\""));
    assert_eq!(
        count(&html, "<span class=\"fail\">failed</span>"),
        1,
        "only the netting run"
    );
    assert!(html.contains(&format!(
        "blobs/sha256/{} digest",
        digest.trim_start_matches("sha256:")
    )));
    assert!(count(&html, "<tr class=\"failure\">") >= 1);
}
