//! `mez lists fetch`: download the official sanctions lists into the store, each file under
//! its content digest, with a signed manifest recording every URL and digest (the input of
//! nightly regpack builds). A source that fails is reported and the others are still fetched.

use std::time::Duration;

use bytes::Bytes;
use verify::manifest::Input;

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

fn get(client: &reqwest::blocking::Client, url: &str) -> Result<Bytes, String> {
    let response = client.get(url).send().map_err(|e| e.to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    response.bytes().map_err(|e| e.to_string())
}

/// Downloads every source and stores the files; published on chain `lists` as
/// `runs/lists/latest` by [`crate::jobs::run`].
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
        let mut written = Vec::new();
        let mut inputs = Vec::new();
        let mut failed = Vec::new();
        for s in sources {
            match get(&client, &s.url) {
                Ok(bytes) => {
                    let size = bytes.len() as u64;
                    let (digest, w) = ctx.store.put_blob(bytes)?;
                    inputs.push(Input {
                        name: without_credentials(&s.url),
                        digest,
                        bytes: size,
                    });
                    written.push(WrittenTable {
                        name: s.name.clone(),
                        digest,
                        rows: 0,
                        bytes: size,
                        written: w,
                        media_type: s.media_type.clone(),
                    });
                }
                Err(reason) => failed.push((s.name.clone(), s.url.clone(), reason)),
            }
        }
        let mut run = RunDescription::new("lists-fetch", "lists");
        run.parameters.insert(
            "failed".to_owned(),
            serde_json::json!(
                failed
                    .iter()
                    .map(|(n, u, r)| format!("{n} ({u}): {r}"))
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
