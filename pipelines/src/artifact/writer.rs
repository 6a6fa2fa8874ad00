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
use arrow::datatypes::{DataType, SchemaRef};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::arrow_writer::{
    ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves,
};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;
use rayon::prelude::*;
use verify::Digest;
use verify::digest::HashingWriter;
use verify::manifest::PARQUET_MEDIA_TYPE;
use verify::store::{Store, Written};

/// Rows per batch handed to the Parquet writer (a multiple of 1024).
pub const BATCH_ROWS: usize = 8 * 1024;
/// Rows per row group (a multiple of [`BATCH_ROWS`]).
pub const ROW_GROUP_ROWS: usize = 128 * 1024;
/// The `created_by` string of every artifact; changes only when the format does
/// (v2: zstd level 1, plain integer columns; v3: plain columns declared mostly distinct;
/// v4: page statistics on text columns only where they are part of the sort key;
/// v5: inputs named relative to the root they were found under, never by their location:
/// `source_file` columns and quarantine rows changed, see `jobs::inputs`;
/// v6: `payments` row groups also end where an input segment does, see
/// `jobs::netting::segments`, so that shards of a sharded run encode whole row groups).
pub const CREATED_BY: &str = "mez artifact writer v6";
/// zstd level of every column: level 1 encodes `payments` about 1.3 times faster than
/// level 3, for a file as small as level 3 gave with dictionaries on integer columns.
const ZSTD_LEVEL: i32 = 1;

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
    /// A column named in the sort key or the distinct columns is not in the schema.
    #[error("table {table}: {role} column {column:?} is not in the schema")]
    UnknownColumn {
        table: String,
        role: &'static str,
        column: String,
    },
    #[error(transparent)]
    Store(#[from] verify::Error),
    /// A published run's table is missing or not what its readers expect.
    #[error("{table}: {reason}")]
    Table { table: String, reason: String },
    #[error("{path}: {reason}", path = path.display())]
    Io {
        path: std::path::PathBuf,
        reason: String,
    },
}

/// A table (or another blob a run publishes) written to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenTable {
    pub name: String,
    pub digest: Digest,
    pub rows: u64,
    pub bytes: u64,
    pub written: Written,
    /// The media type its manifest subject names: Parquet for every table.
    pub media_type: String,
}

/// The writer properties of every artifact.
///
/// `distinct` names columns whose values are mostly distinct (identifiers, account numbers,
/// free text): they are written plain like integer columns, and without page statistics. A
/// dictionary would cost a hash and a copy per value only to fall back to plain once it
/// outgrows its page limit (`payments` of 1.9M transactions: 71.4 MB with its seven
/// identifier, account and text columns plain, 78.9 MB with dictionaries, and about 1
/// CPU-second less to encode).
pub(super) fn properties(
    schema: &SchemaRef,
    table: &str,
    sort_key: &[&str],
    distinct: &[&str],
) -> Result<WriterProperties, ArtifactError> {
    let index_of = |column: &str, role: &'static str| {
        schema
            .index_of(column)
            .map_err(|_| ArtifactError::UnknownColumn {
                table: table.to_owned(),
                role,
                column: column.to_owned(),
            })
    };
    let mut sorting = Vec::with_capacity(sort_key.len());
    for column in sort_key {
        sorting.push(SortingColumn {
            column_idx: index_of(column, "sort")? as i32,
            descending: false,
            nulls_first: true,
        });
    }
    for column in distinct {
        index_of(column, "distinct")?;
    }
    // Integer columns are written plain: ids, offsets and amounts are mostly distinct, so
    // a dictionary costs a hash per value and compresses worse than zstd on plain values
    // (payments of 1.9M transactions: 90.5 MB with dictionaries at zstd level 3, 78.9 MB
    // without them at level 1).
    let mut builder = WriterProperties::builder();
    for field in schema.fields() {
        let name = field.name().as_str();
        let column = || parquet::schema::types::ColumnPath::from(name);
        if field.data_type().is_integer() || distinct.contains(&name) {
            builder = builder.set_column_dictionary_enabled(column(), false);
        }
        // Minimum and maximum of unsorted text prune almost nothing (a page of any size
        // spans most of a column's range), yet cost a byte comparison per value; numbers
        // and dates keep them, being cheap to compare and what queries filter on.
        let text = matches!(
            field.data_type(),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Binary | DataType::LargeBinary
        );
        if distinct.contains(&name) || (text && !sort_key.contains(&name)) {
            builder = builder.set_column_statistics_enabled(column(), EnabledStatistics::None);
        }
    }
    Ok(builder
        .set_writer_version(WriterVersion::PARQUET_1_0)
        .set_created_by(CREATED_BY.to_owned())
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL).map_err(
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
    let mut encoder = Encoder::new(Vec::new(), table, schema, sort_key, &[])?;
    for batch in batches {
        encoder.write(batch)?;
    }
    let (buffer, rows) = encoder.finish()?;
    Ok((Bytes::from(buffer), rows))
}

/// The Parquet encoder under [`encode`] and [`TableWriter`].
///
/// Rows are cut into row groups of exactly [`ROW_GROUP_ROWS`], and each row group into
/// slices of exactly [`BATCH_ROWS`] rows, whose columns are encoded (in parallel, with
/// rayon, unless told otherwise) as soon as the slice is complete: the page boundaries, and so the bytes, are those of one
/// `ArrowWriter` fed `BATCH_ROWS`-row batches, whatever the thread count or the sizes of
/// the batches written. Memory stays at one row group of encoded pages plus one slice.
struct Encoder<W: std::io::Write + Send> {
    table: String,
    file: SerializedFileWriter<W>,
    factory: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    /// The top-level field of each Parquet leaf column.
    leaf_roots: Vec<usize>,
    /// Rows not yet encoded: fewer than [`BATCH_ROWS`] between calls.
    pending: Vec<RecordBatch>,
    pending_rows: usize,
    /// The column writers of the row group being written, by top-level field, and its rows.
    open: Option<Vec<Vec<ArrowColumnWriter>>>,
    group_rows: usize,
    /// Whether the columns of a slice are encoded in parallel (rayon).
    parallel: bool,
    rows: u64,
    groups: usize,
}

impl<W: std::io::Write + Send> Encoder<W> {
    fn new(
        out: W,
        table: &str,
        schema: &SchemaRef,
        sort_key: &[&str],
        distinct: &[&str],
    ) -> Result<Self, ArtifactError> {
        let parquet = |source| ArtifactError::Parquet {
            table: table.to_owned(),
            source,
        };
        let writer = ArrowWriter::try_new(
            out,
            Arc::clone(schema),
            Some(properties(schema, table, sort_key, distinct)?),
        )
        .map_err(parquet)?;
        let (file, factory) = writer.into_serialized_writer().map_err(parquet)?;
        let descr = file.schema_descr();
        let leaf_roots = (0..descr.num_columns())
            .map(|leaf| descr.get_column_root_idx(leaf))
            .collect();
        Ok(Encoder {
            table: table.to_owned(),
            file,
            factory,
            schema: Arc::clone(schema),
            leaf_roots,
            pending: Vec::new(),
            pending_rows: 0,
            open: None,
            group_rows: 0,
            parallel: true,
            rows: 0,
            groups: 0,
        })
    }

    fn parquet_error(&self, source: parquet::errors::ParquetError) -> ArtifactError {
        ArtifactError::Parquet {
            table: self.table.clone(),
            source,
        }
    }

    /// Appends rows (already in sort order). Every complete slice of [`BATCH_ROWS`] rows
    /// is encoded at once, while its rows are still in the caches.
    fn write(&mut self, batch: &RecordBatch) -> Result<(), ArtifactError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.pending_rows += batch.num_rows();
        self.pending.push(batch.clone());
        while self.pending_rows >= BATCH_ROWS {
            self.encode_slice(BATCH_ROWS)?;
        }
        Ok(())
    }

    /// Encodes the first `rows` pending rows into the open row group (opened if need be),
    /// the columns in parallel unless told otherwise, and closes the group when it holds [`ROW_GROUP_ROWS`].
    fn encode_slice(&mut self, rows: usize) -> Result<(), ArtifactError> {
        let mut pieces = Vec::new();
        let mut rest = Vec::new();
        let mut taken = 0;
        for batch in &self.pending {
            let len = batch.num_rows().min(rows - taken);
            if len > 0 {
                pieces.push(batch.slice(0, len));
                taken += len;
            }
            if len < batch.num_rows() {
                rest.push(batch.slice(len, batch.num_rows() - len));
            }
        }
        let mut open = match self.open.take() {
            Some(open) => open,
            None => self.column_writers()?,
        };
        let schema = &self.schema;
        let encode_column = |(i, writers): (usize, &mut Vec<ArrowColumnWriter>)| {
            let arrays: Vec<arrow::array::ArrayRef> =
                pieces.iter().map(|b| Arc::clone(b.column(i))).collect();
            let slice = match &arrays[..] {
                [one] => compact(one)?,
                many => {
                    let refs: Vec<&dyn arrow::array::Array> =
                        many.iter().map(|a| a.as_ref()).collect();
                    arrow::compute::concat(&refs)
                        .map_err(|e| parquet::errors::ParquetError::General(e.to_string()))?
                }
            };
            for (writer, leaf) in writers
                .iter_mut()
                .zip(compute_leaves(schema.field(i), &slice)?)
            {
                writer.write(&leaf)?;
            }
            Ok(())
        };
        let encoded: Result<(), parquet::errors::ParquetError> = if self.parallel {
            open.par_iter_mut().enumerate().try_for_each(encode_column)
        } else {
            open.iter_mut().enumerate().try_for_each(encode_column)
        };
        encoded.map_err(|e| self.parquet_error(e))?;
        self.open = Some(open);
        self.pending = rest;
        self.pending_rows -= rows;
        self.group_rows += rows;
        if self.group_rows == ROW_GROUP_ROWS {
            self.close_group()?;
        }
        Ok(())
    }

    /// The column writers of the next row group, by top-level field.
    fn column_writers(&self) -> Result<Vec<Vec<ArrowColumnWriter>>, ArtifactError> {
        let writers = self
            .factory
            .create_column_writers(self.groups)
            .map_err(|e| self.parquet_error(e))?;
        let mut per_field: Vec<Vec<ArrowColumnWriter>> = (0..self.schema.fields().len())
            .map(|_| Vec::new())
            .collect();
        for (leaf, writer) in writers.into_iter().enumerate() {
            if let Some(field) = self
                .leaf_roots
                .get(leaf)
                .and_then(|r| per_field.get_mut(*r))
            {
                field.push(writer);
            }
        }
        Ok(per_field)
    }

    /// Closes the open row group (its last pages are compressed in parallel).
    fn close_group(&mut self) -> Result<(), ArtifactError> {
        let Some(open) = self.open.take() else {
            return Ok(());
        };
        let close = |writers: Vec<ArrowColumnWriter>| -> Result<Vec<ArrowColumnChunk>, _> {
            writers.into_iter().map(|w| w.close()).collect()
        };
        let encoded: Vec<Result<Vec<ArrowColumnChunk>, parquet::errors::ParquetError>> =
            if self.parallel {
                open.into_par_iter().map(close).collect()
            } else {
                open.into_iter().map(close).collect()
            };
        let table = &self.table;
        let parquet = |source| ArtifactError::Parquet {
            table: table.clone(),
            source,
        };
        let mut row_group = self.file.next_row_group().map_err(parquet)?;
        for chunks in encoded {
            for chunk in chunks.map_err(parquet)? {
                chunk.append_to_row_group(&mut row_group).map_err(parquet)?;
            }
        }
        row_group.close().map_err(parquet)?;
        self.groups += 1;
        self.rows += self.group_rows as u64;
        self.group_rows = 0;
        Ok(())
    }

    /// Ends the open row group here, short of [`ROW_GROUP_ROWS`] if need be; the next
    /// rows start a new one. Nothing happens at a row-group boundary already.
    fn end_row_group(&mut self) -> Result<(), ArtifactError> {
        if self.pending_rows > 0 {
            self.encode_slice(self.pending_rows)?;
        }
        self.close_group()
    }

    /// Encodes the last row group, writes the footer; returns the output and row count.
    fn finish(mut self) -> Result<(W, u64), ArtifactError> {
        if self.pending_rows > 0 {
            self.encode_slice(self.pending_rows)?;
        }
        self.close_group()?;
        let (rows, table) = (self.rows, self.table);
        let out = self
            .file
            .into_inner()
            .map_err(|source| ArtifactError::Parquet { table, source })?;
        Ok((out, rows))
    }
}

/// A copy of `array` in buffers of its own. The Parquet writer's output depends on more
/// than the values (a slice of a larger array can encode differently from the same rows
/// in their own buffers), so every slice is written from fresh, exactly-sized buffers.
fn compact(
    array: &arrow::array::ArrayRef,
) -> Result<arrow::array::ArrayRef, parquet::errors::ParquetError> {
    let empty = array.slice(0, 0);
    arrow::compute::concat(&[array.as_ref(), empty.as_ref()])
        .map_err(|e| parquet::errors::ParquetError::General(e.to_string()))
}

/// The file sink of [`TableWriter`]: hashed as it is written, so that storing it does not
/// read it back.
type HashedFile = std::io::BufWriter<HashingWriter<std::fs::File>>;

/// Streams a large table to a Parquet file in constant memory (one row group at most),
/// with the same bytes as [`encode`] for the same rows.
pub struct TableWriter {
    encoder: Encoder<HashedFile>,
    path: std::path::PathBuf,
}

/// A Parquet file closed by [`TableWriter::finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFile {
    pub path: std::path::PathBuf,
    pub rows: u64,
    /// Digest and length of the file's bytes, computed as they were written.
    pub digest: Digest,
    pub bytes: u64,
}

impl std::fmt::Debug for TableWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableWriter")
            .field("table", &self.encoder.table)
            .field("rows", &self.encoder.rows)
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
        Self::create_with_distinct(path, table, schema, sort_key, &[])
    }

    /// Like [`TableWriter::create`], with the columns whose values are mostly distinct
    /// written without a dictionary (see `properties`).
    pub fn create_with_distinct(
        path: &std::path::Path,
        table: &str,
        schema: &SchemaRef,
        sort_key: &[&str],
        distinct: &[&str],
    ) -> Result<Self, ArtifactError> {
        let file = std::fs::File::create(path).map_err(|e| ArtifactError::Io {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(TableWriter {
            encoder: Encoder::new(
                std::io::BufWriter::new(HashingWriter::new(file)),
                table,
                schema,
                sort_key,
                distinct,
            )?,
            path: path.to_owned(),
        })
    }

    /// Whether the columns of each slice are encoded in parallel (the default) or all on the
    /// calling thread. A job whose other threads keep every core busy encodes on one thread:
    /// there, parallel columns only add thread switches and cache misses. It can switch back
    /// once those threads are done, so that what remains is encoded on every core. The bytes
    /// written are the same either way, whenever the switch happens.
    pub fn set_parallel(&mut self, parallel: bool) {
        self.encoder.parallel = parallel;
    }

    /// Appends rows (already in sort order).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), ArtifactError> {
        self.encoder.write(batch)
    }

    /// Ends the current row group after the rows written so far (a row group holds at most
    /// [`ROW_GROUP_ROWS`] rows and ends at each such call): where a table's row groups end
    /// must not depend on anything but its rows and these calls.
    pub fn end_row_group(&mut self) -> Result<(), ArtifactError> {
        self.encoder.end_row_group()
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.encoder.rows + (self.encoder.group_rows + self.encoder.pending_rows) as u64
    }

    /// Writes the remaining rows and closes the file.
    pub fn finish(self) -> Result<TableFile, ArtifactError> {
        let (out, rows) = self.encoder.finish()?;
        let io = |e: std::io::Error| ArtifactError::Io {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        let hashed = out.into_inner().map_err(|e| io(e.into_error()))?;
        let (mut file, digest, bytes) = hashed.finish();
        std::io::Write::flush(&mut file).map_err(io)?;
        Ok(TableFile {
            path: self.path,
            rows,
            digest,
            bytes,
        })
    }
}

/// Stores a Parquet file written by [`TableWriter`].
pub fn store_table_file(
    store: &Store,
    table: &str,
    file: &TableFile,
) -> Result<WrittenTable, ArtifactError> {
    let written = store.put_blob_file(&file.path, &file.digest)?;
    Ok(WrittenTable {
        name: table.to_owned(),
        digest: file.digest,
        rows: file.rows,
        bytes: file.bytes,
        written,
        media_type: PARQUET_MEDIA_TYPE.to_owned(),
    })
}

/// Encodes a table held in one batch, sorted by `sort_key`, and stores it; returns what was
/// written. (Tables too large for one batch go through [`TableWriter`].)
pub fn write_table(
    store: &Store,
    table: &str,
    batch: &RecordBatch,
    sort_key: &[&str],
) -> Result<WrittenTable, ArtifactError> {
    let (bytes, rows) = encode(
        table,
        &batch.schema(),
        std::slice::from_ref(batch),
        sort_key,
    )?;
    let size = bytes.len() as u64;
    let (digest, written) = store.put_blob(bytes)?;
    Ok(WrittenTable {
        name: table.to_owned(),
        digest,
        rows,
        bytes: size,
        written,
        media_type: PARQUET_MEDIA_TYPE.to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{ArrayRef, Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    /// What the encoder must equal: one `ArrowWriter` fed `BATCH_ROWS`-row batches, each
    /// in buffers of its own.
    fn sequential(schema: &SchemaRef, batch: &RecordBatch) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = ArrowWriter::try_new(
            &mut out,
            Arc::clone(schema),
            Some(properties(schema, "t", &["k"], &[]).unwrap()),
        )
        .unwrap();
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = BATCH_ROWS.min(batch.num_rows() - offset);
            let slice = batch.slice(offset, len);
            let columns = slice
                .columns()
                .iter()
                .map(|c| compact(c).unwrap())
                .collect();
            writer
                .write(&RecordBatch::try_new(Arc::clone(schema), columns).unwrap())
                .unwrap();
            offset += len;
        }
        writer.close().unwrap();
        out
    }

    #[test]
    fn parallel_encoding_gives_the_sequential_bytes() {
        let rows = ROW_GROUP_ROWS * 2 + 5_000;
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("k", DataType::Int64, false),
            Field::new("sparse", DataType::Utf8, true),
            Field::new("text", DataType::Utf8, false),
        ]));
        let k: ArrayRef = Arc::new(Int64Array::from_iter_values(0..rows as i64));
        let sparse: ArrayRef = Arc::new(StringArray::from_iter(
            (0..rows).map(|i| (i % 15_000 != 7).then_some("ST2")),
        ));
        let text: ArrayRef = Arc::new(StringArray::from_iter_values(
            (0..rows).map(|i| format!("payment {}", i * 7919 % 100_003)),
        ));
        let batch = RecordBatch::try_new(Arc::clone(&schema), vec![k, sparse, text]).unwrap();
        let expected = sequential(&schema, &batch);
        // Uneven input batches must not matter either.
        let pieces: Vec<RecordBatch> = [0, 3, 9_000, 140_000, rows]
            .windows(2)
            .map(|w| batch.slice(w[0], w[1] - w[0]))
            .collect();
        let (bytes, n) = encode("t", &schema, &pieces, &["k"]).unwrap();
        assert_eq!(n, rows as u64);
        assert!(
            bytes[..] == expected[..],
            "encoded bytes differ from ArrowWriter's"
        );
    }

    /// The same rows in differently laid out arrays (one slice of a larger array, many
    /// small batches, batches in buffers of their own) give the same bytes.
    #[test]
    fn array_layout_does_not_change_the_bytes() {
        let total = ROW_GROUP_ROWS + 40_000;
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("k", DataType::Int64, false),
            Field::new("text", DataType::Utf8, true),
        ]));
        let k: ArrayRef = Arc::new(Int64Array::from_iter_values(0..total as i64));
        let text: ArrayRef =
            Arc::new(StringArray::from_iter((0..total).map(|i| {
                (i % 999 != 0).then(|| format!("remittance {}", i * 31 % 70_001))
            })));
        let big = RecordBatch::try_new(Arc::clone(&schema), vec![k, text]).unwrap();
        let rows = ROW_GROUP_ROWS + 1_000;
        let one_slice = big.slice(30_000, rows);
        let small: Vec<RecordBatch> = (0..rows)
            .step_by(777)
            .map(|o| big.slice(30_000 + o, 777.min(rows - o)))
            .collect();
        let own_buffers: Vec<RecordBatch> = small
            .iter()
            .map(|b| {
                let columns = b.columns().iter().map(|c| compact(c).unwrap()).collect();
                RecordBatch::try_new(b.schema(), columns).unwrap()
            })
            .collect();
        let (a, _) = encode("t", &schema, &[one_slice], &["k"]).unwrap();
        let (b, _) = encode("t", &schema, &small, &["k"]).unwrap();
        let (c, _) = encode("t", &schema, &own_buffers, &["k"]).unwrap();
        assert!(a[..] == b[..], "bytes depend on the input arrays' layout");
        assert!(a[..] == c[..], "bytes depend on the input arrays' layout");
    }
}
