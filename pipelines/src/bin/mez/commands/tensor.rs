use anyhow::{Result, bail};
use pipelines::jobs::{
    self, tensor::Tensor, tensor::TensorParams, tensor::prove::prove as prove_cell,
};
use pipelines::zone::DOMAINS;

use super::{ExitStatus, JobSetup, date_or_today, manifest_digest, note, out, out_json};
use crate::cli::{TensorCommand, TensorEvalArgs, TensorLeafArgs, TensorProveArgs};
use crate::settings::Settings;

pub fn tensor(settings: &Settings, command: TensorCommand) -> Result<ExitStatus> {
    match command {
        TensorCommand::Eval(args) => eval(settings, args),
        TensorCommand::Prove(args) => prove(settings, args),
        TensorCommand::Leaf(args) => leaf(settings, args),
    }
}

fn eval(settings: &Settings, args: TensorEvalArgs) -> Result<ExitStatus> {
    let as_of = date_or_today(args.as_of.as_deref())?;
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let screening = match &args.screening {
        Some(s) => Some(manifest_digest(&setup.store, s)?),
        None => {
            // The zone's own screening, never `runs/screening/latest` (anyone's latest).
            let zone = pipelines::zone::load(&args.zone)?;
            let own = format!("runs/screening/{}/latest", zone.zone.zone_id);
            setup.store.get_ref(&own)?
        }
    };
    let params = TensorParams {
        zone: args.zone,
        entities: args.entities,
        attestations: args.attestations,
        licences: args.licences,
        screening,
        as_of,
        screening_max_age_days: args.screening_max_age_days,
    };
    let finished = jobs::run::<Tensor>(&setup.context(), &params)?;
    note(
        settings,
        &format!(
            "as of {}{}",
            pipelines::jobs::tensor::run::iso_date(as_of),
            if args.as_of.is_none() {
                " (today by the clock: pass --as-of to make the run reproducible)"
            } else {
                ""
            }
        ),
    );
    let (summary, counts) = (finished.summary, finished.extra);
    super::print_run(settings, &summary, "rows")?;
    if !settings.json {
        let mut line = String::new();
        let mut last = None;
        for ((d, state), n) in &counts {
            if last != Some(*d) {
                if !line.is_empty() {
                    note(settings, &line);
                }
                line = format!("{:20}", DOMAINS[usize::from(*d)]);
                last = Some(*d);
            }
            line.push_str(&format!(" {}={n}", state.as_str()));
        }
        if !line.is_empty() {
            note(settings, &line);
        }
    }
    Ok(ExitStatus::Success)
}

fn prove(settings: &Settings, args: TensorProveArgs) -> Result<ExitStatus> {
    let store = settings.open_existing_store()?;
    let run = match (&args.run, &args.zone) {
        (Some(r), _) => r.clone(),
        (None, Some(z)) => format!("runs/tensor-{z}/latest"),
        (None, None) => bail!("give --run DIGEST or --zone ZONE_ID"),
    };
    let manifest = manifest_digest(&store, &run)?;
    let trust = settings.reader_trust(&args.trusted_keys)?;
    let proof = prove_cell(&store, &trust, &manifest, &args.entity, &args.domain)?;
    if settings.json {
        out_json(&proof)?;
    } else {
        out(&format!(
            "{} {} {} as of {}: {}",
            proof.entity_id, proof.jurisdiction_id, proof.domain, proof.as_of, proof.state
        ))?;
        out(&format!("leaf bytes {}", proof.leaf_bytes))?;
        let mut cmd = format!(
            "mez log verify-inclusion --size {} --index {} --leaf-hash {} --root {}",
            proof.size, proof.index, proof.leaf_hash, proof.root
        );
        for p in &proof.proof {
            cmd.push_str(&format!(" --proof {p}"));
        }
        out(&cmd)?;
    }
    Ok(ExitStatus::Success)
}

/// The leaf of a cell from its fields: what an auditor hashes to bind a cell's state to the
/// signed root with `mez log verify-inclusion`.
fn leaf(settings: &Settings, args: TensorLeafArgs) -> Result<ExitStatus> {
    use pipelines::jobs::tensor::{State, leaf_bytes};
    let domain = pipelines::zone::domain_index(&args.domain)
        .ok_or_else(|| anyhow::anyhow!("{:?} is not a compliance domain", args.domain))?;
    let state = State::parse(&args.state)
        .ok_or_else(|| anyhow::anyhow!("{:?} is not a tensor state", args.state))?;
    let as_of = date_or_today(Some(&args.as_of))?;
    let bytes = leaf_bytes(&args.entity, &args.jurisdiction, domain, as_of, state);
    let hash = verify::merkle::leaf_hash(&bytes);
    if settings.json {
        out_json(&serde_json::json!({
            "leaf_bytes": hex::encode(&bytes),
            "leaf_hash": hex::encode(hash),
        }))?;
    } else {
        out(&format!("leaf bytes {}", hex::encode(&bytes)))?;
        out(&format!("leaf hash  {}", hex::encode(hash)))?;
    }
    Ok(ExitStatus::Success)
}
