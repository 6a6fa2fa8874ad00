//! Fuzz targets: every parser that reads bytes from outside the project.
//!
//! Each target takes arbitrary bytes and runs one reader over them to the end. A reader may
//! refuse the bytes — that is its job — but must never panic, hang or allocate without
//! bound: under AFL++ (`just fuzz TARGET SECONDS`, the `afl` feature) a panic is a crash.
//! The same targets replay, in an ordinary `cargo test`, every input under
//! `fuzz/corpus/<target>/` (seeds written for the project) and `fuzz/regressions/<target>/`
//! (every crash the fuzzer found, kept once fixed), so CI replays the corpora without a
//! fuzzer.
//!
//! Readers of files (the sanctions lists, licence registers, key files) get the bytes
//! through a file in a temporary folder, as `mez` would read them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ingest::NamedFile;
use verify::keys::{SecretKey, TrustSet};

/// A fuzz target: runs a reader over the bytes.
pub type Target = fn(&[u8]);

/// Every target, by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("xml_scanner", xml_scanner),
    ("pacs008", pacs008),
    ("pacs008_gzip", pacs008_gzip),
    ("akn", akn),
    ("sanctions_xml", sanctions_xml),
    ("ofac_csv", ofac_csv),
    ("custom_csv", custom_csv),
    ("licences", licences),
    ("dsse", dsse),
    ("manifest", manifest),
    ("receipt", receipt),
    ("checkpoint", checkpoint),
    ("proofs", proofs),
    ("keys", keys),
    ("digests", digests),
    ("credential", credential),
    ("zones", zones),
    ("stack_lock", stack_lock),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The names of every target.
pub fn names() -> Vec<&'static str> {
    TARGETS.iter().map(|(n, _)| *n).collect()
}

/// The signing key the trust-kernel targets trust (a fixed seed: signatures of real
/// fixtures verify, so the fuzzer reaches past the signature checks).
pub fn fuzz_key() -> &'static SecretKey {
    static KEY: OnceLock<SecretKey> = OnceLock::new();
    KEY.get_or_init(|| SecretKey::from_seed("mez-fuzz", [7; 32]))
}

fn trust() -> TrustSet {
    TrustSet::new([fuzz_key().public()])
}

/// The bytes as a file named `name` in this thread's temporary folder.
fn as_file(name: &str, data: &[u8]) -> NamedFile {
    let path = scratch_dir().join(name);
    write_scratch(&path, data);
    NamedFile::new(path, name)
}

/// This thread's folder for inputs that readers take as files.
fn scratch_dir() -> PathBuf {
    thread_local! {
        static DIR: tempfile::TempDir = tempfile::Builder::new()
            .prefix("mez-fuzz-")
            .tempdir_in(scratch_root())
            .unwrap_or_else(|e| harness_failed(&format!("cannot make a folder for fuzz inputs: {e}")));
    }
    DIR.with(|d| d.path().to_owned())
}

fn write_scratch(path: &Path, data: &[u8]) {
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::File::create(path))
        .and_then(|mut f| f.write_all(data));
    if let Err(e) = written {
        harness_failed(&format!(
            "cannot write a fuzz input to {}: {e}",
            path.display()
        ));
    }
}

/// Not the reader's fault: the harness cannot run, which is not a finding (a panic would
/// read as one).
fn harness_failed(why: &str) -> ! {
    eprintln!("{why}");
    std::process::exit(3)
}

/// Memory-backed when there is one: the file readers' inputs are rewritten per execution.
fn scratch_root() -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() {
        shm
    } else {
        std::env::temp_dir()
    }
}

fn xml_scanner(data: &[u8]) {
    let mut scanner = ingest::xml::scan::Scanner::from_slice(data).with_max_token(1 << 16);
    // Every token consumes input, so the loop ends; the cap is a guard against a bug.
    for _ in 0..=data.len() + 1 {
        match scanner.next_token() {
            Ok((_, ingest::xml::scan::Token::Eof)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let _ = scanner.open_path();
}

fn pacs008(data: &[u8]) {
    let mut n = 0u64;
    let _ = ingest::pacs008::read("fuzz.xml", data, &mut |_| n += 1);
}

fn pacs008_gzip(data: &[u8]) {
    let limits = ingest::pacs008::ReadLimits {
        max_token: 1 << 16,
        max_field: 1 << 12,
        max_decompressed: 1 << 22,
    };
    let _ = ingest::pacs008::read_gzip_within("fuzz.xml.gz", data, &limits, &mut |_| {});
}

fn akn(data: &[u8]) {
    let _ = ingest::akn::read("fuzz.xml", data);
}

fn sanctions_xml(data: &[u8]) {
    let _ = ingest::sanctions::read_xml(&as_file("list.xml", data));
}

fn ofac_csv(data: &[u8]) {
    // The four files of a set from one input, cut at form feeds (any may be missing).
    let mut parts = data.split(|&b| b == 0x0c);
    let primary = as_file("sdn.csv", parts.next().unwrap_or_default());
    let rest: Vec<NamedFile> = ["add.csv", "alt.csv", "sdn_comments.csv"]
        .iter()
        .zip(parts)
        .map(|(name, bytes)| as_file(name, bytes))
        .collect();
    let _ = ingest::sanctions::read_ofac_csv_set(
        "ofac_sdn",
        &primary,
        rest.first(),
        rest.get(1),
        rest.get(2),
    );
}

fn custom_csv(data: &[u8]) {
    let _ = ingest::sanctions::read_custom_csv("custom", &as_file("custom.csv", data));
}

fn licences(data: &[u8]) {
    let _ = ingest::licences::read_licence_register(&as_file("licences.csv", data));
}

fn dsse(data: &[u8]) {
    if let Ok(envelope) = verify::dsse::Envelope::from_bytes("fuzz", data) {
        let _ = envelope.open("fuzz", verify::manifest::PAYLOAD_TYPE, &trust());
        let _ = envelope.to_bytes();
    }
}

fn manifest(data: &[u8]) {
    let _ = verify::manifest::statement_unverified("fuzz", data);
    let _ = verify::manifest::open("fuzz", data, &trust());
}

fn receipt(data: &[u8]) {
    if let Ok(r) = verify::receipt::Receipt::from_bytes("fuzz", data) {
        let _ = r.verify_signature("fuzz", &trust());
        let _ = r.check_follows(None);
        let _ = r.to_bytes();
    }
}

fn checkpoint(data: &[u8]) {
    let _ = verify::checkpoint::Checkpoint::open("fuzz", data, &trust());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = verify::checkpoint::Checkpoint::parse_body("fuzz", text);
    }
}

/// Inclusion and consistency proofs from raw bytes: two sizes, an index, then 32-byte
/// hashes (the root first).
fn proofs(data: &[u8]) {
    let word = |i: usize| {
        data.get(i * 8..i * 8 + 8).map_or(0, |b| {
            u64::from_le_bytes(b.try_into().unwrap_or([0; 8])) % 4096
        })
    };
    let (a, b, index) = (word(0), word(1), word(2));
    let hashes: Vec<[u8; 32]> = data
        .get(24..)
        .unwrap_or_default()
        .chunks_exact(32)
        .map(|c| c.try_into().unwrap_or([0; 32]))
        .collect();
    let (Some(root), Some(leaf)) = (hashes.first(), hashes.get(1)) else {
        return;
    };
    let proof = &hashes[2..];
    let _ = verify::merkle::verify_inclusion(index, a, leaf, proof, root);
    let _ = verify::merkle::verify_consistency(a, b, leaf, root, proof);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = verify::merkle::parse_hash("fuzz", text);
    }
}

fn keys(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = verify::keys::PublicKey::from_note_vkey("fuzz", text.trim_end());
    }
    let file = as_file("fuzz.key", data);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&file.path, std::fs::Permissions::from_mode(0o600));
    }
    let _ = SecretKey::read(&file.path);
    let _ = verify::keys::PublicKey::read(&file.path);
}

fn digests(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = verify::Digest::from_hex(text);
        let _ = text.parse::<verify::Digest>();
        let _ = verify::canon::parse_strict("fuzz", text);
    }
}

fn credential(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = verify::vc::verify(&value);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = verify::vc::base58_decode(text);
        let _ = verify::vc::key_of_method(text);
    }
}

/// The folders the `zones` target writes its parts to: a part's zone id must equal its
/// folder, so the seeds are the committed zones, in this order, joined by form feeds.
pub const ZONE_FOLDERS: [&str; 6] = [
    "ae-adgm",
    "ae-difc",
    "hn-prospera",
    "kz-aifc",
    "pk-sifc",
    "sg",
];

/// Up to six zone files (split at form feeds), each read and checked, then the corridors
/// between them.
fn zones(data: &[u8]) {
    let dir = scratch_dir().join("jurisdictions");
    let mut parts = data.split(|&b| b == 0x0c);
    for folder in ZONE_FOLDERS {
        let path = dir.join(folder).join("zone.yaml");
        match parts.next() {
            Some(part) => write_scratch(&path, part),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    if let Ok(zones) = packs::zone::load_all(&dir) {
        for z in zones {
            let _ = z.zone.domain_indices();
        }
    }
}

fn stack_lock(data: &[u8]) {
    if let Ok(lock) = packs::lock::StackLock::from_slice(data) {
        let _ = lock.to_canonical_vec();
    }
}
