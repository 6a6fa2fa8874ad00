//! The streaming Akoma Ntoso reader.

use std::borrow::Cow;
use std::io::Read;

use verify::Digest;

use super::clean::CleanText;
use super::{dialect, is_provision_element};
use crate::NamedFile;
use crate::error::IngestError;
use crate::xml::names::Namespaces;
use crate::xml::scan::{Scanner, Token};
use crate::xml::text::{Attributes, TextError, attribute_value, find_attribute, unescape_into};

/// One provision row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provision {
    pub component: String,
    pub eid: String,
    pub eid_source: &'static str,
    pub element: String,
    /// `@name` (meaningful on `hcontainer`: `schedule`, `regulation`, …).
    pub name: Option<String>,
    pub num: Option<String>,
    pub heading: Option<String>,
    pub depth: u32,
    pub parent_eid: Option<String>,
    pub position: u32,
    pub in_quoted: bool,
    pub text: String,
    pub refs: Vec<String>,
    pub terms: Vec<String>,
    pub notes: Vec<String>,
}

/// One document (file) and its provisions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AknDocument {
    pub source_file: String,
    pub file_digest: Digest,
    pub bytes: u64,
    pub dialect: String,
    /// Local name of the document element (`act`, `bill`, `judgment`, …) and its `@name`.
    pub doc_type: String,
    pub doc_name: Option<String>,
    pub work_uri: Option<String>,
    pub expression_uri: Option<String>,
    pub expression_date: Option<String>,
    pub language: Option<String>,
    /// `attachment` and `component` elements.
    pub components: u32,
    pub provisions: Vec<Provision>,
    /// Why the file was refused, if it was (then `provisions` is empty).
    pub refused: Option<(u64, String, String)>,
}

/// Reads a file. Only failing to read it is an error. Akoma Ntoso documents are read
/// whole: they are small beside memory, and scanning a slice saves copying every byte.
pub fn read_file(file: &NamedFile) -> Result<AknDocument, IngestError> {
    let bytes = std::fs::read(&file.path).map_err(|e| IngestError::Io {
        file: file.path.clone(),
        reason: e.to_string(),
    })?;
    Ok(read(&file.name, &bytes))
}

/// Reads one Akoma Ntoso document.
pub fn read(source: &str, document: &[u8]) -> AknDocument {
    let mut state = State::default();
    let outcome = state.run(Scanner::from_slice(document));
    let mut doc = state.doc;
    doc.source_file = source.to_owned();
    doc.file_digest = Digest::of(document);
    doc.bytes = document.len() as u64;
    if let Err((offset, path, reason)) = outcome {
        doc.provisions.clear();
        doc.refused = Some((offset, path, reason));
    }
    // Rows are finished in end-tag order; present them in document order.
    doc.provisions.sort_by_key(|p| p.position);
    doc
}

/// What an open element means to the reader.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Other,
    /// Foreign namespace or `meta`: skipped with its subtree (except FRBR, see below).
    Skipped,
    Provision,
    Num,
    Heading,
    Note,
    Quoted,
    Block,
    Component,
    Meta,
    /// A `num` that is not a provision's own (list items): a space follows it in the text.
    Label,
}

struct Frame {
    role: Role,
    path_len: usize,
}

struct OpenProvision {
    /// Stack depth of the provision element (its num and heading are direct children).
    stack_depth: usize,
    row: Provision,
    text: CleanText,
    num: CleanText,
    heading: CleanText,
}

#[derive(Default)]
struct State {
    doc: AknDocument,
    ns: Option<String>,
    stack: Vec<Frame>,
    path: String,
    open: Vec<OpenProvision>,
    /// Component path (`attachment[1]/attachment[2]`).
    components: Vec<String>,
    component_counts: Vec<u32>,
    quoted: u32,
    notes: u32,
    nums: u32,
    headings: u32,
    skipped: u32,
    in_meta: u32,
    /// FRBR level inside the main document's meta: work, expression.
    frbr: Option<&'static str>,
    position: u32,
    note_text: CleanText,
}

type Refusal = (u64, String, String);

fn attr(attrs: &[u8], key: &str) -> Option<String> {
    find_attribute(attrs, key.as_bytes())
        .ok()
        .flatten()
        .map(Cow::into_owned)
}

impl State {
    fn refusal(&self, offset: u64, reason: impl Into<String>) -> Refusal {
        (
            offset,
            if self.path.is_empty() {
                "/".into()
            } else {
                self.path.clone()
            },
            reason.into(),
        )
    }

    fn run<R: Read>(&mut self, mut scanner: Scanner<'_, R>) -> Result<(), Refusal> {
        let mut names = Namespaces::default();
        // Text outside any collected field is still decoded, to refuse bad references.
        let mut scratch = String::new();
        loop {
            let (offset, token) = match scanner.next_token() {
                Ok(t) => t,
                Err(e) => {
                    return Err(self.refusal(e.offset, format!("malformed XML: {}", e.reason)));
                }
            };
            match token {
                Token::Start { name, attrs } => {
                    let (ns, local) = names
                        .open(name, attrs)
                        .map_err(|e| self.refusal(offset, e.to_string()))?;
                    let local = std::str::from_utf8(local)
                        .map_err(|_| self.refusal(offset, "element name is not UTF-8"))?;
                    self.start(local, attrs, ns, offset)?;
                }
                Token::End { .. } => {
                    names.close();
                    self.end();
                }
                Token::Text(raw) => {
                    let decoded = match self.text_target() {
                        Some(target) => unescape_into(raw, target),
                        None => {
                            scratch.clear();
                            unescape_into(raw, &mut scratch)
                        }
                    };
                    if let Err(e) = decoded {
                        let reason = match e {
                            TextError::UndeclaredEntity(_) => {
                                format!("{e} (entities are not expanded)")
                            }
                            _ => e.to_string(),
                        };
                        return Err(self.refusal(offset, reason));
                    }
                }
                Token::CData(text) => self.text(text),
                Token::DocType => {
                    return Err(self.refusal(offset, "DTDs are refused (no entity expansion)"));
                }
                Token::Eof => {
                    if self.ns.is_none() {
                        return Err(self
                            .refusal(0, "no akomaNtoso root element in an Akoma Ntoso namespace"));
                    }
                    return Ok(());
                }
            }
        }
    }

    /// Where text read now goes, if anywhere.
    fn text_target(&mut self) -> Option<&mut CleanText> {
        if self.skipped > 0 {
            return None;
        }
        if self.notes > 0 {
            return Some(&mut self.note_text);
        }
        let open = self.open.last_mut()?;
        Some(if self.nums > 0 {
            &mut open.num
        } else if self.headings > 0 {
            &mut open.heading
        } else {
            &mut open.text
        })
    }

    fn text(&mut self, text: &str) {
        if let Some(target) = self.text_target() {
            target.push_str(text);
        }
    }

    fn start(
        &mut self,
        local: &str,
        e: &[u8],
        ns: Option<&str>,
        offset: u64,
    ) -> Result<(), Refusal> {
        let path_len = self.path.len();
        self.path.push('/');
        self.path.push_str(local);
        // The root decides the document's namespace.
        if self.ns.is_none() {
            if local != "akomaNtoso" {
                return Err(
                    self.refusal(offset, format!("root element is {local}, not akomaNtoso"))
                );
            }
            let Some(d) = ns.and_then(dialect) else {
                return Err(self.refusal(
                    offset,
                    format!(
                        "namespace {:?} is not an Akoma Ntoso namespace",
                        ns.unwrap_or("")
                    ),
                ));
            };
            self.doc.dialect = d.to_owned();
            self.ns = ns.map(str::to_owned);
            self.stack.push(Frame {
                role: Role::Other,
                path_len,
            });
            return Ok(());
        }
        let ours = ns == self.ns.as_deref();
        let depth_from_root = self.stack.len();
        let role = if self.skipped > 0 || !ours {
            Role::Skipped
        } else if self.in_meta > 0 {
            self.meta_start(e, local);
            Role::Other
        } else if local == "meta" {
            self.in_meta += 1;
            Role::Meta
        } else if depth_from_root == 1 {
            // The document element: act, bill, doc, judgment, portion, documentCollection, …
            self.doc.doc_type = local.to_owned();
            self.doc.doc_name = attr(e, "name");
            Role::Other
        } else if local == "attachment" || local == "component" {
            self.doc.components += 1;
            let counter = self.component_counts.last_mut();
            let n = match counter {
                Some(c) => {
                    *c += 1;
                    *c
                }
                None => {
                    self.component_counts.push(1);
                    1
                }
            };
            self.components.push(format!("{local}[{n}]"));
            self.component_counts.push(0);
            Role::Component
        } else if is_provision_element(local) {
            self.open_provision(e, local);
            Role::Provision
        } else {
            match local {
                "num" if self.direct_child_of_provision() => Role::Num,
                "heading" if self.direct_child_of_provision() => Role::Heading,
                "num" => Role::Label,
                "authorialNote" | "note" => Role::Note,
                "quotedStructure" | "embeddedStructure" => Role::Quoted,
                "p" | "content" | "intro" | "wrapUp" | "wrap" | "listIntroduction"
                | "listWrapUp" | "tr" | "blockContainer" | "crossHeading" | "subheading" => {
                    Role::Block
                }
                "eol" | "br" | "eop" => {
                    self.text("\n");
                    Role::Other
                }
                "ref" => {
                    if let (Some(href), Some(open)) = (attr(e, "href"), self.open.last_mut())
                        && self.notes == 0
                    {
                        open.row.refs.push(href);
                    }
                    Role::Other
                }
                "term" => {
                    if let (Some(t), Some(open)) = (attr(e, "refersTo"), self.open.last_mut()) {
                        open.row.terms.push(t);
                    }
                    Role::Other
                }
                _ => Role::Other,
            }
        };
        match role {
            Role::Skipped => self.skipped += 1,
            Role::Num => self.nums += 1,
            Role::Heading => self.headings += 1,
            Role::Note => {
                self.notes += 1;
                if self.notes == 1 {
                    self.note_text.clear();
                }
            }
            Role::Quoted => self.quoted += 1,
            _ => {}
        }
        self.stack.push(Frame { role, path_len });
        Ok(())
    }

    /// Whether the element being opened is a direct child of the innermost provision.
    fn direct_child_of_provision(&self) -> bool {
        self.nums == 0
            && self.headings == 0
            && self
                .open
                .last()
                .is_some_and(|o| o.stack_depth + 1 == self.stack.len())
    }

    /// FRBR identification of the main document (the first `meta` only).
    fn meta_start(&mut self, e: &[u8], local: &str) {
        if !self.components.is_empty() {
            return;
        }
        match local {
            "FRBRWork" => self.frbr = Some("work"),
            "FRBRExpression" => self.frbr = Some("expression"),
            "FRBRManifestation" | "FRBRItem" => self.frbr = None,
            "FRBRthis" => match self.frbr {
                Some("work") if self.doc.work_uri.is_none() => self.doc.work_uri = attr(e, "value"),
                Some("expression") if self.doc.expression_uri.is_none() => {
                    self.doc.expression_uri = attr(e, "value")
                }
                _ => {}
            },
            "FRBRdate" if self.frbr == Some("expression") && self.doc.expression_date.is_none() => {
                self.doc.expression_date = attr(e, "date");
            }
            "FRBRlanguage" if self.frbr == Some("expression") && self.doc.language.is_none() => {
                self.doc.language = attr(e, "language");
            }
            _ => {}
        }
    }

    fn open_provision(&mut self, e: &[u8], local: &str) {
        // One pass over the attributes: eId (3.0), id (2.0), xml:id (AKN4EU), name.
        let (mut eid, mut id, mut xml_id, mut name) = (None, None, None, None);
        for (key, value) in Attributes::new(e).flatten() {
            let slot = match key {
                b"eId" => &mut eid,
                b"id" => &mut id,
                b"xml:id" => &mut xml_id,
                b"name" => &mut name,
                _ => continue,
            };
            *slot = attribute_value(value).ok().map(Cow::into_owned);
        }
        let (eid, source) = match (eid, id, xml_id) {
            (Some(v), _, _) => (v, "eId"),
            (None, Some(v), _) => (v, "id"),
            (None, None, Some(v)) => (v, "xml:id"),
            _ => (format!("{local}_{}", self.position), "generated"),
        };
        let row = Provision {
            component: if self.components.is_empty() {
                "main".into()
            } else {
                self.components.join("/")
            },
            eid,
            eid_source: source,
            element: local.to_owned(),
            name,
            depth: self.open.len() as u32,
            parent_eid: self.open.last().map(|p| p.row.eid.clone()),
            position: self.position,
            in_quoted: self.quoted > 0,
            ..Provision::default()
        };
        self.position += 1;
        self.open.push(OpenProvision {
            stack_depth: self.stack.len(),
            row,
            text: CleanText::default(),
            num: CleanText::default(),
            heading: CleanText::default(),
        });
    }

    fn end(&mut self) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        self.path.truncate(frame.path_len);
        match frame.role {
            Role::Skipped => self.skipped -= 1,
            Role::Num => self.nums -= 1,
            Role::Heading => self.headings -= 1,
            Role::Quoted => self.quoted -= 1,
            Role::Note => {
                self.notes -= 1;
                if self.notes == 0 {
                    let note = std::mem::take(&mut self.note_text).finish();
                    if let (false, Some(open)) = (note.is_empty(), self.open.last_mut()) {
                        open.row.notes.push(note);
                    }
                }
            }
            Role::Block => self.text("\n"),
            Role::Label => self.text(" "),
            Role::Component => {
                self.components.pop();
                self.component_counts.pop();
            }
            Role::Provision => {
                if let Some(mut open) = self.open.pop() {
                    open.row.text = open.text.finish();
                    open.row.num = Some(open.num.finish()).filter(|s| !s.is_empty());
                    open.row.heading = Some(open.heading.finish()).filter(|s| !s.is_empty());
                    self.doc.provisions.push(open.row);
                }
            }
            Role::Meta => self.in_meta -= 1,
            Role::Other => {}
        }
    }
}
