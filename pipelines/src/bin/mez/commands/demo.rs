//! `mez demo`: the README's main job on generated data, the whole story — a demo key, a
//! small generated table, a generated day of pacs.008 payments netted into signed
//! artifacts; then, for every zone of `jurisdictions/`, generated sources built by the
//! nightly into regpacks, lawpacks and licensepacks with their stack.lock, each zone's firms
//! screened against its regpack, the payments' parties screened too, each zone's compliance
//! tensor evaluated; and a full verification of the store.

use anyhow::Result;
use pipelines::artifact::RunSummary;
use pipelines::generators::pacs008::{self as gen_pacs008, GenParams};
use pipelines::jobs::demo::{Demo, DemoParams};
use pipelines::jobs::netting::{Netting, NettingParams};
use pipelines::jobs::screening::{ListSource, QuerySource, ScreenParams, Screening, Thresholds};
use pipelines::jobs::{self, Context};
use verify::audit::{AuditOptions, audit};
use verify::clock::SystemClock;
use verify::digest::Digest;
use verify::keys::{SecretKey, TrustSet};

use super::{ExitStatus, note, out_json, progress};
use crate::cli::DemoArgs;
use crate::settings::{Settings, demo_key_prefix};

pub fn demo(settings: &Settings, args: DemoArgs) -> Result<ExitStatus> {
    let store = settings.open_store()?;
    let signer = match &settings.key_path {
        Some(_) => settings.signing_key()?,
        None => {
            let prefix = demo_key_prefix(&store);
            let key_file = prefix.with_extension("key");
            if key_file.exists() {
                SecretKey::read(&key_file)?
            } else {
                let key = SecretKey::generate("mez-demo")?;
                let (k, p) = key.write_pair(&prefix)?;
                note(
                    settings,
                    &format!("created demo key {} and {}", k.display(), p.display()),
                );
                key
            }
        }
    };
    let trust = TrustSet::new([signer.public()]);
    let reporter = progress::reporter(settings);
    let ctx = Context {
        store: &store,
        signer: &signer,
        trust: &trust,
        clock: &SystemClock,
        reporter: reporter.as_ref(),
    };
    let mut runs = Vec::new();
    if args.transfers > 0 {
        let params = DemoParams {
            transfers: args.transfers,
            seed: args.seed,
        };
        runs.push(jobs::run::<Demo>(&ctx, &params)?.summary);
    }
    if args.transactions > 0 {
        // The generated day lives beside a local store (outside its object prefixes), else in
        // a temporary directory.
        let scratch = tempfile::tempdir()?;
        let input = match store.local_root() {
            Some(root) => root
                .join("demo-input")
                .join(format!("pacs008-seed-{}", args.seed)),
            None => scratch.path().to_owned(),
        };
        let generated = gen_pacs008::generate(
            &input,
            &GenParams {
                transactions: args.transactions,
                banks: 8,
                currencies: vec!["EUR".into(), "USD".into(), "JPY".into()],
                files: 8,
                singles: 16,
                duplicates: 6,
                conflicts: 2,
                invalid: 4,
                seed: args.seed,
                value_date: "2026-11-23".into(),
            },
        )?;
        note(
            settings,
            &format!(
                "generated {} pacs.008 files ({} transactions) in {}",
                generated.files.len(),
                generated.transactions,
                input.display()
            ),
        );
        let found = jobs::expand_inputs(&[input], &jobs::PACS008_SUFFIXES)?;
        let params = NettingParams {
            inputs: found.files.clone(),
            config: Default::default(),
            chain: "demo".into(),
        };
        runs.push(jobs::run::<Netting>(&ctx, &params)?.summary);
    }
    if !args.no_zones && args.jurisdictions.is_dir() {
        let scratch = tempfile::tempdir()?;
        let root = match store.local_root() {
            Some(root) => root.join("demo-input"),
            None => scratch.path().to_owned(),
        };
        runs.extend(zones_story(settings, &ctx, &args, &root)?);
    } else if !args.no_zones {
        note(
            settings,
            &format!(
                "no zones at {}: skipping nightly, screening and tensor",
                args.jurisdictions.display()
            ),
        );
    }
    for summary in &runs {
        note(
            settings,
            &format!(
                "{}: manifest {}, receipt {} on chain {}",
                summary.job, summary.manifest, summary.receipt_sequence, summary.chain
            ),
        );
        for (name, table) in &summary.tables {
            note(
                settings,
                &format!("  {name:14} {:>8} rows  {}", table.rows, table.digest),
            );
        }
    }
    if args.no_verify {
        if settings.json {
            out_json(&serde_json::json!({ "runs": runs }))?;
        }
        return Ok(ExitStatus::Success);
    }
    let report = audit(&store, &trust, &AuditOptions::default())?;
    if settings.json {
        out_json(&serde_json::json!({ "runs": runs, "verify": report }))?;
    } else {
        super::verify::print_report(settings, &report)?;
    }
    Ok(if report.ok() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Nightly packs, screening and the tensor for every zone, on generated sources under `root`.
fn zones_story(
    settings: &Settings,
    ctx: &Context<'_>,
    args: &DemoArgs,
    root: &std::path::Path,
) -> Result<Vec<RunSummary>> {
    use pipelines::jobs::nightly::{self, NightlyParams};
    use pipelines::jobs::tensor::{Tensor, TensorParams};
    use verify::clock::Clock;

    let store = ctx.store;
    // The zones are copied beside the store, so that their stack.lock files land there.
    let zones_dir = root.join("zones");
    for z in pipelines::zone::load_all(&args.jurisdictions)? {
        let dir = zones_dir.join(&z.zone.zone_id);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("zone.yaml"), &z.bytes)?;
    }
    let sources = root.join("sources");
    let generated =
        pipelines::generators::zone::generate(&zones_dir, &sources, args.seed, args.entities)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    note(
        settings,
        &format!(
            "generated sources for {} zones ({} files) in {}",
            generated.zones,
            generated.files.len(),
            sources.display()
        ),
    );
    let today = SystemClock.now().unix_seconds().div_euclid(86_400);
    let report = nightly::run(
        ctx,
        &NightlyParams {
            jurisdictions: zones_dir.clone(),
            sources: sources.clone(),
            as_of: verify::clock::Timestamp::from_unix(today * 86_400),
            locked: false,
            lists_from: None,
        },
    )?;
    for p in &report.packs {
        note(
            settings,
            &format!("nightly: {:12} {:12} {}", p.zone, p.kind, p.status),
        );
    }
    let mut runs = Vec::new();
    for z in pipelines::zone::load_all(&zones_dir)? {
        let id = &z.zone.zone_id;
        let Some(regpack) = store.get_ref(&format!("zones/{id}/regpack"))? else {
            continue;
        };
        let entities = sources.join("entities").join(format!("{id}.csv"));
        let queries = QuerySource::Names {
            path: entities.clone(),
            name_column: "name".into(),
        };
        let screened = screen(ctx, settings, regpack, queries, id, "firms")?;
        let licences = sources.join("licences").join(format!("{id}.csv"));
        let tensor = jobs::run::<Tensor>(
            ctx,
            &TensorParams {
                zone: z.path.clone(),
                entities,
                attestations: Some(sources.join("attestations").join(format!("{id}.csv"))),
                licences: licences.is_file().then_some(licences),
                screening: Some(screened.manifest),
                as_of: i32::try_from(today)?,
                screening_max_age_days: pipelines::jobs::tensor::run::SCREENING_MAX_AGE_DAYS,
            },
        )?
        .summary;
        runs.push(screened);
        runs.push(tensor);
    }
    // The day's payment parties, against the first zone's regpack.
    if let (Some(payments), Some(regpack)) = (
        store.get_ref("runs/netting/latest")?,
        store.get_ref("zones/ae-adgm/regpack")?,
    ) {
        let queries = QuerySource::Payments(payments);
        runs.push(screen(
            ctx,
            settings,
            regpack,
            queries,
            "payment parties",
            "names",
        )?);
    }
    Ok(runs)
}

/// Screens `queries` against `regpack` with the default thresholds and says what it found,
/// as "screening <label>: <n> <queried>, <hits> hits, <reviews> to review".
fn screen(
    ctx: &Context<'_>,
    settings: &Settings,
    regpack: Digest,
    queries: QuerySource,
    label: &str,
    queried: &str,
) -> Result<RunSummary> {
    let params = ScreenParams {
        lists: ListSource::Regpack(regpack),
        queries,
        thresholds: Thresholds::default(),
    };
    let finished = jobs::run::<Screening>(ctx, &params)?;
    let counts = finished.extra;
    note(
        settings,
        &format!(
            "screening {label}: {} {queried}, {} hits, {} to review",
            counts.queries, counts.hits, counts.reviews
        ),
    );
    Ok(finished.summary)
}
