//! `mez sql`: DuckDB over a store's Parquet artifacts.
//!
//! Every table of the latest run of each job (the `refs/runs/<job>/latest` pointers) is a
//! view, both as `<job>.<table>` and, when no other job has a table of that name, as plain
//! `<table>`. Any artifact can also be named by digest anywhere in the query:
//! `SELECT * FROM "sha256:<hex>"` reads that blob. Every blob is checked against its digest
//! before DuckDB sees it; remote stores are copied to a temporary directory first.
//!
//! Only runs whose manifests are signed by a trusted key are registered, and a blob named by
//! digest must be named by such a run: a query never reads what no trusted signer vouched
//! for.

use std::collections::BTreeMap;
use std::path::PathBuf;

use verify::Digest;
use verify::store::{Store, blob_key, manifest_key};

/// Errors of `mez sql`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SqlError {
    #[error(transparent)]
    Store(#[from] verify::Error),
    #[error("duckdb: {0}")]
    Duckdb(#[from] duckdb::Error),
    #[error(transparent)]
    Artifact(#[from] crate::artifact::ArtifactError),
    #[error("{path}: {reason}", path = path.display())]
    Io { path: PathBuf, reason: String },
}

/// A DuckDB connection with the store's tables registered.
pub struct SqlSession {
    conn: duckdb::Connection,
    store: Store,
    /// Whose runs may be read.
    trust: verify::keys::TrustSet,
    scratch: Option<tempfile::TempDir>,
    /// Registered views: name → digest.
    pub tables: BTreeMap<String, Digest>,
}

impl std::fmt::Debug for SqlSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlSession")
            .field("tables", &self.tables)
            .finish()
    }
}

/// A query result as text cells (NULL as `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl SqlSession {
    /// Opens an in-memory DuckDB and registers the latest run of every job.
    /// Only runs whose manifests are signed by a key in `trust` are registered.
    pub fn open(store: &Store, trust: &verify::keys::TrustSet) -> Result<Self, SqlError> {
        let conn = duckdb::Connection::open_in_memory()?;
        let mut session = SqlSession {
            conn,
            store: store.clone(),
            trust: trust.clone(),
            scratch: None,
            tables: BTreeMap::new(),
        };
        let mut by_name: BTreeMap<String, Vec<(String, Digest)>> = BTreeMap::new();
        for item in store.list("refs/runs/")? {
            let Some(job) = item
                .key
                .strip_prefix("refs/runs/")
                .and_then(|r| r.strip_suffix("/latest"))
            else {
                continue;
            };
            let Some(manifest) = store.get_ref(item.key.trim_start_matches("refs/"))? else {
                continue;
            };
            let key = manifest_key(&manifest);
            let bytes = store.get_verified(&key, &manifest)?;
            let (statement, _) = verify::manifest::open(&key, &bytes, trust)?;
            session.conn.execute_batch(&format!(
                "CREATE SCHEMA IF NOT EXISTS {};",
                quote_ident(job)
            ))?;
            for subject in statement
                .subject
                .iter()
                .filter(|s| s.media_type == verify::manifest::PARQUET_MEDIA_TYPE)
            {
                let digest = subject.sha256()?;
                let path = session.blob_path(&digest)?;
                session.conn.execute_batch(&format!(
                    "CREATE VIEW {}.{} AS SELECT * FROM read_parquet({});",
                    quote_ident(job),
                    quote_ident(&subject.name),
                    quote_literal(&path)
                ))?;
                session
                    .tables
                    .insert(format!("{job}.{}", subject.name), digest);
                by_name
                    .entry(subject.name.clone())
                    .or_default()
                    .push((job.to_owned(), digest));
            }
        }
        for (name, owners) in by_name {
            if let [(job, digest)] = owners.as_slice() {
                session.conn.execute_batch(&format!(
                    "CREATE VIEW {} AS SELECT * FROM {}.{};",
                    quote_ident(&name),
                    quote_ident(job),
                    quote_ident(&name)
                ))?;
                session.tables.insert(name, *digest);
            }
        }
        Ok(session)
    }

    /// A local path DuckDB can read for a blob, after checking its digest.
    fn blob_path(&mut self, digest: &Digest) -> Result<String, SqlError> {
        let key = blob_key(digest);
        if let Some(root) = self.store.local_root() {
            let (found, _) = self.store.hash_object(&key)?;
            if found != *digest {
                return Err(verify::Error::DigestMismatch {
                    key,
                    expected: digest.to_string(),
                    found: found.to_string(),
                }
                .into());
            }
            return Ok(root.join(&key).display().to_string());
        }
        let bytes = self.store.get_blob(digest)?;
        if self.scratch.is_none() {
            self.scratch = Some(tempfile::tempdir().map_err(|e| SqlError::Io {
                path: std::env::temp_dir(),
                reason: e.to_string(),
            })?);
        }
        let dir = self
            .scratch
            .as_ref()
            .map(|d| d.path().to_owned())
            .unwrap_or_default();
        let path = dir.join(format!("{}.parquet", digest.hex()));
        std::fs::write(&path, &bytes).map_err(|e| SqlError::Io {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        Ok(path.display().to_string())
    }

    /// Replaces every `sha256:<hex>` (quoted or not) with a `read_parquet` of that blob, once a
    /// run signed by a trusted key names it.
    fn resolve_digests(&mut self, query: &str) -> Result<String, SqlError> {
        let mut out = String::with_capacity(query.len());
        let mut rest = query;
        while let Some(at) = rest.find("sha256:") {
            let candidate = rest.get(at + 7..at + 7 + 64);
            let Some(digest) = candidate.and_then(|hex| Digest::from_hex(hex).ok()) else {
                out.push_str(&rest[..at + 7]);
                rest = &rest[at + 7..];
                continue;
            };
            let (mut before, mut after) = (&rest[..at], &rest[at + 71..]);
            if before.ends_with('"') && after.starts_with('"') {
                before = &before[..before.len() - 1];
                after = &after[1..];
            }
            out.push_str(before);
            crate::artifact::publish::vouched(&self.store, &self.trust, &digest)?;
            let path = self.blob_path(&digest)?;
            out.push_str(&format!("read_parquet({})", quote_literal(&path)));
            rest = after;
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Runs one query and returns its rows as text.
    pub fn query(&mut self, query: &str) -> Result<QueryResult, SqlError> {
        let sql = self.resolve_digests(query)?;
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        let mut result = QueryResult {
            columns: Vec::new(),
            rows: Vec::new(),
        };
        while let Some(row) = rows.next()? {
            if result.columns.is_empty() {
                result.columns = row.as_ref().column_names();
            }
            let n = row.as_ref().column_count();
            let mut cells = Vec::with_capacity(n);
            for i in 0..n {
                let value: duckdb::types::Value = row.get(i)?;
                cells.push(format_value(&value));
            }
            result.rows.push(cells);
        }
        if result.columns.is_empty() {
            result.columns = stmt.column_names();
        }
        Ok(result)
    }
}

fn format_value(value: &duckdb::types::Value) -> Option<String> {
    use duckdb::types::Value as V;
    Some(match value {
        V::Null => return None,
        V::Boolean(b) => b.to_string(),
        V::TinyInt(v) => v.to_string(),
        V::SmallInt(v) => v.to_string(),
        V::Int(v) => v.to_string(),
        V::BigInt(v) => v.to_string(),
        V::HugeInt(v) => v.to_string(),
        V::UTinyInt(v) => v.to_string(),
        V::USmallInt(v) => v.to_string(),
        V::UInt(v) => v.to_string(),
        V::UBigInt(v) => v.to_string(),
        V::Float(v) => v.to_string(),
        V::Double(v) => v.to_string(),
        V::Text(s) => s.clone(),
        V::Date32(days) => crate::jobs::netting::format_date(*days),
        other => format!("{other:?}"),
    })
}
