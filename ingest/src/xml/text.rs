//! Character data and attributes from the scanner's raw bytes.
//!
//! References are resolved here: character references and the five entities XML
//! predefines. Any other entity is refused by name — we never read a DTD, so nothing
//! else can have been declared. Line ends are normalised as XML requires (`\r\n` and a
//! lone `\r` become `\n`); attribute values get XML's attribute-value normalisation
//! (literal tabs and line ends become spaces).

use std::borrow::Cow;

use memchr::memchr;

/// Why character data could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// An entity other than the five predefined ones.
    UndeclaredEntity(String),
    /// A `&` without its `;`, or a character reference to no character.
    BadReference(String),
    NotUtf8,
    /// Attribute syntax (`name="value"`) broken.
    Attribute(String),
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::UndeclaredEntity(name) => write!(f, "undeclared entity &{name};"),
            TextError::BadReference(r) => write!(f, "malformed reference {r:?}"),
            TextError::NotUtf8 => f.write_str("text is not valid UTF-8"),
            TextError::Attribute(why) => write!(f, "malformed attributes: {why}"),
        }
    }
}

fn utf8(bytes: &[u8]) -> Result<&str, TextError> {
    std::str::from_utf8(bytes).map_err(|_| TextError::NotUtf8)
}

/// Where decoded text goes: a `String`, or a reader's own accumulator (which may, say,
/// collapse whitespace as the text arrives instead of in a second pass).
pub trait TextSink {
    /// Appends text that contains no markup or references.
    fn push_text(&mut self, text: &str);
    fn push_char(&mut self, c: char);
}

impl TextSink for String {
    fn push_text(&mut self, text: &str) {
        self.push_str(text);
    }

    fn push_char(&mut self, c: char) {
        self.push(c);
    }
}

/// Appends the text `raw` stands for to `out`.
pub fn unescape_into(raw: &str, out: &mut impl TextSink) -> Result<(), TextError> {
    let mut rest = raw;
    loop {
        let Some(i) = super::swar::find2(b'&', b'\r', rest.as_bytes()) else {
            out.push_text(rest);
            return Ok(());
        };
        // `i` is at an ASCII byte: a character boundary.
        out.push_text(&rest[..i]);
        if rest.as_bytes()[i] == b'\r' {
            out.push_char('\n');
            rest = &rest[i + 1..];
            if rest.starts_with('\n') {
                rest = &rest[1..];
            }
        } else {
            let (c, len) = reference(&rest.as_bytes()[i..])?;
            out.push_char(c);
            rest = &rest[i + len..];
        }
    }
}

/// The character a reference at the start of `at` (`&...;`) stands for, and its length.
fn reference(at: &[u8]) -> Result<(char, usize), TextError> {
    let Some(semi) = memchr(b';', &at[1..at.len().min(64)]) else {
        let shown = String::from_utf8_lossy(&at[..at.len().min(16)]).into_owned();
        return Err(TextError::BadReference(shown));
    };
    let name = &at[1..1 + semi];
    let len = semi + 2;
    let c = match name {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        [b'#', b'x', hex @ ..] => char_ref(hex, 16),
        [b'#', dec @ ..] => char_ref(dec, 10),
        _ => {
            return Err(TextError::UndeclaredEntity(
                String::from_utf8_lossy(name).into_owned(),
            ));
        }
    }
    .ok_or_else(|| TextError::BadReference(String::from_utf8_lossy(&at[..len]).into_owned()))?;
    Ok((c, len))
}

fn char_ref(digits: &[u8], radix: u32) -> Option<char> {
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let code = u32::from_str_radix(std::str::from_utf8(digits).ok()?, radix).ok()?;
    char::from_u32(code).filter(|c| *c != '\0')
}

/// An attribute value, references resolved and whitespace normalised: borrowed from `raw`
/// when there is nothing to resolve or normalise, as for nearly every value.
pub fn attribute_value(raw: &[u8]) -> Result<Cow<'_, str>, TextError> {
    let special = |b: &u8| matches!(b, b'&' | b'<' | b'\t' | b'\n' | b'\r');
    if !raw.iter().any(special) {
        return utf8(raw).map(Cow::Borrowed);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.iter().position(special) {
        out.push_str(utf8(&rest[..i])?);
        match rest[i] {
            b'&' => {
                let (c, len) = reference(&rest[i..])?;
                out.push(c);
                rest = &rest[i + len..];
            }
            b'<' => return Err(TextError::Attribute("'<' in an attribute value".into())),
            b'\r' if rest.get(i + 1) == Some(&b'\n') => {
                out.push(' ');
                rest = &rest[i + 2..];
            }
            _ => {
                out.push(' ');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(utf8(rest)?);
    Ok(Cow::Owned(out))
}

/// The attributes of a start tag as raw `(name, value)` pairs, in order.
#[derive(Debug)]
pub struct Attributes<'a> {
    rest: &'a [u8],
}

impl<'a> Attributes<'a> {
    pub fn new(attrs: &'a [u8]) -> Self {
        Attributes { rest: attrs }
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<(&'a [u8], &'a [u8]), TextError>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.rest.iter().position(|b| !super::scan::is_space(*b))?;
        let rest = &self.rest[start..];
        let fail = |why: &str| {
            let shown = String::from_utf8_lossy(&rest[..rest.len().min(24)]).into_owned();
            Some(Err(TextError::Attribute(format!("{why} at {shown:?}"))))
        };
        let Some(eq) = memchr(b'=', rest) else {
            self.rest = &[];
            return fail("no '=' after the attribute name");
        };
        let name_len = rest[..eq]
            .iter()
            .rposition(|b| !super::scan::is_space(*b))
            .map_or(0, |i| i + 1);
        let name = &rest[..name_len];
        if name.is_empty() || name.iter().any(|b| super::scan::is_space(*b) || *b == b'"') {
            self.rest = &[];
            return fail("bad attribute name");
        }
        let after = &rest[eq + 1..];
        let Some(q) = after.iter().position(|b| !super::scan::is_space(*b)) else {
            self.rest = &[];
            return fail("no value");
        };
        let quote = after[q];
        if quote != b'"' && quote != b'\'' {
            self.rest = &[];
            return fail("value not quoted");
        }
        let Some(close) = memchr(quote, &after[q + 1..]) else {
            self.rest = &[];
            return fail("value not closed");
        };
        let value = &after[q + 1..q + 1 + close];
        self.rest = &after[q + 1 + close + 1..];
        if self
            .rest
            .first()
            .is_some_and(|b| !super::scan::is_space(*b))
        {
            self.rest = &[];
            return fail("no space between attributes");
        }
        Some(Ok((name, value)))
    }
}

/// The normalised value of attribute `key` (by qualified name), if present. Checks the
/// syntax of the attributes before it.
pub fn find_attribute<'a>(attrs: &'a [u8], key: &[u8]) -> Result<Option<Cow<'a, str>>, TextError> {
    for a in Attributes::new(attrs) {
        let (name, value) = a?;
        if name == key {
            return attribute_value(value).map(Some);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(raw: &str) -> Result<String, TextError> {
        let mut out = String::new();
        unescape_into(raw, &mut out).map(|_| out)
    }

    #[test]
    fn references_and_line_ends() {
        assert_eq!(
            text("a&amp;b&lt;&#233;&#xE9;\r\nx\ry").unwrap(),
            "a&b<éé\nx\ny"
        );
        assert_eq!(
            text("&nbsp;"),
            Err(TextError::UndeclaredEntity("nbsp".into()))
        );
        assert!(matches!(text("a & b"), Err(TextError::BadReference(_))));
        assert!(matches!(text("&#0;"), Err(TextError::BadReference(_))));
        assert!(matches!(
            text("&#x110000;"),
            Err(TextError::BadReference(_))
        ));
    }

    #[test]
    fn attributes_parse_and_normalise() {
        let attrs = b" a=\"1\" b = 'x&quot;y' c=\"t\tu\r\nv\"";
        let pairs: Vec<_> = Attributes::new(attrs).map(|a| a.unwrap()).collect();
        assert_eq!(pairs.len(), 3);
        assert_eq!(attribute_value(pairs[1].1).unwrap(), "x\"y");
        assert_eq!(find_attribute(attrs, b"c").unwrap().unwrap(), "t u v");
        assert_eq!(find_attribute(attrs, b"d").unwrap(), None);
        for bad in [
            &b" a"[..],
            b" a=1",
            b" a=\"1",
            b" a=\"1\"b=\"2\"",
            b" =\"1\"",
        ] {
            assert!(Attributes::new(bad).any(|a| a.is_err()), "{bad:?}");
        }
        assert!(attribute_value(b"a<b").is_err());
    }
}
