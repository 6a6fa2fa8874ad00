//! `mez lists fetch`: download the official sanctions lists into the store, each file under
//! its content digest, with a signed manifest recording every URL and digest (the input of
//! nightly regpack builds). A source that fails is reported and the others are still fetched.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use ingest::sanctions;
use verify::Digest;
use verify::digest::HashingWriter;
use verify::manifest::Input;

use crate::jobs::inputs::NamedFile;
use crate::jobs::packs::regpack::{headerless_ofac, read_list};

use crate::artifact::{RunDescription, WrittenTable};
use crate::jobs::{Context, Job, JobError, Produced};

/// A list to download: a short name (the file's name in the manifest) and its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub name: String,
    pub url: String,
    pub media_type: String,
}

fn source(name: &str, url: &str, media_type: &str) -> Source {
    Source {
        name: name.to_owned(),
        url: url.to_owned(),
        media_type: media_type.to_owned(),
    }
}

/// The publishers' official download addresses.
pub fn official_sources() -> Vec<Source> {
    let ofac = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports";
    vec![
        source("ofac/sdn.csv", &format!("{ofac}/SDN.CSV"), "text/csv"),
        source("ofac/add.csv", &format!("{ofac}/ADD.CSV"), "text/csv"),
        source("ofac/alt.csv", &format!("{ofac}/ALT.CSV"), "text/csv"),
        source(
            "ofac/sdn_comments.csv",
            &format!("{ofac}/SDN_COMMENTS.CSV"),
            "text/csv",
        ),
        source(
            "ofac/sdn.xml",
            &format!("{ofac}/SDN.XML"),
            "application/xml",
        ),
        source(
            "ofac/consolidated.xml",
            &format!("{ofac}/CONSOLIDATED.XML"),
            "application/xml",
        ),
        source(
            "un/consolidated.xml",
            "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
            "application/xml",
        ),
        source(
            "eu/fsf.xml",
            "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
            "application/xml",
        ),
        source(
            "uk/sanctions-list.xml",
            "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
            "application/xml",
        ),
    ]
}

/// What a fetch could not do: (name, url, reason) of every source that failed.
pub type Failed = Vec<(String, String, String)>;

/// The URL as a manifest may name it: without user, password, query or fragment, which can
/// carry credentials (a presigned URL's signature, a token).
pub fn without_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            // Setting these fails only for URLs that cannot have them, which then have none.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}

/// Streams one download into `dest` (hashing it as it goes): never the whole list in memory.
fn download(
    client: &reqwest::blocking::Client,
    url: &str,
    dest: &Path,
) -> Result<(Digest, u64), String> {
    let mut response = client.get(url).send().map_err(|e| e.to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let file = std::fs::File::create(dest).map_err(|e| e.to_string())?;
    let mut out = HashingWriter::new(std::io::BufWriter::new(file));
    std::io::copy(&mut response, &mut out).map_err(|e| e.to_string())?;
    let (mut file, digest, bytes) = out.finish();
    file.flush().map_err(|e| e.to_string())?;
    Ok((digest, bytes))
}

/// Whether a downloaded file is the list it should be, read with its own reader (gzip is
/// recognised by its content): an error page answered with 200 is refused, not signed.
fn check_list(file: &NamedFile) -> Result<(), String> {
    let name = file.name.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let entries = if name.ends_with(".xml") {
        sanctions::read_xml(file)
            .map_err(|e| e.to_string())?
            .entries
            .len()
    } else if name.ends_with("sdn.csv") || name.ends_with("cons_prim.csv") {
        // A primary file, with the siblings fetched beside it.
        read_list(file, false)
            .map_err(|e| e.to_string())?
            .0
            .entries
            .len()
    } else {
        // A sibling (add, alt, comments): OFAC's headerless rows, checked with its primary.
        return if headerless_ofac(file).map_err(|e| e.to_string())? {
            Ok(())
        } else {
            Err("not an OFAC CSV file (no numeric ent_num in its first row)".into())
        };
    };
    if entries == 0 {
        return Err("no list entries in it".into());
    }
    Ok(())
}

/// Downloads every source into a staging folder, reads each with its list reader, and
/// stores only those that read as lists; published on chain `lists` as `runs/lists/latest`
/// by [`crate::jobs::run`].
#[derive(Debug, Clone, Copy)]
pub struct Fetch;

impl Job for Fetch {
    type Params = Vec<Source>;
    type Extra = Failed;

    fn produce(ctx: &Context<'_>, sources: &Vec<Source>) -> Result<Produced<Failed>, JobError> {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(600))
            .user_agent(concat!("mez/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| JobError::input("http client", e))?;
        let staging = ctx.store.staging_dir()?;
        let mut downloaded = Vec::new();
        let mut failed = Vec::new();
        for s in sources {
            let local = staging.path().join(&s.name);
            match download(&client, &s.url, &local) {
                Ok(read) => downloaded.push((s, NamedFile::new(local, s.name.clone()), read)),
                Err(reason) => failed.push((s.name.clone(), s.url.clone(), reason)),
            }
        }
        let mut written = Vec::new();
        let mut inputs = Vec::new();
        for (s, file, (digest, bytes)) in &downloaded {
            if let Err(reason) = check_list(file) {
                failed.push((s.name.clone(), s.url.clone(), format!("refused: {reason}")));
                continue;
            }
            let w = ctx.store.put_blob_file(&file.path, digest)?;
            inputs.push(Input {
                name: without_credentials(&s.url),
                digest: *digest,
                bytes: *bytes,
            });
            written.push(WrittenTable {
                name: s.name.clone(),
                digest: *digest,
                rows: 0,
                bytes: *bytes,
                written: w,
                media_type: s.media_type.clone(),
            });
        }
        failed.sort();
        let mut run = RunDescription::new("lists-fetch", "lists");
        run.parameters.insert(
            "failed".to_owned(),
            serde_json::json!(
                failed
                    .iter()
                    .map(|(n, u, r)| format!("{n} ({}): {r}", without_credentials(u)))
                    .collect::<Vec<_>>()
            ),
        );
        run.inputs = inputs;
        run.quarantined = failed.len() as u64;
        Ok(Produced {
            run,
            tables: written,
            extra: failed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::without_credentials;

    #[test]
    fn credentials_never_reach_a_manifest() {
        assert_eq!(
            without_credentials("https://user:secret@lists.example/sdn.csv?X-Amz-Signature=abc#x"),
            "https://lists.example/sdn.csv"
        );
        assert_eq!(
            without_credentials("https://lists.example/a/b.xml"),
            "https://lists.example/a/b.xml"
        );
        assert_eq!(without_credentials("not a url"), "(not a URL)");
    }
}
