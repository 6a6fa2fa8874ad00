//! Reader throughput: `MEZ_BENCH_PACS008=DIR cargo bench -p ingest --bench pacs008`.
//!
//! Reads every `*.xml` file of DIR (e.g. made by `mez gen pacs008`) on one thread,
//! `MEZ_BENCH_REPEAT` times (default 3), and prints the best MB/s and transactions/s of the reader alone (parse, amounts,
//! participants, header checks; payments handed to a sink that only counts them), and of
//! SHA-256 over the same bytes for scale.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let Some(dir) = std::env::var_os("MEZ_BENCH_PACS008").map(PathBuf::from) else {
        eprintln!("SKIPPED: set MEZ_BENCH_PACS008 to a directory of pacs.008 files");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    let mut best_read = f64::MAX;
    let mut best_hash = f64::MAX;
    let mut tx = 0u64;
    let repeat: u32 = std::env::var("MEZ_BENCH_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        tx = 0;
        for f in &files {
            let summary =
                ingest::pacs008::read_file(&ingest::NamedFile::as_given(f), &mut |_| tx += 1)
                    .expect("readable file");
            assert!(summary.file_ok, "{}", f.display());
        }
        best_read = best_read.min(start.elapsed().as_secs_f64());
        let start = Instant::now();
        for f in &files {
            verify::Digest::of_file(f).expect("readable file");
        }
        best_hash = best_hash.min(start.elapsed().as_secs_f64());
    }
    let mb = bytes as f64 / 1e6;
    println!("{} files, {mb:.1} MB, {tx} payments", files.len());
    println!(
        "reader (1 thread): {:.1} MB/s, {:.0} tx/s",
        mb / best_read,
        tx as f64 / best_read
    );
    println!("sha256 (1 thread): {:.1} MB/s", mb / best_hash);
}
