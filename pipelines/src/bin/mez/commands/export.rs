//! `mez export`: any Parquet artifact, by digest, as CSV, JSON lines or Parquet.

use std::io::Write;

use anyhow::{Context, Result};
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
            let (_, batches) = artifact::read_table(&store, &digest)?;
            let mut result = Ok(());
            for (i, batch) in batches.iter().enumerate() {
                let mut buffer = Vec::new();
                arrow::csv::WriterBuilder::new()
                    .with_header(i == 0)
                    .build(&mut buffer)
                    .write(batch)?;
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
