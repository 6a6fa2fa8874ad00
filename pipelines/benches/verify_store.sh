#!/usr/bin/env bash
# Benchmark: `mez verify` over a store of >= 2 GB of Parquet artifacts, against
# `openssl dgst -sha256` over the same blob files, in the same session.
#
#   bash pipelines/benches/verify_store.sh [STORE_DIR] [TARGET_GB]
#
# Fills STORE_DIR (default /tmp/mez-bench-store) with demo runs of 10M transfers each
# (~100 MB per artifact) until it holds TARGET_GB (default 2) of blobs, measuring verify's
# peak RSS at half and full size (memory must stay flat as the store grows). Reports wall
# times (best of 3, warm page cache for both tools) and the throughput ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
store="${1:-/tmp/mez-bench-store}"
target_gb="${2:-2}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mez/target}"
cargo build --release -q -p pipelines --bin mez
mez="$CARGO_TARGET_DIR/release/mez"
mkdir -p "$store"

blob_bytes() { du -sb "$store/blobs" 2>/dev/null | cut -f1 || echo 0; }
best_of_3() { # prints the best wall time in seconds of the command
  local best=""
  for _ in 1 2 3; do
    local s e t
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}
rss_kb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

target=$(( target_gb * 1024 * 1024 * 1024 ))
seed=1000
half_rss=""
while [ "$(blob_bytes)" -lt "$target" ]; do
  "$mez" --quiet --store "$store" demo --transfers 10000000 --transactions 0 --seed "$seed" --no-verify
  seed=$((seed + 1))
  if [ -z "$half_rss" ] && [ "$(blob_bytes)" -ge $((target / 2)) ]; then
    half_bytes=$(blob_bytes)
    half_rss=$(rss_kb "$mez" --store "$store" verify --trusted-key "$store/demo.pub")
  fi
done
bytes=$(blob_bytes)
files=$(find "$store/blobs" -type f | wc -l)

# Warm the page cache for both tools.
find "$store/blobs" -type f -print0 | xargs -0 cat >/dev/null

t_openssl=$(best_of_3 sh -c "find '$store/blobs' -type f -print0 | xargs -0 openssl dgst -sha256")
t_mez=$(best_of_3 "$mez" --store "$store" verify --trusted-key "$store/demo.pub")
full_rss=$(rss_kb "$mez" --store "$store" verify --trusted-key "$store/demo.pub")
"$mez" --store "$store" verify --trusted-key "$store/demo.pub" | tail -1

mb=$(echo "scale=1; $bytes / 1048576" | bc)
echo "store: $files blobs, $mb MiB, $(nproc) cores"
echo "openssl dgst -sha256: ${t_openssl}s  ($(echo "scale=0; $bytes / $t_openssl / 1048576" | bc) MiB/s)"
echo "mez verify:           ${t_mez}s  ($(echo "scale=0; $bytes / $t_mez / 1048576" | bc) MiB/s)"
echo "throughput ratio mez/openssl: $(echo "scale=2; $t_openssl / $t_mez" | bc)x (goal >= 0.8x)"
echo "verify peak RSS: ${half_rss:-n/a} KiB at $(echo "scale=0; ${half_bytes:-0} / 1048576" | bc) MiB, ${full_rss} KiB at $mb MiB"
