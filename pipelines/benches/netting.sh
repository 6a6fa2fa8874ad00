#!/usr/bin/env bash
# Benchmark: `mez netting run` end to end over >= 1 GB of generated pacs.008 (~1M
# transactions, about 0.9 KB each), against `openssl dgst -sha256` over the same files and
# the Python lxml `iterparse` baseline doing the same netting (netting_baseline.py), in the
# same session; then peak RSS on a single ~2 GB file.
#
#   bash pipelines/benches/netting.sh [WORK_DIR] [TRANSACTIONS] [INPUT_DIR]
#
# INPUT_DIR measures existing files instead of generating a day (e.g. a denser day made by
# an earlier generator, to compare sessions).
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-/tmp/mez-bench-netting}"
tx="${2:-1150000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mez/target}"
cargo xtask duckdb >/dev/null
cargo build --release -q -p pipelines --bin mez
mez="$CARGO_TARGET_DIR/release/mez"
python3 -c 'import lxml' 2>/dev/null || python3 -m pip install --quiet lxml

# shellcheck source=lib.sh
source pipelines/benches/lib.sh
# The machines we measure on are shared: mez and openssl are timed three times each,
# alternating, and the best time of each is kept.
best() { printf '%s\n' "$@" | sort -n | head -1; }

mkdir -p "$work"
# The generator's output changes with its version: the directory names say which one.
day="${3:-$work/day-g2-$tx}"
if [ ! -d "$day" ]; then
  "$mez" gen pacs008 --out "$day" --transactions "$tx" --banks 24 --currencies EUR,USD,GBP,JPY \
    --files 24 --singles 200 --duplicates 100 --invalid 50 --seed 2026
fi
bytes=$(du -sb "$day" | cut -f1)
files=$(ls "$day" | wc -l)
find "$day" -type f -print0 | xargs -0 cat >/dev/null   # warm the page cache for everyone
"$mez" keygen --out "$work/key-$$" >/dev/null

runs_openssl=(); runs_mez=()
for _ in 1 2 3; do
  runs_openssl+=("$(secs sh -c "find '$day' -type f -print0 | xargs -0 openssl dgst -sha256")")
  rm -rf "$work/store"
  runs_mez+=("$(secs "$mez" --quiet --store "$work/store" --key "$work/key-$$.key" netting run --input "$day")")
done
t_openssl=$(best "${runs_openssl[@]}")
t_mez=$(best "${runs_mez[@]}")
rm -rf "$work/store"
rss_multi=$(rss_mb "$mez" --quiet --store "$work/store" --key "$work/key-$$.key" netting run --input "$day")
t_py=$(secs python3 pipelines/benches/netting_baseline.py "$day")
tx_count=$("$mez" --store "$work/store" --key "$work/key-$$.key" sql "SELECT count(*) FROM payments" | tail -1)

# One ~2 GB file: memory must be bounded by batch size, not input size.
big="$work/big-g2"
if [ ! -d "$big" ]; then
  "$mez" gen pacs008 --out "$big" --transactions 2300000 --banks 24 --currencies EUR --files 1 --singles 0 --seed 7
fi
big_bytes=$(du -sb "$big" | cut -f1)
rm -rf "$work/store-big"
rss_big=$(rss_mb "$mez" --quiet --store "$work/store-big" --key "$work/key-$$.key" netting run --input "$big")

echo "input: $files files, $(echo "scale=1; $bytes/1048576" | bc) MiB, $tx_count payments netted; $(nproc) cores"
echo "openssl dgst -sha256: ${t_openssl}s  (runs: ${runs_openssl[*]})"
echo "mez netting run:      ${t_mez}s  (runs: ${runs_mez[*]}) ($(echo "scale=0; $tx_count / $t_mez" | bc) tx/s, $(echo "scale=1; $bytes/1048576/$t_mez" | bc) MiB/s)"
echo "python lxml baseline: ${t_py}s"
# Each round's own ratio too: on a shared machine the spread says how far to trust the best.
rounds=()
for i in "${!runs_mez[@]}"; do
  rounds+=("$(echo "scale=2; ${runs_mez[$i]} / ${runs_openssl[$i]}" | bc)")
done
echo "time ratio mez/openssl: $(echo "scale=2; $t_mez / $t_openssl" | bc) (goal <= 4; each round: ${rounds[*]})"
echo "speed-up over lxml:     $(echo "scale=1; $t_py / $t_mez" | bc)x (goal >= 6)"
echo "peak RSS: ${rss_multi} MiB on the $(echo "scale=0; $bytes/1048576" | bc) MiB day; ${rss_big} MiB on one $(echo "scale=0; $big_bytes/1048576" | bc) MiB file (goal < 500)"
rm -f "$work/key-$$.key" "$work/key-$$.pub"
