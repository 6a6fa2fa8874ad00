use anyhow::{Context, Result, bail};
use pipelines::jobs::screening::eval::{self as screening_eval, EvalParams, EvalReport};
use pipelines::jobs::screening::pairs::{BUILTIN_PAIRS, parse_pairs};
use pipelines::jobs::screening::shard as screening_shard;
use pipelines::jobs::screening::{ListSource, QuerySource, ScreenParams, Screening, Thresholds};
use pipelines::jobs::{self, screening::run::load_lists};
use verify::store::Store;

use super::{ExitStatus, JobSetup, manifest_digest, note, out, out_json};
use crate::cli::{ListsArgs, ScreenArgs, ScreenCommand, ScreenEvalArgs, ThresholdArgs};
use crate::settings::Settings;

pub fn screen(settings: &Settings, args: ScreenArgs) -> Result<ExitStatus> {
    match args.command {
        Some(ScreenCommand::Eval(eval)) => evaluate(settings, eval),
        Some(ScreenCommand::Plan(args)) => plan(settings, args),
        Some(ScreenCommand::Map(args)) => map(settings, args),
        Some(ScreenCommand::Merge(args)) => merge(settings, args),
        None => run(settings, args.run),
    }
}

fn thresholds(args: &ThresholdArgs) -> Result<Thresholds> {
    if args.threshold > 10_000 || args.hit_threshold > 10_000 {
        bail!("thresholds are basis points, 0 to 10000");
    }
    if args.hit_threshold < args.threshold {
        bail!(
            "--hit-threshold {} is below --threshold {}",
            args.hit_threshold,
            args.threshold
        );
    }
    Ok(Thresholds {
        review_bp: args.threshold,
        hit_bp: args.hit_threshold,
    })
}

fn list_source(store: &Store, args: &ListsArgs) -> Result<ListSource> {
    match (&args.regpack, args.lists.is_empty()) {
        (Some(r), _) => Ok(ListSource::Regpack(manifest_digest(store, r)?)),
        (None, false) => Ok(ListSource::Files {
            paths: args.lists.clone(),
            allow_missing_siblings: args.allow_missing_siblings,
        }),
        (None, true) => bail!("give the lists: --regpack DIGEST or --lists FILE..."),
    }
}

/// The names the flags name.
fn query_source(store: &Store, args: &crate::cli::QueryArgs) -> Result<QuerySource> {
    match (&args.names, &args.payments) {
        (Some(path), None) => Ok(QuerySource::Names {
            path: path.clone(),
            name_column: args.name_column.clone(),
        }),
        (None, Some(p)) => Ok(QuerySource::Payments(manifest_digest(store, p)?)),
        _ => bail!("give the names: --names FILE or --payments DIGEST"),
    }
}

fn run(settings: &Settings, args: crate::cli::ScreenRunArgs) -> Result<ExitStatus> {
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let store = &setup.store;
    let queries = query_source(store, &args.queries)?;
    let params = ScreenParams {
        lists: list_source(store, &args.lists)?,
        queries,
        thresholds: thresholds(&args.thresholds)?,
    };
    let finished = jobs::run::<Screening>(&setup.context(), &params)?;
    print_screening(settings, finished)
}

/// What a screening run (or merge) prints: its summary and what it found.
fn print_screening(
    settings: &Settings,
    finished: jobs::Finished<pipelines::jobs::screening::ScreenCounts>,
) -> Result<ExitStatus> {
    let (summary, counts) = (finished.summary, finished.extra);
    super::print_run(settings, &summary, "query rows")?;
    note(
        settings,
        &format!(
            "{} names screened: {} hits, {} to review, {} names with any match",
            counts.queries, counts.hits, counts.reviews, counts.queries_with_matches
        ),
    );
    Ok(ExitStatus::Success)
}

fn plan(settings: &Settings, args: crate::cli::ScreenPlanArgs) -> Result<ExitStatus> {
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let store = &setup.store;
    let queries = query_source(store, &args.queries)?;
    let regpack = manifest_digest(store, &args.regpack)?;
    let (digest, plan) = screening_shard::plan(
        &setup.context(),
        &regpack,
        &queries,
        thresholds(&args.thresholds)?,
        args.shards,
    )?;
    let shards = match &plan.queries {
        screening_shard::PlanQueries::Names { ranges, .. } => ranges.len(),
        screening_shard::PlanQueries::Payments { ranges, .. } => ranges.len(),
    };
    if settings.json {
        out_json(&serde_json::json!({ "plan": digest, "shards": shards, "units": shards }))?;
    } else {
        note(
            settings,
            &format!(
                "{shards} ranges; run `mez screen map --plan {digest} --shard I` for I in \
                 0..{shards}, then `mez screen merge --plan {digest}`"
            ),
        );
        out(&digest.to_string())?;
    }
    Ok(ExitStatus::Success)
}

fn map(settings: &Settings, args: crate::cli::ShardMapArgs) -> Result<ExitStatus> {
    let digest = super::plan_digest(&args.plan)?;
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let partial = screening_shard::map(
        &setup.store,
        &setup.context().readers(),
        &digest,
        args.shard,
    )?;
    if settings.json {
        out_json(&serde_json::json!({ "shard": args.shard, "partial": partial }))?;
    } else {
        out(&partial.to_string())?;
    }
    Ok(ExitStatus::Success)
}

fn merge(settings: &Settings, args: crate::cli::ShardMergeArgs) -> Result<ExitStatus> {
    let digest = super::plan_digest(&args.plan)?;
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let finished = match jobs::run::<screening_shard::ScreeningMerge>(&setup.context(), &digest) {
        Ok(finished) => finished,
        Err(e) => return super::shard_failure(e),
    };
    print_screening(settings, finished)
}

fn evaluate(settings: &Settings, args: ScreenEvalArgs) -> Result<ExitStatus> {
    // A published regpack is read from an existing store; list files need no store at all.
    let store = if args.lists.regpack.is_some() {
        settings.open_existing_store()?
    } else {
        settings.open_store()?
    };
    let source = list_source(&store, &args.lists)?;
    // A published regpack is read only when a trusted key signed it; list files need none.
    let trust = match &source {
        ListSource::Regpack(_) => settings.reader_trust(&args.trusted_keys)?,
        ListSource::Files { .. } => verify::keys::TrustSet::default(),
    };
    let lists = load_lists(&store, &trust, &source)?;
    let pairs = match (&args.pairs, args.no_pairs) {
        (_, true) => vec![],
        (Some(path), false) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the pair set {}", path.display()))?;
            parse_pairs(&text).with_context(|| path.display().to_string())?
        }
        (None, false) => parse_pairs(BUILTIN_PAIRS)?,
    };
    let params = EvalParams {
        positives: args.positives,
        negatives: args.negatives,
        seed: args.seed,
        brute_force_sample: args.brute_force_sample,
        thresholds: thresholds(&args.thresholds)?,
        pairs,
    };
    if let Some(path) = &args.dump_queries {
        dump_queries(&lists.index, &params, path)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let report = screening_eval::evaluate(&lists.index, &params);
    if settings.json {
        out_json(&report)?;
    } else {
        print_report(&report)?;
    }
    Ok(ExitStatus::Success)
}

/// The generated labelled queries as CSV.
fn dump_queries(
    index: &pipelines::jobs::screening::ListIndex,
    params: &EvalParams,
    path: &std::path::Path,
) -> Result<()> {
    let (queries, _) = screening_eval::labelled_queries(index, params);
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["id", "category", "name", "target"])?;
    for q in &queries {
        let target = q.target.map_or(String::new(), |e| {
            let e = &index.entries[e as usize];
            format!("{}:{}", e.list, e.source_uid)
        });
        w.write_record([q.query.id.as_str(), q.category, &q.query.name, &target])?;
    }
    w.flush()?;
    Ok(())
}

fn pct(bp: u32) -> String {
    format!("{}.{:02} %", bp / 100, bp % 100)
}

fn print_report(r: &EvalReport) -> Result<()> {
    out(&format!(
        "lists: {} entries, {} names; {} positives, {} negatives ({} generated negatives skipped: on the list)",
        r.entries, r.names, r.positives, r.negatives, r.skipped_negatives_on_list
    ))?;
    for (label, line, c) in [
        ("review", r.review_bp, &r.at_review),
        ("hit", r.hit_bp, &r.at_hit),
    ] {
        out(&format!(
            "at {label} ({line} bp): precision {}  recall {}  F1 {}  (tp {} fn {} fp {} tn {})",
            pct(c.precision_bp),
            pct(c.recall_bp),
            pct(c.f1_bp),
            c.true_positives,
            c.false_negatives,
            c.false_positives,
            c.true_negatives
        ))?;
    }
    out("category              queries  correct")?;
    for c in &r.categories {
        out(&format!(
            "{:20} {:8} {:8}",
            c.category, c.queries, c.correct
        ))?;
    }
    let b = &r.blocking;
    out(&format!(
        "blocked search: {} of {} brute-force matches on {} queries, recall {}; {} names scored per query (brute force: {})",
        b.blocked_pairs,
        b.brute_force_pairs,
        b.queries,
        pct(b.recall_bp),
        b.blocked_scored_mean,
        b.brute_force_scored
    ))?;
    let p = &r.pairs;
    if p.pairs > 0 {
        out(&format!(
            "labelled pairs: {}; at review: precision {}  recall {}  F1 {}; at hit: F1 {}",
            p.pairs,
            pct(p.at_review.precision_bp),
            pct(p.at_review.recall_bp),
            pct(p.at_review.f1_bp),
            pct(p.at_hit.f1_bp)
        ))?;
        out(
            "class            same  diff   precision    recall        F1   (at review; F1 at hit)",
        )?;
        for c in &p.classes {
            out(&format!(
                "{:15} {:5} {:5} {:>11} {:>9} {:>9}   {}",
                c.class,
                c.same_pairs,
                c.different_pairs,
                pct(c.at_review.precision_bp),
                pct(c.at_review.recall_bp),
                pct(c.at_review.f1_bp),
                pct(c.at_hit.f1_bp)
            ))?;
        }
    }
    for e in r.examples.iter().chain(&p.examples) {
        out(&format!("  {e}"))?;
    }
    Ok(())
}
