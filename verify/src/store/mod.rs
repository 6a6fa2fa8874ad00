//! The object store: where artifacts, manifests, receipts and checkpoints live.
//!
//! One [`Store`] wraps any `object_store` backend — a local directory (the default),
//! `memory://`, `s3://`, `gs://`, `az://` — and adds the two rules everything else relies on:
//!
//! - **Write once.** Every put is create-only (`PutMode::Create`). When the key exists, the
//!   bytes already there decide: the same bytes are success (a retried or repeated run), a
//!   different content under a content-addressed key is a hard [`Error::Conflict`] (a
//!   corrupted store), and a different receipt under the same chain index is an
//!   [`Error::Conflict`] (another writer won the race). Nothing is ever overwritten, except
//!   the small mutable pointers under `refs/`.
//! - **Every read is checked.** Content-addressed reads recompute the SHA-256 and refuse
//!   bytes that do not match their key.
//!
//! # Layout
//!
//! ```text
//! blobs/sha256/<hex>                              artifact bytes (Parquet)
//! manifests/sha256/<hex>.dsse.json                signed run manifests (DSSE)
//! log/<chain>/receipts/<sequence:020>.json        receipt chain, one object per receipt
//! log/<chain>/checkpoints/<size:020>.note         signed checkpoints (C2SP signed notes)
//! refs/<name>                                     mutable pointers, `sha256:<hex>\n`
//! ```
//!
//! # Commit protocol
//!
//! A run publishes in four steps, each only after the one before succeeded
//! (see [`crate::chain::publish`]):
//!
//! ```text
//!  1. blobs       put_blob(parquet) ...      idempotent, content-addressed
//!        │
//!  2. manifest    put manifests/sha256/<d>   idempotent; names every blob by digest
//!        │
//!  3. receipt     create log/<c>/receipts/<n>  create-only: a lost race is a Conflict
//!        │                                      error, the winner's receipt stays
//!  4. checkpoint  create log/<c>/checkpoints/<n+1>  signed MMR root over receipts 0..=n
//! ```
//!
//! A crash between steps leaves only unreferenced blobs (harmless, reported by `mez
//! verify` as notes) or a manifest without a receipt (reported as a failure, so a truncated
//! chain cannot hide a run). A reader trusts nothing it has not checked against a
//! manifest, receipt or checkpoint signature.
//!
//! The store's methods block: jobs are synchronous rayon code, so the store owns a small
//! tokio runtime and drives `object_store` on it. Do not call it from async code.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

pub mod cloud;
pub mod gc;

/// Whether this build has the cloud backends (`s3://`, `gs://`, `az://`): the `cloud`
/// feature, off in the auditor's build.
pub const HAS_CLOUD_BACKENDS: bool = cfg!(feature = "cloud");
mod local;

/// The staging folder of a local store, relative to its root.
pub const STAGING_DIR: &str = local::STAGING;

pub use local::{STAGING, STAGING_GRACE};

use crate::digest::{Digest, StreamHasher};
use crate::error::{Error, Result};

/// Default number of objects hashed at once.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()) * 2
}

/// Key of an artifact blob.
pub fn blob_key(digest: &Digest) -> String {
    format!("blobs/sha256/{}", digest.hex())
}

/// Key of a manifest envelope.
pub fn manifest_key(digest: &Digest) -> String {
    format!("manifests/sha256/{}.dsse.json", digest.hex())
}

/// Key of the receipt at `sequence` on `chain`.
/// The digest a manifest key names (`manifests/sha256/<hex>.dsse.json`), if it is one.
pub fn manifest_of_key(key: &str) -> Option<Digest> {
    key.strip_prefix("manifests/sha256/")
        .and_then(|rest| rest.strip_suffix(".dsse.json"))
        .and_then(|hex| Digest::from_hex(hex).ok())
}

pub fn receipt_key(chain: &str, sequence: u64) -> String {
    format!("log/{chain}/receipts/{sequence:020}.json")
}

/// Key of the checkpoint of `size` receipts on `chain`.
pub fn checkpoint_key(chain: &str, size: u64) -> String {
    format!("log/{chain}/checkpoints/{size:020}.note")
}

/// Key of a mutable ref.
pub fn ref_key(name: &str) -> String {
    format!("refs/{name}")
}

/// What a create-only put found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The object was created.
    Created,
    /// The same bytes were already there.
    AlreadyPresent,
    /// The content key held bytes that do not hash to it (a zero-length file left by a
    /// crash, a damaged disk): they were replaced by the right bytes, the one exception to
    /// write-once, as the bytes there were provably not the key's.
    Repaired,
}

/// An object listed in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub key: String,
    pub size: u64,
    /// When it was last written, in seconds since 1970-01-01 UTC.
    pub modified: i64,
}

/// A store of artifacts and logs. Cheap to clone (shares the backend and runtime).
#[derive(Clone)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    /// Set for local directories: hashing reads files directly with large buffers.
    local_root: Option<PathBuf>,
    url: String,
    runtime: Arc<tokio::runtime::Runtime>,
    /// The operator's retry budget for cloud stores (`MEZ_STORE_RETRY_SECONDS`), if any.
    retry: Option<std::time::Duration>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("url", &self.url).finish()
    }
}

const SCHEMES: &str = "a directory path, file://, memory://, s3://, gs://, az://, abfs://";

impl Store {
    /// Opens a store from a URL or a local directory path. Cloud credentials and settings
    /// come from the usual `AWS_*`, `GOOGLE_*` and `AZURE_*` environment variables.
    pub fn open(url: &str) -> Result<Self> {
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| {
                k.starts_with("AWS_") || k.starts_with("GOOGLE_") || k.starts_with("AZURE_")
            })
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .chain(
                std::env::var(cloud::RETRY_SECONDS_VAR)
                    .ok()
                    .map(|v| (cloud::RETRY_SECONDS_KEY.to_owned(), v)),
            )
            .collect();
        Self::open_with_options(url, env)
    }

    /// Opens a store to read it: a local directory that does not exist is an error, never
    /// created (a mistyped path must not look like an empty store).
    pub fn open_existing(url: &str) -> Result<Self> {
        let local = match url.split_once("://") {
            None => Some(PathBuf::from(url)),
            Some(("file", _)) => url::Url::parse(url)
                .ok()
                .and_then(|u| u.to_file_path().ok()),
            Some(_) => None,
        };
        if let Some(path) = local
            && !path.is_dir()
        {
            return Err(Error::StoreUrl {
                url: url.to_owned(),
                reason: "no store here (the directory does not exist)".into(),
            });
        }
        Self::open(url)
    }

    /// Opens a store with explicit backend options (`object_store` config keys such as
    /// `aws_endpoint`, `aws_allow_http`, and our `mez_retry_seconds`), ignoring the
    /// environment.
    pub fn open_with_options(
        url: &str,
        options: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self> {
        let bad = |reason: String| Error::StoreUrl {
            url: url.to_owned(),
            reason,
        };
        if url.trim().is_empty() {
            return Err(bad(format!("empty; expected {SCHEMES}")));
        }
        let mut retry = None;
        let (inner, local_root): (Arc<dyn ObjectStore>, Option<PathBuf>) = match url
            .split_once("://")
        {
            None => local(FsPath::new(url)).map_err(bad)?,
            Some(("file", _)) => {
                let parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
                let path = parsed
                    .to_file_path()
                    .map_err(|()| bad("not an absolute file path".into()))?;
                local(&path).map_err(bad)?
            }
            Some(("memory", rest)) => {
                if !rest.is_empty() && rest != "/" {
                    return Err(bad("memory:// takes no path".into()));
                }
                (Arc::new(InMemory::new()), None)
            }
            Some((scheme, _))
                if ["s3", "s3a", "gs", "az", "adl", "azure", "abfs", "abfss"].contains(&scheme) =>
            {
                let parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
                if parsed.host_str().is_none_or(str::is_empty) {
                    return Err(bad("missing bucket or container name".into()));
                }
                let (options, budget) = cloud::retry_budget(options).map_err(bad)?;
                retry = budget;
                let (store, prefix) = cloud::open(&parsed, options, budget).map_err(bad)?;
                let store: Arc<dyn ObjectStore> = if prefix.as_ref().is_empty() {
                    Arc::from(store)
                } else {
                    Arc::new(PrefixStore::new(store, prefix))
                };
                (store, None)
            }
            Some((scheme, _)) => {
                return Err(bad(format!(
                    "unsupported scheme {scheme:?}; expected {SCHEMES}"
                )));
            }
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get()))
            .thread_name("mez-store")
            .enable_all()
            .build()
            .map_err(|e| bad(format!("cannot start the I/O runtime: {e}")))?;
        Ok(Store {
            inner,
            local_root,
            url: url.to_owned(),
            runtime: Arc::new(runtime),
            retry,
        })
    }

    /// The URL the store was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The local directory behind the store, if it is one.
    pub fn local_root(&self) -> Option<&FsPath> {
        self.local_root.as_deref()
    }

    /// Stores artifact bytes under their digest. Idempotent.
    pub fn put_blob(&self, bytes: Bytes) -> Result<(Digest, Written)> {
        let digest = Digest::of(&bytes);
        let written = self.put_content(&blob_key(&digest), &digest, bytes)?;
        Ok((digest, written))
    }

    /// Stores a local file as a blob under `digest`, which the caller computed while
    /// writing it (see [`crate::digest::HashingWriter`]) or with [`Digest::of_file`]: the
    /// file is not read again. On a local store it is hard-linked into place (create-only:
    /// an existing key is checked against `digest`, never replaced). Other stores receive it
    /// with one create-only put of the whole file, as `object_store` multipart uploads
    /// cannot be create-only. The caller's file is left in place; link it from a directory
    /// on the same filesystem as the store (see [`Store::staging_dir`]) to avoid a copy. A
    /// wrong digest files the bytes under a key they do not hash to, which `mez verify`
    /// reports.
    pub fn put_blob_file(&self, path: &FsPath, digest: &Digest) -> Result<Written> {
        let digest = *digest;
        let key = blob_key(&digest);
        let Some(root) = &self.local_root else {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
            let written = self.put_content(&key, &digest, Bytes::from(bytes))?;
            return Ok(written);
        };
        match local::link(root, path, &key)? {
            Written::AlreadyPresent => {
                let (found, _) = self.hash_object(&key)?;
                if found == digest {
                    return Ok(Written::AlreadyPresent);
                }
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
                self.repair(&key, &digest, found, Bytes::from(bytes))
            }
            written => Ok(written),
        }
    }

    /// Replaces the bytes at a content key that do not hash to it (`found`) with `bytes`,
    /// once they are checked to hash to `digest`.
    fn repair(&self, key: &str, digest: &Digest, found: Digest, bytes: Bytes) -> Result<Written> {
        let given = Digest::of(&bytes);
        if given != *digest {
            return Err(Error::Conflict {
                key: key.to_owned(),
                reason: format!(
                    "stored object hashes to {found}, and the bytes given to {given}, key says {digest}"
                ),
            });
        }
        match &self.local_root {
            Some(root) => local::replace(root, key, &bytes)?,
            None => {
                self.runtime
                    .block_on(self.inner.put(&Path::from(key), PutPayload::from(bytes)))
                    .map_err(|e| store_error(key, e))?;
            }
        }
        Ok(Written::Repaired)
    }

    /// How many entries a local store's staging folder holds (files or folders of jobs
    /// that were interrupted or are running); 0 for other backends.
    pub fn staging_leftovers(&self) -> usize {
        self.local_root()
            .and_then(|root| std::fs::read_dir(root.join(local::STAGING)).ok())
            .map_or(0, |entries| entries.flatten().count())
    }

    /// A fresh directory for a job's temporary files: inside a local store (so that
    /// finished files link into place without a copy; never listed, as it is outside the
    /// object prefixes), else in the system temporary directory. Removed when dropped.
    pub fn staging_dir(&self) -> Result<tempfile::TempDir> {
        let base = match &self.local_root {
            Some(root) => root.join(STAGING),
            None => std::env::temp_dir(),
        };
        std::fs::create_dir_all(&base).map_err(|e| Error::io(&base, &e))?;
        let dir = tempfile::Builder::new()
            .prefix("job-")
            .tempdir_in(&base)
            .map_err(|e| Error::io(&base, &e))?;
        if let Some(root) = &self.local_root {
            // Leftovers of killed jobs go, judged by the file system's own clock: the new
            // folder's time is "now".
            let now = dir
                .path()
                .metadata()
                .and_then(|m| m.modified())
                .map_err(|e| Error::io(dir.path(), &e))?;
            for stale in local::stale_staging(root, now, STAGING_GRACE) {
                let _ = local::remove_staging(&stale);
            }
        }
        Ok(dir)
    }

    /// Create-only put of bytes whose digest is `digest` under a content-addressed key.
    /// Existing identical content is success; different content is [`Error::Conflict`].
    pub fn put_content(&self, key: &str, digest: &Digest, bytes: Bytes) -> Result<Written> {
        match self.create(key, bytes.clone())? {
            Written::Created => Ok(Written::Created),
            Written::AlreadyPresent => {
                let (found, _) = self.hash_object(key)?;
                if found == *digest {
                    Ok(Written::AlreadyPresent)
                } else {
                    self.repair(key, digest, found, bytes)
                }
            }
            Written::Repaired => Ok(Written::Repaired),
        }
    }

    /// Create-only put under a non-content key (receipts, checkpoints). The same bytes
    /// already there are success (an idempotent retry); different bytes are a conflict.
    pub fn put_create(&self, key: &str, bytes: Bytes) -> Result<Written> {
        match self.create(key, bytes.clone())? {
            Written::Created => Ok(Written::Created),
            Written::AlreadyPresent => {
                let existing = self.get(key)?;
                if existing == bytes {
                    Ok(Written::AlreadyPresent)
                } else {
                    Err(Error::Conflict {
                        key: key.to_owned(),
                        reason: "another writer created it first".into(),
                    })
                }
            }
            Written::Repaired => Ok(Written::Repaired),
        }
    }

    /// Raw create-only put: `AlreadyPresent` means *some* object is there.
    fn create(&self, key: &str, bytes: Bytes) -> Result<Written> {
        if let Some(root) = &self.local_root {
            return local::create(root, key, &bytes);
        }
        let path = Path::from(key);
        let opts = PutOptions {
            mode: PutMode::Create,
            ..Default::default()
        };
        let result = self.retrying(|| {
            self.runtime.block_on(self.inner.put_opts(
                &path,
                PutPayload::from(bytes.clone()),
                opts.clone(),
            ))
        });
        match result {
            Ok(_) => Ok(Written::Created),
            Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. },
            ) => Ok(Written::AlreadyPresent),
            Err(e) => Err(store_error(key, e)),
        }
    }

    /// Points a mutable ref at a digest (the one kind of overwrite the store allows).
    pub fn set_ref(&self, name: &str, digest: &Digest) -> Result<()> {
        let key = ref_key(name);
        if let Some(root) = &self.local_root {
            return local::replace(root, &key, format!("{digest}\n").as_bytes());
        }
        self.retrying(|| {
            self.runtime.block_on(self.inner.put(
                &Path::from(key.as_str()),
                PutPayload::from(format!("{digest}\n")),
            ))
        })
        .map(|_| ())
        .map_err(|e| store_error(&key, e))
    }

    /// Runs a request, and — when the operator gave a retry budget — runs it again after a
    /// failure until the budget is spent. `object_store` gives up on some failures it
    /// cannot know to be safe to repeat: a PUT cut off mid-request, a connection dropped
    /// while the answer came back. Ours are all safe to repeat: reads, create-only writes
    /// (a second attempt finds the first one's object, whose bytes then decide) and refs
    /// set to the same value again.
    fn retrying<T>(
        &self,
        mut attempt: impl FnMut() -> object_store::Result<T>,
    ) -> object_store::Result<T> {
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(100);
        loop {
            match attempt() {
                Err(object_store::Error::Generic { .. })
                    if self
                        .retry
                        .is_some_and(|budget| started.elapsed() + pause < budget) =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_secs(5));
                }
                other => return other,
            }
        }
    }

    /// Reads a ref, `None` when it does not exist.
    pub fn get_ref(&self, name: &str) -> Result<Option<Digest>> {
        let key = ref_key(name);
        match self.get(&key) {
            Ok(bytes) => {
                let text = std::str::from_utf8(&bytes)
                    .map_err(|_| Error::malformed(&key, "ref is not UTF-8"))?;
                Ok(Some(text.trim_end().parse()?))
            }
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reads an object whole, unchecked (receipts and checkpoints carry their own checks).
    pub fn get(&self, key: &str) -> Result<Bytes> {
        let path = Path::from(key);
        self.retrying(|| {
            self.runtime
                .block_on(async { self.inner.get(&path).await?.bytes().await })
        })
        .map_err(|e| store_error(key, e))
    }

    /// Streams an object into a new local file at `dest`, in constant memory; returns its
    /// size. For inputs that live in an object store (a job reads them as local files).
    pub fn download(&self, key: &str, dest: &FsPath) -> Result<u64> {
        use std::io::Write;
        let io = |e: std::io::Error| Error::Store {
            key: key.to_owned(),
            reason: format!("{}: {e}", dest.display()),
        };
        let path = Path::from(key);
        // A store failure starts the download again (within the retry budget); a local
        // one ends it.
        let attempt = || -> object_store::Result<std::io::Result<u64>> {
            let mut file = match std::fs::File::create(dest) {
                Ok(file) => std::io::BufWriter::new(file),
                Err(e) => return Ok(Err(e)),
            };
            self.runtime.block_on(async {
                let mut stream = self.inner.get(&path).await?.into_stream();
                let mut size = 0u64;
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk?;
                    size += chunk.len() as u64;
                    if let Err(e) = file.write_all(&chunk) {
                        return Ok(Err(e));
                    }
                }
                Ok(file.flush().map(|()| size))
            })
        };
        self.retrying(attempt)
            .map_err(|e| store_error(key, e))?
            .map_err(io)
    }

    /// Reads a content-addressed object and checks its digest.
    pub fn get_verified(&self, key: &str, digest: &Digest) -> Result<Bytes> {
        let bytes = self.get(key)?;
        let found = Digest::of(&bytes);
        if found != *digest {
            return Err(Error::DigestMismatch {
                key: key.to_owned(),
                expected: digest.to_string(),
                found: found.to_string(),
            });
        }
        Ok(bytes)
    }

    /// Reads an artifact blob and checks its digest.
    pub fn get_blob(&self, digest: &Digest) -> Result<Bytes> {
        self.get_verified(&blob_key(digest), digest)
    }

    /// Removes an object (`mez store gc`, for blobs no manifest names; never anything else).
    pub fn delete(&self, key: &str) -> Result<()> {
        self.runtime
            .block_on(self.inner.delete(&Path::from(key)))
            .map_err(|e| store_error(key, e))
    }

    /// Whether an object exists.
    pub fn exists(&self, key: &str) -> Result<bool> {
        let path = Path::from(key);
        match self.retrying(|| self.runtime.block_on(self.inner.head(&path))) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(store_error(key, e)),
        }
    }

    /// Lists every object under `prefix` (a folder, e.g. `blobs/`), sorted by key.
    pub fn list(&self, prefix: &str) -> Result<Vec<Listed>> {
        self.list_after(prefix, None)
    }

    /// Like [`Store::list`], only the keys after `after` (in key order): on S3 the server
    /// skips the rest (`start-after`), so reading what was added to a log costs what was
    /// added, not the whole log.
    pub fn list_after(&self, prefix: &str, after: Option<&str>) -> Result<Vec<Listed>> {
        let path = Path::from(prefix.trim_end_matches('/'));
        let list_once = || -> object_store::Result<Vec<Listed>> {
            let stream = match after {
                Some(after) => self.inner.list_with_offset(Some(&path), &Path::from(after)),
                None => self.inner.list(Some(&path)),
            };
            let mut listed = Vec::new();
            for item in self.runtime.block_on(stream.collect::<Vec<_>>()) {
                match item {
                    Ok(meta) => listed.push(Listed {
                        key: meta.location.to_string(),
                        size: meta.size,
                        modified: meta.last_modified.timestamp(),
                    }),
                    // No run can name such an object; the audit reports it
                    // (`unaddressable`).
                    Err(object_store::Error::InvalidPath { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(listed)
        };
        let mut listed = self
            .retrying(list_once)
            .map_err(|e| store_error(prefix, e))?;
        listed.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(listed)
    }

    /// Objects under `prefix` whose names the store cannot address (a control character,
    /// a `.` or `..` segment, an empty segment): no run can name them, so listings skip
    /// them and the audit reports them, rather than stopping at the first. Each comes as
    /// its name (control characters escaped) and why it was refused.
    pub fn unaddressable(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        let path = Path::from(prefix.trim_end_matches('/'));
        let mut odd = Vec::new();
        for item in self
            .runtime
            .block_on(self.inner.list(Some(&path)).collect::<Vec<_>>())
        {
            match item {
                Ok(_) => {}
                Err(object_store::Error::InvalidPath { source }) => {
                    let name = match &source {
                        object_store::path::Error::BadSegment { path, .. }
                        | object_store::path::Error::NonUnicode { path, .. } => {
                            path.escape_debug().to_string()
                        }
                        other => other.to_string(),
                    };
                    odd.push((name, source.to_string().escape_debug().to_string()));
                }
                Err(e) => return Err(store_error(prefix, e)),
            }
        }
        odd.sort();
        Ok(odd)
    }

    /// Streams one object through SHA-256.
    pub fn hash_object(&self, key: &str) -> Result<(Digest, u64)> {
        self.hash_many(&[key.to_owned()], 1)
            .pop()
            .unwrap_or_else(|| {
                Err(Error::NotFound {
                    key: key.to_owned(),
                })
            })
    }

    /// Streams many objects through SHA-256, `concurrency` at a time, in constant memory
    /// per object. Results come back in the order of `keys`.
    pub fn hash_many(&self, keys: &[String], concurrency: usize) -> Vec<Result<(Digest, u64)>> {
        let tasks = keys.iter().map(|key| {
            let key = key.clone();
            let inner = Arc::clone(&self.inner);
            let local = self.local_root.as_ref().map(|root| root.join(&key));
            async move {
                let joined = match local {
                    Some(path) => {
                        tokio::task::spawn_blocking(move || hash_local(&key, &path)).await
                    }
                    None => tokio::spawn(hash_remote(inner, key.clone())).await,
                };
                joined.unwrap_or_else(|e| {
                    Err(Error::Store {
                        key: String::new(),
                        reason: format!("hashing task failed: {e}"),
                    })
                })
            }
        });
        self.runtime.block_on(
            futures::stream::iter(tasks)
                .buffered(concurrency.max(1))
                .collect(),
        )
    }

    /// Reads many objects whole, `concurrency` at a time, in the order of `keys`.
    pub fn get_many(&self, keys: &[String], concurrency: usize) -> Vec<Result<Bytes>> {
        let tasks = keys.iter().map(|key| {
            let inner = Arc::clone(&self.inner);
            let key = key.clone();
            async move {
                let path = Path::from(key.as_str());
                async { inner.get(&path).await?.bytes().await }
                    .await
                    .map_err(|e| store_error(&key, e))
            }
        });
        self.runtime.block_on(
            futures::stream::iter(tasks)
                .buffered(concurrency.max(1))
                .collect(),
        )
    }
}

fn local(path: &FsPath) -> std::result::Result<(Arc<dyn ObjectStore>, Option<PathBuf>), String> {
    std::fs::create_dir_all(path).map_err(|e| format!("cannot create directory: {e}"))?;
    let root = std::fs::canonicalize(path).map_err(|e| format!("cannot resolve directory: {e}"))?;
    let store = LocalFileSystem::new_with_prefix(&root).map_err(|e| e.to_string())?;
    Ok((Arc::new(store), Some(root)))
}

fn hash_local(key: &str, path: &FsPath) -> Result<(Digest, u64)> {
    match std::fs::File::open(path) {
        Ok(file) => Digest::of_reader(file).map_err(|e| Error::Store {
            key: key.to_owned(),
            reason: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NotFound {
            key: key.to_owned(),
        }),
        Err(e) => Err(Error::Store {
            key: key.to_owned(),
            reason: e.to_string(),
        }),
    }
}

async fn hash_remote(inner: Arc<dyn ObjectStore>, key: String) -> Result<(Digest, u64)> {
    let path = Path::from(key.as_str());
    let result = inner.get(&path).await.map_err(|e| store_error(&key, e))?;
    let mut stream = result.into_stream();
    let mut hasher = StreamHasher::new();
    while let Some(chunk) = stream.next().await {
        hasher.update(&chunk.map_err(|e| store_error(&key, e))?);
    }
    Ok(hasher.finish())
}

fn store_error(key: &str, e: object_store::Error) -> Error {
    match e {
        object_store::Error::NotFound { .. } => Error::NotFound {
            key: key.to_owned(),
        },
        other => Error::Store {
            key: key.to_owned(),
            reason: other.to_string(),
        },
    }
}
