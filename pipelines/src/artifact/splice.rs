//! One table from the Parquet files of its parts, without decoding a value.
//!
//! Why: the merge of a sharded run must write the table one machine writes, and encoding
//! millions of rows again is most of a run's work. When every part was written by a
//! [`TableWriter`](super::TableWriter) with the same settings and its row groups end where
//! the whole table's do, the table is the parts' row groups one after another: their
//! column chunks are copied byte for byte (parquet's `append_column`, which moves the page
//! offsets), with the statistics and page indexes read from each part's footer, and the
//! footer is written again. The bytes equal those of one writer fed every row, with its
//! row groups ended at the parts' boundaries (the tests check it).

use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::column::writer::ColumnCloseResult;
use parquet::file::metadata::{
    ColumnChunkMetaData, PageIndexPolicy, ParquetMetaDataOptions, ParquetMetaDataReader,
};
use parquet::file::statistics::Statistics;
use verify::digest::HashingWriter;

use super::writer::{ArtifactError, TableFile, properties};

/// Writes table `table` at `out` from the Parquet files `parts`, in order (see the module
/// documentation). Each part must have been written with this schema, sort key and
/// distinct columns; a part that was not is refused, naming it.
pub fn splice(
    out: &Path,
    table: &str,
    schema: &SchemaRef,
    sort_key: &[&str],
    distinct: &[&str],
    parts: &[PathBuf],
) -> Result<TableFile, ArtifactError> {
    let parquet = |source| ArtifactError::Parquet {
        table: table.to_owned(),
        source,
    };
    let io = |path: &Path, e: std::io::Error| ArtifactError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let file = std::fs::File::create(out).map_err(|e| io(out, e))?;
    let sink = std::io::BufWriter::with_capacity(1 << 20, HashingWriter::new(file));
    let props = properties(schema, table, sort_key, distinct)?;
    let writer =
        ArrowWriter::try_new(sink, SchemaRef::clone(schema), Some(props)).map_err(parquet)?;
    let (mut writer, _) = writer.into_serialized_writer().map_err(parquet)?;
    let mut rows = 0u64;
    for part in parts {
        let refused = |reason: String| ArtifactError::Table {
            table: table.to_owned(),
            reason: format!("part {}: {reason}", part.display()),
        };
        let source = std::fs::File::open(part).map_err(|e| io(part, e))?;
        // Page encoding statistics as written (by default they are read as a mask, which
        // `append_column` would drop).
        let options = ParquetMetaDataOptions::new().with_encoding_stats_as_mask(false);
        let metadata = ParquetMetaDataReader::new()
            .with_metadata_options(Some(options))
            .with_page_index_policy(PageIndexPolicy::Optional)
            .parse_and_finish(&source)
            .map_err(|e| refused(e.to_string()))?;
        let file_metadata = metadata.file_metadata();
        if file_metadata.schema_descr() != writer.schema_descr() {
            return Err(refused("its schema is not the table's".into()));
        }
        if file_metadata.created_by() != Some(super::CREATED_BY) {
            return Err(refused(format!(
                "written by {:?}, not {:?}",
                file_metadata.created_by(),
                super::CREATED_BY
            )));
        }
        for (index, group) in metadata.row_groups().iter().enumerate() {
            let page_index = metadata.page_index_for_row_group(index);
            let mut out_group = writer.next_row_group().map_err(parquet)?;
            let group_rows = u64::try_from(group.num_rows())
                .map_err(|_| refused("a negative row count".into()))?;
            for (column, chunk) in group.columns().iter().enumerate() {
                let column_index = page_index.column_index(column).cloned();
                let close = ColumnCloseResult {
                    bytes_written: u64::try_from(chunk.compressed_size())
                        .map_err(|_| refused("a negative chunk size".into()))?,
                    rows_written: group_rows,
                    metadata: as_written(chunk).map_err(|e| refused(e.to_string()))?,
                    bloom_filter: None,
                    column_index,
                    offset_index: page_index.offset_index(column).cloned(),
                };
                out_group
                    .append_column(&source, close)
                    .map_err(|e| refused(e.to_string()))?;
            }
            out_group.close().map_err(parquet)?;
            rows += group_rows;
        }
    }
    let sink = writer.into_inner().map_err(parquet)?;
    let hashed = sink.into_inner().map_err(|e| io(out, e.into_error()))?;
    let (mut file, digest, bytes) = hashed.finish();
    std::io::Write::flush(&mut file).map_err(|e| io(out, e))?;
    Ok(TableFile {
        path: out.to_owned(),
        rows,
        digest,
        bytes,
    })
}

/// A column chunk's metadata as its writer held it. One thing does not survive the trip
/// through a footer: whether min and max also go into the deprecated fields, which the
/// writer does for columns of signed sort order and a reader cannot tell.
fn as_written(
    chunk: &ColumnChunkMetaData,
) -> Result<ColumnChunkMetaData, parquet::errors::ParquetError> {
    let Some(statistics) = chunk.statistics() else {
        return Ok(chunk.clone());
    };
    let signed = chunk.column_descr().sort_order().is_signed();
    let statistics = match statistics.clone() {
        Statistics::Boolean(s) => Statistics::Boolean(s.with_backwards_compatible_min_max(signed)),
        Statistics::Int32(s) => Statistics::Int32(s.with_backwards_compatible_min_max(signed)),
        Statistics::Int64(s) => Statistics::Int64(s.with_backwards_compatible_min_max(signed)),
        Statistics::Int96(s) => Statistics::Int96(s.with_backwards_compatible_min_max(signed)),
        Statistics::Float(s) => Statistics::Float(s.with_backwards_compatible_min_max(signed)),
        Statistics::Double(s) => Statistics::Double(s.with_backwards_compatible_min_max(signed)),
        Statistics::ByteArray(s) => {
            Statistics::ByteArray(s.with_backwards_compatible_min_max(signed))
        }
        Statistics::FixedLenByteArray(s) => {
            Statistics::FixedLenByteArray(s.with_backwards_compatible_min_max(signed))
        }
    };
    chunk
        .clone()
        .into_builder()
        .set_statistics(statistics)
        .build()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use proptest::prelude::*;

    use super::*;
    use crate::artifact::{ROW_GROUP_ROWS, TableWriter};

    fn batch(schema: &SchemaRef, from: usize, rows: usize) -> RecordBatch {
        let k: ArrayRef = Arc::new(Int64Array::from_iter_values(
            (from..from + rows).map(|i| i as i64),
        ));
        let name: ArrayRef =
            Arc::new(StringArray::from_iter((from..from + rows).map(|i| {
                (i % 97 != 3).then(|| format!("party {}", i * 7_919 % 5_003))
            })));
        let id: ArrayRef = Arc::new(StringArray::from_iter_values(
            (from..from + rows).map(|i| format!("uetr-{i:012}")),
        ));
        RecordBatch::try_new(Arc::clone(schema), vec![k, name, id]).unwrap()
    }

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("k", DataType::Int64, false),
            Field::new("name", DataType::Utf8, true),
            Field::new("id", DataType::Utf8, false),
        ]))
    }

    /// Writes rows `[cuts[i], cuts[i + 1])` of a table, ending a row group at each cut.
    fn write(path: &Path, cuts: &[usize]) -> TableFile {
        let schema = schema();
        let mut writer =
            TableWriter::create_with_distinct(path, "t", &schema, &["k"], &["id"]).unwrap();
        for w in cuts.windows(2) {
            writer.write(&batch(&schema, w[0], w[1] - w[0])).unwrap();
            writer.end_row_group().unwrap();
        }
        writer.finish().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(8))]

        /// Parts spliced give the bytes of one writer that ended its row groups where the
        /// parts end: row groups full, short and empty parts, several groups in a part.
        #[test]
        fn spliced_parts_equal_one_writer(
            sizes in prop::collection::vec(
                prop_oneof![Just(0usize), 1usize..3_000, Just(ROW_GROUP_ROWS), Just(ROW_GROUP_ROWS + 17)],
                1..5,
            ),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut cuts = vec![0];
            for s in &sizes {
                cuts.push(cuts.last().unwrap() + s);
            }
            let whole = write(&dir.path().join("whole.parquet"), &cuts);
            let parts: Vec<PathBuf> = cuts
                .windows(2)
                .enumerate()
                .map(|(i, w)| {
                    let path = dir.path().join(format!("part-{i}.parquet"));
                    write(&path, &[w[0], w[1]]);
                    path
                })
                .collect();
            let spliced = splice(
                &dir.path().join("spliced.parquet"),
                "t",
                &schema(),
                &["k"],
                &["id"],
                &parts,
            )
            .unwrap();
            prop_assert_eq!(spliced.rows, whole.rows);
            prop_assert_eq!(spliced.bytes, whole.bytes);
            prop_assert!(
                std::fs::read(&spliced.path).unwrap() == std::fs::read(&whole.path).unwrap(),
                "spliced bytes differ from one writer's"
            );
            prop_assert_eq!(spliced.digest, whole.digest);
        }
    }

    #[test]
    fn a_part_of_another_table_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.parquet");
        let schema2: SchemaRef =
            Arc::new(Schema::new(vec![Field::new("k", DataType::Int64, false)]));
        let mut writer = TableWriter::create(&other, "t", &schema2, &["k"]).unwrap();
        writer
            .write(
                &RecordBatch::try_new(
                    Arc::clone(&schema2),
                    vec![Arc::new(Int64Array::from(vec![1, 2]))],
                )
                .unwrap(),
            )
            .unwrap();
        writer.finish().unwrap();
        let err = splice(
            &dir.path().join("out.parquet"),
            "t",
            &schema(),
            &["k"],
            &["id"],
            std::slice::from_ref(&other),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("other.parquet") && err.contains("schema"),
            "{err}"
        );
    }
}
