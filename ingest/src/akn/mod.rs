//! Akoma Ntoso → `documents` and `provisions` (one row per provision-like element).
//!
//! Accepts the AKN 3.0 namespace and its committee drafts (`…/akn/3.0/CSD13`), AKN 2.0
//! (`http://www.akomantoso.org/2.0`), the German LegalDocML.de dialect, and prefixed roots
//! (`an:`, `akn:`); elements in other namespaces (metadata vocabularies, RDFa, LEOS) are
//! skipped with their subtrees. DTDs and entity references other than the five XML ones are
//! refused, never expanded.
//!
//! # Provisions
//!
//! Every hierarchy element (section, article, chapter, part, paragraph, rule, hcontainer,
//! …) outside `meta` is a row, in document order, with:
//!
//! - `component`: `main`, or the attachment/component it sits in (`attachment[1]`,
//!   nested ones joined with `/`);
//! - `eid` and where it came from (`eId`, `id`, `xml:id`, or `generated` as
//!   `<element>_<position>` when the element has none);
//! - `depth` (provision ancestors), `parent_eid`, `position` (document order);
//! - `in_quoted`: inside `quotedStructure`/`embeddedStructure` (the text an amendment
//!   inserts), so amending structure is never mistaken for the document's own;
//! - `text`: the element's own text — without its num, heading, notes or nested
//!   provisions — one line per block (`p`, `content`, `intro`, `wrapUp`, `eol`, …);
//! - `refs` (`ref@href`), `terms` (`term@refersTo`) and `notes` (authorial notes, split off).

mod clean;
mod reader;
pub mod table;

pub use reader::{AknDocument, Provision, read, read_file};

/// Whether `local` is one of [`PROVISION_ELEMENTS`] (asked for every element, so a
/// `match` rather than a search).
pub fn is_provision_element(local: &str) -> bool {
    matches!(
        local,
        "alinea"
            | "article"
            | "book"
            | "chapter"
            | "clause"
            | "division"
            | "hcontainer"
            | "indent"
            | "level"
            | "paragraph"
            | "part"
            | "point"
            | "proviso"
            | "rule"
            | "section"
            | "subchapter"
            | "subclause"
            | "subdivision"
            | "subparagraph"
            | "subpart"
            | "subrule"
            | "subsection"
            | "subtitle"
            | "title"
            | "tome"
            | "transitional"
    )
}

/// Elements that make a provision row.
pub const PROVISION_ELEMENTS: &[&str] = &[
    "alinea",
    "article",
    "book",
    "chapter",
    "clause",
    "division",
    "hcontainer",
    "indent",
    "level",
    "paragraph",
    "part",
    "point",
    "proviso",
    "rule",
    "section",
    "subchapter",
    "subclause",
    "subdivision",
    "subparagraph",
    "subpart",
    "subrule",
    "subsection",
    "subtitle",
    "title",
    "tome",
    "transitional",
];

/// The dialect of a namespace URI we accept, if any.
pub fn dialect(ns: &str) -> Option<&'static str> {
    if ns == "http://docs.oasis-open.org/legaldocml/ns/akn/3.0" {
        Some("akn-3.0")
    } else if ns.starts_with("http://docs.oasis-open.org/legaldocml/ns/akn/3.0/") {
        Some("akn-3.0-draft")
    } else if ns.starts_with("http://www.akomantoso.org/2.0") {
        Some("akn-2.0")
    } else if ns.starts_with("http://Inhaltsdaten.LegalDocML.de/") {
        Some("legaldocml.de")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn provision_elements_are_sorted_for_binary_search() {
        assert!(super::PROVISION_ELEMENTS.windows(2).all(|w| w[0] < w[1]));
        for e in super::PROVISION_ELEMENTS {
            assert!(super::is_provision_element(e), "{e}");
        }
        for other in ["p", "num", "heading", "sections", "Section", "art", ""] {
            assert!(!super::is_provision_element(other), "{other}");
        }
    }
}
