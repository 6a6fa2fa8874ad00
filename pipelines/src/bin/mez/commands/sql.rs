use anyhow::Result;
use pipelines::sql::SqlSession;

use super::{ExitStatus, out, out_json};
use crate::cli::SqlArgs;
use crate::settings::Settings;

/// CSV with a header on stdout, or with `--json` an array of objects (cells as strings,
/// NULL as null: exact, whatever the column type).
pub fn sql(settings: &Settings, args: SqlArgs) -> Result<ExitStatus> {
    let store = settings.open_existing_store()?;
    let trust = settings.reader_trust(&args.trusted_keys)?;
    let mut session = SqlSession::open(&store, &trust)?;
    let result = session.query(&args.query)?;
    if settings.json {
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = result
            .rows
            .iter()
            .map(|row| {
                result
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| {
                        (
                            c.clone(),
                            v.clone()
                                .map_or(serde_json::Value::Null, serde_json::Value::String),
                        )
                    })
                    .collect()
            })
            .collect();
        out_json(&rows)?;
    } else {
        out(&result
            .columns
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(","))?;
        for row in &result.rows {
            out(&row
                .iter()
                .map(|v| v.as_deref().map(csv_cell).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(","))?;
        }
    }
    Ok(ExitStatus::Success)
}

fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
