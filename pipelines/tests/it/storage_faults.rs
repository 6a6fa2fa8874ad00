//! Dead or sick storage: a local store on a full disk, a read-only store, and the S3
//! server behind a loopback proxy that dies half-way through a run's requests — for four
//! seconds, which a run with a longer retry budget rides out, or for longer than the
//! retries last, which fails the run — or is made slow. Each gives a clear error naming
//! what failed and exit 2, or finishes; nothing half-published is visible to `mez verify`;
//! and a rerun completes with the digests of an undisturbed run.
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
    crate::gen_day(d, "20000", "4", &[]);
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
/// new ones refused) and slowed (a pause before each forwarded chunk), or set to cut itself
/// once the client has sent a given number of chunks (a server dying mid-run, exactly).
struct Proxy {
    port: u16,
    down: Arc<AtomicBool>,
    delay_ms: Arc<AtomicU64>,
    /// Chunks forwarded from clients to the server so far.
    sent: Arc<AtomicU64>,
    /// Cut when `sent` reaches this (0: never).
    cut_at: Arc<AtomicU64>,
}

impl Proxy {
    /// Dies once clients have sent `chunks` more chunks (at least one).
    fn cut_after(&self, chunks: u64) {
        let sent = self.sent.load(Ordering::SeqCst);
        self.cut_at.store(sent + chunks.max(1), Ordering::SeqCst);
    }

    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Proxy {
            port,
            down: Arc::new(AtomicBool::new(false)),
            delay_ms: Arc::new(AtomicU64::new(0)),
            sent: Arc::new(AtomicU64::new(0)),
            cut_at: Arc::new(AtomicU64::new(0)),
        };
        let (d, w, sent, cut_at) = (
            Arc::clone(&proxy.down),
            Arc::clone(&proxy.delay_ms),
            Arc::clone(&proxy.sent),
            Arc::clone(&proxy.cut_at),
        );
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if d.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                for (to_server, mut from, mut to) in [
                    (
                        true,
                        client.try_clone().unwrap(),
                        server.try_clone().unwrap(),
                    ),
                    (false, server, client),
                ] {
                    let (d, w) = (Arc::clone(&d), Arc::clone(&w));
                    let (sent, cut_at) = (Arc::clone(&sent), Arc::clone(&cut_at));
                    std::thread::spawn(move || {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            if to_server {
                                let count = sent.fetch_add(1, Ordering::SeqCst) + 1;
                                let at = cut_at.load(Ordering::SeqCst);
                                if at > 0 && count >= at {
                                    d.store(true, Ordering::SeqCst);
                                }
                            }
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
        proxy
    }
}

#[test]
fn an_s3_server_dead_mid_run_or_slow_loses_nothing_and_a_rerun_completes() {
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
    let chunks = proxy.sent.load(Ordering::SeqCst);
    // Slow: every forwarded chunk waits 20 ms. The run is slower, the bytes the same.
    proxy.delay_ms.store(20, Ordering::SeqCst);
    let slow = url("slow");
    assert_eq!(tables(&run(&slow).output().unwrap()), reference);
    proxy.delay_ms.store(0, Ordering::SeqCst);
    // Cut for four seconds half-way through the run's requests, then back: with a retry
    // budget longer than the outage (`MEZ_STORE_RETRY_SECONDS=60`), the run rides it out.
    let cut = url("cut");
    proxy.cut_after(chunks / 2);
    let child = run(&cut)
        .env("MEZ_STORE_RETRY_SECONDS", "60")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while !proxy.down.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_secs(4));
    proxy.cut_at.store(0, Ordering::SeqCst);
    proxy.down.store(false, Ordering::SeqCst);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "cut for 4 s: {err}");
    assert_eq!(tables(&o), reference, "the run that rode out the cut");
    assert_eq!(verify(&cut).status.code(), Some(0));

    // Dead for longer than the retries last (2 s here, `MEZ_STORE_RETRY_SECONDS`; 3 min by
    // default): the server dies half-way through the run's requests. The run gives up with
    // exit 2 and an error naming the object; nothing half-published is visible; once the
    // server is back, a rerun completes with the undisturbed run's digests.
    let dead = url("dead");
    let mut env_short = env.clone();
    env_short.push(("MEZ_STORE_RETRY_SECONDS".into(), "2".into()));
    proxy.cut_after(chunks / 2);
    let o = run(&dead)
        .env("MEZ_STORE_RETRY_SECONDS", "2")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    eprintln!("S3 dead mid-run: exit {:?} {}", o.status.code(), err.trim());
    assert!(proxy.down.load(Ordering::SeqCst), "the proxy was never cut");
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        ["blobs/", "manifests/", "log/", "refs/"]
            .iter()
            .any(|k| err.contains(k)),
        "the error names no object: {err}"
    );
    // While the server is down, verify cannot read the store: a clear error, exit 2.
    let v = mez(
        d,
        &env_short,
        &["--store", &dead, "verify", "--trusted-key", "k.pub"],
    );
    assert_eq!(v.status.code(), Some(2), "{v:?}");
    proxy.cut_at.store(0, Ordering::SeqCst);
    proxy.down.store(false, Ordering::SeqCst);
    let v = verify(&dead);
    if v.status.code() != Some(0) {
        let report = String::from_utf8_lossy(&v.stdout);
        assert!(report.contains("publish --adopt"), "{report}");
    }
    assert_eq!(
        tables(&run(&dead).output().unwrap()),
        reference,
        "rerun after the outage"
    );
    assert_eq!(verify(&dead).status.code(), Some(0));
}
