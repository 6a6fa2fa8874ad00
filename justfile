# Recipes mirror .ci/run.
export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", env_var("HOME") + "/.cache/mez/target")

# The README's main job.
demo:
    cargo mez demo

# The README's test command.
test:
    cargo xtest

# The notebook against a demo store.
notebook:
    cargo mez demo --store /tmp/mez-notebook-store
    MEZ_STORE=/tmp/mez-notebook-store bash notebooks/run.sh

# Exactly what CI runs.
ci:
    bash .ci/run

lint:
    bash .ci/check-kernel-deps
    cargo xtask duckdb
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Coverage-guided fuzzing of one parser with AFL++ (stable Rust, cargo-afl); targets in
# fuzz/src/lib.rs. Crashes land in fuzz/regressions/TARGET, replayed by `cargo test`.
fuzz TARGET SECONDS:
    bash fuzz/run.sh {{TARGET}} {{SECONDS}}

# Benchmarks (figures go in issue notes, never in tests).
bench:
    bash pipelines/benches/verify_store.sh
    bash pipelines/benches/netting.sh
    bash pipelines/benches/scale.sh
    bash pipelines/benches/screening.sh
    bash pipelines/benches/tensor_nightly.sh
    cargo bench -p ingest --bench akn
    python3 ingest/benches/akn_baseline.py ../shared/data/akn/samples --repeat 5
