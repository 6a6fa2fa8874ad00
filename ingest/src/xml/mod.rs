//! XML for the readers: a fast streaming scanner ([`scan`]), character data and
//! attributes ([`text`]), namespace scopes ([`names`]); and the reference resolver the
//! quick-xml based readers (sanctions lists) share.

pub mod names;
pub mod scan;
pub mod text;

use quick_xml::events::BytesRef;

/// The character an entity or character reference stands for: a character reference, or
/// one of the five entities XML predefines. Anything else is `None` — an undeclared entity,
/// which the readers refuse rather than expand.
pub fn resolve_reference(reference: &BytesRef<'_>) -> Option<char> {
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        Ok(None) => match reference.as_ref() {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        },
        Err(_) => None,
    }
}
