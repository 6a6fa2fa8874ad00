//! Namespace scopes for the scanner's tokens.
//!
//! Readers identify elements by namespace URI and local name, never by prefix. Most
//! elements declare nothing, so the cost per element is one check for `xmlns` in its
//! attribute text; bindings live in a small stack, innermost last.

use super::text::{Attributes, TextError, attribute_value};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

#[derive(Debug)]
struct Binding {
    prefix: Vec<u8>,
    /// Empty for `xmlns=""` (no default namespace).
    uri: String,
    depth: u32,
}

/// Why an element's name could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    UnknownPrefix(String),
    Attributes(TextError),
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameError::UnknownPrefix(p) => write!(f, "undeclared namespace prefix {p:?}"),
            NameError::Attributes(e) => e.fmt(f),
        }
    }
}

/// The namespace bindings in scope.
#[derive(Debug, Default)]
pub struct Namespaces {
    bindings: Vec<Binding>,
    depth: u32,
    generation: u64,
}

impl Namespaces {
    /// Enters an element: takes its `xmlns` declarations, then resolves its name to
    /// (namespace URI, local name). Every call must be paired with [`Namespaces::close`].
    #[inline(always)]
    pub fn open<'n>(
        &mut self,
        name: &'n [u8],
        attrs: &[u8],
    ) -> Result<(Option<&str>, &'n [u8]), NameError> {
        self.depth += 1;
        if attrs.len() > 6 && attrs.windows(5).any(|w| w == b"xmlns") {
            self.declare(attrs)?;
        }
        let (prefix, local) = match name.iter().position(|b| *b == b':') {
            Some(i) => (&name[..i], &name[i + 1..]),
            None => (&b""[..], name),
        };
        Ok((self.resolve(prefix)?, local))
    }

    /// Takes the `xmlns` declarations of an element's attributes (rare: out of line).
    #[inline(never)]
    fn declare(&mut self, attrs: &[u8]) -> Result<(), NameError> {
        for a in Attributes::new(attrs) {
            let (key, value) = a.map_err(NameError::Attributes)?;
            let prefix = match key {
                b"xmlns" => &b""[..],
                _ => match key.strip_prefix(b"xmlns:") {
                    Some(p) => p,
                    None => continue,
                },
            };
            let uri = attribute_value(value)
                .map_err(NameError::Attributes)?
                .into_owned();
            self.bindings.push(Binding {
                prefix: prefix.to_vec(),
                uri,
                depth: self.depth,
            });
            self.generation += 1;
        }
        Ok(())
    }

    /// Changes whenever a binding comes into or goes out of scope. Within one generation
    /// a URI returned by [`Namespaces::open`] is the same string (same address) each time
    /// its binding is used, so readers may cache what they decided about it.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Leaves the innermost element.
    #[inline]
    pub fn close(&mut self) {
        while self.bindings.last().is_some_and(|b| b.depth >= self.depth) {
            self.bindings.pop();
            self.generation += 1;
        }
        self.depth = self.depth.saturating_sub(1);
    }

    #[inline(always)]
    fn resolve(&self, prefix: &[u8]) -> Result<Option<&str>, NameError> {
        // Unprefixed names are most names: find the default namespace without comparing.
        let binding = if prefix.is_empty() {
            self.bindings.iter().rev().find(|b| b.prefix.is_empty())
        } else if prefix == b"xml" {
            return Ok(Some(XML_NS));
        } else {
            self.bindings.iter().rev().find(|b| b.prefix == prefix)
        };
        match binding {
            Some(b) if b.uri.is_empty() => Ok(None),
            Some(b) => Ok(Some(&b.uri)),
            None if prefix.is_empty() => Ok(None),
            None => Err(NameError::UnknownPrefix(
                String::from_utf8_lossy(prefix).into_owned(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_nest_and_end() {
        let mut ns = Namespaces::default();
        assert_eq!(
            ns.open(b"a", b" xmlns=\"u1\" xmlns:p='u2'").unwrap(),
            (Some("u1"), &b"a"[..])
        );
        assert_eq!(ns.open(b"p:b", b"").unwrap(), (Some("u2"), &b"b"[..]));
        ns.close();
        assert_eq!(ns.open(b"c", b" xmlns=\"\"").unwrap(), (None, &b"c"[..]));
        assert_eq!(ns.open(b"p:d", b" xmlns:p=\"u3\"").unwrap().0, Some("u3"));
        ns.close();
        ns.close();
        assert_eq!(ns.open(b"p:e", b"").unwrap().0, Some("u2"));
        ns.close();
        ns.close();
        assert_eq!(
            ns.open(b"p:f", b""),
            Err(NameError::UnknownPrefix("p".into()))
        );
    }
}
