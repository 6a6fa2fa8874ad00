//! Run manifests: an in-toto Statement v1 inside a DSSE envelope.
//!
//! The statement's subjects are the artifacts a run wrote (name, sha256, media type and row
//! count); its predicate is the [`RunRecord`]: job, chain, tool version, the time from the
//! injected clock, parameters, every input with its digest, packs in force, the number of
//! quarantined records and any semantic digests (Merkle roots of rows). The statement is
//! serialised as canonical JSON without floats, signed, and the envelope stored under the
//! SHA-256 of its own bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canon;
use crate::clock::Timestamp;
use crate::digest::Digest;
use crate::dsse::Envelope;
use crate::error::{Error, Result};
use crate::keys::{PublicKey, SecretKey, TrustSet};

/// DSSE payload type of in-toto statements.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// in-toto Statement v1 type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// Our predicate type: a mez run record, version 1.
pub const PREDICATE_TYPE: &str = "urn:mez:predicate:run:v1";
/// Media type of Parquet artifacts.
pub const PARQUET_MEDIA_TYPE: &str = "application/vnd.apache.parquet";

/// An in-toto ResourceDescriptor for one artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// Table name (`payments`, `bilateral`, ...), unique within a manifest.
    pub name: String,
    /// `{"sha256": "<hex>"}`.
    pub digest: BTreeMap<String, String>,
    #[serde(rename = "mediaType")]
    pub media_type: String,
    pub annotations: SubjectAnnotations,
}

/// What we record about each artifact beyond its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectAnnotations {
    pub rows: u64,
    pub bytes: u64,
}

impl Subject {
    pub fn new(name: &str, digest: Digest, media_type: &str, rows: u64, bytes: u64) -> Self {
        Subject {
            name: name.to_owned(),
            digest: BTreeMap::from([("sha256".to_owned(), digest.hex())]),
            media_type: media_type.to_owned(),
            annotations: SubjectAnnotations { rows, bytes },
        }
    }

    /// The artifact's content digest.
    pub fn sha256(&self) -> Result<Digest> {
        let hex = self.digest.get("sha256").ok_or_else(|| {
            Error::malformed(format!("subject {}", self.name), "no sha256 digest")
        })?;
        Digest::from_hex(hex)
    }
}

/// The tool that made a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// An input file or object of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Name as given by the user (path or URL), for people; the digest is what counts.
    pub name: String,
    pub digest: Digest,
    pub bytes: u64,
}

/// A pack in force during a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackRef {
    pub name: String,
    pub digest: Digest,
}

/// The predicate of a run manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// Which job ran (`demo`, `netting`, `screening`, ...).
    pub job: String,
    /// The receipt chain the run appends to.
    pub chain: String,
    pub tool: Tool,
    /// When the run happened, from the injected clock.
    pub time: Timestamp,
    /// Run parameters (integers and strings only).
    pub parameters: BTreeMap<String, Value>,
    /// Inputs sorted by digest then name.
    pub inputs: Vec<Input>,
    pub packs: Vec<PackRef>,
    /// Records set aside in the run's quarantine table.
    pub quarantined: u64,
    /// Semantic digests (e.g. `rows_merkle_root` of a table), name → `sha256:<hex>`.
    pub semantic: BTreeMap<String, String>,
}

/// An in-toto Statement v1 whose predicate is a [`RunRecord`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: RunRecord,
}

impl Statement {
    /// A statement over `subjects` (sorted by name; names must be unique).
    pub fn new(mut subjects: Vec<Subject>, mut record: RunRecord) -> Result<Self> {
        subjects.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(w) = subjects.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(Error::malformed(
                "manifest",
                format!("two artifacts named {:?}", w[0].name),
            ));
        }
        record
            .inputs
            .sort_by(|a, b| (a.digest, &a.name).cmp(&(b.digest, &b.name)));
        record
            .packs
            .sort_by(|a, b| (&a.name, a.digest).cmp(&(&b.name, b.digest)));
        Ok(Statement {
            statement_type: STATEMENT_TYPE.to_owned(),
            subject: subjects,
            predicate_type: PREDICATE_TYPE.to_owned(),
            predicate: record,
        })
    }

    /// The canonical payload bytes.
    pub fn to_payload(&self) -> Result<Vec<u8>> {
        canon::to_canonical_vec_integral("manifest statement", self)
    }
}

/// A signed manifest ready to store: envelope bytes and their content digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedManifest {
    pub bytes: Vec<u8>,
    pub digest: Digest,
}

/// Signs a statement into a DSSE envelope.
pub fn sign(statement: &Statement, signer: &SecretKey) -> Result<SignedManifest> {
    let payload = statement.to_payload()?;
    let bytes = Envelope::sign(PAYLOAD_TYPE, &payload, &[signer]).to_bytes()?;
    Ok(SignedManifest {
        digest: Digest::of(&bytes),
        bytes,
    })
}

/// Reads the statement of stored manifest bytes **without checking any signature**: for
/// tools that only need to find tables (`mez sql`). Verdicts come from [`open`].
pub fn statement_unverified(what: &str, bytes: &[u8]) -> Result<Statement> {
    use base64::Engine as _;
    let envelope = Envelope::from_bytes(what, bytes)?;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(&envelope.payload)
        .map_err(|_| Error::malformed(what, "payload is not valid base64"))?;
    serde_json::from_slice(&payload).map_err(|e| Error::json(what, e))
}

/// Parses and verifies stored manifest bytes against the trusted keys; `what` names the
/// object in errors. Returns the statement and the keys that signed it.
pub fn open(what: &str, bytes: &[u8], trust: &TrustSet) -> Result<(Statement, Vec<PublicKey>)> {
    let envelope = Envelope::from_bytes(what, bytes)?;
    let (payload, keys) = envelope.open(what, PAYLOAD_TYPE, trust)?;
    let text = std::str::from_utf8(&payload).map_err(|e| Error::json(what, e))?;
    let value = canon::parse_strict(what, text)?;
    canon::check_integral(what, &value, &mut "$".to_owned())?;
    let statement: Statement = serde_json::from_value(value).map_err(|e| Error::json(what, e))?;
    if statement.statement_type != STATEMENT_TYPE {
        return Err(Error::malformed(
            what,
            format!(
                "_type is {:?}, expected {STATEMENT_TYPE:?}",
                statement.statement_type
            ),
        ));
    }
    if statement.predicate_type != PREDICATE_TYPE {
        return Err(Error::malformed(
            what,
            format!(
                "predicateType is {:?}, expected {PREDICATE_TYPE:?}",
                statement.predicate_type
            ),
        ));
    }
    Ok((statement, keys))
}
