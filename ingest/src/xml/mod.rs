//! XML for the readers: a fast streaming scanner ([`scan`]), character data and
//! attributes ([`text`]), namespace scopes ([`names`]); and the reference resolver the
//! quick-xml based readers (sanctions lists) share.

pub mod names;
pub mod scan;
mod swar;
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

/// The scanner, decoded, against quick-xml as an independent oracle: on generated
/// well-formed documents both must see the same elements, attributes and text.
#[cfg(test)]
mod oracle {
    use proptest::prelude::*;
    use quick_xml::events::Event;

    use super::scan::{Scanner, Token};
    use super::text::{Attributes, attribute_value, unescape_into};

    #[derive(Debug, Clone)]
    enum Node {
        Element {
            name: &'static str,
            attrs: Vec<(&'static str, String, bool)>,
            children: Vec<Node>,
            empty_form: bool,
        },
        Text(String),
        CData(String),
        Comment,
    }

    const NAMES: [&str; 6] = ["a", "Nm", "p:x", "akn:section", "x-y.z", "_u"];
    const KEYS: [&str; 4] = ["id", "Ccy", "xml:lang", "p:k"];
    const TEXT: [&str; 12] = [
        "plain",
        " ",
        "&amp;",
        "&lt;x&gt;",
        "&#233;",
        "&#x1F600;",
        "\r\n",
        "\r",
        "é",
        "a>b",
        "&quot;&apos;",
        "\t\n",
    ];

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(TEXT.to_vec()), 1..5)
            .prop_map(|parts| parts.concat())
    }

    fn node() -> impl Strategy<Value = Node> {
        let leaf = prop_oneof![
            text().prop_map(Node::Text),
            "[a-z<>& ]{0,6}".prop_map(Node::CData),
            Just(Node::Comment),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            (
                proptest::sample::select(NAMES.to_vec()),
                proptest::collection::vec(
                    (
                        proptest::sample::select(KEYS.to_vec()),
                        text(),
                        any::<bool>(),
                    ),
                    0..3,
                ),
                proptest::collection::vec(inner, 0..5),
                any::<bool>(),
            )
                .prop_map(|(name, mut attrs, children, empty_form)| {
                    attrs.sort_by_key(|a| a.0);
                    attrs.dedup_by_key(|a| a.0);
                    Node::Element {
                        name,
                        attrs,
                        children,
                        empty_form,
                    }
                })
        })
    }

    fn render(node: &Node, out: &mut String) {
        match node {
            Node::Element {
                name,
                attrs,
                children,
                empty_form,
            } => {
                out.push('<');
                out.push_str(name);
                for (key, value, single) in attrs {
                    let value = value.replace('<', "&lt;");
                    if *single {
                        out.push_str(&format!(" {key} = '{}'", value.replace('\'', "&apos;")));
                    } else {
                        out.push_str(&format!(" {key}=\"{}\"", value.replace('"', "&quot;")));
                    }
                }
                if children.is_empty() && *empty_form {
                    out.push_str("/>");
                    return;
                }
                out.push('>');
                for child in children {
                    render(child, out);
                }
                out.push_str(&format!("</{name}>"));
            }
            Node::Text(t) => out.push_str(t),
            Node::CData(t) => out.push_str(&format!("<![CDATA[{t}]]>")),
            Node::Comment => out.push_str("<!-- c -->"),
        }
    }

    /// Events as comparable strings; adjacent text is merged.
    fn push(events: &mut Vec<String>, event: String) {
        if let (Some(last), Some(more)) = (events.last_mut(), event.strip_prefix("T:"))
            && last.starts_with("T:")
        {
            last.push_str(more);
            return;
        }
        events.push(event);
    }

    fn ours(doc: &str) -> Vec<String> {
        let mut scanner = Scanner::from_slice(doc.as_bytes());
        let mut events = Vec::new();
        loop {
            let (_, token) = scanner.next_token().unwrap();
            let event = match token {
                Token::Start { name, attrs } => {
                    let mut e = format!("S:{}", String::from_utf8_lossy(name));
                    for a in Attributes::new(attrs) {
                        let (k, v) = a.unwrap();
                        let v = attribute_value(v).unwrap();
                        e.push_str(&format!(" {}={v:?}", String::from_utf8_lossy(k)));
                    }
                    e
                }
                Token::End { name } => format!("E:{}", String::from_utf8_lossy(name)),
                Token::Text(raw) => {
                    let mut t = String::from("T:");
                    unescape_into(raw, &mut t).unwrap();
                    t
                }
                Token::CData(raw) => format!("T:{raw}"),
                Token::DocType => "DOCTYPE".into(),
                Token::Eof => break,
            };
            push(&mut events, event);
        }
        events
    }

    fn theirs(doc: &str) -> Vec<String> {
        let mut reader = quick_xml::Reader::from_str(doc);
        reader.config_mut().expand_empty_elements = true;
        let mut events = Vec::new();
        loop {
            let event = match reader.read_event().unwrap() {
                Event::Start(e) => {
                    let mut s = format!("S:{}", e.name().as_ref());
                    for a in e.attributes() {
                        let a = a.unwrap();
                        let v = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap();
                        s.push_str(&format!(" {}={v:?}", a.key.as_ref()));
                    }
                    s
                }
                Event::End(e) => format!("E:{}", e.name().as_ref()),
                Event::Text(e) => format!("T:{}", e.xml10_content()),
                Event::CData(e) => format!("T:{}", e.xml10_content()),
                Event::GeneralRef(e) => match super::resolve_reference(&e) {
                    Some(c) => format!("T:{c}"),
                    None => "BAD REFERENCE".into(),
                },
                Event::Eof => break,
                _ => continue,
            };
            push(&mut events, event);
        }
        events
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn scanner_agrees_with_quick_xml(root in node()) {
            let mut doc = String::from("<?xml version=\"1.0\"?>\n<root>");
            render(&root, &mut doc);
            doc.push_str("</root>\n");
            prop_assert_eq!(ours(&doc), theirs(&doc), "{}", doc);
        }
    }
}
