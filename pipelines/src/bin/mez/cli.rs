//! Command-line types (clap derive). No logic lives here: `settings` resolves these into
//! what commands need, and `commands` runs them.
//!
//! The doc comments below are `--help` text for a terminal, not rustdoc: placeholders such
//! as `<prefix>` are written as a user reads them.
#![allow(rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// mez — verifiable batch pipelines for economic-zone compliance.
#[derive(Debug, Parser)]
#[command(name = "mez", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Store URL or local directory (s3://, gs://, az://, memory://, file://, a path).
    #[arg(long, global = true, env = "MEZ_STORE", default_value = "outputs/")]
    pub store: String,
    /// Secret key file used to sign manifests, receipts and checkpoints.
    #[arg(long, global = true, env = "MEZ_KEY")]
    pub key: Option<PathBuf>,
    /// Print a machine-readable JSON summary on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// No progress or chatter on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an Ed25519 key pair: <prefix>.key (mode 0600) and <prefix>.pub.
    Keygen(KeygenArgs),
    /// Verify a whole store: digests, signatures, receipt chains, checkpoints.
    Verify(VerifyArgs),
    /// Merkle log utilities for auditors (roots, proofs).
    #[command(subcommand)]
    Log(LogCommand),
    /// Print the RFC 8785 canonical form of a JSON file.
    Canon(CanonArgs),
    /// Export a Parquet artifact by digest as CSV, JSON lines or Parquet.
    Export(ExportArgs),
    /// Run the demo: key, generated tables, signed artifacts, receipt, checkpoint, verify.
    Demo(DemoArgs),
    /// Generate realistic input files.
    #[command(subcommand)]
    Gen(GenCommand),
    /// Settlement netting over pacs.008 files.
    #[command(subcommand)]
    Netting(NettingCommand),
    /// Run SQL (DuckDB) over the store: latest tables by name, any artifact as "sha256:<hex>".
    Sql(SqlArgs),
    /// Lawpacks: Akoma Ntoso statutes as signed provision tables.
    #[command(subcommand)]
    Lawpack(LawpackCommand),
    /// Regpacks: sanctions lists as signed entry tables with a Merkle leaf per entry.
    #[command(subcommand)]
    Regpack(RegpackCommand),
    /// Official sanctions list files.
    #[command(subcommand)]
    Lists(ListsCommand),
    /// Screen names (a CSV file, or a netting run's debtors and creditors) against sanctions
    /// lists; `mez screen eval` measures the matcher.
    Screen(ScreenArgs),
    /// Build every zone's regpack, lawpack and licensepack incrementally and write each
    /// zone's stack.lock; `--locked` rebuilds from the locks and compares.
    Nightly(NightlyArgs),
    /// Write a zone's stack.lock from the store, or `--check` it byte for byte.
    Lock(LockArgs),
    /// The compliance tensor: evaluate entity × domain states, prove a cell.
    #[command(subcommand)]
    Tensor(TensorCommand),
    /// Put a manifest left on no chain (a publication stopped after its manifest) on its
    /// chain: append its receipt and a checkpoint.
    Publish(PublishArgs),
    /// Store maintenance.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Verify the store and write one self-contained HTML page of it for an auditor: chains,
    /// runs with inputs and outputs, each object's verdict, netting charts. Exit 1 when
    /// something did not verify (the page says what).
    Report(ReportArgs),
    /// A run as a W3C Verifiable Credential 2.0 with an eddsa-jcs-2022 proof, issued by the
    /// run's signer (`--key`); `mez attest verify FILE` checks one.
    Attest(AttestArgs),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AttestArgs {
    #[command(subcommand)]
    pub command: Option<AttestCommand>,
    /// The run: a manifest digest, or a ref such as runs/netting/latest.
    pub run: Option<String>,
    /// Where to write the credential (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Public key files of other signers whose runs may be attested.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Check a credential: its proof, that its issuer is trusted, and (when the store holds
    /// the run) that its outputs are the run's. Exit 0 valid, 1 refused, 2 unreadable.
    Verify {
        /// The credential (JSON).
        file: PathBuf,
        /// Public key file (.pub) of a trusted issuer; repeat for several.
        #[arg(long = "trusted-key", value_name = "FILE")]
        trusted_keys: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Where to write the page.
    #[arg(long, default_value = "report.html")]
    pub out: PathBuf,
    /// Public key file (.pub) to trust; repeat for several.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The manifest to adopt (sha256:<hex>), as `mez verify` names it.
    #[arg(long, value_name = "DIGEST")]
    pub adopt: String,
    /// Public key file whose earlier receipts on the chain are trusted (the signer's own
    /// always are).
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// List (or with --apply remove) what the store can lose without losing anything: blobs
    /// no manifest names and staging leftovers of killed jobs, older than the grace period.
    Gc(GcArgs),
}

#[derive(Debug, Args)]
pub struct GcArgs {
    /// Only list what would be removed (the default).
    #[arg(long, conflicts_with = "apply")]
    pub dry_run: bool,
    /// Remove it.
    #[arg(long)]
    pub apply: bool,
    /// Keep anything younger than this many hours (a job may still be writing it).
    #[arg(long, default_value_t = 24)]
    pub grace_hours: u64,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct NightlyArgs {
    #[command(subcommand)]
    pub command: Option<NightlyCommand>,
    #[command(flatten)]
    pub run: NightlyRunArgs,
}

#[derive(Debug, Subcommand)]
pub enum NightlyCommand {
    /// Plan the nightly over many machines: one unit per zone and pack kind (the plan's
    /// digest is printed). Zones and sources must be at the same paths for every worker.
    Plan(NightlyRunArgs),
    /// Build (or find) the pack of one unit (idempotent; one unit of a cluster run).
    Map(ShardMapArgs),
    /// Write every zone's stack.lock and publish the changed ones, as `mez nightly` does.
    Merge(ShardMergeArgs),
}

#[derive(Debug, Args)]
pub struct NightlyRunArgs {
    /// Folder of zones (`<zone-id>/zone.yaml`).
    #[arg(long, default_value = "jurisdictions")]
    pub jurisdictions: PathBuf,
    /// Folder of sources: lists/<list-id>/, law/<zone-id>/, licences/<zone-id>.csv.
    #[arg(long, default_value = "sources")]
    pub sources: PathBuf,
    /// The build date (YYYY-MM-DD, default today UTC); packs are signed at its midnight.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Rebuild every pack of every stack.lock and check the digests come out the same.
    #[arg(long)]
    pub locked: bool,
    /// Build the regpacks from a `mez lists fetch` run (a digest or a ref such as
    /// runs/lists/latest) instead of the lists under --sources.
    #[arg(long, value_name = "RUN")]
    pub lists_from: Option<String>,
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    /// The zone file (`jurisdictions/<zone-id>/zone.yaml`); the lock goes next to it.
    pub zone: PathBuf,
    /// Compare with the existing stack.lock byte for byte instead of writing it.
    #[arg(long)]
    pub check: bool,
    /// Public key file (.pub) whose runs may be read; repeat for several. The public key of
    /// `--key` is trusted too.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TensorCommand {
    /// Evaluate the tensor of a zone's entities from evidence and publish it.
    Eval(TensorEvalArgs),
    /// Print an inclusion proof of one cell (checked by `mez log verify-inclusion`).
    Prove(TensorProveArgs),
    /// Print the leaf bytes and leaf hash of a cell from its fields, as the tensor's Merkle
    /// tree commits to them (no store needed).
    Leaf(TensorLeafArgs),
}

#[derive(Debug, Args)]
pub struct TensorLeafArgs {
    #[arg(long)]
    pub entity: String,
    #[arg(long)]
    pub jurisdiction: String,
    #[arg(long)]
    pub domain: String,
    /// YYYY-MM-DD.
    #[arg(long)]
    pub as_of: String,
    /// non_compliant, pending, not_applicable, exempt or compliant.
    #[arg(long)]
    pub state: String,
}

#[derive(Debug, Args)]
pub struct TensorEvalArgs {
    #[arg(long)]
    pub zone: PathBuf,
    /// CSV: entity_id [, jurisdiction_id, name].
    #[arg(long)]
    pub entities: PathBuf,
    /// A screening run (manifest digest or ref) whose query ids are entity ids (default:
    /// the zone's own, `runs/screening/<zone>/latest`, when there is one). Only a run
    /// against the zone's regpack lets an entity it screened without a match be clear; an
    /// entity it did not screen stays pending.
    #[arg(long)]
    pub screening: Option<String>,
    /// How many days before the as-of date the screening may have run for its clears to
    /// count.
    #[arg(long, default_value_t = pipelines::jobs::tensor::run::SCREENING_MAX_AGE_DAYS)]
    pub screening_max_age_days: i32,
    /// A licence register CSV.
    #[arg(long)]
    pub licences: Option<PathBuf>,
    /// CSV: entity_id, domain, state [, expires].
    #[arg(long)]
    pub attestations: Option<PathBuf>,
    /// YYYY-MM-DD (default today UTC).
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TensorProveArgs {
    #[arg(long)]
    pub entity: String,
    #[arg(long)]
    pub domain: String,
    /// The tensor run: manifest digest or ref (default: the zone's latest).
    #[arg(long)]
    pub run: Option<String>,
    /// Zone id whose latest tensor to use when --run is not given.
    #[arg(long)]
    pub zone: Option<String>,
    /// Public key file (.pub) whose runs may be read; repeat for several. The public key of
    /// `--key` is trusted too.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ScreenArgs {
    #[command(subcommand)]
    pub command: Option<ScreenCommand>,
    #[command(flatten)]
    pub run: ScreenRunArgs,
}

#[derive(Debug, Subcommand)]
pub enum ScreenCommand {
    /// Precision, recall and F1 on labelled queries built from the lists, and the recall of
    /// the blocked search against brute force.
    Eval(ScreenEvalArgs),
    /// Plan a screening over many machines: cut the names into ranges, sign and store the
    /// plan (its digest is printed). Lists come from a published regpack.
    Plan(ScreenPlanArgs),
    /// Screen one range of a plan into a partial (idempotent; one unit of a cluster run).
    Map(ShardMapArgs),
    /// Merge the partials into exactly the tables `mez screen` writes, and publish.
    Merge(ShardMergeArgs),
}

#[derive(Debug, Args)]
pub struct ScreenPlanArgs {
    /// The names (a plan's `--names` file must be readable by every map worker at its
    /// absolute path).
    #[command(flatten)]
    pub queries: QueryArgs,
    /// The published regpack every unit screens against: manifest digest, or a ref.
    #[arg(long)]
    pub regpack: String,
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    /// Number of map units.
    #[arg(long)]
    pub shards: usize,
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

/// One map unit of a plan.
#[derive(Debug, Args)]
pub struct ShardMapArgs {
    /// The plan (sha256:<hex>), as its `plan` command printed it.
    #[arg(long)]
    pub plan: String,
    /// Which map unit, from 0 (a Kubernetes Indexed Job passes $JOB_COMPLETION_INDEX).
    #[arg(long, env = "JOB_COMPLETION_INDEX")]
    pub shard: usize,
    /// Public key files of the plan's signer and of the runs it reads, when not `--key`'s.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

/// The merge of a plan's partials.
#[derive(Debug, Args)]
pub struct ShardMergeArgs {
    /// The plan (sha256:<hex>) whose partials to merge.
    #[arg(long)]
    pub plan: String,
    /// Public keys of the plan's signer and of other writers on the chain.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

/// Where the lists come from (one of).
#[derive(Debug, Args)]
pub struct ListsArgs {
    /// A published regpack: manifest digest, or a ref such as `runs/regpack-sg/latest`.
    #[arg(long, conflicts_with = "lists")]
    pub regpack: Option<String>,
    /// List files (OFAC CSV/XML, UN, EU FSF, UK, custom CSV).
    #[arg(long, num_args = 1..)]
    pub lists: Vec<PathBuf>,
    /// Build from an OFAC CSV whose add.csv or alt.csv is missing (its entries then have no
    /// addresses or aliases, and a quarantine row says so) instead of refusing it.
    #[arg(long)]
    pub allow_missing_siblings: bool,
}

#[derive(Debug, Args)]
pub struct ThresholdArgs {
    /// Lowest score reported, in basis points (decision `review`).
    #[arg(long, default_value_t = pipelines::jobs::screening::DEFAULT_REVIEW_BP)]
    pub threshold: u32,
    /// Lowest score of a `hit`, in basis points.
    #[arg(long, default_value_t = pipelines::jobs::screening::DEFAULT_HIT_BP)]
    pub hit_threshold: u32,
}

/// Where the names to screen come from (one of).
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// CSV file of names with a header (optional columns: id, dob, country).
    #[arg(long, conflicts_with = "payments")]
    pub names: Option<PathBuf>,
    /// The column holding the names.
    #[arg(long, default_value = "name")]
    pub name_column: String,
    /// Screen the debtors and creditors of a netting run (manifest digest or ref).
    #[arg(long)]
    pub payments: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScreenRunArgs {
    #[command(flatten)]
    pub queries: QueryArgs,
    #[command(flatten)]
    pub lists: ListsArgs,
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScreenEvalArgs {
    #[command(flatten)]
    pub lists: ListsArgs,
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    /// Labelled positives (changed forms of listed names).
    #[arg(long, default_value_t = 2000)]
    pub positives: usize,
    /// Labelled negatives (names not on the lists).
    #[arg(long, default_value_t = 2000)]
    pub negatives: usize,
    /// Labelled queries also scored by brute force.
    #[arg(long, default_value_t = 400)]
    pub brute_force_sample: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A labelled pair set to report per class instead of the built-in one: CSV with the
    /// header class,kind,label,query,listed (label same|different, kind
    /// person|company|vessel).
    #[arg(long, value_name = "FILE", conflicts_with = "no_pairs")]
    pub pairs: Option<PathBuf>,
    /// Skip the labelled pair set.
    #[arg(long)]
    pub no_pairs: bool,
    /// Also write the generated labelled queries as CSV (id,category,name,target with the
    /// target entry as list:uid, empty for negatives), to screen them with other tools.
    #[arg(long, value_name = "FILE")]
    pub dump_queries: Option<PathBuf>,
    /// Public key file (.pub) whose runs may be read; repeat for several. The public key of
    /// `--key` is trusted too.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ListsCommand {
    /// Download the official lists into the store with a signed manifest of their digests.
    Fetch(ListsFetchArgs),
}

#[derive(Debug, Args)]
pub struct ListsFetchArgs {
    /// Fetch NAME from URL instead of the official sources (repeatable), e.g. a mirror.
    #[arg(long = "source", value_name = "NAME=URL")]
    pub sources: Vec<String>,
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RegpackCommand {
    /// Build a regpack from official list files (OFAC CSV/XML, UN, EU FSF, UK, custom CSV).
    Build(RegpackBuildArgs),
    /// Added, removed and changed entries between two regpacks (manifest digests).
    Diff(RegpackDiffArgs),
}

#[derive(Debug, Args)]
pub struct RegpackDiffArgs {
    pub before: String,
    pub after: String,
    /// Public key file (.pub) whose runs may be read; repeat for several. The public key of
    /// `--key` is trusted too.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RegpackBuildArgs {
    #[arg(long)]
    pub jurisdiction: String,
    /// List files; an OFAC sdn*.csv or cons_prim*.csv brings its add/alt/comments siblings.
    #[arg(long, required = true, num_args = 1..)]
    pub lists: Vec<PathBuf>,
    /// Build from an OFAC CSV whose add.csv or alt.csv is missing (its entries then have no
    /// addresses or aliases, and a quarantine row says so) instead of refusing it.
    #[arg(long)]
    pub allow_missing_siblings: bool,
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum LawpackCommand {
    /// Build a lawpack from Akoma Ntoso files or directories.
    Build(LawpackBuildArgs),
    /// Added, removed and changed provisions between two lawpacks (manifest digests).
    Diff(LawpackDiffArgs),
}

#[derive(Debug, Args)]
pub struct LawpackBuildArgs {
    /// Jurisdiction id (also names the receipt chain `lawpack-<id>`).
    #[arg(long)]
    pub jurisdiction: String,
    #[arg(long, required = true, num_args = 1..)]
    pub input: Vec<PathBuf>,
    /// Validate every document against this XSD (e.g. the OASIS akomantoso30.xsd) with
    /// xmllint; the result is recorded per document, never a reason to drop one.
    #[arg(long, value_name = "XSD")]
    pub validate: Option<PathBuf>,
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LawpackDiffArgs {
    /// Manifest digest of the earlier lawpack.
    pub before: String,
    /// Manifest digest of the later lawpack (default: the same as BEFORE, to compare two
    /// expressions inside one lawpack).
    pub after: Option<String>,
    /// Only this expression URI on the BEFORE side.
    #[arg(long)]
    pub expression_before: Option<String>,
    /// Only this expression URI on the AFTER side.
    #[arg(long)]
    pub expression_after: Option<String>,
    /// Public key file (.pub) whose runs may be read; repeat for several. The public key of
    /// `--key` is trusted too.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// One SQL statement.
    pub query: String,
    /// Public key file (.pub) whose runs may be read; repeat for several. The public key of
    /// `--key` is trusted too.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum GenCommand {
    /// pacs.008 files: STEP2-style .001.02 bulk files and CBPR+ .001.08 singles with AppHdr.
    Pacs008(GenPacs008Args),
    /// Names to screen (people of many naming cultures, companies): CSV id,name,dob,country.
    Names(GenNamesArgs),
    /// A sources folder for `mez nightly` (lists, Akoma Ntoso acts, licence registers) and
    /// each zone's entities and attestations for `mez tensor eval`.
    Sources(GenSourcesArgs),
}

#[derive(Debug, Args)]
pub struct GenSourcesArgs {
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value = "jurisdictions")]
    pub jurisdictions: PathBuf,
    /// Firms per zone.
    #[arg(long, default_value_t = 200)]
    pub entities: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct GenNamesArgs {
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct GenPacs008Args {
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 10_000)]
    pub transactions: u64,
    #[arg(long, default_value_t = 12)]
    pub banks: u32,
    /// Comma-separated ISO 4217 codes.
    #[arg(long, default_value = "EUR", value_delimiter = ',')]
    pub currencies: Vec<String>,
    /// Number of bulk files.
    #[arg(long, default_value_t = 4)]
    pub files: u32,
    /// CBPR+ single-transaction files (part of --transactions).
    #[arg(long, default_value_t = 10)]
    pub singles: u32,
    /// Re-sent messages and repeated transactions to inject.
    #[arg(long, default_value_t = 0)]
    pub duplicates: u32,
    /// CBPR+ singles to send again with the same UETR and another amount (identity
    /// conflicts).
    #[arg(long, default_value_t = 0)]
    pub conflicts: u32,
    /// XSD-valid but unacceptable transactions to inject.
    #[arg(long, default_value_t = 0)]
    pub invalid: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Settlement date of the generated day.
    #[arg(long, default_value = "2026-11-23")]
    pub value_date: String,
}

#[derive(Debug, Subcommand)]
pub enum NettingCommand {
    /// Net a day's pacs.008 files into signed bilateral, multilateral, legs and efficiency tables.
    Run(NettingRunArgs),
    /// Plan a run over many machines: hash the inputs, split them into shards, sign and
    /// store the plan (its digest is printed).
    Plan(NettingPlanArgs),
    /// Read one shard of a plan into a partial (idempotent; one unit of a cluster run).
    Map(ShardMapArgs),
    /// Net the partials of every shard into exactly what `netting run` writes, and publish.
    Merge(NettingMergeArgs),
}

#[derive(Debug, Args)]
pub struct NettingRunArgs {
    /// pacs.008 files or directories (searched recursively for *.xml and *.xml.gz).
    #[arg(long, required = true, num_args = 1..)]
    pub input: Vec<PathBuf>,
    #[command(flatten)]
    pub settings: NettingSettingsArgs,
    /// Exit 1 when any record was quarantined (held conflicts included).
    #[arg(long)]
    pub strict: bool,
    /// Public keys of other writers whose receipts may precede ours on the chain.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

/// How a netting run nets: shared by `run` and `plan`.
#[derive(Debug, Args)]
pub struct NettingSettingsArgs {
    /// Value date (YYYY-MM-DD): fills missing settlement dates; other dates are set aside.
    #[arg(long)]
    pub value_date: Option<String>,
    /// Receipt chain to append to.
    #[arg(long, default_value = "netting")]
    pub chain: String,
    /// Settlement legs in the earlier system's order (by participant id only).
    #[arg(long)]
    pub legacy_legs: bool,
    /// Payments that share an identity (UETR, else message + end-to-end + transaction id)
    /// but differ in amount, currency, settlement date, participants or accounts: `hold`
    /// nets none of them and sets them all aside (conflicts and quarantine tables);
    /// `keep-all` nets each distinct content once, as a payment of its own.
    #[arg(long, value_enum, default_value = "hold")]
    pub conflicts: ConflictsArg,
    /// Longest markup token (tag, comment, CDATA, processing instruction) of an input, in
    /// bytes; past it the file is refused and quarantined.
    #[arg(long, value_name = "BYTES", default_value_t = ingest::pacs008::ReadLimits::default().max_token)]
    pub max_token: usize,
    /// Longest kept field value (an id, a name, remittance text), in bytes; past it the file
    /// is refused and quarantined.
    #[arg(long, value_name = "BYTES", default_value_t = ingest::pacs008::ReadLimits::default().max_field)]
    pub max_field: usize,
    /// Most bytes a `.gz` input may decompress to; past it the file is refused and
    /// quarantined.
    #[arg(long, value_name = "BYTES", default_value_t = ingest::pacs008::ReadLimits::default().max_decompressed)]
    pub max_decompressed: u64,
    /// Input bytes per segment: a `payments` row group never spans two segments, and a
    /// shard of a sharded run is whole segments (so fewer segments than shards leave
    /// shards empty). Part of the table's format: runs to be compared must use the same.
    #[arg(long, value_name = "BYTES", default_value_t = pipelines::jobs::netting::SEGMENT_BYTES)]
    pub segment_bytes: u64,
}

#[derive(Debug, Args)]
pub struct NettingPlanArgs {
    /// pacs.008 files or directories (searched recursively for *.xml and *.xml.gz), or
    /// object URLs; every map worker must be able to read them where they are.
    #[arg(long, required = true, num_args = 1..)]
    pub input: Vec<PathBuf>,
    /// Number of map units.
    #[arg(long)]
    pub shards: usize,
    #[command(flatten)]
    pub settings: NettingSettingsArgs,
}

#[derive(Debug, Args)]
pub struct NettingMergeArgs {
    /// The plan (sha256:<hex>) whose partials to merge.
    #[arg(long)]
    pub plan: String,
    /// Exit 1 when any record was quarantined (held conflicts included).
    #[arg(long)]
    pub strict: bool,
    /// Public keys of the plan's signer and of other writers on the chain.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Path prefix of the two key files.
    #[arg(long)]
    pub out: PathBuf,
    /// Key name (appears in signed checkpoints); defaults to the prefix's file name.
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Public key file (.pub) to trust; repeat for several.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
    /// Objects read and hashed at once (default: 2 × cores).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Witness state: the checkpoints a previous verification saw. Each chain must still
    /// hold them (no rollback, no cut tail, no rewritten history); after a clean
    /// verification the file is updated to the newest checkpoints.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// A signed checkpoint (a C2SP note, as stored under log/<chain>/checkpoints/) that the
    /// store must still extend; repeat for several.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Vec<PathBuf>,
    /// Recompute the Merkle roots that pack and tensor manifests sign from their tables'
    /// rows (the default for stores of up to 1 GiB of blobs).
    #[arg(long, conflicts_with = "shallow")]
    pub deep: bool,
    /// Skip recomputing the signed roots (the default above 1 GiB of blobs).
    #[arg(long)]
    pub shallow: bool,
    /// Verify one chain only: its receipts, checkpoints, manifests and blobs.
    #[arg(long, value_name = "NAME", conflicts_with = "run")]
    pub chain: Option<String>,
    /// Verify one run only, with everything it depends on: its manifest and blobs, its
    /// chain, and the runs it used (a digest or a ref such as runs/netting/latest).
    #[arg(long, value_name = "DIGEST")]
    pub run: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Root (hex) of the RFC 6962 tree over the leaves in FILE, one hex leaf per line.
    Root {
        #[arg(long)]
        leaves: PathBuf,
    },
    /// Check an RFC 9162 inclusion proof. Exit 0 valid, 1 invalid, 2 malformed input.
    VerifyInclusion {
        #[arg(long)]
        size: u64,
        #[arg(long)]
        index: u64,
        /// Leaf hash (hex): SHA-256(0x00 ‖ leaf data).
        #[arg(long)]
        leaf_hash: String,
        #[arg(long)]
        root: String,
        #[arg(long)]
        proof: Vec<String>,
    },
    /// Check an RFC 9162 consistency proof. Exit 0 valid, 1 invalid, 2 malformed input.
    VerifyConsistency {
        #[arg(long)]
        old_size: u64,
        #[arg(long)]
        new_size: u64,
        #[arg(long)]
        old_root: String,
        #[arg(long)]
        new_root: String,
        #[arg(long)]
        proof: Vec<String>,
    },
    /// Print the inclusion proof of a receipt on a chain in the store.
    ProveInclusion {
        #[arg(long)]
        chain: String,
        #[arg(long)]
        index: u64,
        /// Tree size to prove against (default: the whole chain).
        #[arg(long)]
        size: Option<u64>,
    },
    /// Print the consistency proof between two sizes of a chain in the store.
    ProveConsistency {
        #[arg(long)]
        chain: String,
        #[arg(long)]
        old_size: u64,
        /// Default: the whole chain.
        #[arg(long)]
        new_size: Option<u64>,
    },
}

#[derive(Debug, Args)]
pub struct CanonArgs {
    pub file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConflictsArg {
    Hold,
    KeepAll,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
    Parquet,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Artifact digest (sha256:<hex> or <hex>).
    pub digest: String,
    /// `csv` (a header row; list, struct and map columns as one cell of compact JSON, e.g.
    /// `["a","b"]`), `jsonl` (one JSON object per row) or `parquet` (the artifact's bytes).
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Output file (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Public key file (.pub) whose runs may be read; repeat for several. The public key of
    /// `--key` is trusted too.
    #[arg(long = "trusted-key", value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Rows of the generated `transfers` table (0: skip that job).
    #[arg(long, default_value_t = 10_000)]
    pub transfers: usize,
    /// pacs.008 transactions of the generated day to net (0: skip netting).
    #[arg(long, default_value_t = 20_000)]
    pub transactions: u64,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Skip the final verification of the whole store (e.g. when filling a benchmark store).
    #[arg(long)]
    pub no_verify: bool,
    /// Zones for the nightly, screening and tensor part (skipped when the folder is absent).
    #[arg(long, default_value = "jurisdictions")]
    pub jurisdictions: std::path::PathBuf,
    /// Firms per zone in the generated sources.
    #[arg(long, default_value_t = 200)]
    pub entities: usize,
    /// Skip the zones part (nightly, screening, tensor).
    #[arg(long)]
    pub no_zones: bool,
}
