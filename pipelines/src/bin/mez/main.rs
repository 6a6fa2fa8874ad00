//! The `mez` binary: parse → resolve settings → run one command → exit code.
//!
//! Exit codes: 0 success; 1 the command ran and found something wrong (a failed
//! verification, an invalid proof); 2 the command could not run (bad input, missing file,
//! unreachable store).

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod commands;
mod settings;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            eprintln!("mez: error: {err:#}");
            commands::ExitStatus::Error.into()
        }
    };
    record_peak_memory();
    code
}

/// With `MEZ_PEAK_RSS_FILE` set, writes the process's peak resident memory (Linux
/// `VmHWM`, e.g. `123456 kB`) to that file on the way out: how the tests of hostile
/// inputs hold `mez` to its memory bound without a profiler.
fn record_peak_memory() {
    let Some(path) = std::env::var_os("MEZ_PEAK_RSS_FILE") else {
        return;
    };
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown".into());
    if let Err(e) = std::fs::write(&path, format!("{peak}\n")) {
        eprintln!(
            "mez: cannot write {}: {e}",
            std::path::Path::new(&path).display()
        );
    }
}
