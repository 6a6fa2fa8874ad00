use std::io::Write;

use anyhow::{Context, Result};

use super::ExitStatus;
use crate::cli::CanonArgs;

/// Prints the exact RFC 8785 bytes (no trailing newline), so `mez canon f | sha256sum`
/// gives the canonical digest.
pub fn canon(args: CanonArgs) -> Result<ExitStatus> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let bytes = verify::canon::canonicalize_text(&args.file.display().to_string(), &text)?;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitStatus::Success),
    }
}
