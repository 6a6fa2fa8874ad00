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
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            eprintln!("mez: error: {err:#}");
            commands::ExitStatus::Error.into()
        }
    }
}
