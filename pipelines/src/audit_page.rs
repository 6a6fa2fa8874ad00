//! `mez report`: one self-contained HTML page an auditor opens in a browser — every chain
//! with its checkpoint, every run with its inputs and outputs, the verdict of each object
//! with the reason of any failure, and for netting runs the net positions and settlement
//! efficiency as charts.
//!
//! Why a static page: an auditor may read it offline, on a machine without our tools, and
//! archive it beside the evidence. So it holds no script, loads nothing (inline CSS, SVG
//! charts drawn here), and says only what `mez verify` established: the verdicts are the
//! audit's, not the page's.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Date32Type, Int64Type};
use verify::Digest;
use verify::audit::{self, AuditOptions, Report};
use verify::keys::TrustSet;
use verify::manifest::{self, Statement};
use verify::store::{self, Store};

use crate::artifact;

/// What went wrong building the page (not what the audit found: that goes on the page).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    #[error(transparent)]
    Verify(#[from] verify::Error),
    #[error(transparent)]
    Artifact(#[from] artifact::ArtifactError),
}

/// A run as the page shows it.
struct Run {
    digest: Digest,
    statement: Option<Statement>,
    /// Why the manifest could not be opened with the trusted keys, if it could not.
    unreadable: Option<String>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn short(digest: &str) -> String {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    format!("{}…", &hex[..hex.len().min(12)])
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1d2433}\
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccd}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccd;padding:.25em .6em;\
text-align:left;vertical-align:top}th{background:#eef1f7}code{font-size:.92em}\
.ok{color:#11703a;font-weight:600}.fail{color:#b3261e;font-weight:600}\
.verdict{padding:.6em 1em;border-radius:6px;display:inline-block}\
.verdict.ok{background:#e3f4e8}.verdict.fail{background:#fbe4e2}\
small{color:#5a6275}svg{background:#fafbfd;border:1px solid #dde}";

/// The page, and whether everything verified.
#[derive(Debug, Clone)]
pub struct Page {
    pub html: String,
    pub verified: bool,
}

/// Renders the page for `store`, after auditing it with `trust`.
pub fn render(store: &Store, trust: &TrustSet, options: &AuditOptions) -> Result<Page, PageError> {
    let report = audit::audit(store, trust, options)?;
    let mut runs = Vec::new();
    for item in store.list("manifests/")? {
        let Some(digest) = store::manifest_of_key(&item.key) else {
            continue;
        };
        let opened = store
            .get(&item.key)
            .and_then(|bytes| manifest::open(&item.key, &bytes, trust));
        runs.push(match opened {
            Ok((statement, _)) => Run {
                digest,
                statement: Some(statement),
                unreadable: None,
            },
            Err(e) => Run {
                digest,
                statement: None,
                unreadable: Some(e.to_string()),
            },
        });
    }
    runs.sort_by(|a, b| {
        let key = |r: &Run| r.statement.as_ref().map(|s| s.predicate.time.to_string());
        (key(a), a.digest).cmp(&(key(b), b.digest))
    });
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>mez audit report</title><style>{STYLE}</style></head><body>"
    );
    summary(&mut page, &report);
    chains(&mut page, &report);
    runs_table(&mut page, &report, &runs);
    netting_charts(&mut page, store, &runs)?;
    findings(&mut page, &report);
    page.push_str("</body></html>\n");
    let verified = report.ok() && runs.iter().all(|r| r.unreadable.is_none());
    Ok(Page {
        html: page,
        verified,
    })
}

fn summary(page: &mut String, report: &Report) {
    let (class, verdict) = if report.ok() {
        ("ok", "verified: no failures".to_owned())
    } else {
        ("fail", format!("{} failures", report.failures.len()))
    };
    let _ = write!(
        page,
        "<h1>mez audit report</h1><p>Store <code>{}</code></p>\
         <p class=\"verdict {class}\" id=\"verdict\">{}</p>\
         <p id=\"counts\"><span id=\"manifests\">{}</span> manifests, \
         <span id=\"blobs\">{}</span> blobs ({} bytes), <span id=\"receipts\">{}</span> receipts \
         on <span id=\"chains\">{}</span> chains, {} checkpoints</p>",
        escape(&report.store),
        escape(&verdict),
        report.manifests,
        report.blobs,
        report.blob_bytes,
        report.receipts,
        report.chains.len(),
        report.checkpoints
    );
}

fn chains(page: &mut String, report: &Report) {
    page.push_str(
        "<h2>Chains</h2><table><tr><th>chain</th><th>receipts</th><th>checkpoints</th>\
         <th>checkpoint size</th><th>root</th></tr>",
    );
    for (name, c) in &report.chains {
        let _ = write!(
            page,
            "<tr class=\"chain\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            escape(name),
            c.receipts,
            c.checkpoints,
            c.checkpoint_size,
            escape(&c.checkpoint_root)
        );
    }
    page.push_str("</table>");
}

/// The failures that concern a run: its manifest, or one of its tables.
fn failures_of<'a>(report: &'a Report, run: &Run) -> Vec<&'a audit::Failure> {
    let mut keys = vec![store::manifest_key(&run.digest)];
    if let Some(s) = &run.statement {
        keys.extend(
            s.subject
                .iter()
                .filter_map(|sub| sub.sha256().ok())
                .map(|d| store::blob_key(&d)),
        );
    }
    report
        .failures
        .iter()
        .filter(|f| keys.contains(&f.object))
        .collect()
}

fn runs_table(page: &mut String, report: &Report, runs: &[Run]) {
    page.push_str(
        "<h2>Runs</h2><table><tr><th>run</th><th>time</th><th>inputs</th><th>outputs</th>\
         <th>verdict</th></tr>",
    );
    for run in runs {
        let failed = failures_of(report, run);
        let verdict = match (&run.unreadable, failed.is_empty()) {
            (Some(why), _) => format!("<span class=\"fail\">not verified</span>: {}", escape(why)),
            (None, true) => "<span class=\"ok\">verified</span>".to_owned(),
            (None, false) => format!(
                "<span class=\"fail\">failed</span>: {}",
                failed
                    .iter()
                    .map(|f| format!(
                        "{} {} (expected {}, found {})",
                        escape(&f.object),
                        escape(&f.check),
                        escape(&f.expected),
                        escape(&f.found)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        let (job, time, inputs, outputs) = match &run.statement {
            Some(s) => (
                format!(
                    "{} <small>on {}</small>",
                    escape(&s.predicate.job),
                    escape(&s.predicate.chain)
                ),
                escape(&s.predicate.time.to_string()),
                s.predicate
                    .inputs
                    .iter()
                    .map(|i| {
                        format!(
                            "{} <small>{}</small>",
                            escape(&i.name),
                            short(&i.digest.to_string())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>"),
                s.subject
                    .iter()
                    .map(|sub| {
                        format!(
                            "{} <small>{} rows, {}</small>",
                            escape(&sub.name),
                            sub.annotations.rows,
                            short(sub.digest.get("sha256").map_or("", String::as_str))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>"),
            ),
            None => ("?".into(), String::new(), String::new(), String::new()),
        };
        let _ = write!(
            page,
            "<tr class=\"run\"><td>{job}<br><small><code>{}</code></small></td><td>{time}</td>\
             <td>{inputs}</td><td>{outputs}</td><td>{verdict}</td></tr>",
            run.digest
        );
    }
    page.push_str("</table>");
}

/// A horizontal bar chart: one labelled bar per value, positive right, negative left of a
/// zero line (at the left edge of the bars when no value is negative).
fn bars(page: &mut String, title: &str, values: &[(String, i64)], unit: &str) {
    let (width, labels, numbers, row) = (760i64, 230i64, 110i64, 22i64);
    let height = row * values.len() as i64 + 20;
    let span = width - labels - numbers;
    let max = values
        .iter()
        .map(|(_, v)| v.abs())
        .max()
        .unwrap_or(1)
        .max(1);
    let negative = values.iter().any(|(_, v)| *v < 0);
    let (zero, reach) = if negative {
        (labels + span / 2, span / 2 - 4)
    } else {
        (labels, span - 4)
    };
    let _ = write!(
        page,
        "<figure><figcaption>{}</figcaption><svg class=\"chart\" role=\"img\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <line x1=\"{zero}\" y1=\"0\" x2=\"{zero}\" y2=\"{height}\" stroke=\"#889\"/>",
        escape(title)
    );
    for (i, (label, value)) in values.iter().enumerate() {
        let y = 10 + row * i as i64;
        let len = (i128::from(value.abs()) * i128::from(reach) / i128::from(max)) as i64;
        let (x, color) = if *value < 0 {
            (zero - len, "#c0504d")
        } else {
            (zero, "#4f81bd")
        };
        let _ = write!(
            page,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{len}\" height=\"{}\" fill=\"{color}\">\
             <title>{}: {value} {}</title></rect>\
             <text x=\"4\" y=\"{}\" font-size=\"11\">{}</text>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{value}</text>",
            row - 6,
            escape(label),
            escape(unit),
            y + 12,
            escape(label),
            width - 4,
            y + 12
        );
    }
    page.push_str("</svg></figure>");
}

/// Net positions and settlement efficiency of every verified netting run.
fn netting_charts(page: &mut String, store: &Store, runs: &[Run]) -> Result<(), PageError> {
    let netting: Vec<&Run> = runs
        .iter()
        .filter(|r| {
            r.statement
                .as_ref()
                .is_some_and(|s| s.predicate.job == "netting")
        })
        .collect();
    if netting.is_empty() {
        return Ok(());
    }
    page.push_str("<h2>Netting</h2>");
    for run in netting {
        let Some(statement) = &run.statement else {
            continue;
        };
        let table = |name: &str| -> Option<Digest> {
            statement
                .subject
                .iter()
                .find(|s| s.name == name)
                .and_then(|s| s.sha256().ok())
        };
        let _ = write!(
            page,
            "<h3>Run <code>{}</code></h3>",
            short(&run.digest.to_string())
        );
        if let Some(digest) = table("efficiency") {
            let (_, batches) = artifact::read_table(store, &digest)?;
            let mut values = Vec::new();
            for b in &batches {
                let (systems, dates, currencies, bp) = (
                    text(b, "settlement_system"),
                    b.column_by_name("value_date")
                        .and_then(|c| c.as_primitive_opt::<Date32Type>()),
                    text(b, "currency"),
                    b.column_by_name("multilateral_efficiency_bp")
                        .and_then(|c| c.as_primitive_opt::<Int64Type>()),
                );
                let (Some(systems), Some(dates), Some(currencies), Some(bp)) =
                    (systems, dates, currencies, bp)
                else {
                    continue;
                };
                for i in 0..b.num_rows() {
                    if bp.is_valid(i) {
                        let day = crate::jobs::netting::format_date(dates.value(i));
                        values.push((
                            format!("{} {} {}", systems.value(i), day, currencies.value(i)),
                            bp.value(i),
                        ));
                    }
                }
            }
            values.truncate(40);
            bars(
                page,
                "Multilateral settlement efficiency (1 − M/G), basis points",
                &values,
                "bp",
            );
        }
        if let Some(digest) = table("multilateral") {
            let (_, batches) = artifact::read_table(store, &digest)?;
            // The net positions of the largest bucket: the one with the most participants.
            let mut buckets: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
            for b in &batches {
                let (Some(systems), Some(currencies), Some(participants), Some(net)) = (
                    text(b, "settlement_system"),
                    text(b, "currency"),
                    text(b, "participant"),
                    b.column_by_name("net_minor")
                        .and_then(|c| c.as_primitive_opt::<Int64Type>()),
                ) else {
                    continue;
                };
                for i in 0..b.num_rows() {
                    buckets
                        .entry(format!("{} {}", systems.value(i), currencies.value(i)))
                        .or_default()
                        .push((participants.value(i).to_owned(), net.value(i)));
                }
            }
            if let Some((bucket, values)) = buckets
                .iter()
                .max_by_key(|(k, v)| (v.len(), std::cmp::Reverse(k.as_str())))
            {
                let mut values = values.clone();
                values.truncate(40);
                bars(
                    page,
                    &format!("Net positions, {bucket} (minor units; positive = receives)"),
                    &values,
                    "minor units",
                );
            }
        }
    }
    Ok(())
}

fn text<'a>(batch: &'a RecordBatch, name: &str) -> Option<&'a arrow::array::StringArray> {
    batch.column_by_name(name)?.as_string_opt::<i32>()
}

fn findings(page: &mut String, report: &Report) {
    page.push_str("<h2>Failures</h2>");
    if report.failures.is_empty() {
        page.push_str("<p class=\"ok\" id=\"no-failures\">none</p>");
    } else {
        page.push_str(
            "<table><tr><th>object</th><th>check</th><th>expected</th><th>found</th></tr>",
        );
        for f in &report.failures {
            let _ = write!(
                page,
                "<tr class=\"failure\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&f.object),
                escape(&f.check),
                escape(&f.expected),
                escape(&f.found)
            );
        }
        page.push_str("</table>");
    }
    if !report.notes.is_empty() {
        page.push_str("<h2>Notes</h2><ul>");
        for n in &report.notes {
            let _ = write!(
                page,
                "<li><code>{}</code>: {}</li>",
                escape(&n.object),
                escape(&n.note)
            );
        }
        page.push_str("</ul>");
    }
}
