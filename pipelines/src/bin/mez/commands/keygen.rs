use anyhow::{Context, Result};
use verify::keys::SecretKey;

use super::{ExitStatus, note, out_json};
use crate::cli::KeygenArgs;
use crate::settings::Settings;

pub fn keygen(settings: &Settings, args: KeygenArgs) -> Result<ExitStatus> {
    let name = match args.name {
        Some(name) => name,
        None => args
            .out
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .context("--out needs a file name to name the key (or pass --name)")?,
    };
    let key = SecretKey::generate(&name)?;
    let (key_path, pub_path) = key.write_pair(&args.out)?;
    let public = key.public();
    if settings.json {
        out_json(&serde_json::json!({
            "name": public.name(),
            "key_id": public.key_id(),
            "secret_key_file": key_path,
            "public_key_file": pub_path,
            "verifier_key": public.to_note_vkey(),
        }))?;
    } else {
        note(
            settings,
            &format!(
                "wrote {} (mode 0600) and {}",
                key_path.display(),
                pub_path.display()
            ),
        );
        super::out(&public.to_note_vkey())?;
    }
    Ok(ExitStatus::Success)
}
