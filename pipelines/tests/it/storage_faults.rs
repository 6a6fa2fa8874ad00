//! Dead or sick storage: a local store on a full disk, a read-only store, and the S3
//! server behind a loopback proxy that is cut for four seconds in the middle of a run, then
//! restored, or made slow. Each gives a clear error naming what failed and exit 2, or finishes; nothing
//! half-published is visible to `mez verify`; and a rerun completes with the digests of an
//! undisturbed run.
//!
//! The full disk and the read-only store are mounts (a tiny tmpfs, a read-only bind mount)
//! in a mount namespace of their own (`unshare --mount`, which needs root: skipped, saying
//! so, without it).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

fn mez(d: &Path, env: &[(String, String)], args: &[&str]) -> Output {
    crate::mez_command(d)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .output()
        .unwrap()
}

fn setup(d: &Path) {
    crate::succeeded(&mez(d, &[], &["keygen", "--out", "k"]));
    crate::succeeded(&mez(
        d,
        &[],
        &[
            "--quiet",
            "gen",
            "pacs008",
            "--out",
            "day",
            "--transactions",
            "20000",
            "--files",
            "4",
        ],
    ));
}

fn tables(o: &Output) -> serde_json::Value {
    crate::succeeded_json(o)["tables"].clone()
}

/// `mez` inside a private mount namespace where `store` is first mounted by `mount`.
fn in_namespace(d: &Path, mount: &str, args: &[&str]) -> Option<Output> {
    let probe = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "true"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        crate::missing("MEZ_REQUIRE_MOUNTS", "unshare --mount (root)");
        return None;
    }
    let script = format!("{mount} && exec \"$0\" \"$@\"");
    Some(
        Command::new("unshare")
            .args(["--mount", "--propagation", "private", "sh", "-c", &script])
            .arg(env!("CARGO_BIN_EXE_mez"))
            .args(args)
            .current_dir(d)
            .output()
            .unwrap(),
    )
}

#[test]
fn a_full_disk_and_a_read_only_store_fail_cleanly_and_a_rerun_completes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let run = [
        "--quiet", "--json", "--store", "s", "--key", "k.key", "netting", "run", "--input", "day",
    ];
    let reference = tables(&mez(d, &[], &{
        let mut r = run;
        r[3] = "reference";
        r
    }));
    // A disk too small for the run's tables.
    std::fs::create_dir(d.join("s")).unwrap();
    let Some(o) = in_namespace(d, "mount -t tmpfs -o size=192k tmpfs s", &run) else {
        return;
    };
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("No space left on device") && err.contains("table "),
        "{err}"
    );
    // The tmpfs is gone with its namespace: the store under it holds nothing.
    let v = mez(
        d,
        &[],
        &["--store", "s", "verify", "--trusted-key", "k.pub"],
    );
    assert_ne!(
        v.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    assert_eq!(
        tables(&mez(d, &[], &run)),
        reference,
        "rerun on a disk with room"
    );
    // A read-only store (already holding a run): refused at the first write, unchanged.
    let before = crate::succeeded(&mez(
        d,
        &[],
        &["--json", "--store", "s", "verify", "--trusted-key", "k.pub"],
    ));
    let o = in_namespace(d, "mount --bind s s && mount -o remount,bind,ro s", &run).unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("Read-only file system"), "{err}");
    let after = crate::succeeded(&mez(
        d,
        &[],
        &["--json", "--store", "s", "verify", "--trusted-key", "k.pub"],
    ));
    assert_eq!(before, after, "a refused run changes nothing");
}

/// A loopback TCP proxy in front of the S3 server that can be cut (open connections reset,
/// new ones refused) and slowed (a pause before each forwarded chunk).
struct Proxy {
    port: u16,
    down: Arc<AtomicBool>,
    delay_ms: Arc<AtomicU64>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let (d, w) = (Arc::clone(&down), Arc::clone(&delay_ms));
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if d.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let (d, w) = (Arc::clone(&d), Arc::clone(&w));
                    std::thread::spawn(move || {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            if d.load(Ordering::SeqCst) {
                                break;
                            }
                            std::thread::sleep(Duration::from_millis(w.load(Ordering::SeqCst)));
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = from.shutdown(Shutdown::Both);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Proxy {
            port,
            down,
            delay_ms,
        }
    }
}

#[test]
fn an_s3_server_cut_mid_run_or_slow_loses_nothing_and_a_rerun_completes() {
    let Some(server) = crate::support::s3_server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let upstream = server.endpoint.trim_start_matches("http://").to_owned();
    let proxy = Proxy::start(upstream);
    let mut env = crate::support::s3_env(server);
    for (k, v) in &mut env {
        if k == "AWS_ENDPOINT" {
            *v = format!("http://127.0.0.1:{}", proxy.port);
        }
    }
    let url = |name: &str| {
        crate::support::s3_store(server, &format!("faults-{name}"))
            .url()
            .to_owned()
    };
    let run = |store: &str| {
        let mut c = crate::mez_command(d);
        c.envs(env.iter().map(|(k, v)| (k, v))).args([
            "--quiet", "--json", "--store", store, "--key", "k.key", "netting", "run", "--input",
            "day",
        ]);
        c
    };
    let verify = |store: &str| {
        mez(
            d,
            &env,
            &[
                "--json",
                "--store",
                store,
                "verify",
                "--trusted-key",
                "k.pub",
            ],
        )
    };
    let reference = tables(&run(&url("reference")).output().unwrap());
    // Slow: every forwarded chunk waits 20 ms. The run is slower, the bytes the same.
    proxy.delay_ms.store(20, Ordering::SeqCst);
    let slow = url("slow");
    assert_eq!(tables(&run(&slow).output().unwrap()), reference);
    proxy.delay_ms.store(0, Ordering::SeqCst);
    // Cut for four seconds while the run reads and publishes, then back.
    let cut = url("cut");
    let child = run(&cut)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    proxy.down.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_secs(4));
    proxy.down.store(false, Ordering::SeqCst);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    eprintln!(
        "S3 cut for 4 s mid-run: exit {:?} {}",
        o.status.code(),
        err.trim()
    );
    match o.status.code() {
        // The server came back within the retries: a whole run.
        Some(0) => assert_eq!(tables(&o), reference),
        Some(2) => assert!(!err.trim().is_empty(), "exit 2 without a word"),
        other => panic!("exit {other:?}: {err}"),
    }
    let v = verify(&cut);
    let report = String::from_utf8_lossy(&v.stdout);
    if v.status.code() == Some(1) {
        // Only a manifest waiting for its receipt, which the report names.
        assert!(report.contains("publish --adopt"), "{report}");
    }
    assert_eq!(
        tables(&run(&cut).output().unwrap()),
        reference,
        "rerun after the cut"
    );
    assert_eq!(verify(&cut).status.code(), Some(0));
}
