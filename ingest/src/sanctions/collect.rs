//! A small streaming record collector shared by the XML list readers: every element named
//! as a record (`sdnEntry`, `INDIVIDUAL`, …) becomes a list of (relative path, value) pairs,
//! element text as `a/b/c` and attributes as `a/b@attr`, in document order. Elements are
//! matched by local name; DTDs and undeclared entities refuse the file.

use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::Event;

/// The value recorded when an element starts (so that repeated groups can be told apart).
const MARK: &str = "\u{0}start";

/// One record.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub element: String,
    pub byte_offset: u64,
    pub path: String,
    pub fields: Vec<(String, String)>,
}

impl Record {
    /// The first value at `path`.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(p, v)| p == path && v != MARK && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every value at `path`.
    pub fn all(&self, path: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(p, v)| p == path && v != MARK && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Groups of fields under each repetition of `group` (e.g. every `akaList/aka`), with
    /// paths relative to the group.
    pub fn groups(&self, group: &str) -> Vec<Vec<(&str, &str)>> {
        let prefix = format!("{group}/");
        let mut out: Vec<Vec<(&str, &str)>> = Vec::new();
        for (p, v) in &self.fields {
            if p == group && v == MARK {
                out.push(Vec::new());
            } else if v == MARK {
                continue;
            } else if let (Some(rest), Some(last)) = (p.strip_prefix(&prefix), out.last_mut()) {
                last.push((rest, v.as_str()));
            } else if let (Some(rest), Some(last)) = (
                p.strip_prefix(group).and_then(|r| r.strip_prefix('@')),
                out.last_mut(),
            ) {
                last.push((rest, v.as_str()));
            }
        }
        out
    }
}

/// Why a file was refused: (byte offset, element path, reason).
pub type Refusal = (u64, String, String);

/// Streams `input`, calling `sink` for each record element.
pub fn records(
    input: impl Read,
    record_names: &[&str],
    sink: &mut dyn FnMut(Record),
) -> Result<(), Refusal> {
    let mut reader = Reader::from_reader(std::io::BufReader::with_capacity(1 << 16, input));
    reader.config_mut().expand_empty_elements = true;
    let mut buf = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut current: Option<(usize, Record)> = None;
    let mut text = String::new();
    loop {
        buf.clear();
        let offset = reader.buffer_position();
        let path = || format!("/{}", stack.join("/"));
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            (
                reader.error_position(),
                format!("/{}", stack.join("/")),
                format!("malformed XML: {e}"),
            )
        })?;
        match event {
            Event::Start(e) => {
                let local: String = e.local_name().as_ref().to_owned();
                stack.push(local.clone());
                text.clear();
                if current.is_none() && record_names.contains(&local.as_str()) {
                    // The record element's own attributes are fields `@name`.
                    let fields = e
                        .attributes()
                        .flatten()
                        .map(|a| {
                            let key: String = a.key.local_name().as_ref().to_owned();
                            let value = a
                                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .map(|v| v.trim().to_owned())
                                .unwrap_or_default();
                            (format!("@{key}"), value)
                        })
                        .collect();
                    current = Some((
                        stack.len(),
                        Record {
                            element: local,
                            byte_offset: offset,
                            path: format!("/{}", stack.join("/")),
                            fields,
                        },
                    ));
                    continue;
                }
                if let Some((depth, record)) = &mut current {
                    let rel = stack[*depth..].join("/");
                    record.fields.push((rel.clone(), MARK.into()));
                    for a in e.attributes().flatten() {
                        let key: String = a.key.local_name().as_ref().to_owned();
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.trim().to_owned())
                            .unwrap_or_default();
                        record.fields.push((format!("{rel}@{key}"), value));
                    }
                }
            }
            Event::End(_) => {
                if let Some((depth, record)) = &mut current {
                    if stack.len() == *depth {
                        if let Some((_, record)) = current.take() {
                            sink(record);
                        }
                    } else {
                        let rel = stack[*depth..].join("/");
                        let value = text.trim().to_owned();
                        if !value.is_empty() {
                            record.fields.push((rel, value));
                        }
                    }
                }
                text.clear();
                stack.pop();
            }
            Event::Text(e) => text.push_str(&e.xml10_content()),
            Event::CData(e) => text.push_str(&e.xml10_content()),
            Event::GeneralRef(e) => {
                let c = crate::xml::resolve_reference(&e);
                match c {
                    Some(c) => text.push(c),
                    None => {
                        return Err((
                            offset,
                            path(),
                            format!("undeclared entity &{};", e.as_ref()),
                        ));
                    }
                }
            }
            Event::DocType(_) => return Err((offset, path(), "DTDs are refused".into())),
            Event::Eof => {
                if !stack.is_empty() {
                    return Err((offset, path(), "unexpected end of file".into()));
                }
                return Ok(());
            }
            _ => {}
        }
    }
}
