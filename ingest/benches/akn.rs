//! Akoma Ntoso reader throughput: `cargo bench -p ingest --bench akn [-- DIR]`.
//!
//! Reads every `*.xml` under DIR (default: the shared corpus, `../shared/data/akn/samples`)
//! into provisions on one thread, ten times, and prints the best MB/s per core (best of
//! ten, because the machines we measure on are shared).

use std::path::{Path, PathBuf};
use std::time::Instant;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
}

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_MANIFEST_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
                .join("../../shared/data/akn/samples")
        });
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    if files.is_empty() {
        eprintln!("SKIPPED: no *.xml under {}", dir.display());
        return;
    }
    // Read the files into memory first: this measures the reader, not the disk.
    let inputs: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter_map(|f| std::fs::read(f).ok().map(|b| (f.display().to_string(), b)))
        .collect();
    let bytes: usize = inputs.iter().map(|(_, b)| b.len()).sum();
    let mut best = f64::MAX;
    let mut provisions = 0;
    for _ in 0..10 {
        let start = Instant::now();
        provisions = 0;
        for (name, data) in &inputs {
            provisions += ingest::akn::read(name, &data[..]).provisions.len();
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "files={} MB={mb:.1} provisions={provisions} best_s={best:.3} MB_per_s={:.1}",
        inputs.len(),
        mb / best
    );
}
