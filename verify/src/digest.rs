//! SHA-256 content digests, written `sha256:<64 lowercase hex>` on the wire.
//!
//! A [`Digest`] is always the digest of *stored bytes* (what an object-store key is made
//! of). Semantic digests — Merkle roots over rows, receipt digests over canonical JSON — are
//! computed by their own modules with their own domain separation, and only share this type
//! for printing.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// Size of the read buffer used for streaming hashing (large reads keep SHA-NI busy).
pub const HASH_BUFFER_BYTES: usize = 1 << 20;

/// A SHA-256 digest (`Default` is all zeros, a placeholder that is never a real digest
/// of anything we store).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The prefix of the wire form.
    pub const PREFIX: &'static str = "sha256:";

    /// SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        // Short inputs (identities, canonical JSON) are hashed in place: a stream engine
        // pays off on blobs.
        if bytes.len() < 4096 {
            return Digest(Sha256::digest(bytes).into());
        }
        let mut hasher = StreamHasher::new();
        hasher.update(bytes);
        hasher.finish().0
    }

    /// Streams `reader` through SHA-256; returns the digest and the number of bytes read.
    pub fn of_reader(mut reader: impl Read) -> std::io::Result<(Self, u64)> {
        let mut hasher = StreamHasher::new();
        let mut buf = vec![0u8; HASH_BUFFER_BYTES];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&buf[..n]);
        }
        Ok(hasher.finish())
    }

    /// Streams a local file through SHA-256.
    pub fn of_file(path: &Path) -> Result<(Self, u64)> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
        Self::of_reader(file).map_err(|e| Error::io(path, &e))
    }

    /// The 64 lowercase hex characters, without prefix.
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters (no prefix).
    pub fn from_hex(text: &str) -> Result<Self> {
        let malformed = |reason| Error::MalformedDigest {
            text: text.to_owned(),
            reason,
        };
        if text.len() != 64 {
            return Err(malformed("expected 64 hex characters"));
        }
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(malformed("hex must be lowercase"));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out).map_err(|_| malformed("not hex"))?;
        Ok(Digest(out))
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", Self::PREFIX, self.hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Digest {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text.strip_prefix(Self::PREFIX) {
            Some(hex) => Digest::from_hex(hex).map_err(|_| Error::MalformedDigest {
                text: text.to_owned(),
                reason: "expected sha256: followed by 64 lowercase hex characters",
            }),
            None => Err(Error::MalformedDigest {
                text: text.to_owned(),
                reason: "missing sha256: prefix",
            }),
        }
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Incremental SHA-256 that also counts bytes.
#[derive(Clone, Default)]
pub struct StreamHasher {
    inner: engine::Engine,
    bytes: u64,
}

/// The SHA-256 of streams: AWS-LC's with the `fast-sha256` feature, else `sha2`'s.
#[cfg(feature = "fast-sha256")]
mod engine {
    use aws_lc_rs::digest::{Context, SHA256};

    #[derive(Clone)]
    pub struct Engine(Context);

    impl Default for Engine {
        fn default() -> Self {
            Engine(Context::new(&SHA256))
        }
    }

    impl Engine {
        pub fn update(&mut self, chunk: &[u8]) {
            self.0.update(chunk);
        }

        pub fn finalize(self) -> [u8; 32] {
            let mut out = [0u8; 32];
            out.copy_from_slice(self.0.finish().as_ref());
            out
        }
    }
}

#[cfg(not(feature = "fast-sha256"))]
mod engine {
    use sha2::Digest as _;

    #[derive(Clone, Default)]
    pub struct Engine(sha2::Sha256);

    impl Engine {
        pub fn update(&mut self, chunk: &[u8]) {
            self.0.update(chunk);
        }

        pub fn finalize(self) -> [u8; 32] {
            self.0.finalize().into()
        }
    }
}

impl fmt::Debug for StreamHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamHasher")
            .field("bytes", &self.bytes)
            .finish()
    }
}

impl StreamHasher {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, chunk: &[u8]) {
        self.inner.update(chunk);
        self.bytes += chunk.len() as u64;
    }

    pub fn finish(self) -> (Digest, u64) {
        (Digest(self.inner.finalize()), self.bytes)
    }
}

/// A reader that hashes everything read through it, so that an input's digest is that of
/// exactly the bytes a parser consumed (no second read that could see other bytes).
#[derive(Debug)]
pub struct HashingReader<R> {
    inner: R,
    hasher: StreamHasher,
}

impl<R: std::io::Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: StreamHasher::new(),
        }
    }

    /// Reads what the parser left to the end, and returns the digest and length of all the
    /// bytes of the input.
    pub fn finish(mut self) -> std::io::Result<(Digest, u64)> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok(self.read_so_far())
    }

    /// The digest and length of the bytes read through this reader so far.
    pub fn read_so_far(self) -> (Digest, u64) {
        self.hasher.finish()
    }
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or(buf));
        Ok(n)
    }
}

/// A writer that hashes everything it writes, so that a file's digest is known when it is
/// closed, without reading it back.
#[derive(Debug)]
pub struct HashingWriter<W> {
    inner: W,
    hasher: StreamHasher,
}

impl<W: std::io::Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: StreamHasher::new(),
        }
    }

    /// The inner writer, and the digest and length of all bytes written through it.
    pub fn finish(self) -> (W, Digest, u64) {
        let (digest, bytes) = self.hasher.finish();
        (self.inner, digest, bytes)
    }
}

impl<W: std::io::Write> std::io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or(buf));
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever engine hashes streams, its digest is `sha2`'s SHA-256 of the same bytes,
        /// however they are cut, and `Digest::of` agrees on either side of its threshold.
        #[test]
        fn every_engine_gives_the_sha256_of_the_bytes(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20_000),
            cuts in proptest::collection::vec(0usize..20_000, 0..6),
        ) {
            let expected = Digest(Sha256::digest(&bytes).into());
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut hasher = StreamHasher::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                hasher.update(&bytes[from..cut]);
                from = cut;
            }
            proptest::prop_assert_eq!(hasher.finish(), (expected, bytes.len() as u64));
            proptest::prop_assert_eq!(Digest::of(&bytes), expected);
        }
    }

    #[test]
    fn a_hashing_writer_digests_exactly_what_was_written() {
        use std::io::Write;
        let mut writer = HashingWriter::new(Vec::new());
        writer.write_all(b"abc").unwrap();
        write!(writer, "{}", "de".repeat(40_000)).unwrap();
        writer.flush().unwrap();
        let (bytes, digest, len) = writer.finish();
        assert_eq!(len, bytes.len() as u64);
        assert_eq!(digest, Digest::of(&bytes));
        assert!(bytes.starts_with(b"abcde"));
    }

    #[test]
    fn empty_input_has_the_well_known_digest() {
        assert_eq!(
            Digest::of(b"").to_string(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn wire_form_round_trips_and_rejects_bad_text() {
        let d = Digest::of(b"abc");
        assert_eq!(d.to_string().parse::<Digest>().unwrap(), d);
        for bad in [
            "",
            "sha256:",
            "sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
            "sha256:zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ] {
            assert!(bad.parse::<Digest>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..3 * HASH_BUFFER_BYTES + 17).map(|i| i as u8).collect();
        let (d, n) = Digest::of_reader(&data[..]).unwrap();
        assert_eq!(d, Digest::of(&data));
        assert_eq!(n, data.len() as u64);
    }
}
