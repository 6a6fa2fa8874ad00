//! `mez export`: any Parquet artifact, by digest, as CSV, JSON lines or Parquet.
//!
//! CSV has no nested values: a list, struct or map column is written as one cell per row
//! holding the value as compact JSON (`["a","b"]`), the same JSON the `jsonl` export writes
//! for it, so that every table of every job exports in every format.

use std::io::Write;
use std::sync::Arc;

use anyhow::{Context, Result};
use arrow::array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use pipelines::artifact;
use verify::Digest;

use super::ExitStatus;
use crate::cli::{ExportArgs, ExportFormat};
use crate::settings::Settings;

pub fn export(settings: &Settings, args: ExportArgs) -> Result<ExitStatus> {
    let digest: Digest = if args.digest.starts_with(Digest::PREFIX) {
        args.digest.parse()?
    } else {
        Digest::from_hex(&args.digest)?
    };
    let trust = settings.reader_trust(&args.trusted_keys)?;
    let store = settings.open_existing_store()?;
    // Read only what a trusted signer's run names.
    pipelines::artifact::publish::vouched(&store, &trust, &digest)?;
    let mut sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    // Each batch is encoded into memory and then written, so that write errors (a closed
    // pipe) surface as plain I/O errors rather than inside the encoders' own error types.
    let result = match args.format {
        ExportFormat::Parquet => {
            let bytes = store.get_blob(&digest)?;
            sink.write_all(&bytes)
        }
        ExportFormat::Csv => {
            let (schema, mut batches) = artifact::read_table(&store, &digest)?;
            if batches.is_empty() {
                // An empty table still has its header.
                batches.push(RecordBatch::new_empty(schema));
            }
            let mut result = Ok(());
            for (i, batch) in batches.iter().enumerate() {
                let mut buffer = Vec::new();
                arrow::csv::WriterBuilder::new()
                    .with_header(i == 0)
                    .build(&mut buffer)
                    .write(&nested_as_json(batch)?)?;
                result = sink.write_all(&buffer);
                if result.is_err() {
                    break;
                }
            }
            result
        }
        ExportFormat::Jsonl => {
            let (_, batches) = artifact::read_table(&store, &digest)?;
            let mut result = Ok(());
            for batch in &batches {
                let mut buffer = Vec::new();
                let mut writer = arrow::json::LineDelimitedWriter::new(&mut buffer);
                writer.write(batch)?;
                writer.finish()?;
                result = sink.write_all(&buffer);
                if result.is_err() {
                    break;
                }
            }
            result
        }
    };
    match result.and_then(|()| sink.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitStatus::Success),
        Err(e) => Err(anyhow::Error::from(e).context(format!("cannot export {digest}"))),
        Ok(()) => Ok(ExitStatus::Success),
    }
}

/// `batch` with every nested column (list, struct, map) replaced by a text column of the
/// same name holding each value as compact JSON (null stays null).
fn nested_as_json(batch: &RecordBatch) -> Result<RecordBatch> {
    if !batch.columns().iter().any(|c| c.data_type().is_nested()) {
        return Ok(batch.clone());
    }
    let schema = batch.schema();
    let mut fields = Vec::with_capacity(schema.fields().len());
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        if column.data_type().is_nested() {
            fields.push(Field::new(field.name(), DataType::Utf8, true));
            columns.push(json_cells(field, column)?);
        } else {
            fields.push(field.as_ref().clone());
            columns.push(column.clone());
        }
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// Each value of `column` as compact JSON, encoded by arrow's own JSON writer (one object
/// per row, the value under the column's name) so that CSV and JSON lines agree.
fn json_cells(field: &Field, column: &ArrayRef) -> Result<ArrayRef> {
    let one = RecordBatch::try_new(
        Arc::new(Schema::new(vec![field.clone().with_nullable(true)])),
        vec![column.clone()],
    )?;
    let mut lines = Vec::new();
    let mut writer = arrow::json::LineDelimitedWriter::new(&mut lines);
    writer.write(&one)?;
    writer.finish()?;
    // Each line is `{"<name>":<value>}`, or `{}` for a null: the value is cut out as the
    // writer wrote it (key order of structs kept).
    let prefix = format!("{{{}:", serde_json::to_string(field.name())?);
    let mut cells: Vec<Option<String>> = Vec::with_capacity(column.len());
    for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let line = std::str::from_utf8(line)?;
        cells.push(if line == "{}" {
            None
        } else {
            let value = line
                .strip_prefix(prefix.as_str())
                .and_then(|rest| rest.strip_suffix('}'))
                .with_context(|| format!("column {}: unexpected JSON {line:?}", field.name()))?;
            Some(value.to_owned())
        });
    }
    anyhow::ensure!(
        cells.len() == column.len(),
        "column {}: {} JSON values for {} rows",
        field.name(),
        cells.len(),
        column.len()
    );
    Ok(Arc::new(StringArray::from(cells)))
}
