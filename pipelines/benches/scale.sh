#!/usr/bin/env bash
# Benchmark: a netting day of >= 1M payments on one machine (`mez netting run`) and through
# the Ray driver with 1 and 2 worker nodes (units of 4 shards), in the same session, plus the
# plan and the merge alone as shares of the one-machine time. Every run's tables are checked
# against the one-machine run's digests.
#
#   bash pipelines/benches/scale.sh [WORK_DIR] [TRANSACTIONS]
#
# Needs root (the cluster runs inside `unshare --net`, loopback only) and Ray in
# ~/.cache/mez/ray-venv (as .ci/run installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-/tmp/mez-bench-netting}"
tx="${2:-1150000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mez/target}"
cargo build --release -q -p pipelines --bin mez
mez="$CARGO_TARGET_DIR/release/mez"
python="${MEZ_RAY_PYTHON:-$HOME/.cache/mez/ray-venv/bin/python}"
mkdir -p "$work"
day="$work/day-g2-$tx"
if [ ! -d "$day" ]; then
  "$mez" gen pacs008 --out "$day" --transactions "$tx" --banks 24 --currencies EUR,USD,GBP,JPY \
    --files 24 --singles 200 --duplicates 100 --invalid 50 --seed 2026
fi
key="$work/scale-$$"
"$mez" keygen --out "$key" >/dev/null
find "$day" -type f -print0 | xargs -0 cat >/dev/null # warm the page cache

unshare --net --fork bash -euc '
mez=$1 python=$2 day=$3 key=$4 work=$5 here=$6
ip link set lo up
export RAY_USAGE_STATS_ENABLED=0
source "$here/pipelines/benches/lib.sh"
bin=$(dirname "$python")
tmp=$(mktemp -d /tmp/mez-scale.XXXXXX)
pids=()
stop() { for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
         for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap stop EXIT
tables() { "$python" -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[\"tables\"], sort_keys=True))" "$1"; }

# One machine, best of two.
best=""
for _ in 1 2; do
  rm -rf "$tmp/one"
  t=$(secs "$mez" --quiet --json --store "$tmp/one" --key "$key.key" netting run --input "$day")
  best=$(printf "%s\n%s\n" "$best" "$t" | grep . | sort -n | head -1)
done
"$mez" --json --quiet --store "$tmp/one2" --key "$key.key" netting run --input "$day" >"$tmp/one.json"
echo "one machine: ${best} s"

# Plan and merge alone (the units run in a loop between them).
t_plan=$(secs "$mez" --quiet --store "$tmp/pm" --key "$key.key" netting plan --input "$day" --shards 4)
plan=$("$mez" --quiet --store "$tmp/pm" --key "$key.key" netting plan --input "$day" --shards 4)
for i in 0 1 2 3; do "$mez" --quiet --store "$tmp/pm" --key "$key.key" netting map --plan "$plan" --shard $i >/dev/null; done
t_merge=$(secs "$mez" --quiet --store "$tmp/pm" --key "$key.key" netting merge --plan "$plan")
echo "plan: ${t_plan} s ($(echo "scale=1; 100 * $t_plan / $best" | bc) % of one machine)"
echo "merge: ${t_merge} s ($(echo "scale=1; 100 * $t_merge / $best" | bc) % of one machine)"

setsid "$bin/ray" start --head --node-ip-address=127.0.0.1 --port=6379 --num-cpus=1 \
  --include-dashboard=false --disable-usage-stats --temp-dir="$tmp/ray" --block >"$tmp/head.log" 2>&1 &
pids+=($!)
until "$bin/ray" status --address=127.0.0.1:6379 2>/dev/null | grep -q " node_"; do sleep 0.5; done
ray_run() { # NAME
  rm -rf "$tmp/$1"
  secs "$python" "$here/pipelines/ray/mez_ray.py" --address 127.0.0.1:6379 --mez "$mez" \
    --store "$tmp/$1" --key "$key.key" --summary "$tmp/$1.json" netting --input "$day" --shards 4
}
t_ray1=$(ray_run ray1)
[ "$(tables "$tmp/ray1.json")" = "$(tables "$tmp/one.json")" ] || { echo "ray1: tables differ" >&2; exit 1; }
echo "ray, 1 worker node: ${t_ray1} s ($(echo "scale=2; $t_ray1 / $best" | bc) x one machine)"
setsid "$bin/ray" start --address=127.0.0.1:6379 --node-ip-address=127.0.0.1 --num-cpus=1 \
  --disable-usage-stats --block >"$tmp/worker.log" 2>&1 &
pids+=($!)
until [ "$("$bin/ray" status --address=127.0.0.1:6379 2>/dev/null | grep -c " node_")" = 2 ]; do sleep 0.5; done
t_ray2=$(ray_run ray2)
[ "$(tables "$tmp/ray2.json")" = "$(tables "$tmp/one.json")" ] || { echo "ray2: tables differ" >&2; exit 1; }
echo "ray, 2 worker nodes: ${t_ray2} s ($(echo "scale=2; $t_ray2 / $best" | bc) x one machine)"
echo "tables of every run: identical to the one-machine run"
' _ "$mez" "$python" "$day" "$key" "$work" "$PWD"
rm -f "$key.key" "$key.pub"
