//! Resolved settings: what commands need, computed once from arguments and environment.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use verify::keys::{PublicKey, SecretKey, TrustSet};
use verify::store::Store;

use crate::cli::GlobalArgs;

/// Settings shared by every command.
#[derive(Debug)]
pub struct Settings {
    pub store_url: String,
    pub key_path: Option<PathBuf>,
    pub json: bool,
    pub quiet: bool,
}

impl Settings {
    pub fn resolve(global: GlobalArgs) -> Self {
        Settings {
            store_url: global.store,
            key_path: global.key,
            json: global.json,
            quiet: global.quiet,
        }
    }

    pub fn open_store(&self) -> Result<Store> {
        Store::open(&self.store_url)
            .with_context(|| format!("cannot open store {}", self.store_url))
    }

    /// Opens the store to read it: a local directory that does not exist is an error.
    pub fn open_existing_store(&self) -> Result<Store> {
        Store::open_existing(&self.store_url)
            .with_context(|| format!("cannot open store {}", self.store_url))
    }

    /// The public keys in `files`, as a trust set.
    pub fn trust(files: &[PathBuf]) -> Result<TrustSet> {
        Ok(TrustSet::new(
            files
                .iter()
                .map(|p| PublicKey::read(p))
                .collect::<Result<Vec<_>, _>>()?,
        ))
    }

    /// Whose runs a reading command trusts: the keys in `files` and the public key of
    /// `--key`; an error when there are none (reading is trusting someone).
    pub fn reader_trust(&self, files: &[PathBuf]) -> Result<TrustSet> {
        let mut trust = Self::trust(files)?;
        if let Some(path) = &self.key_path {
            trust.add(SecretKey::read(path)?.public());
        }
        anyhow::ensure!(
            !trust.is_empty(),
            "no trusted keys: pass --trusted-key FILE.pub (or --key) to say whose runs to read"
        );
        Ok(trust)
    }

    /// The signing key given with `--key` / `MEZ_KEY`.
    pub fn signing_key(&self) -> Result<SecretKey> {
        let path = self.key_path.as_deref().context(
            "no signing key: pass --key FILE or set MEZ_KEY (create one with `mez keygen`)",
        )?;
        Ok(SecretKey::read(path)?)
    }
}

/// Where the demo keeps its key when none is given: beside a local store, else `outputs/`.
pub fn demo_key_prefix(store: &Store) -> PathBuf {
    store
        .local_root()
        .map_or_else(|| Path::new("outputs").to_owned(), Path::to_owned)
        .join("demo")
}
