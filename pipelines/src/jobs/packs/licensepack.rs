//! The licensepack build: a zone's licence register (CSV) in, a signed licensepack out —
//! the `licences` table, its `quarantine`, and the licences' Merkle root
//! (`licences_merkle_root`) in the manifest, on the chain `licensepack-<zone>`.

use verify::manifest::Input;

use crate::artifact::publish::write_quarantine;
use crate::artifact::{self, RunDescription};
use crate::jobs::inputs::NamedFile;
use crate::jobs::{Context, Job, JobError, Produced};

/// Parameters of a licensepack build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicensepackParams {
    pub jurisdiction: String,
    /// The licence register (CSV), named as the tables will name it.
    pub register: NamedFile,
}

/// Builds a licensepack.
#[derive(Debug, Clone, Copy)]
pub struct Licensepack;

impl Job for Licensepack {
    type Params = LicensepackParams;
    type Extra = ();

    fn produce(ctx: &Context<'_>, params: &LicensepackParams) -> Result<Produced<()>, JobError> {
        let store = ctx.store;
        let chain = format!("licensepack-{}", params.jurisdiction);
        verify::receipt::check_chain_id(&chain)?;
        let (register, read) =
            crate::jobs::inputs::read_unchanged(std::slice::from_ref(&params.register), || {
                Ok(ingest::licences::read_licence_register(&params.register)?)
            })?;
        let pack = packs::licensepack::build(&register.licences).map_err(|e| JobError::Input {
            path: params.register.path.clone(),
            reason: e.to_string(),
        })?;
        let (digest, bytes) = read[0];
        let inputs = vec![Input {
            name: params.register.name.clone(),
            digest,
            bytes,
        }];
        let mut quarantine = register.quarantine;
        let written = vec![
            artifact::write_table(store, "licences", &pack.licences, &["licence_id"])?,
            write_quarantine(store, &mut quarantine, &inputs)?,
        ];
        let run = RunDescription::pack(
            "licensepack",
            &params.jurisdiction,
            "licences_merkle_root",
            &pack.merkle_root,
            inputs,
            quarantine.len() as u64,
        );
        Ok(Produced {
            run,
            tables: written,
            extra: (),
        })
    }
}
