//! Reading a stored pack table back, column by column, to recompute its Merkle root from
//! the rows themselves (an auditor's deep check), not from a leaf column the table carries.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::Date32Type;

/// A column of a stored table, or why it cannot be read.
pub(crate) fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a dyn Array, String> {
    batch
        .column_by_name(name)
        .map(|c| c.as_ref())
        .ok_or_else(|| format!("no column {name}"))
}

/// Text at row `i` (`None` when null).
pub(crate) fn text(batch: &RecordBatch, name: &str, i: usize) -> Result<Option<String>, String> {
    let c = column(batch, name)?
        .as_string_opt::<i32>()
        .ok_or_else(|| format!("{name} is not text"))?;
    Ok((!c.is_null(i)).then(|| c.value(i).to_owned()))
}

/// A list of texts at row `i` (empty when null).
pub(crate) fn texts(batch: &RecordBatch, name: &str, i: usize) -> Result<Vec<String>, String> {
    let c = column(batch, name)?
        .as_list_opt::<i32>()
        .ok_or_else(|| format!("{name} is not a list"))?;
    if c.is_null(i) {
        return Ok(vec![]);
    }
    let values = c.value(i);
    let values = values
        .as_string_opt::<i32>()
        .ok_or_else(|| format!("{name} is not a list of text"))?;
    Ok((0..values.len())
        .filter(|&j| !values.is_null(j))
        .map(|j| values.value(j).to_owned())
        .collect())
}

/// A date (days since 1970-01-01) at row `i` (`None` when null).
pub(crate) fn date(batch: &RecordBatch, name: &str, i: usize) -> Result<Option<i32>, String> {
    let c = column(batch, name)?
        .as_primitive_opt::<Date32Type>()
        .ok_or_else(|| format!("{name} is not a date"))?;
    Ok((!c.is_null(i)).then(|| c.value(i)))
}
