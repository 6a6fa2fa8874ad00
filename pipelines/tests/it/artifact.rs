//! The artifact writer: same rows ⇒ same bytes, whatever the batching or input order.

use std::sync::Arc;

use arrow::array::{Int64Array, RecordBatch, StringArray};
use arrow::compute::{SortColumn, concat_batches, lexsort_to_indices, take_record_batch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use pipelines::artifact::{self, BATCH_ROWS};
use pipelines::generators::SplitMix64;
use pipelines::jobs::demo::{self, Demo, DemoParams};
use proptest::prelude::*;
use verify::store::Store;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
    ]))
}

fn batch(rows: &[(i64, Option<String>)]) -> RecordBatch {
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.1.clone()))),
        ],
    )
    .unwrap()
}

/// Sorts by id (the documented key of this test table).
fn sorted(batches: &[RecordBatch]) -> RecordBatch {
    let all = concat_batches(&schema(), batches).unwrap();
    let idx = lexsort_to_indices(
        &[SortColumn {
            values: Arc::clone(all.column(0)),
            options: None,
        }],
        None,
    )
    .unwrap();
    take_record_batch(&all, &idx).unwrap()
}

fn split(rows: &[(i64, Option<String>)], cuts: &[usize]) -> Vec<RecordBatch> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (rows.len() + 1)).collect();
    points.push(0);
    points.push(rows.len());
    points.sort_unstable();
    points.dedup();
    points
        .windows(2)
        .map(|w| batch(&rows[w[0]..w[1]]))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn bytes_do_not_depend_on_batching_or_input_order(
        mut ids in prop::collection::btree_set(any::<i64>(), 0..3000).prop_map(|s| s.into_iter().collect::<Vec<_>>()),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
        seed in any::<u64>(),
    ) {
        let rows: Vec<(i64, Option<String>)> = ids
            .iter()
            .map(|i| (*i, (i % 7 != 0).then(|| format!("name-{}", i % 97))))
            .collect();
        let (reference, n) = artifact::encode("t", &schema(), &[sorted(&[batch(&rows)])], &["id"]).unwrap();
        prop_assert_eq!(n, rows.len() as u64);
        // Shuffle the input, cut it into arbitrary batches, sort, encode.
        let mut rng = SplitMix64::new(seed);
        for i in (1..ids.len()).rev() {
            ids.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let shuffled: Vec<(i64, Option<String>)> = ids
            .iter()
            .map(|i| (*i, (i % 7 != 0).then(|| format!("name-{}", i % 97))))
            .collect();
        let (again, _) = artifact::encode("t", &schema(), &[sorted(&split(&shuffled, &cuts))], &["id"]).unwrap();
        prop_assert!(again == reference, "bytes differ");
    }
}

#[test]
fn tables_larger_than_a_batch_round_trip_through_the_store() {
    let params = DemoParams {
        transfers: 3 * BATCH_ROWS + 17,
        seed: 7,
    };
    let transfers = demo::generate(&params).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    let written = artifact::write_table(&store, "transfers", &transfers, &["id"]).unwrap();
    assert_eq!(written.rows, params.transfers as u64);
    let (_, batches) = artifact::read_table(&store, &written.digest).unwrap();
    let back = concat_batches(&transfers.schema(), &batches).unwrap();
    assert_eq!(back, transfers);
}

#[test]
fn created_by_is_pinned_and_no_time_is_embedded() {
    let (bytes, _) =
        artifact::encode("t", &schema(), &[batch(&[(1, Some("a".into()))])], &["id"]).unwrap();
    let reader = parquet::file::reader::SerializedFileReader::new(bytes).unwrap();
    use parquet::file::reader::FileReader;
    let meta = reader.metadata().file_metadata();
    assert_eq!(meta.created_by(), Some(artifact::CREATED_BY));
    let keys: Vec<&str> = meta
        .key_value_metadata()
        .map(|kv| kv.iter().map(|k| k.key.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(keys, vec!["ARROW:schema"]);
}

#[test]
fn unknown_sort_column_is_a_named_error() {
    let err = artifact::encode("t", &schema(), &[batch(&[])], &["nope"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "table t: sort column \"nope\" is not in the schema"
    );
}

#[test]
fn the_demo_is_deterministic_across_thread_counts() {
    let params = DemoParams {
        transfers: 20_000,
        seed: 3,
    };
    let digests: Vec<_> = [1, 2]
        .into_iter()
        .map(|threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(dir.path().to_str().unwrap()).unwrap();
                let signer = verify::keys::SecretKey::from_seed("t", [1; 32]);
                crate::run_job::<Demo>(&store, &signer, 0, &params).summary
            })
        })
        .collect();
    assert_eq!(digests[0], digests[1]);
}

#[test]
fn the_streaming_writer_gives_the_same_bytes_as_encode() {
    let params = DemoParams {
        // Past a row group boundary, so that slices and groups straddle the pieces fed.
        transfers: artifact::ROW_GROUP_ROWS + 2 * BATCH_ROWS + 333,
        seed: 5,
    };
    let transfers = demo::generate(&params).unwrap();
    let (expected, _) = artifact::encode(
        "t",
        &transfers.schema(),
        std::slice::from_ref(&transfers),
        &["id"],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Columns encoded in parallel, all on the calling thread, and on one thread until the
    // piece `switch` and in parallel from there (as the netting run does): the same bytes.
    let pieces = [1, 1000, 5000, 9000, 777, 100_000, 30_000, 3, usize::MAX];
    for (mode, switch) in [("parallel", 0), ("one-thread", usize::MAX), ("switched", 5)] {
        let path = dir.path().join(format!("t-{mode}.parquet"));
        let mut writer =
            artifact::TableWriter::create(&path, "t", &transfers.schema(), &["id"]).unwrap();
        writer.set_parallel(switch == 0);
        // Feed it in uneven pieces.
        let mut offset = 0;
        for (piece, len) in pieces.into_iter().enumerate() {
            if piece == switch {
                writer.set_parallel(true);
            }
            let len = len.min(transfers.num_rows() - offset);
            writer.write(&transfers.slice(offset, len)).unwrap();
            offset += len;
        }
        let file = writer.finish().unwrap();
        assert_eq!(file.rows, transfers.num_rows() as u64);
        let written = std::fs::read(&path).unwrap();
        assert!(written == expected.to_vec(), "bytes differ ({mode})");
        // The digest computed while writing is that of the file's bytes.
        assert_eq!(file.digest, verify::Digest::of(&written));
        assert_eq!(file.bytes, written.len() as u64);
    }
}

/// `test` of each column chunk of the first row group of the Parquet file at `path`, by
/// column name.
fn column_chunks(
    path: &std::path::Path,
    test: impl Fn(&parquet::file::metadata::ColumnChunkMetaData) -> bool,
) -> Vec<(String, bool)> {
    let file = std::fs::File::open(path).unwrap();
    let reader = parquet::file::reader::SerializedFileReader::new(file).unwrap();
    let meta = parquet::file::reader::FileReader::metadata(&reader);
    meta.row_group(0)
        .columns()
        .iter()
        .map(|c| (c.column_path().string(), test(c)))
        .collect()
}

/// Whether each column chunk has a dictionary page.
fn dictionary_pages(path: &std::path::Path) -> Vec<(String, bool)> {
    column_chunks(path, |c| c.dictionary_page_offset().is_some())
}

/// Whether each column chunk has a minimum and a maximum.
fn chunk_min_max(path: &std::path::Path) -> Vec<(String, bool)> {
    column_chunks(path, |c| {
        c.statistics()
            .is_some_and(|s| s.min_bytes_opt().is_some() && s.max_bytes_opt().is_some())
    })
}

/// Writes `rows` to `path` with the streaming writer, sorted by `sort_key`.
fn write_rows(
    path: &std::path::Path,
    rows: &[(i64, Option<String>)],
    sort_key: &[&str],
    distinct: &[&str],
) {
    let mut writer =
        artifact::TableWriter::create_with_distinct(path, "t", &schema(), sort_key, distinct)
            .unwrap();
    writer.write(&batch(rows)).unwrap();
    writer.finish().unwrap();
}

#[test]
fn columns_declared_distinct_are_written_without_a_dictionary() {
    let rows: Vec<(i64, Option<String>)> = (0..3000)
        .map(|i| (i, Some(format!("n{}", i % 7))))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.parquet");
    write_rows(&plain, &rows, &["id"], &["name"]);
    let default = dir.path().join("default.parquet");
    write_rows(&default, &rows, &["id"], &[]);
    assert_eq!(
        dictionary_pages(&plain),
        vec![("id".to_owned(), false), ("name".to_owned(), false)]
    );
    assert_eq!(
        dictionary_pages(&default),
        vec![("id".to_owned(), false), ("name".to_owned(), true)]
    );
    // The rows read back are the same either way.
    let back = |p: &std::path::Path| {
        let bytes = bytes::Bytes::from(std::fs::read(p).unwrap());
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes)
            .unwrap()
            .build()
            .unwrap();
        reader.map(|b| b.unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(back(&plain), back(&default));
    // A column that is not in the schema is an error, not silently ignored.
    let err = artifact::TableWriter::create_with_distinct(
        &dir.path().join("x.parquet"),
        "t",
        &schema(),
        &["id"],
        &["nmae"],
    )
    .unwrap_err();
    assert!(err.to_string().contains("nmae"), "{err}");
}

#[test]
fn text_columns_have_statistics_only_in_the_sort_key() {
    let rows: Vec<(i64, Option<String>)> =
        (0..3000).map(|i| (i, Some(format!("n{:04}", i)))).collect();
    let dir = tempfile::tempdir().unwrap();
    let by_id = dir.path().join("by_id.parquet");
    write_rows(&by_id, &rows, &["id"], &[]);
    let by_name = dir.path().join("by_name.parquet");
    write_rows(&by_name, &rows, &["name"], &[]);
    assert_eq!(
        chunk_min_max(&by_id),
        vec![("id".to_owned(), true), ("name".to_owned(), false)]
    );
    assert_eq!(
        chunk_min_max(&by_name),
        vec![("id".to_owned(), true), ("name".to_owned(), true)]
    );
}
