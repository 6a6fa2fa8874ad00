//! `mez lists fetch`: download the official sanctions lists into the store, each file under
//! its content digest, with a signed manifest recording every URL and digest (the input of
//! nightly regpack builds). A source that fails is reported and the others are still fetched.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use verify::chain;
use verify::clock::Clock;
use verify::keys::{SecretKey, TrustSet};
use verify::manifest::{Input, RunRecord, Statement, Subject, Tool};
use verify::store::Store;

use crate::artifact::WrittenTable;
use crate::netting_run::RunError;
use crate::summary::RunSummary;

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

/// What a fetch did.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub summary: RunSummary,
    /// (name, url, reason) of every source that could not be fetched.
    pub failed: Vec<(String, String, String)>,
}

fn get(client: &reqwest::blocking::Client, url: &str) -> Result<Bytes, String> {
    let response = client.get(url).send().map_err(|e| e.to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    response.bytes().map_err(|e| e.to_string())
}

/// Downloads every source, stores the files and publishes a manifest on chain `lists`.
pub fn fetch(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    clock: &dyn Clock,
    sources: &[Source],
) -> Result<Fetched, RunError> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .user_agent(concat!("mez/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| RunError::Input {
            path: "http client".into(),
            reason: e.to_string(),
        })?;
    let mut written = Vec::new();
    let mut subjects = Vec::new();
    let mut inputs = Vec::new();
    let mut failed = Vec::new();
    for s in sources {
        match get(&client, &s.url) {
            Ok(bytes) => {
                let size = bytes.len() as u64;
                let (digest, w) = store.put_blob(bytes)?;
                subjects.push(Subject::new(&s.name, digest, &s.media_type, 0, size));
                inputs.push(Input {
                    name: s.url.clone(),
                    digest,
                    bytes: size,
                });
                written.push(WrittenTable {
                    name: s.name.clone(),
                    digest,
                    rows: 0,
                    bytes: size,
                    written: w,
                });
            }
            Err(reason) => failed.push((s.name.clone(), s.url.clone(), reason)),
        }
    }
    let mut parameters = BTreeMap::new();
    parameters.insert(
        "failed".to_owned(),
        serde_json::json!(
            failed
                .iter()
                .map(|(n, u, r)| format!("{n} ({u}): {r}"))
                .collect::<Vec<_>>()
        ),
    );
    let record = RunRecord {
        job: "lists-fetch".into(),
        chain: "lists".into(),
        tool: Tool {
            name: "mez".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        time: clock.now(),
        parameters,
        inputs,
        packs: vec![],
        quarantined: failed.len() as u64,
        semantic: BTreeMap::new(),
    };
    let statement = Statement::new(subjects, record)?;
    let publication = chain::publish(store, signer, trust, clock, &statement)?;
    store.set_ref("runs/lists/latest", &publication.manifest)?;
    Ok(Fetched {
        summary: RunSummary::new("lists-fetch", &written, failed.len() as u64, &publication),
        failed,
    })
}
