//! RFC 8785 canonical JSON (JCS).
//!
//! Everything we sign or hash as JSON goes through [`to_canonical_vec`], so that the same
//! meaning always gives the same bytes: keys sorted by UTF-16 code units, no whitespace,
//! numbers in the ECMAScript form. The serialiser is the `serde_jcs` crate; this module adds
//! the two rules of our own formats on top (DOMAIN.md §3): documents we write carry no JSON
//! floats, and no integer beyond ±2^53 (which JCS, treating numbers as IEEE doubles, would
//! silently round).

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// Largest integer every JCS implementation carries exactly (2^53).
pub const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// The canonical bytes of any serialisable value (floats allowed, as RFC 8785 does).
pub fn to_canonical_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    serde_jcs::to_vec(value).map_err(|e| Error::json("canonical JSON", e))
}

/// Canonicalises JSON text (`mez canon`). `what` names the source in errors.
pub fn canonicalize_text(what: &str, text: &str) -> Result<Vec<u8>> {
    let value: Value = parse_strict(what, text)?;
    to_canonical_vec(&value)
}

/// The canonical bytes of a value that must hold no floats and only exact integers:
/// money, timestamps and scores never travel as JSON floats.
pub fn to_canonical_vec_integral<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<Vec<u8>> {
    let tree = serde_json::to_value(value).map_err(|e| Error::json(what, e))?;
    check_integral(what, &tree, &mut String::from("$"))?;
    to_canonical_vec(&tree)
}

/// Checks that a JSON tree has no floats and no integers beyond ±2^53.
pub fn check_integral(what: &str, value: &Value, path: &mut String) -> Result<()> {
    match value {
        Value::Number(n) => {
            let exact = n
                .as_u64()
                .map(|u| u <= MAX_EXACT_INTEGER)
                .or_else(|| n.as_i64().map(|i| i.unsigned_abs() <= MAX_EXACT_INTEGER));
            if exact == Some(true) {
                Ok(())
            } else {
                Err(Error::FloatInJson {
                    what: what.to_owned(),
                    path: path.clone(),
                })
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_integral(what, item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                path.push('.');
                path.push_str(key);
                check_integral(what, item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

/// Parses JSON, refusing duplicate object keys (RFC 8785 §3.1 requires I-JSON input, and a
/// signed document whose meaning depends on which duplicate a parser keeps is ambiguous).
pub fn parse_strict(what: &str, text: &str) -> Result<Value> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::json(what, e))?;
    // serde_json keeps the last duplicate silently; detect duplicates by re-reading the text
    // through a visitor that counts keys per object.
    let mut de = serde_json::Deserializer::from_str(text);
    serde::de::Deserializer::deserialize_any(&mut de, DuplicateCheck)
        .map_err(|e| Error::json(what, e))?;
    Ok(value)
}

/// A serde visitor that walks a JSON document and fails on a repeated key in any object.
struct DuplicateCheck;

impl<'de> serde::de::DeserializeSeed<'de> for DuplicateCheck {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(DuplicateCheck)
    }
}

impl<'de> serde::de::Visitor<'de> for DuplicateCheck {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(DuplicateCheck)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate object key {key:?}"
                )));
            }
            map.next_value_seed(DuplicateCheck)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_utf16_code_units() {
        // U+FB33 sorts after U+1D11E in UTF-16 (surrogates D834..) but before it in UTF-8/chars.
        let out = canonicalize_text("t", r#"{"\ufb33":1,"\ud834\udd1e":2,"a":3}"#).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\":3,\"𝄞\":2,\"\u{fb33}\":1}"
        );
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = canonicalize_text("doc.json", r#"{"a":1,"b":{"c":1,"c":2}}"#).unwrap_err();
        assert!(
            err.to_string().contains("duplicate object key \"c\""),
            "{err}"
        );
    }

    #[test]
    fn integral_documents_refuse_floats_and_huge_integers() {
        let ok = serde_json::json!({"amount": 125, "neg": -5});
        assert!(to_canonical_vec_integral("m", &ok).is_ok());
        let float = serde_json::json!({"a": [1, {"score": 0.5}]});
        assert_eq!(
            to_canonical_vec_integral("m", &float).unwrap_err(),
            Error::FloatInJson {
                what: "m".into(),
                path: "$.a[1].score".into()
            }
        );
        let huge = serde_json::json!({"n": MAX_EXACT_INTEGER + 1});
        assert!(to_canonical_vec_integral("m", &huge).is_err());
    }
}
