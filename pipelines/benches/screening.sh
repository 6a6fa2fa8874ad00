#!/usr/bin/env bash
# Benchmark: `mez screen` of 1M generated names against OFAC SDN + UN (the real lists in
# ../shared/data/sanctions), on one thread (names per second per core) and on all cores;
# then the same 1k-name sample through mez and through nomenklatura's logic-v2 matcher
# (screening_baseline.py) in the same session; then the evaluation harness.
#
#   bash pipelines/benches/screening.sh [WORK_DIR] [NAMES]
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-/tmp/mez-bench-screening}"
count="${2:-1000000}"
data=../shared/data/sanctions
[ -d "$data" ] || { echo "the real lists ($data) are absent"; exit 2; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mez/target}"
cargo xtask duckdb >/dev/null
cargo build --release -q -p pipelines --bin mez
mez="$CARGO_TARGET_DIR/release/mez"
venv="$HOME/.cache/mez/nk-venv"
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet nomenklatura; }

# shellcheck source=lib.sh
source pipelines/benches/lib.sh

lists=("$data/ofac/csv-2021-07-07/sdn.csv.gz" "$data/un/un-consolidated-2026-02-27.xml.gz")
mkdir -p "$work"
[ -f "$work/names.csv" ] || "$mez" gen names --out "$work/names.csv" --count "$count" --seed 2026
"$mez" keygen --out "$work/key-$$" >/dev/null
screen() { rm -rf "$work/store"; "$mez" --quiet --store "$work/store" --key "$work/key-$$.key" screen --names "$1" --lists "${lists[@]}"; }

# The lists alone (read + index), to separate set-up from per-name cost.
echo "id,name" > "$work/one.csv"; echo "1,Nobody" >> "$work/one.csv"
t_setup=$(RAYON_NUM_THREADS=1 secs screen "$work/one.csv")
t_one=$(RAYON_NUM_THREADS=1 secs screen "$work/names.csv")
t_all=$(secs screen "$work/names.csv")
rss=$(rss_mb env RAYON_NUM_THREADS=2 "$mez" --quiet --store "$work/store2" --key "$work/key-$$.key" screen --names "$work/names.csv" --lists "${lists[@]}")
rm -rf "$work/store2"

# The same 1k sample through both matchers.
py="$venv/bin/python"
base=(--sdn "$data/ofac/csv-2021-07-07/sdn.csv.gz" --alt "$data/ofac/csv-2021-07-07/alt.csv.gz" --un "$data/un/un-consolidated-2026-02-27.xml.gz")
[ -f "$work/sample.csv" ] || "$py" pipelines/benches/screening_baseline.py "${base[@]}" --make-queries "$work/sample.csv" --limit 1000 >/dev/null
nk=$("$py" pipelines/benches/screening_baseline.py "${base[@]}" --queries "$work/sample.csv")
# The sample 20 times over (distinct ids), so that mez's time is not lost in its set-up.
python3 - "$work/sample.csv" "$work/sample20.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f); w.writerow(["id", "name"])
    for k in range(20):
        for r in rows: w.writerow([f"{k}-{r['id']}", r["name"]])
PY
t_sample=$(RAYON_NUM_THREADS=1 secs screen "$work/sample20.csv")

python3 - "$count" "$t_setup" "$t_one" "$t_all" "$rss" "$t_sample" "$nk" <<'PY'
import json, sys
count, setup, one, allc, rss, sample = int(sys.argv[1]), *map(float, sys.argv[2:7])
nk = json.loads(sys.argv[7])
per_core = count / (one - setup)
print(f"names: {count}; lists read and indexed in {setup:.2f} s")
print(f"1 thread : {one:.1f} s end to end, {per_core:,.0f} names/s per core (set-up excluded)")
print(f"2 threads: {allc:.1f} s end to end, {count / (allc - setup):,.0f} names/s; peak RSS {rss} MB")
mez_rate = 20000 / (sample - setup)
print(f"1k sample x20: mez {sample:.2f} s ({mez_rate:,.0f} names/s, 1 thread, set-up excluded); "
      f"nomenklatura logic-v2 {nk['screen_seconds']:.1f} s ({nk['names_per_second']:.1f} names/s, index {nk['index_seconds']:.1f} s)")
print(f"ratio: {mez_rate / nk['names_per_second']:,.0f}x nomenklatura's names/s")
PY
"$mez" --store "$work/store" screen eval --lists "${lists[@]}"
