use anyhow::{Context, Result};
use pipelines::jobs::{self, lists, lists::Fetch, lists::Source};

use super::{ExitStatus, JobSetup, note, out, out_json};
use crate::cli::{ListsCommand, ListsFetchArgs};
use crate::settings::Settings;

pub fn lists(settings: &Settings, command: ListsCommand) -> Result<ExitStatus> {
    match command {
        ListsCommand::Fetch(args) => fetch_lists(settings, args),
    }
}

/// Exit 0 when every source was fetched, 1 when some failed (the rest are stored and signed).
fn fetch_lists(settings: &Settings, args: ListsFetchArgs) -> Result<ExitStatus> {
    let sources = if args.sources.is_empty() {
        lists::official_sources()
    } else {
        args.sources
            .iter()
            .map(|s| {
                let (name, url) = s
                    .split_once('=')
                    .with_context(|| format!("--source {s:?} is not NAME=URL"))?;
                let media_type = if name.ends_with(".csv") {
                    "text/csv"
                } else {
                    "application/xml"
                };
                Ok(Source {
                    name: name.to_owned(),
                    url: url.to_owned(),
                    media_type: media_type.to_owned(),
                })
            })
            .collect::<Result<Vec<_>>>()?
    };
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let fetched = jobs::run::<Fetch>(&setup.context(), &sources)?;
    if settings.json {
        out_json(&serde_json::json!({ "run": fetched.summary, "failed": fetched.extra }))?;
    } else {
        for (name, t) in &fetched.summary.tables {
            out(&format!("{name:24} {:>10} bytes  {}", t.bytes, t.digest))?;
        }
        for (name, url, reason) in &fetched.extra {
            note(settings, &format!("FAILED {name} ({url}): {reason}"));
        }
    }
    Ok(if fetched.extra.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
