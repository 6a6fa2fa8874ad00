use anyhow::{Result, bail};
use pipelines::jobs::{
    self, tensor::Tensor, tensor::TensorParams, tensor::prove::prove as prove_cell,
};
use pipelines::zone::DOMAINS;

use super::{ExitStatus, JobSetup, date_or_today, manifest_digest, note, out, out_json};
use crate::cli::{TensorCommand, TensorEvalArgs, TensorProveArgs};
use crate::settings::Settings;

pub fn tensor(settings: &Settings, command: TensorCommand) -> Result<ExitStatus> {
    match command {
        TensorCommand::Eval(args) => eval(settings, args),
        TensorCommand::Prove(args) => prove(settings, args),
    }
}

fn eval(settings: &Settings, args: TensorEvalArgs) -> Result<ExitStatus> {
    let as_of = date_or_today(args.as_of.as_deref())?;
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let screening = match &args.screening {
        Some(s) => Some(manifest_digest(&setup.store, s)?),
        None => None,
    };
    let params = TensorParams {
        zone: args.zone,
        entities: args.entities,
        attestations: args.attestations,
        licences: args.licences,
        screening,
        as_of,
    };
    let finished = jobs::run::<Tensor>(&setup.context(), &params)?;
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
    let proof = prove_cell(&store, &manifest, &args.entity, &args.domain)?;
    if settings.json {
        out_json(&proof)?;
    } else {
        out(&format!(
            "{} {} {} as of {}: {}",
            proof.entity_id, proof.jurisdiction_id, proof.domain, proof.as_of, proof.state
        ))?;
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
