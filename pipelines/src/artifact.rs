//! The deterministic artifact writer: Arrow tables → reproducible Parquet bytes → store.
//!
//! Same logical rows must give the same bytes whatever the thread count, input order or
//! batch sizes, because the bytes' SHA-256 is the artifact's name. So:
//!
//! - the caller sorts rows by the table's documented key (passed here as `sort_key` and
//!   recorded in the Parquet `sorting_columns`);
//! - rows are re-sliced into batches of exactly [`BATCH_ROWS`] before writing, so page and
//!   row-group boundaries depend on row positions only;
//! - every writer property is set explicitly, `created_by` included (by default it embeds
//!   the parquet crate's version), and no timestamps or free key-value metadata go into the
//!   file: run time belongs in the manifest.

use std::sync::Arc;

use arrow::array::{RecordBatch, RecordBatchReader};
use arrow::compute::concat_batches;
use arrow::datatypes::SchemaRef;
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use verify::Digest;
use verify::store::{Store, Written};

/// Rows per batch handed to the Parquet writer (a multiple of 1024).
pub const BATCH_ROWS: usize = 8 * 1024;
/// Rows per row group (a multiple of [`BATCH_ROWS`]).
pub const ROW_GROUP_ROWS: usize = 128 * 1024;
/// The `created_by` string of every artifact; changes only when the format does.
pub const CREATED_BY: &str = "mez artifact writer v1";

/// Errors of the artifact writer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    #[error("table {table}: {source}")]
    Arrow {
        table: String,
        #[source]
        source: arrow::error::ArrowError,
    },
    #[error("table {table}: {source}")]
    Parquet {
        table: String,
        #[source]
        source: parquet::errors::ParquetError,
    },
    #[error("table {table}: sort column {column:?} is not in the schema")]
    SortColumn { table: String, column: String },
    #[error(transparent)]
    Store(#[from] verify::Error),
    #[error("{path}: {reason}", path = path.display())]
    Io {
        path: std::path::PathBuf,
        reason: String,
    },
}

/// A table written to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenTable {
    pub name: String,
    pub digest: Digest,
    pub rows: u64,
    pub bytes: u64,
    pub written: Written,
}

/// The writer properties of every artifact.
fn properties(
    schema: &SchemaRef,
    table: &str,
    sort_key: &[&str],
) -> Result<WriterProperties, ArtifactError> {
    let mut sorting = Vec::with_capacity(sort_key.len());
    for column in sort_key {
        let index = schema
            .index_of(column)
            .map_err(|_| ArtifactError::SortColumn {
                table: table.to_owned(),
                column: (*column).to_owned(),
            })?;
        sorting.push(SortingColumn {
            column_idx: index as i32,
            descending: false,
            nulls_first: true,
        });
    }
    Ok(WriterProperties::builder()
        .set_writer_version(WriterVersion::PARQUET_1_0)
        .set_created_by(CREATED_BY.to_owned())
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).map_err(
            |source| ArtifactError::Parquet {
                table: table.to_owned(),
                source,
            },
        )?))
        .set_dictionary_enabled(true)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_bloom_filter_enabled(false)
        .set_data_page_size_limit(1 << 20)
        .set_dictionary_page_size_limit(1 << 20)
        .set_data_page_row_count_limit(20_000)
        .set_write_batch_size(1024)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_max_row_group_bytes(None)
        .set_offset_index_disabled(false)
        .set_key_value_metadata(None)
        .set_sorting_columns(Some(sorting))
        .set_content_defined_chunking(None)
        .build())
}

/// Encodes already-sorted `batches` as reproducible Parquet bytes.
pub fn encode(
    table: &str,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    sort_key: &[&str],
) -> Result<(Bytes, u64), ArtifactError> {
    let arrow = |source| ArtifactError::Arrow {
        table: table.to_owned(),
        source,
    };
    let parquet = |source| ArtifactError::Parquet {
        table: table.to_owned(),
        source,
    };
    let all = concat_batches(schema, batches).map_err(arrow)?;
    let rows = all.num_rows();
    let mut buffer = Vec::new();
    let mut writer = ArrowWriter::try_new(
        &mut buffer,
        Arc::clone(schema),
        Some(properties(schema, table, sort_key)?),
    )
    .map_err(parquet)?;
    let mut offset = 0;
    while offset < rows {
        let len = BATCH_ROWS.min(rows - offset);
        writer.write(&all.slice(offset, len)).map_err(parquet)?;
        offset += len;
    }
    writer.close().map_err(parquet)?;
    Ok((Bytes::from(buffer), rows as u64))
}

/// Streams a large table to a Parquet file in constant memory (one row group at most),
/// slicing rows exactly as [`encode`] does: the same rows give the same bytes.
pub struct TableWriter {
    table: String,
    writer: ArrowWriter<std::io::BufWriter<std::fs::File>>,
    pending: Vec<RecordBatch>,
    pending_rows: usize,
    rows: u64,
    schema: SchemaRef,
    path: std::path::PathBuf,
}

impl std::fmt::Debug for TableWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableWriter")
            .field("table", &self.table)
            .field("rows", &self.rows)
            .finish()
    }
}

impl TableWriter {
    /// Creates `path` for table `table`, whose rows will arrive sorted by `sort_key`.
    pub fn create(
        path: &std::path::Path,
        table: &str,
        schema: &SchemaRef,
        sort_key: &[&str],
    ) -> Result<Self, ArtifactError> {
        let file = std::fs::File::create(path).map_err(|e| ArtifactError::Io {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let writer = ArrowWriter::try_new(
            std::io::BufWriter::new(file),
            Arc::clone(schema),
            Some(properties(schema, table, sort_key)?),
        )
        .map_err(|source| ArtifactError::Parquet {
            table: table.to_owned(),
            source,
        })?;
        Ok(TableWriter {
            table: table.to_owned(),
            writer,
            pending: Vec::new(),
            pending_rows: 0,
            rows: 0,
            schema: Arc::clone(schema),
            path: path.to_owned(),
        })
    }

    /// Appends rows (already in sort order).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), ArtifactError> {
        self.pending_rows += batch.num_rows();
        self.pending.push(batch.clone());
        if self.pending_rows >= BATCH_ROWS {
            self.drain(false)?;
        }
        Ok(())
    }

    fn drain(&mut self, all: bool) -> Result<(), ArtifactError> {
        let table = self.table.clone();
        let merged =
            concat_batches(&self.schema, &self.pending).map_err(|source| ArtifactError::Arrow {
                table: table.clone(),
                source,
            })?;
        self.pending.clear();
        let mut offset = 0;
        let rows = merged.num_rows();
        while rows - offset >= BATCH_ROWS || (all && offset < rows) {
            let len = BATCH_ROWS.min(rows - offset);
            self.writer
                .write(&merged.slice(offset, len))
                .map_err(|source| ArtifactError::Parquet {
                    table: table.clone(),
                    source,
                })?;
            self.rows += len as u64;
            offset += len;
        }
        if offset < rows {
            self.pending.push(merged.slice(offset, rows - offset));
        }
        self.pending_rows = rows - offset;
        Ok(())
    }

    /// Writes the remaining rows and closes the file; returns its path and row count.
    pub fn finish(mut self) -> Result<(std::path::PathBuf, u64), ArtifactError> {
        self.drain(true)?;
        let table = self.table.clone();
        let mut inner = self
            .writer
            .into_inner()
            .map_err(|source| ArtifactError::Parquet {
                table: table.clone(),
                source,
            })?;
        std::io::Write::flush(&mut inner).map_err(|e| ArtifactError::Io {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        Ok((self.path, self.rows))
    }
}

/// Stores a Parquet file written by [`TableWriter`].
pub fn store_table_file(
    store: &Store,
    table: &str,
    path: &std::path::Path,
    rows: u64,
) -> Result<WrittenTable, ArtifactError> {
    let (digest, bytes, written) = store.put_blob_file(path)?;
    Ok(WrittenTable {
        name: table.to_owned(),
        digest,
        rows,
        bytes,
        written,
    })
}

/// Encodes and stores a table; returns what was written.
pub fn write_table(
    store: &Store,
    table: &str,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    sort_key: &[&str],
) -> Result<WrittenTable, ArtifactError> {
    let (bytes, rows) = encode(table, schema, batches, sort_key)?;
    let size = bytes.len() as u64;
    let (digest, written) = store.put_blob(bytes)?;
    Ok(WrittenTable {
        name: table.to_owned(),
        digest,
        rows,
        bytes: size,
        written,
    })
}

/// Reads a stored Parquet artifact (digest checked) back into batches.
pub fn read_table(
    store: &Store,
    digest: &Digest,
) -> Result<(SchemaRef, Vec<RecordBatch>), ArtifactError> {
    let name = digest.to_string();
    let bytes = store.get_blob(digest)?;
    let parquet = |source| ArtifactError::Parquet {
        table: name.clone(),
        source,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .map_err(parquet)?
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(parquet)?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| ArtifactError::Arrow {
            table: name.clone(),
            source,
        })?;
    Ok((schema, batches))
}
