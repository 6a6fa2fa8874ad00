//! One function per command. Each returns an [`ExitStatus`]; errors that stop a command
//! from running bubble up as `anyhow::Error` and become exit code 2.

use std::io::Write;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::settings::Settings;

mod attest;
mod canon;
mod demo;
mod export;
mod gen_cmd;
mod keygen;
mod lawpack;
mod lists;
mod log;
mod netting;
mod nightly;
mod progress;
mod publish;
mod regpack;
mod report;
mod screen;
mod sql;
mod store;
mod tensor;
mod verify;

/// The exit-code contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: everything ran and verified.
    Success,
    /// 1: ran, and found a failure.
    Failure,
    /// 2: could not run.
    Error,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        })
    }
}

pub fn run(cli: Cli) -> Result<ExitStatus> {
    let settings = Settings::resolve(cli.global);
    match cli.command {
        Command::Keygen(args) => keygen::keygen(&settings, args),
        Command::Verify(args) => verify::verify(&settings, args),
        Command::Log(args) => log::log(&settings, args),
        Command::Canon(args) => canon::canon(args),
        Command::Export(args) => export::export(&settings, args),
        Command::Demo(args) => demo::demo(&settings, args),
        Command::Gen(args) => gen_cmd::generate(&settings, args),
        Command::Netting(args) => netting::netting(&settings, args),
        Command::Sql(args) => sql::sql(&settings, args),
        Command::Lawpack(args) => lawpack::lawpack(&settings, args),
        Command::Regpack(args) => regpack::regpack(&settings, args),
        Command::Lists(args) => lists::lists(&settings, args),
        Command::Screen(args) => screen::screen(&settings, args),
        Command::Nightly(args) => nightly::nightly(&settings, args),
        Command::Lock(args) => nightly::lock(&settings, args),
        Command::Tensor(args) => tensor::tensor(&settings, args),
        Command::Publish(args) => publish::publish(&settings, args),
        Command::Store(args) => store::store(&settings, args),
        Command::Report(args) => report::report(&settings, args),
        Command::Attest(args) => attest::attest(&settings, args),
    }
}

/// A plan digest as `--plan` gives it.
pub(crate) fn plan_digest(text: &str) -> Result<::verify::Digest> {
    use anyhow::Context as _;
    text.parse()
        .with_context(|| format!("--plan {text:?} is not sha256:<hex>"))
}

/// What a map unit prints: its partial's digest.
pub(crate) fn print_partial(
    settings: &Settings,
    shard: usize,
    partial: &::verify::Digest,
) -> Result<ExitStatus> {
    if settings.json {
        out_json(&serde_json::json!({ "shard": shard, "partial": partial }))?;
    } else {
        out(&partial.to_string())?;
    }
    Ok(ExitStatus::Success)
}

/// The exit status of a merge that failed: 1, naming the shard, when a partial is missing
/// or damaged (its map unit must run again: the run found a failure); any other error
/// stops the command (exit 2).
pub(crate) fn shard_failure(error: pipelines::jobs::JobError) -> Result<ExitStatus> {
    use pipelines::jobs::{JobError, shards::ShardError};
    match error {
        JobError::Shard(e @ (ShardError::Missing { .. } | ShardError::Corrupt { .. })) => {
            eprintln!("mez: {e}");
            Ok(ExitStatus::Failure)
        }
        e => Err(e.into()),
    }
}

/// What a job command opens before it runs its job: the store, the signing key, the
/// trusted keys (the signer's own among them) and the progress reporter.
pub(crate) struct JobSetup {
    pub store: ::verify::store::Store,
    signer: ::verify::keys::SecretKey,
    trust: ::verify::keys::TrustSet,
    reporter: Box<dyn pipelines::report::Reporter>,
}

impl JobSetup {
    /// Opens what a job needs; `trusted_keys` are public-key files (`--trusted-key`).
    pub fn open(settings: &Settings, trusted_keys: &[std::path::PathBuf]) -> Result<Self> {
        let signer = settings.signing_key()?;
        let trust = Settings::trust(trusted_keys)?;
        let store = settings.open_store()?;
        Ok(JobSetup {
            store,
            signer,
            trust,
            reporter: progress::reporter(settings),
        })
    }

    /// The jobs' context, on the system clock: the binary is the only place that reads it.
    pub fn context(&self) -> pipelines::jobs::Context<'_> {
        pipelines::jobs::Context {
            store: &self.store,
            signer: &self.signer,
            trust: &self.trust,
            clock: &::verify::clock::SystemClock,
            reporter: self.reporter.as_ref(),
        }
    }
}

/// A manifest digest given as `sha256:<hex>`, bare hex, or a ref name in the store.
pub(crate) fn manifest_digest(
    store: &::verify::store::Store,
    text: &str,
) -> Result<::verify::Digest> {
    use anyhow::Context;
    if text.starts_with(::verify::Digest::PREFIX) {
        return Ok(text.parse()?);
    }
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(::verify::Digest::from_hex(text)?);
    }
    store
        .get_ref(text)?
        .with_context(|| format!("{text:?} is neither a digest nor a ref in the store"))
}

/// A date option (YYYY-MM-DD) as days since 1970-01-01; today (UTC) when absent, which
/// the caller says (results then change from one day to the next).
pub(crate) fn date_or_today(text: Option<&str>) -> Result<i32> {
    use ::verify::clock::Clock;
    match text {
        Some(t) => ingest::pacs008::parse_date(t)
            .ok_or_else(|| anyhow::anyhow!("{t:?} is not a YYYY-MM-DD date")),
        None => Ok(i32::try_from(
            ::verify::clock::SystemClock
                .now()
                .unix_seconds()
                .div_euclid(86_400),
        )?),
    }
}

/// Writes a line to stdout; a closed pipe is not an error worth a panic.
pub(crate) fn out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Human chatter on stderr, unless `--quiet`.
pub(crate) fn note(settings: &Settings, text: &str) {
    if !settings.quiet {
        eprintln!("{text}");
    }
}

/// Pretty JSON on stdout.
pub(crate) fn out_json(value: &impl serde::Serialize) -> Result<()> {
    out(&serde_json::to_string_pretty(value)?)
}

/// Prints a run's summary: JSON with `--json`, else one line per table on stdout and the
/// manifest, receipt and quarantine count on stderr. `set_aside` names what a quarantine
/// row is (records, documents, entries).
pub(crate) fn print_run(
    settings: &Settings,
    summary: &pipelines::artifact::RunSummary,
    set_aside: &str,
) -> Result<()> {
    if settings.json {
        return out_json(summary);
    }
    note(
        settings,
        &format!(
            "{}: manifest {} (receipt {} on chain {})",
            summary.job, summary.manifest, summary.receipt_sequence, summary.chain
        ),
    );
    for (name, t) in &summary.tables {
        out(&format!("{name:14} {:>10} rows  {}", t.rows, t.digest))?;
    }
    if summary.quarantined > 0 {
        note(
            settings,
            &format!(
                "{} {set_aside} quarantined (see the quarantine table)",
                summary.quarantined
            ),
        );
    }
    Ok(())
}
