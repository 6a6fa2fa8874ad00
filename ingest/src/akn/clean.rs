//! Provision text as it is stored: lines trimmed, whitespace runs collapsed to one space,
//! empty lines dropped.
//!
//! Text is cleaned as it arrives from the scanner, not in a second pass over a raw copy:
//! this runs over every byte of every provision, so ASCII runs are copied whole and only
//! non-ASCII runs are decoded character by character.

use crate::xml::text::TextSink;

/// A text being cleaned. Whitespace seen is held as a pending separator and written only
/// when more text follows, so the result never ends in whitespace. Text is kept as bytes:
/// only non-ASCII runs are decoded, character by character.
#[derive(Debug, Default, Clone)]
pub struct CleanText {
    out: Vec<u8>,
    space: bool,
    newline: bool,
}

impl CleanText {
    pub fn push_str(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut i = 0;
        while i < n {
            let b = bytes[i];
            if b >= 0x80 {
                let start = i;
                while i < n && bytes[i] >= 0x80 {
                    i += 1;
                }
                // A maximal non-ASCII run starts and ends on character boundaries.
                text[start..i].chars().for_each(|c| self.push_char(c));
                continue;
            }
            if is_ascii_space(b) {
                self.space_byte(b);
                i += 1;
                continue;
            }
            // Words and the single spaces between them are copied as one run.
            let start = i;
            i += 1;
            loop {
                i += plain_prefix(&bytes[i..]);
                while i < n && PLAIN[bytes[i] as usize] {
                    i += 1;
                }
                if i + 1 < n && bytes[i] == b' ' && PLAIN[bytes[i + 1] as usize] {
                    i += 2;
                    continue;
                }
                break;
            }
            self.separate();
            self.out.extend_from_slice(&bytes[start..i]);
        }
    }

    fn space_byte(&mut self, b: u8) {
        if b == b'\n' {
            self.newline = !self.out.is_empty();
            self.space = false;
        } else {
            self.space = !self.out.is_empty() && !self.newline;
        }
    }

    /// Writes the pending separator before non-space text.
    fn separate(&mut self) {
        if self.newline {
            self.out.push(b'\n');
        } else if self.space {
            self.out.push(b' ');
        }
        self.newline = false;
        self.space = false;
    }

    pub fn finish(self) -> String {
        // Every byte pushed was checked; the fallback only keeps this panic-free.
        String::from_utf8(self.out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    pub fn clear(&mut self) {
        self.out.clear();
        self.space = false;
        self.newline = false;
    }
}

impl TextSink for CleanText {
    fn push_text(&mut self, text: &str) {
        self.push_str(text);
    }

    fn push_char(&mut self, c: char) {
        if c.is_ascii() {
            let b = c as u8;
            if is_ascii_space(b) {
                self.space_byte(b);
            } else {
                self.separate();
                self.out.push(b);
            }
        } else if c.is_whitespace() {
            self.space = !self.out.is_empty() && !self.newline;
        } else {
            self.separate();
            let mut utf8 = [0u8; 4];
            self.out
                .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
    }
}

/// How many leading bytes are printable ASCII other than space, eight bytes at a time
/// (exact within whole words; a tail shorter than a word is left to the caller).
fn plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8) {
        let mut le = [0u8; 8];
        le.copy_from_slice(word);
        let x = u64::from_le_bytes(le);
        // High bit set in each byte below 0x21 (exact for the first such byte) or ≥ 0x80.
        let special = ((x.wrapping_sub(ONES * 0x21) & !x) | x) & HIGH;
        if special != 0 {
            return i + (special.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

/// ASCII bytes that are not whitespace.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x80 {
        t[b] = !is_ascii_space(b as u8);
        b += 1;
    }
    t
};

/// The ASCII characters `char::is_whitespace` accepts.
const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The cleaned form of `text`.
#[cfg(test)]
fn clean(text: &str) -> String {
    let mut c = CleanText::default();
    c.push_str(text);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition: lines trimmed, whitespace runs collapsed, empty lines dropped.
    fn reference(text: &str) -> String {
        text.split('\n')
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    proptest! {
        #[test]
        fn plain_prefix_stops_at_the_first_special_byte(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let exact = bytes.iter().position(|b| !(0x21..0x80).contains(b)).unwrap_or(bytes.len());
            // Exact within whole words; the tail (under 8 bytes) is left to the caller.
            prop_assert_eq!(plain_prefix(&bytes), exact.min(bytes.len() / 8 * 8));
        }

        #[test]
        fn clean_matches_its_definition(text in "[ a\t\n\r\u{a0}\u{2028}b\u{e9}\u{b}]{0,40}") {
            prop_assert_eq!(clean(&text), reference(&text));
        }

        /// Text arriving in pieces, through any path, cleans as if it came whole.
        #[test]
        fn pieces_clean_like_the_whole(
            pieces in proptest::collection::vec("[ a\t\n\u{a0}b\u{e9}\u{2028}]{0,8}", 0..8),
        ) {
            let mut c = CleanText::default();
            for (i, p) in pieces.iter().enumerate() {
                if i % 2 == 0 {
                    c.push_text(p);
                } else {
                    p.chars().for_each(|ch| c.push_char(ch));
                }
            }
            prop_assert_eq!(c.finish(), reference(&pieces.concat()));
        }
    }
}
