//! A streaming XML tokenizer over bytes, for readers that must go as fast as the disk.
//!
//! Why not a general XML library here: the pacs.008 and Akoma Ntoso readers touch every
//! byte of their input and need only tags, attributes, text and CDATA, with exact byte
//! offsets for quarantine rows. A byte-level scanner that finds markup with word-at-a-time
//! searches (`memchr` for long runs), hands out borrowed slices and never allocates per
//! token reads several times faster than an event API that copies and resolves every name.
//!
//! What it checks (anything else is the reader's business):
//!
//! - every end tag closes the element that is open, and nothing is left open at the end
//!   of the input (the reader decides whether several roots are fine);
//! - tags, comments, CDATA sections and processing instructions are complete;
//! - a document type declaration is reported as [`Token::DocType`], never read, so that
//!   readers can refuse it before any entity is declared;
//! - the document is UTF-8. Each chunk read is checked whole, once, as it arrives: text is
//!   handed out as `&str`, so readers never check it again piece by piece (which cost more
//!   than the whole-chunk check, fields being short). Bytes that are not UTF-8 stop the
//!   scan where they begin, with an error naming their offset.
//!
//! Empty elements (`<a/>`) come out as a start token followed by an end token, so readers
//! need one code path for both forms.

use std::borrow::Cow;
use std::io::Read;

use memchr::{memchr, memmem};

use super::swar;

/// Bytes asked of the input per read, at most.
const CHUNK: usize = 256 * 1024;
/// Bytes asked of the input per read, at least. An input that hands out less than asked
/// (a pipe, a socket) is asked for twice what it gave last time: the room read into is
/// zeroed first, and zeroing a whole chunk for each few bytes would cost more than the read.
const MIN_READ: usize = 4 * 1024;
/// A text run longer than this is handed out in pieces rather than buffered whole.
const TEXT_PIECE: usize = CHUNK / 2;
/// The longest markup token (a tag, comment, CDATA section or processing instruction) a
/// document may hold: past it the document is refused with a named error, rather than
/// buffered without bound. Text is not limited here (it is handed out in pieces).
pub const MAX_TOKEN: usize = 64 * 1024 * 1024;

/// One piece of the document. Slices borrow the scanner's buffer until the next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// `name` is the qualified name; `attrs` the raw attribute text after it.
    Start {
        name: &'a [u8],
        attrs: &'a [u8],
    },
    End {
        name: &'a [u8],
    },
    /// Raw character data: references unresolved, line ends not yet normalised
    /// (see [`super::text::unescape_into`]). One text node may come in several pieces.
    Text(&'a str),
    /// The content of a CDATA section, taken literally.
    CData(&'a str),
    /// A `<!DOCTYPE`: the scanner stops reading there.
    DocType,
    Eof,
}

/// Why the input is not well-formed XML, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub offset: u64,
    pub reason: String,
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (byte {})", self.reason, self.offset)
    }
}

/// A token found by [`Scanner::find`], as positions in the buffer.
enum Found {
    Start {
        name: (usize, usize),
        attrs: (usize, usize),
    },
    End((usize, usize)),
    Text(usize, usize),
    CData(usize, usize),
    DocType,
    Eof,
    /// The token is not complete in the buffer: read more and look again.
    NeedMore,
    /// Markup that produces no token (comment, processing instruction).
    Skip,
}

impl<R> std::fmt::Debug for Scanner<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("offset", &(self.base + self.pos as u64))
            .field("open_elements", &self.open_ends.len())
            .finish_non_exhaustive()
    }
}

/// The tokenizer. Reads `input` in chunks (memory: one chunk plus the longest token), or
/// scans a whole document already in memory without copying it.
pub struct Scanner<'a, R> {
    input: R,
    /// The text read and not yet scanned past, checked as UTF-8.
    buf: Cow<'a, str>,
    pos: usize,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Nothing more will be read: the input ended, or bytes that are not UTF-8 were met.
    eof: bool,
    /// The first bytes of a character cut by the end of the last read.
    carry: Vec<u8>,
    /// Where bytes that are not UTF-8 begin (absolute); `buf` ends there.
    not_utf8_at: Option<u64>,
    /// Bytes to ask for in the next read.
    read_size: usize,
    /// Absolute offset of the last token handed out.
    token_offset: u64,
    /// Names of the open elements, concatenated, and where each ends.
    open_names: Vec<u8>,
    open_ends: Vec<usize>,
    /// The end token owed for an empty element (`<a/>`), as a buffer range.
    pending_end: Option<(usize, usize)>,
    /// Set once a DOCTYPE or an error was met: nothing more is read.
    stopped: bool,
    /// Bytes of the unfinished token at `pos` already searched for its end: the next search
    /// resumes there (less the terminator's length), so a long token costs linear time.
    searched: usize,
    /// The longest markup token accepted ([`MAX_TOKEN`] unless set).
    max_token: usize,
}

impl<'a> Scanner<'a, std::io::Empty> {
    /// Scans a document held in memory.
    pub fn from_slice(document: &'a [u8]) -> Self {
        let mut scanner = Scanner::new(std::io::empty());
        let text = match std::str::from_utf8(document) {
            Ok(text) => text,
            Err(e) => {
                scanner.not_utf8_at = Some(e.valid_up_to() as u64);
                std::str::from_utf8(&document[..e.valid_up_to()]).unwrap_or_default()
            }
        };
        scanner.buf = Cow::Borrowed(text);
        scanner.eof = true;
        scanner
    }
}

impl<R: Read> Scanner<'_, R> {
    pub fn new(input: R) -> Self {
        Scanner {
            input,
            buf: Cow::Owned(String::new()),
            pos: 0,
            base: 0,
            eof: false,
            carry: Vec::new(),
            not_utf8_at: None,
            read_size: CHUNK,
            token_offset: 0,
            open_names: Vec::with_capacity(256),
            open_ends: Vec::with_capacity(32),
            pending_end: None,
            stopped: false,
            searched: 0,
            max_token: MAX_TOKEN,
        }
    }

    /// Sets the longest markup token accepted ([`MAX_TOKEN`] by default).
    pub fn with_max_token(mut self, bytes: usize) -> Self {
        self.max_token = bytes;
        self
    }

    /// The next token, and the byte offset (from the start of the input) where it begins.
    pub fn next_token(&mut self) -> Result<(u64, Token<'_>), ScanError> {
        if let Some((s, e)) = self.pending_end.take() {
            self.pop_open();
            let token = Token::End {
                name: &self.buf.as_bytes()[s..e],
            };
            return Ok((self.token_offset, token));
        }
        if self.stopped {
            return Ok((self.token_offset, Token::Eof));
        }
        let found = loop {
            match self.find() {
                Ok(Found::NeedMore) => {
                    if let Err(e) = self.fill() {
                        self.stopped = true;
                        return Err(e);
                    }
                }
                Ok(Found::Skip) => {}
                Ok(found) => break found,
                Err(e) => {
                    self.stopped = true;
                    return Err(e);
                }
            }
        };
        let bytes = self.buf.as_bytes();
        // Text is cut only next to markup (ASCII) or by `text_cut`: on character boundaries.
        let text = |s: usize, e: usize| {
            self.buf.get(s..e).ok_or_else(|| ScanError {
                offset: self.base + s as u64,
                reason: "text cut inside a character".into(),
            })
        };
        let token = match found {
            Found::Start { name, attrs } => Token::Start {
                name: &bytes[name.0..name.1],
                attrs: &bytes[attrs.0..attrs.1],
            },
            Found::End((s, e)) => Token::End { name: &bytes[s..e] },
            Found::Text(s, e) => Token::Text(text(s, e)?),
            Found::CData(s, e) => Token::CData(text(s, e)?),
            Found::DocType => {
                self.stopped = true;
                Token::DocType
            }
            Found::Eof | Found::NeedMore | Found::Skip => Token::Eof,
        };
        Ok((self.token_offset, token))
    }

    /// The path of local names of the open elements, `/Document/FIToFICstmrCdtTrf/GrpHdr`
    /// (`/` at the top level), for error reports.
    pub fn open_path(&self) -> String {
        if self.open_ends.is_empty() {
            return "/".into();
        }
        let mut path = String::new();
        let mut start = 0;
        for &end in &self.open_ends {
            let name = &self.open_names[start..end];
            let local = name
                .iter()
                .position(|b| *b == b':')
                .map_or(name, |i| &name[i + 1..]);
            path.push('/');
            path.push_str(&String::from_utf8_lossy(local));
            start = end;
        }
        path
    }

    fn error(&self, at: usize, reason: impl Into<String>) -> ScanError {
        ScanError {
            offset: self.base + at as u64,
            reason: reason.into(),
        }
    }

    /// Opens the element whose name is at `name` in the buffer.
    fn push_open(&mut self, name: (usize, usize)) {
        self.open_names
            .extend_from_slice(&self.buf.as_bytes()[name.0..name.1]);
        self.open_ends.push(self.open_names.len());
    }

    fn pop_open(&mut self) {
        self.open_ends.pop();
        let len = self.open_ends.last().copied().unwrap_or(0);
        self.open_names.truncate(len);
    }

    fn open_name(&self) -> Option<&[u8]> {
        let end = *self.open_ends.last()?;
        let start = self
            .open_ends
            .len()
            .checked_sub(2)
            .map_or(0, |i| self.open_ends[i]);
        Some(&self.open_names[start..end])
    }

    /// Finds the token at `pos` in the buffer and moves past it.
    #[inline]
    fn find(&mut self) -> Result<Found, ScanError> {
        let found = self.find_token();
        if self.searched != 0 && !matches!(found, Ok(Found::NeedMore)) {
            self.searched = 0;
        }
        found
    }

    /// Where to search for a terminator of `len` bytes in the unfinished token, never
    /// before `from`: past what earlier searches covered.
    fn resume(&self, from: usize, len: usize) -> usize {
        self.searched.saturating_sub(len - 1).max(from)
    }

    #[inline]
    fn find_token(&mut self) -> Result<Found, ScanError> {
        let start = self.pos;
        let end = self.buf.len();
        self.token_offset = self.base + start as u64;
        if start == end {
            if !self.eof {
                return Ok(Found::NeedMore);
            }
            if let Some(e) = self.not_utf8() {
                return Err(e);
            }
            if let Some(name) = self.open_name() {
                let name = String::from_utf8_lossy(name).into_owned();
                return Err(self.error(
                    start,
                    format!("unexpected end of file: <{name}> is not closed"),
                ));
            }
            return Ok(Found::Eof);
        }
        let avail = &self.buf.as_bytes()[start..end];
        if avail[0] != b'<' {
            return Ok(match swar::find1(b'<', avail) {
                Some(i) => {
                    self.pos = start + i;
                    Found::Text(start, start + i)
                }
                None if self.eof => {
                    self.pos = end;
                    Found::Text(start, end)
                }
                None if avail.len() >= TEXT_PIECE => {
                    let cut = text_cut(avail);
                    self.pos = start + cut;
                    Found::Text(start, start + cut)
                }
                None => Found::NeedMore,
            });
        }
        let Some(&second) = avail.get(1) else {
            return self.incomplete(start, "a tag");
        };
        match second {
            b'/' => {
                // Nearly always the end tag is `</name>` for the open element's name: check
                // for exactly that before searching.
                if let Some(open) = self.open_name() {
                    let n = open.len();
                    if avail.get(2 + n) == Some(&b'>') && swar::same(&avail[2..2 + n], open) {
                        let name = (start + 2, start + 2 + n);
                        self.pos = name.1 + 1;
                        self.pop_open();
                        return Ok(Found::End(name));
                    }
                }
                let from = self.resume(2, 1);
                let Some(gt) = swar::find1(b'>', &avail[from..]).map(|i| i + from - 2) else {
                    return self.incomplete(start, "an end tag");
                };
                let name = (start + 2, start + 2 + trim_end(&avail[2..2 + gt]));
                self.pos = start + 2 + gt + 1;
                let found = &self.buf.as_bytes()[name.0..name.1];
                match self.open_name() {
                    Some(open) if open == found => {}
                    Some(open) => {
                        let reason = format!(
                            "end tag </{}> does not close <{}>",
                            String::from_utf8_lossy(found),
                            String::from_utf8_lossy(open)
                        );
                        return Err(self.error(start, reason));
                    }
                    None => {
                        let reason = format!(
                            "end tag </{}> closes nothing",
                            String::from_utf8_lossy(found)
                        );
                        return Err(self.error(start, reason));
                    }
                }
                self.pop_open();
                Ok(Found::End(name))
            }
            b'?' => {
                let from = self.resume(2, 2);
                let Some(i) = memmem::find(&avail[from..], b"?>").map(|i| i + from - 2) else {
                    return self.incomplete(start, "a processing instruction");
                };
                self.pos = start + 2 + i + 2;
                Ok(Found::Skip)
            }
            b'!' => {
                if avail.starts_with(b"<!--") {
                    let from = self.resume(4, 3);
                    let Some(i) = memmem::find(&avail[from..], b"-->").map(|i| i + from - 4) else {
                        return self.incomplete(start, "a comment");
                    };
                    self.pos = start + 4 + i + 3;
                    Ok(Found::Skip)
                } else if avail.starts_with(b"<![CDATA[") {
                    if self.open_ends.is_empty() {
                        return Err(self.error(start, "CDATA section outside any element"));
                    }
                    let from = self.resume(9, 3);
                    let Some(i) = memmem::find(&avail[from..], b"]]>").map(|i| i + from - 9) else {
                        return self.incomplete(start, "a CDATA section");
                    };
                    self.pos = start + 9 + i + 3;
                    Ok(Found::CData(start + 9, start + 9 + i))
                } else if avail.starts_with(b"<!DOCTYPE") {
                    Ok(Found::DocType)
                } else if avail.len() < 9 && !self.eof {
                    Ok(Found::NeedMore)
                } else {
                    Err(self.error(start, "unknown markup after <!"))
                }
            }
            _ => {
                // Most start tags have no attributes: `<name>` is found in one short search.
                if let Some(n) = swar::plain_start_tag(&avail[1..]) {
                    let name = (start + 1, start + 1 + n);
                    self.pos = name.1 + 1;
                    self.push_open(name);
                    return Ok(Found::Start {
                        name,
                        attrs: (name.1, name.1),
                    });
                }
                let Some(gt) = tag_end(avail) else {
                    return self.incomplete(start, "a start tag");
                };
                let mut inner = (start + 1, start + gt);
                let empty = avail[gt - 1] == b'/' && inner.1 - 1 > inner.0;
                if empty {
                    inner.1 -= 1;
                }
                let tag = &self.buf.as_bytes()[inner.0..inner.1];
                let name_len = swar::find_space(tag);
                if name_len == 0 || tag[0] == b'/' {
                    return Err(self.error(start, "a tag without a name"));
                }
                let name = (inner.0, inner.0 + name_len);
                self.pos = start + gt + 1;
                self.push_open(name);
                if empty {
                    self.pending_end = Some(name);
                }
                Ok(Found::Start {
                    name,
                    attrs: (name.1, inner.1),
                })
            }
        }
    }

    fn incomplete(&mut self, start: usize, what: &str) -> Result<Found, ScanError> {
        let held = self.buf.len() - start;
        if held > self.max_token {
            return Err(self.error(
                start,
                format!(
                    "{what} longer than {} bytes: refused (the limit of one markup token)",
                    self.max_token
                ),
            ));
        }
        if !self.eof {
            self.searched = held;
            Ok(Found::NeedMore)
        } else if let Some(e) = self.not_utf8() {
            Err(e)
        } else {
            Err(self.error(start, format!("unexpected end of file inside {what}")))
        }
    }

    /// The error for bytes that are not UTF-8, once the scan has reached them.
    fn not_utf8(&self) -> Option<ScanError> {
        self.not_utf8_at.map(|offset| ScanError {
            offset,
            reason: "the document is not UTF-8 here".into(),
        })
    }

    /// Keeps the unfinished token (from `pos`) and reads more after it, checking the text
    /// as UTF-8 once: the kept token (short) and the chunk read.
    fn fill(&mut self) -> Result<(), ScanError> {
        if self.eof {
            return Ok(());
        }
        let mut bytes = std::mem::take(&mut self.buf).into_owned().into_bytes();
        if self.pos > 0 {
            bytes.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        bytes.append(&mut self.carry);
        let filled = bytes.len();
        bytes.resize(filled + self.read_size, 0);
        let read = loop {
            match self.input.read(&mut bytes[filled..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(ScanError {
                        offset: self.base + filled as u64,
                        reason: format!("read error: {e}"),
                    });
                }
            }
        };
        bytes.truncate(filled + read);
        self.eof = read == 0;
        self.read_size = (2 * read).clamp(MIN_READ, CHUNK);
        if !self.eof {
            // A character cut by the end of the read is finished by the next one: its first
            // bytes wait in `carry`, so that the chunk is checked once, not once to find the
            // cut and again without it.
            let cut = unfinished_char_start(&bytes);
            self.carry.extend_from_slice(&bytes[cut..]);
            bytes.truncate(cut);
        }
        self.buf = Cow::Owned(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                self.not_utf8_at = Some(self.base + valid as u64);
                self.eof = true;
                let mut bytes = e.into_bytes();
                bytes.truncate(valid);
                String::from_utf8(bytes).map_err(|e| ScanError {
                    offset: self.base + e.utf8_error().valid_up_to() as u64,
                    reason: "the document is not UTF-8 here".into(),
                })?
            }
        });
        Ok(())
    }
}

/// Where the last character of `bytes` begins if the bytes end before it does (its lead byte
/// announces more bytes than follow); else `bytes.len()`. Whether the bytes are valid UTF-8
/// is left to the check that follows.
fn unfinished_char_start(bytes: &[u8]) -> usize {
    let len = bytes.len();
    // A character is at most 4 bytes: its lead byte is among the last 3 if it is unfinished.
    for back in 1..=len.min(3) {
        let b = bytes[len - back];
        if b & 0b1100_0000 == 0b1000_0000 {
            continue; // a continuation byte: the lead is further back
        }
        let needed = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1, // ASCII, or a byte that no character starts with
        };
        return if back < needed { len - back } else { len };
    }
    len
}

/// Where a start tag ends (`>` outside attribute quotes), from its `<`.
fn tag_end(avail: &[u8]) -> Option<usize> {
    let mut i = 1;
    loop {
        let j = i + swar::find3(b'>', b'"', b'\'', &avail[i..])?;
        let quote = avail[j];
        if quote == b'>' {
            return Some(j);
        }
        i = j + 1 + swar::find1(quote, &avail[j + 1..])? + 1;
    }
}

/// How much of a long text run can be handed out now without splitting a reference,
/// a `\r\n` pair or a UTF-8 sequence.
fn text_cut(avail: &[u8]) -> usize {
    let mut cut = avail.len();
    if let Some(amp) = memchr::memrchr(b'&', avail)
        && memchr(b';', &avail[amp..]).is_none()
    {
        cut = amp;
    }
    while cut > 0 && (avail[cut - 1] == b'\r' || avail[cut - 1] & 0b1100_0000 == 0b1000_0000) {
        cut -= 1;
    }
    // Back off a UTF-8 lead byte whose continuation bytes were cut away.
    if cut > 0 && avail[cut - 1] >= 0b1100_0000 {
        cut -= 1;
    }
    cut.max(1)
}

fn trim_end(name: &[u8]) -> usize {
    name.iter()
        .rposition(|b| !is_space(*b))
        .map_or(0, |i| i + 1)
}

pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(input: &[u8], chunk: usize) -> Result<Vec<String>, ScanError> {
        collect(Scanner::new(Trickle { data: input, chunk }))
    }

    fn collect<R: Read>(mut scanner: Scanner<'_, R>) -> Result<Vec<String>, ScanError> {
        let mut out = Vec::new();
        loop {
            let (_, t) = scanner.next_token()?;
            let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            out.push(match t {
                Token::Start { name, attrs } => format!("S:{}|{}", s(name), s(attrs)),
                Token::End { name } => format!("E:{}", s(name)),
                Token::Text(t) => format!("T:{t}"),
                Token::CData(t) => format!("C:{t}"),
                Token::DocType => "DOCTYPE".into(),
                Token::Eof => break,
            });
        }
        // Adjacent text pieces are one text node.
        let mut merged: Vec<String> = Vec::new();
        for t in out {
            match (merged.last_mut(), t.strip_prefix("T:")) {
                (Some(last), Some(rest)) if last.starts_with("T:") => last.push_str(rest),
                _ => merged.push(t),
            }
        }
        Ok(merged)
    }

    #[test]
    fn a_token_past_the_limit_is_refused_by_name_and_long_tokens_are_found_whole() {
        // Unterminated markup of every kind, longer than the limit, read in small pieces:
        // refused at the token's start, naming it, instead of buffered without bound.
        for (open, what) in [
            ("<!--", "a comment"),
            ("<![CDATA[", "a CDATA section"),
            ("<?pi ", "a processing instruction"),
            ("</a", "an end tag"),
            ("<b x='", "a start tag"),
        ] {
            let doc = format!("<a>{open}{}", "x".repeat(10_000));
            let err = collect(
                Scanner::new(Trickle {
                    data: doc.as_bytes(),
                    chunk: 97,
                })
                .with_max_token(4096),
            )
            .unwrap_err();
            assert_eq!(err.offset, 3, "{what}: {err}");
            assert!(
                err.reason
                    .starts_with(&format!("{what} longer than 4096 bytes")),
                "{err}"
            );
        }
        // Under the limit, tokens whose terminators straddle reads are found whole.
        for chunk in [1, 2, 3, 7, 4096] {
            let long = "y".repeat(3000);
            let doc = format!("<a><!--{long}--><![CDATA[{long}]]><?p {long}?></a>");
            let got = collect(
                Scanner::new(Trickle {
                    data: doc.as_bytes(),
                    chunk,
                })
                .with_max_token(4096),
            )
            .unwrap();
            assert_eq!(
                got,
                ["S:a|", format!("C:{long}").as_str(), "E:a"],
                "chunk {chunk}"
            );
        }
    }

    /// A reader that hands out at most `chunk` bytes per read.
    struct Trickle<'a> {
        data: &'a [u8],
        chunk: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn tokens_of_a_small_document() {
        let doc = b"<?xml version=\"1.0\"?>\n<!-- c --><a x=\"1>2\" y='q'><b/>t&amp;u<![CDATA[<raw>]]></a >";
        let t = tokens(doc, 1 << 20).unwrap();
        assert_eq!(
            t,
            [
                "T:\n",
                "S:a| x=\"1>2\" y='q'",
                "S:b|",
                "E:b",
                "T:t&amp;u",
                "C:<raw>",
                "E:a"
            ]
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let cases: [(&[u8], &str); 6] = [
            (b"<a><b></a>", "does not close <b>"),
            (b"<a></b>", "does not close <a>"),
            (b"</a>", "closes nothing"),
            (b"<a>", "<a> is not closed"),
            (b"<a x=\"1", "inside a start tag"),
            (b"<a><!-- x", "inside a comment"),
        ];
        for (doc, reason) in cases {
            let e = tokens(doc, 3).unwrap_err();
            assert!(e.reason.contains(reason), "{:?}: {}", doc, e.reason);
        }
        assert_eq!(tokens(b"<!DOCTYPE a []><a/>", 4).unwrap(), ["DOCTYPE"]);
        for (doc, reason) in cases {
            let e = collect(Scanner::from_slice(doc)).unwrap_err();
            assert!(e.reason.contains(reason), "{:?}: {}", doc, e.reason);
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_stop_the_scan_where_they_begin() {
        // In kept text, after a complete element, in a comment, in an attribute, and a
        // character cut off by the end of the input.
        let cases: [&[u8]; 5] = [
            b"<a>x\xffy</a>",
            b"<a><b>ok</b>\xc3(</a>",
            b"<a><!-- \xfe --></a>",
            b"<a x='\xff'/>",
            b"<a>\xc3",
        ];
        for doc in cases {
            let at = std::str::from_utf8(doc).unwrap_err().valid_up_to() as u64;
            for chunk in [1, 2, 3, 1 << 20] {
                let e = tokens(doc, chunk).unwrap_err();
                assert_eq!(e.offset, at, "{doc:?} in chunks of {chunk}: {e}");
                assert!(e.reason.contains("not UTF-8"), "{doc:?}: {e}");
            }
            let e = collect(Scanner::from_slice(doc)).unwrap_err();
            assert_eq!(e.offset, at, "{doc:?} in memory: {e}");
            assert!(e.reason.contains("not UTF-8"), "{doc:?}: {e}");
        }
    }

    #[test]
    fn offsets_are_absolute() {
        let doc = b"<r><a>x</a><b>y</b></r>";
        let mut scanner = Scanner::new(Trickle {
            data: doc,
            chunk: 2,
        });
        let mut starts = Vec::new();
        loop {
            match scanner.next_token().unwrap() {
                (offset, Token::Start { name, .. }) => starts.push((name.to_vec(), offset)),
                (_, Token::Eof) => break,
                _ => {}
            }
        }
        for (name, offset) in starts {
            let at = offset as usize;
            assert_eq!(doc[at], b'<');
            assert_eq!(&doc[at + 1..at + 1 + name.len()], &name[..]);
        }
    }

    #[test]
    fn open_path_names_local_names() {
        let mut scanner = Scanner::from_slice(b"<p:r xmlns:p='u'><a><p:b/></a></p:r>");
        assert_eq!(scanner.open_path(), "/");
        let mut paths = Vec::new();
        loop {
            match scanner.next_token().unwrap() {
                (_, Token::Eof) => break,
                (_, Token::Start { .. }) => paths.push(scanner.open_path()),
                _ => {}
            }
        }
        assert_eq!(paths, ["/r", "/r/a", "/r/a/b"]);
    }

    proptest::proptest! {
        /// Cut anywhere, a UTF-8 text is held back to the start of the character the cut
        /// falls in: the last character boundary at or before the cut.
        #[test]
        fn an_unfinished_character_is_held_back_whole(text in "\\PC{0,12}", at in 0usize..64) {
            let cut = at.min(text.len());
            let boundary = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            proptest::prop_assert_eq!(unfinished_char_start(&text.as_bytes()[..cut]), boundary);
        }

        /// Chunk boundaries never change the tokens.
        #[test]
        fn chunking_does_not_change_tokens(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<a>", "</a>", "<b k=\"v>w\"/>", "text", "&amp;", "\r\n", "é", "<!--x-->",
                    "<![CDATA[c]]>", "<?pi?>",
                ]),
                0..40,
            ),
            chunk in 1usize..9,
        ) {
            let mut doc = String::from("<r>");
            let mut depth = 0;
            for p in parts {
                match p {
                    "<a>" => depth += 1,
                    "</a>" if depth == 0 => continue,
                    "</a>" => depth -= 1,
                    _ => {}
                }
                doc.push_str(p);
            }
            for _ in 0..depth {
                doc.push_str("</a>");
            }
            doc.push_str("</r>");
            let whole = tokens(doc.as_bytes(), 1 << 20).unwrap();
            let trickled = tokens(doc.as_bytes(), chunk).unwrap();
            let in_memory = collect(Scanner::from_slice(doc.as_bytes())).unwrap();
            proptest::prop_assert_eq!(&whole, &trickled);
            proptest::prop_assert_eq!(&whole, &in_memory);
        }
    }
}
