//! The streaming pacs.008 reader: one pass, constant memory per transaction.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use verify::Digest;
use verify::digest::HashingReader;

use super::fields::{AGENT_BIC, AGENT_CLR_SYS, AGENT_MEMBER, Node, Scope, grp, tx};
use super::{HeaderCheck, Payment, Quarantined, RULE_ACCOUNT_AGENTS, RULE_AGENTS};
use crate::NamedFile;
use crate::currency::{self, Decimal};
use crate::error::IngestError;
use crate::xml::names::Namespaces;
use crate::xml::scan::{Scanner, Token};
use crate::xml::text::{find_attribute, unescape_into};

const PACS008_NS: &str = "urn:iso:std:iso:20022:tech:xsd:pacs.008.";
const HEAD_NS: &str = "urn:iso:std:iso:20022:tech:xsd:head.001.";

/// What reading one file produced besides its payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub source_file: String,
    pub file_digest: Digest,
    pub bytes: u64,
    pub messages: u32,
    /// `CdtTrfTxInf` elements seen, accepted or not.
    pub transactions: u64,
    pub accepted: u64,
    /// False when the whole file was refused: the caller must discard its payments.
    pub file_ok: bool,
    pub quarantine: Vec<Quarantined>,
    pub checks: Vec<HeaderCheck>,
}

/// Whether `path` names a gzip-compressed file (`.gz`), which [`read_file`] decompresses.
fn is_gzip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Limits that keep one hostile file from taking a run's memory or time: past any of them
/// the file is refused with a quarantine row naming the limit, the element and the offset,
/// and the other files are read as usual.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// The longest markup token (a tag, comment, CDATA section, processing instruction).
    pub max_token: usize,
    /// The longest kept field value (a message id, a name, remittance text).
    pub max_field: usize,
    /// The most bytes a gzip-compressed file may decompress to (all its members together).
    pub max_decompressed: u64,
}

/// Default of [`ReadLimits::max_decompressed`]: 16 GiB, some fifteen times the largest
/// single pacs.008 files seen in practice (a bulk file of a million transactions is about
/// 1 GB), while a gzip bomb (up to 1032:1) is stopped after at most this much work.
pub const MAX_DECOMPRESSED_BYTES: u64 = 16 * 1024 * 1024 * 1024;

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_token: crate::xml::scan::MAX_TOKEN,
            max_field: MAX_FIELD_BYTES,
            max_decompressed: MAX_DECOMPRESSED_BYTES,
        }
    }
}

/// Reads a file from disk (rows name it `file.name`), decompressing it first when its name
/// ends in `.gz`, within the default [`ReadLimits`]. Only failing to open it is an error;
/// everything about its content is reported in the summary.
///
/// The file's digest and size are those of the file as stored (compressed or not): they
/// name the input an auditor holds. The byte offsets of quarantine rows count in the XML
/// document, after decompression.
pub fn read_file(
    file: &NamedFile,
    sink: &mut dyn FnMut(&Payment),
) -> Result<FileSummary, IngestError> {
    read_file_within(file, &ReadLimits::default(), sink)
}

/// [`read_file`] within `limits`.
pub fn read_file_within(
    file: &NamedFile,
    limits: &ReadLimits,
    sink: &mut dyn FnMut(&Payment),
) -> Result<FileSummary, IngestError> {
    let opened = std::fs::File::open(&file.path).map_err(|e| IngestError::Io {
        file: file.path.clone(),
        reason: e.to_string(),
    })?;
    Ok(read_stored(
        &file.name,
        opened,
        is_gzip(&file.path),
        limits,
        sink,
    ))
}

/// Reads pacs.008 XML from `input`, handing each accepted payment to `sink`.
pub fn read(source: &str, input: impl Read, sink: &mut dyn FnMut(&Payment)) -> FileSummary {
    read_stored(source, input, false, &ReadLimits::default(), sink)
}

/// Reads gzip-compressed pacs.008 XML from `input` within `limits`.
pub fn read_gzip_within(
    source: &str,
    input: impl Read,
    limits: &ReadLimits,
    sink: &mut dyn FnMut(&Payment),
) -> FileSummary {
    read_stored(source, input, true, limits, sink)
}

/// Hands on at most `limit` bytes of `inner`; asked for more, it fails (and says so in
/// `passed`) instead of ending, so that a cut document is never taken for a whole one.
struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
    passed: bool,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // One byte past the limit is asked for, to tell "exactly the limit" from "more".
        let want = buf
            .len()
            .min(usize::try_from(self.left + 1).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            self.passed = true;
            return Err(std::io::Error::other(format!(
                "decompressed past {} bytes",
                self.limit
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Reads the document in the stored bytes `input` (gzip-compressed when `gzip`). The stored
/// bytes are hashed as they are read, and to the end, whatever the parser did not need, so
/// that the digest is always of the whole file.
fn read_stored(
    source: &str,
    input: impl Read,
    gzip: bool,
    limits: &ReadLimits,
    sink: &mut dyn FnMut(&Payment),
) -> FileSummary {
    let mut stored = HashingReader::new(input);
    let mut parser = Parser::new(source, limits);
    let outcome = if gzip {
        // Concatenated gzip members are one document, as `gzip -d` reads them.
        let mut capped = Capped {
            inner: flate2::read::MultiGzDecoder::new(&mut stored),
            left: limits.max_decompressed,
            limit: limits.max_decompressed,
            passed: false,
        };
        let outcome = parser.run(&mut capped, sink);
        match outcome {
            Err(mut refusal) if capped.passed => {
                refusal.reason = format!(
                    "it decompresses to more than {} bytes, the limit of a compressed file \
                     (--max-decompressed)",
                    limits.max_decompressed
                );
                Err(refusal)
            }
            outcome => outcome,
        }
    } else {
        parser.run(&mut stored, sink)
    };
    let mut rest = [0u8; 1 << 16];
    while let Ok(n) = stored.read(&mut rest) {
        if n == 0 {
            break;
        }
    }
    let (file_digest, bytes) = stored.read_so_far();
    let mut summary = FileSummary {
        source_file: source.to_owned(),
        file_digest,
        bytes,
        messages: parser.messages,
        transactions: parser.transactions,
        accepted: parser.accepted,
        file_ok: true,
        quarantine: parser.quarantine,
        checks: parser.checks,
    };
    if let Err(refusal) = outcome {
        summary.file_ok = false;
        summary.accepted = 0;
        summary.quarantine.push(Quarantined {
            source_file: source.to_owned(),
            byte_offset: refusal.byte_offset,
            element_path: refusal.element_path,
            msg_id: None,
            reason: format!("file refused: {}", refusal.reason),
        });
    } else if summary.messages == 0 {
        summary.quarantine.push(Quarantined {
            source_file: source.to_owned(),
            byte_offset: 0,
            element_path: "/".into(),
            msg_id: None,
            reason: "no FIToFICstmrCdtTrf message in file".into(),
        });
    }
    summary
}

/// Default of [`ReadLimits::max_field`]: the longest value a kept field may have (a
/// message id, a name, remittance text: the longest ISO 20022 text type is 140
/// characters, and structured remittance a few KB). A longer one refuses the file, naming
/// it, instead of being buffered without bound.
pub const MAX_FIELD_BYTES: usize = 1024 * 1024;

fn field_within_limit(len: usize, max: usize) -> Result<(), String> {
    if len > max {
        Err(format!(
            "a field value longer than {max} bytes: refused (the limit of one field, --max-field)"
        ))
    } else {
        Ok(())
    }
}

struct Refusal {
    byte_offset: u64,
    element_path: String,
    reason: String,
}

/// Where a collected text goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Group(usize),
    /// Collected straight into the transaction's field buffer.
    Tx(usize),
    AppHdr(usize),
    /// A transaction field seen before: its text is still decoded (and so checked), then
    /// dropped.
    Repeated,
}

const HDR_MSG_DEF_IDR: usize = 0;
const HDR_BIZ_MSG_IDR: usize = 1;

struct Frame {
    node: Node,
    target: Option<Target>,
}

#[derive(Default)]
struct Message {
    /// Element path of the message root (for quarantine rows).
    path: String,
    /// Group values shared by its payments, built at the first transaction.
    shared: Option<Shared>,
    root_ns: Option<String>,
    version: String,
    index: u32,
    group: [Option<String>; grp::COUNT],
    group_ccy: Option<String>,
    app_hdr: Option<[Option<String>; 2]>,
    tx_seen: u64,
    ctrl_sum: Option<Decimal>,
    ctrl_sum_ok: bool,
    total_by_currency: std::collections::BTreeMap<String, i64>,
    total_overflow: bool,
    /// A transaction amount could not be parsed, so the total cannot be checked.
    total_incomplete: bool,
}

/// The transaction being read. Its buffers are reused from one transaction to the next,
/// so reading a transaction allocates nothing once the first few are done.
#[derive(Default)]
struct RawTx {
    open: bool,
    fields: [String; tx::COUNT],
    /// Bit `i` set when field `i` was seen (the first occurrence counts).
    present: u32,
    /// The `Ccy` of the amount, when `has_ccy`.
    ccy: String,
    has_ccy: bool,
    byte_offset: u64,
    index: u32,
}

impl RawTx {
    fn get(&self, i: usize) -> Option<&str> {
        (self.present & (1 << i) != 0).then(|| self.fields[i].as_str())
    }

    /// Whether field `i` was already seen (later occurrences are ignored).
    fn seen(&self, i: usize) -> bool {
        self.present & (1 << i) != 0
    }

    /// Moves field `i` into `slot` (or clears `slot` when the field is absent), leaving
    /// `slot`'s old buffer behind for a later transaction: no copy.
    fn take_into(&mut self, i: usize, slot: &mut Option<String>) {
        if self.seen(i) {
            std::mem::swap(slot.get_or_insert_with(String::new), &mut self.fields[i]);
        } else {
            *slot = None;
        }
    }
}

/// Trims `text` in place, as `str::trim` would.
fn trim_in_place(text: &mut String) {
    // Nearly every value starts and ends with a printable ASCII byte: nothing to trim, and
    // no need to decode characters to find out.
    let printable = |b: Option<&u8>| b.is_some_and(|b| (0x21..0x7f).contains(b));
    if printable(text.as_bytes().first()) && printable(text.as_bytes().last()) {
        return;
    }
    text.truncate(text.trim_end().len());
    let start = text.len() - text.trim_start().len();
    text.drain(..start);
}

/// Identifies a namespace URI within one generation of the scope (see
/// [`Namespaces::generation`]): the generation and the URI's address and length.
type NsKey = (u64, Option<(*const u8, usize)>);

/// Overwrites `slot`, keeping its allocation.
fn set(slot: &mut Option<String>, value: Option<&str>) {
    match value {
        Some(v) => {
            let s = slot.get_or_insert_with(String::new);
            s.clear();
            s.push_str(v);
        }
        None => *slot = None,
    }
}

/// Points `slot` at `value` unless it already does.
fn share(slot: &mut Option<Arc<str>>, value: &Option<Arc<str>>) {
    match (&*slot, value) {
        (Some(a), Some(b)) if Arc::ptr_eq(a, b) => {}
        (None, None) => {}
        _ => slot.clone_from(value),
    }
}

/// Group-header values shared by every payment of a message.
struct Shared {
    version: Arc<str>,
    msg_id: Option<Arc<str>>,
    cre_dt_tm: Option<Arc<str>>,
    nb_of_txs: Option<Arc<str>>,
    sttlm_mtd: Option<Arc<str>>,
    clearing_system: Option<Arc<str>>,
}

struct Parser {
    limits: ReadLimits,
    source: String,
    source_shared: Arc<str>,
    stack: Vec<Frame>,
    message: Option<Message>,
    tx: RawTx,
    /// The last currency whose exponent was looked up, and its exponent.
    last_exponent: Option<(String, u8)>,
    /// Whether the last namespace binding seen counts as the message's own.
    ours_cache: Option<(NsKey, bool)>,
    /// The payment handed to the sink, reused like `tx`.
    payment: Payment,
    /// AppHdr being read (depth, fields); attaches to the next message.
    app_hdr: Option<(usize, [Option<String>; 2])>,
    pending_app_hdr: Option<[Option<String>; 2]>,
    text: String,
    messages: u32,
    transactions: u64,
    accepted: u64,
    quarantine: Vec<Quarantined>,
    checks: Vec<HeaderCheck>,
}

impl Parser {
    fn new(source: &str, limits: &ReadLimits) -> Self {
        Parser {
            limits: *limits,
            source: source.to_owned(),
            source_shared: Arc::from(source),
            stack: Vec::with_capacity(32),
            message: None,
            tx: RawTx::default(),
            ours_cache: None,
            last_exponent: None,
            payment: Payment::default(),
            app_hdr: None,
            pending_app_hdr: None,
            text: String::new(),
            messages: 0,
            transactions: 0,
            accepted: 0,
            quarantine: Vec::new(),
            checks: Vec::new(),
        }
    }

    fn run(&mut self, input: impl Read, sink: &mut dyn FnMut(&Payment)) -> Result<(), Refusal> {
        let mut scanner = Scanner::new(input).with_max_token(self.limits.max_token);
        let max_field = self.limits.max_field;
        let mut names = Namespaces::default();
        // Text outside the fields we keep is still checked for references we refuse.
        let mut scratch = String::new();
        loop {
            let (offset, token) = match scanner.next_token() {
                Ok(t) => t,
                Err(e) => {
                    return Err(Refusal {
                        byte_offset: e.offset,
                        element_path: scanner.open_path(),
                        reason: format!("malformed XML: {}", e.reason),
                    });
                }
            };
            // What the token did, decided before the scanner is asked for a path.
            let outcome: Result<bool, String> = match token {
                Token::Start { name, attrs } => {
                    let generation = names.generation();
                    match names.open(name, attrs) {
                        Ok((ns, local)) => {
                            // Decide "ours" once per namespace binding, not per element.
                            let key = (generation, ns.map(|n| (n.as_ptr(), n.len())));
                            self.start(local, attrs, ns, offset, key)
                        }
                        Err(e) => Err(e.to_string()),
                    }
                }
                Token::End { .. } => {
                    names.close();
                    self.end(sink);
                    Ok(false)
                }
                Token::Text(raw) => {
                    let decoded = if let Some(out) = self.collector() {
                        unescape_into(raw, out)
                            .map_err(|e| e.to_string())
                            .and_then(|()| field_within_limit(out.len(), max_field))
                    } else if memchr::memchr(b'&', raw.as_bytes()).is_some() {
                        scratch.clear();
                        unescape_into(raw, &mut scratch).map_err(|e| e.to_string())
                    } else {
                        Ok(())
                    };
                    decoded.map(|()| false)
                }
                Token::CData(text) => match self.collector() {
                    Some(out) => {
                        out.push_str(text);
                        field_within_limit(out.len(), max_field).map(|()| false)
                    }
                    None => Ok(false),
                },
                Token::DocType => Err("DTDs are refused (no entity expansion)".into()),
                Token::Eof => return Ok(()),
            };
            match outcome {
                Ok(false) => {}
                Ok(true) => {
                    // A message began: its element path names its quarantine rows.
                    if let Some(message) = &mut self.message {
                        message.path = scanner.open_path();
                    }
                }
                Err(reason) => {
                    return Err(Refusal {
                        byte_offset: offset,
                        element_path: scanner.open_path(),
                        reason,
                    });
                }
            }
        }
    }

    /// Where the text of the innermost element goes, if it is kept: a transaction field is
    /// collected straight into its buffer, anything else into `text`.
    fn collector(&mut self) -> Option<&mut String> {
        match self.stack.last()?.target? {
            Target::Tx(i) => Some(&mut self.tx.fields[i]),
            Target::Group(_) | Target::AppHdr(_) | Target::Repeated => Some(&mut self.text),
        }
    }

    /// Opens an element; `Ok(true)` when it is a message root.
    #[inline(always)]
    fn start(
        &mut self,
        local: &[u8],
        attrs: &[u8],
        ns: Option<&str>,
        offset: u64,
        ns_key: NsKey,
    ) -> Result<bool, String> {
        let parent = self.stack.last().map_or(Node::Dead, |f| f.node);
        let depth = self.stack.len() + 1;
        let mut frame = Frame {
            node: Node::Dead,
            target: None,
        };

        // AppHdr anywhere outside a message (its children are in a head.001 namespace).
        if self.message.is_none() && local == b"AppHdr" {
            self.app_hdr = Some((depth, Default::default()));
            self.stack.push(frame);
            return Ok(false);
        }
        if let Some((hdr_depth, _)) = &self.app_hdr {
            if depth == hdr_depth + 1 {
                let ours = ns.is_none_or(|n| n.starts_with(HEAD_NS) || n == "urn:tch");
                frame.target = match local {
                    b"MsgDefIdr" if ours => Some(Target::AppHdr(HDR_MSG_DEF_IDR)),
                    b"BizMsgIdr" if ours => Some(Target::AppHdr(HDR_BIZ_MSG_IDR)),
                    _ => None,
                };
                self.text.clear();
            }
            self.stack.push(frame);
            return Ok(false);
        }

        let Some(message) = &mut self.message else {
            if local == b"FIToFICstmrCdtTrf" {
                self.messages += 1;
                // "Ours" is relative to the message root's namespace.
                self.ours_cache = None;
                self.message = Some(Message {
                    version: ns.and_then(version_of).unwrap_or_default(),
                    root_ns: ns.map(str::to_owned),
                    index: self.messages - 1,
                    app_hdr: self.pending_app_hdr.take(),
                    ctrl_sum: Some(Decimal::default()),
                    ctrl_sum_ok: true,
                    ..Message::default()
                });
                frame.node = Node::Message;
                self.stack.push(frame);
                return Ok(true);
            }
            self.stack.push(frame);
            return Ok(false);
        };

        // Inside a message: only ISO pacs.008, unqualified, or root-namespace elements count.
        if message.version.is_empty()
            && let Some(n) = ns
            && n.starts_with(PACS008_NS)
        {
            message.version = version_of(n).unwrap_or_default();
        }
        if parent != Node::Dead {
            let ours = match (ns, self.ours_cache) {
                (None, _) => true,
                (Some(_), Some((key, ours))) if key == ns_key => ours,
                (Some(n), _) => {
                    let ours = message.root_ns.as_deref() == Some(n) || n.starts_with(PACS008_NS);
                    self.ours_cache = Some((ns_key, ours));
                    ours
                }
            };
            if ours {
                frame.node = parent.child(local);
            }
        }
        match frame.node {
            Node::Tx => {
                self.transactions += 1;
                message.tx_seen += 1;
                self.tx.open = true;
                self.tx.present = 0;
                self.tx.has_ccy = false;
                self.tx.byte_offset = offset;
                self.tx.index = (message.tx_seen - 1) as u32;
            }
            Node::Field(scope, index) => {
                let index = usize::from(index);
                let target = match scope {
                    Scope::Group => Target::Group(index),
                    Scope::Tx if self.tx.seen(index) => Target::Repeated,
                    Scope::Tx => {
                        self.tx.fields[index].clear();
                        Target::Tx(index)
                    }
                };
                if target == Target::Group(grp::TTL_AMT) || target == Target::Tx(tx::AMOUNT) {
                    let ccy = find_attribute(attrs, b"Ccy").ok().flatten();
                    let ccy = ccy.as_deref().map(str::trim);
                    match scope {
                        Scope::Group => message.group_ccy = ccy.map(str::to_owned),
                        Scope::Tx => {
                            self.tx.ccy.clear();
                            self.tx.ccy.push_str(ccy.unwrap_or_default());
                            self.tx.has_ccy = ccy.is_some();
                        }
                    }
                }
                frame.target = Some(target);
                self.text.clear();
            }
            _ => {}
        }
        self.stack.push(frame);
        Ok(false)
    }

    #[inline(always)]
    fn end(&mut self, sink: &mut dyn FnMut(&Payment)) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let depth = self.stack.len() + 1;
        if let Some(target) = frame.target {
            // Transaction fields were collected into their own buffers; the rest in `text`.
            let value = || self.text.trim().to_owned();
            match target {
                Target::Group(i) => {
                    if let Some(m) = &mut self.message {
                        m.group[i].get_or_insert_with(value);
                    }
                }
                Target::Tx(i) => {
                    trim_in_place(&mut self.tx.fields[i]);
                    self.tx.present |= 1 << i;
                }
                Target::AppHdr(i) => {
                    if let Some((_, hdr)) = &mut self.app_hdr {
                        hdr[i].get_or_insert_with(value);
                    }
                }
                Target::Repeated => {}
            }
            self.text.clear();
        }
        if let Some((hdr_depth, hdr)) = &self.app_hdr
            && depth == *hdr_depth
        {
            self.pending_app_hdr = Some(hdr.clone());
            self.app_hdr = None;
        }
        if frame.node == Node::Tx && self.tx.open {
            self.tx.open = false;
            self.finish_tx(sink);
        }
        if frame.node == Node::Message {
            self.finish_message();
        }
    }

    #[inline(never)]
    fn finish_tx(&mut self, sink: &mut dyn FnMut(&Payment)) {
        let Some(m) = &mut self.message else { return };
        let raw = &self.tx;
        let source = &self.source;
        let group_msg_id = &m.group[grp::MSG_ID];
        let message_path = &m.path;
        let quarantine = |reason: String, element: &str| Quarantined {
            source_file: source.clone(),
            byte_offset: raw.byte_offset,
            element_path: format!("{message_path}/CdtTrfTxInf[{}]{element}", raw.index),
            msg_id: group_msg_id.clone(),
            reason,
        };
        let amount_text = raw.get(tx::AMOUNT);
        // CtrlSum adds the plain decimals of every transaction, accepted or not.
        match amount_text.and_then(Decimal::parse) {
            Some(d) => m.ctrl_sum = m.ctrl_sum.and_then(|s| s.checked_add(d)),
            None => m.ctrl_sum_ok = false,
        }
        let Some(amount_text) = amount_text else {
            m.total_incomplete = true;
            self.quarantine.push(quarantine(
                "missing IntrBkSttlmAmt".into(),
                "/IntrBkSttlmAmt",
            ));
            return;
        };
        let Some(currency) = raw.has_ccy.then_some(raw.ccy.as_str()) else {
            m.total_incomplete = true;
            self.quarantine.push(quarantine(
                "IntrBkSttlmAmt has no Ccy attribute".into(),
                "/IntrBkSttlmAmt",
            ));
            return;
        };
        // The exponent of the last currency seen is kept: files repeat their currencies.
        let exponent = match &self.last_exponent {
            Some((code, e)) if code == currency => Ok(*e),
            _ => currency::exponent(currency).inspect(|e| {
                self.last_exponent = Some((currency.to_owned(), *e));
            }),
        };
        let amount_minor =
            match exponent.and_then(|e| currency::to_minor_units_with(amount_text, currency, e)) {
                Ok(v) => v,
                Err(e) => {
                    m.total_incomplete = true;
                    self.quarantine
                        .push(quarantine(e.to_string(), "/IntrBkSttlmAmt"));
                    return;
                }
            };
        // The header total covers every transaction with a valid amount, accepted or not.
        let total = match m.total_by_currency.get_mut(currency) {
            Some(t) => t,
            None => m.total_by_currency.entry(currency.to_owned()).or_insert(0),
        };
        match total.checked_add(amount_minor) {
            Some(t) => *total = t,
            None => m.total_overflow = true,
        }
        let date_text = raw.get(tx::STTLM_DT).or(m.group[grp::STTLM_DT].as_deref());
        let settlement_date = match date_text.map(parse_date) {
            None => None,
            Some(Some(d)) => Some(d),
            Some(None) => {
                let text = date_text.unwrap_or_default().to_owned();
                self.quarantine.push(quarantine(
                    format!("settlement date {text:?} is not YYYY-MM-DD"),
                    "/IntrBkSttlmDt",
                ));
                return;
            }
        };
        let clr = m.group[grp::CLR_SYS].as_deref();
        let p = &mut self.payment;
        let tx_agent = |base: usize| {
            [
                raw.get(base + AGENT_BIC),
                raw.get(base + AGENT_MEMBER),
                raw.get(base + AGENT_CLR_SYS),
            ]
        };
        let group_agent = |base: usize| {
            [
                m.group[base + AGENT_BIC].as_deref(),
                m.group[base + AGENT_MEMBER].as_deref(),
                m.group[base + AGENT_CLR_SYS].as_deref(),
            ]
        };
        // The transaction's own instructing and instructed agents, else the group header's.
        let has = participant(
            &[tx_agent(tx::INSTG), group_agent(grp::INSTG)],
            clr,
            &mut p.instructing_agent,
        );
        let hsd = participant(
            &[tx_agent(tx::INSTD), group_agent(grp::INSTD)],
            clr,
            &mut p.instructed_agent,
        );
        let hda = participant(&[tx_agent(tx::DBTR_AGT)], clr, &mut p.debtor_agent);
        let hca = participant(&[tx_agent(tx::CDTR_AGT)], clr, &mut p.creditor_agent);
        let (payer, payee, rule) = match (has, hsd, hda, hca) {
            (true, true, _, _) => (&p.instructing_agent, &p.instructed_agent, RULE_AGENTS),
            (_, _, true, true) => (&p.debtor_agent, &p.creditor_agent, RULE_ACCOUNT_AGENTS),
            _ => {
                self.quarantine.push(quarantine(
                    "no settlement participants: needs instructing and instructed agents, or debtor and creditor agents, each with a BIC or clearing member id".into(),
                    "",
                ));
                return;
            }
        };
        let (payer, payee) = (
            payer.as_deref().unwrap_or_default(),
            payee.as_deref().unwrap_or_default(),
        );
        p.payer.clear();
        p.payer.push_str(payer);
        p.payee.clear();
        p.payee.push_str(payee);
        p.participant_rule = rule;
        let shared = m.shared.get_or_insert_with(|| {
            let arc = |i: usize| m.group[i].as_deref().map(Arc::from);
            Shared {
                version: Arc::from(m.version.as_str()),
                msg_id: arc(grp::MSG_ID),
                cre_dt_tm: arc(grp::CRE_DT_TM),
                nb_of_txs: arc(grp::NB_OF_TXS),
                sttlm_mtd: arc(grp::STTLM_MTD),
                clearing_system: arc(grp::CLR_SYS),
            }
        });
        if !Arc::ptr_eq(&p.source_file, &self.source_shared) {
            p.source_file = Arc::clone(&self.source_shared);
        }
        p.message_index = m.index;
        p.tx_index = raw.index;
        p.byte_offset = raw.byte_offset;
        // The message's values are shared, not copied; most payments follow one of the same
        // message, whose values they already point at.
        if !Arc::ptr_eq(&p.version, &shared.version) {
            p.version = Arc::clone(&shared.version);
        }
        share(&mut p.msg_id, &shared.msg_id);
        share(&mut p.cre_dt_tm, &shared.cre_dt_tm);
        share(&mut p.nb_of_txs, &shared.nb_of_txs);
        share(&mut p.sttlm_mtd, &shared.sttlm_mtd);
        share(&mut p.clearing_system, &shared.clearing_system);
        set(
            &mut p.service_level,
            raw.get(tx::SVC_LVL).or(m.group[grp::SVC_LVL].as_deref()),
        );
        p.amount_minor = amount_minor;
        p.currency.clear();
        p.currency.push_str(currency);
        p.settlement_date = settlement_date;
        // The transaction's own fields move into the payment; it is their last use.
        let raw = &mut self.tx;
        raw.take_into(tx::INSTR_ID, &mut p.instr_id);
        raw.take_into(tx::END_TO_END_ID, &mut p.end_to_end_id);
        raw.take_into(tx::TX_ID, &mut p.tx_id);
        raw.take_into(tx::UETR, &mut p.uetr);
        if let Some(uetr) = &mut p.uetr {
            uetr.make_ascii_lowercase();
        }
        raw.take_into(tx::CHRG_BR, &mut p.charge_bearer);
        raw.take_into(tx::DBTR_NM, &mut p.debtor_name);
        raw.take_into(tx::DBTR_CTRY, &mut p.debtor_country);
        raw.take_into(tx::DBTR_ACCT, &mut p.debtor_account);
        raw.take_into(tx::CDTR_NM, &mut p.creditor_name);
        raw.take_into(tx::CDTR_CTRY, &mut p.creditor_country);
        raw.take_into(tx::CDTR_ACCT, &mut p.creditor_account);
        raw.take_into(tx::PURPOSE, &mut p.purpose);
        raw.take_into(tx::REMITTANCE, &mut p.remittance);
        raw.take_into(tx::ULTMT_DBTR_NM, &mut p.ultimate_debtor_name);
        raw.take_into(tx::ULTMT_CDTR_NM, &mut p.ultimate_creditor_name);
        raw.take_into(tx::DBTR_AGT_NM, &mut p.debtor_agent_name);
        raw.take_into(tx::CDTR_AGT_NM, &mut p.creditor_agent_name);
        set(
            &mut p.app_hdr_msg_def_idr,
            m.app_hdr
                .as_ref()
                .and_then(|h| h[HDR_MSG_DEF_IDR].as_deref()),
        );
        self.accepted += 1;
        sink(&self.payment);
    }

    #[inline(never)]
    fn finish_message(&mut self) {
        let Some(m) = self.message.take() else { return };
        let msg_id = m.group[grp::MSG_ID].clone();
        let mut check = |check: &'static str, declared: String, computed: String, ok: bool| {
            self.checks.push(HeaderCheck {
                source_file: self.source.clone(),
                message_index: m.index,
                msg_id: msg_id.clone(),
                check,
                declared,
                computed,
                ok,
            });
        };
        let declared_n = m.group[grp::NB_OF_TXS].clone().unwrap_or_default();
        let counted = m.tx_seen.to_string();
        let ok = declared_n.parse::<u64>().ok() == Some(m.tx_seen);
        check("NbOfTxs", declared_n, counted, ok);
        if let Some(declared) = m.group[grp::CTRL_SUM].clone() {
            let computed = match (m.ctrl_sum_ok, m.ctrl_sum) {
                (true, Some(sum)) => sum.to_string(),
                _ => "not computable (a transaction amount is missing or malformed)".into(),
            };
            let ok = match (Decimal::parse(&declared), m.ctrl_sum_ok, m.ctrl_sum) {
                (Some(d), true, Some(sum)) => d.same_value(sum),
                _ => false,
            };
            check("CtrlSum", declared, computed, ok);
        }
        if let Some(declared_text) = m.group[grp::TTL_AMT].clone() {
            let ccy = m.group_ccy.clone().unwrap_or_default();
            let declared = format!("{declared_text} {ccy}");
            let others: Vec<&String> = m.total_by_currency.keys().filter(|c| **c != ccy).collect();
            let sum = m.total_by_currency.get(&ccy).copied().unwrap_or(0);
            let computed = if m.total_overflow {
                "overflow".to_owned()
            } else if others.is_empty() {
                format!("{} {ccy}", currency::format_minor(sum, &ccy))
            } else {
                format!(
                    "{} {ccy} plus transactions in {}",
                    currency::format_minor(sum, &ccy),
                    others
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let ok = !m.total_overflow
                && others.is_empty()
                && !m.total_incomplete
                && currency::to_minor_units(&declared_text, &ccy).ok() == Some(sum);
            check("TtlIntrBkSttlmAmt", declared, computed, ok);
        }
        if let Some(hdr) = &m.app_hdr
            && let Some(def) = hdr[HDR_MSG_DEF_IDR].clone().filter(|d| !d.is_empty())
            && !m.version.is_empty()
        {
            let ok = def == m.version;
            check("MsgDefIdr", def, m.version.clone(), ok);
        }
    }
}

/// `pacs.008.001.NN` from a namespace URI.
fn version_of(ns: &str) -> Option<String> {
    ns.strip_prefix("urn:iso:std:iso:20022:tech:xsd:")
        .filter(|v| v.starts_with("pacs.008."))
        .map(str::to_owned)
}

/// Writes into `out` the participant id of the first of `agents` (each its bic, member id
/// and clearing system fields) that has a BIC or a member id; false, and `out` cleared, when
/// none has. `out`'s buffer is reused.
fn participant(
    agents: &[[Option<&str>; 3]],
    default_clr: Option<&str>,
    out: &mut Option<String>,
) -> bool {
    let Some((agent, bic, member)) = agents.iter().find_map(|a| {
        let bic = a[AGENT_BIC].filter(|b| !b.is_empty());
        let member = a[AGENT_MEMBER].filter(|m| !m.is_empty());
        (bic.is_some() || member.is_some()).then_some((a, bic, member))
    }) else {
        *out = None;
        return false;
    };
    let id = out.get_or_insert_with(String::new);
    id.clear();
    if let Some(bic) = bic {
        id.push_str(bic);
        id.make_ascii_uppercase();
        if bic.len() == 8 {
            id.push_str("XXX");
        }
    } else if let Some(member) = member {
        let clr = agent[AGENT_CLR_SYS]
            .filter(|c| !c.is_empty())
            .or(default_clr)
            .unwrap_or("MMB");
        id.push_str(clr);
        id.push(':');
        id.push_str(member);
    }
    true
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<i64>().ok();
    let digits = |r: std::ops::Range<usize>| text[r].bytes().all(|c| c.is_ascii_digit());
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Trimming in place keeps exactly what `str::trim` keeps, fast path or not.
        #[test]
        fn trim_in_place_is_str_trim(text in "[ \t\n\u{a0}\u{3000}a-z0-9é]{0,12}") {
            let mut owned = text.clone();
            trim_in_place(&mut owned);
            proptest::prop_assert_eq!(owned.as_str(), text.trim());
        }
    }
}
