//! Progress reporting without coupling: jobs call a [`Reporter`]; only the binary draws
//! (indicatif bars on a terminal, nothing otherwise).

/// Receives progress from long jobs. Implementations must be cheap and thread-safe.
pub trait Reporter: Sync {
    /// A phase begins, with its total in `unit`s (bytes, files, rows) when known.
    fn start(&self, phase: &str, total: Option<u64>, unit: &str);
    /// `n` more units of the current phase are done.
    fn advance(&self, n: u64);
    /// The current phase is over.
    fn finish(&self);
}

/// Reports nothing (tests, `--quiet`, no terminal).
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Reporter for Silent {
    fn start(&self, _: &str, _: Option<u64>, _: &str) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
