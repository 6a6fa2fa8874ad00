#!/usr/bin/env bash
# Benchmark: a netting day of >= 1M payments on one machine (`mez netting run`) and through
# the Ray driver with 1 and 2 worker nodes (units of 4 shards), in the same session, plus the
# plan and the merge alone as shares of the one-machine time. Every run's tables are checked
# against the one-machine run's digests.
#
#   bash pipelines/benches/scale.sh [WORK_DIR] [TRANSACTIONS]
#
# Needs root (the cluster runs inside `unshare --net`, loopback only) and Ray in
# ~/.cache/mez/ray-venv (as .ci/run installs it). The cluster is measured as a job finds
# one: up and idle (Ray's daemons done starting), best of two runs; the time includes the
# driver's start, the plan, the units and the merge.
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
ray_run() { # NAME: the seconds the driver took; its own account of them, and how busy the
  # machine was meanwhile, in $work/NAME.log
  rm -rf "$tmp/$1"
  local s e a b
  a=($(head -1 /proc/stat))
  s=$(date +%s.%N)
  "$python" "$here/pipelines/ray/mez_ray.py" --address 127.0.0.1:6379 --mez "$mez" \
    --store "$tmp/$1" --key "$key.key" --summary "$tmp/$1.json" netting --input "$day" --shards 4 \
    >/dev/null 2>"$work/$1.log" || { cat "$work/$1.log" >&2; return 1; }
  e=$(date +%s.%N)
  b=($(head -1 /proc/stat))
  local busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]) - (a[1]+a[2]+a[3]+a[6]+a[7]) )) idle=$(( b[4]+b[5] - a[4]-a[5] ))
  echo "cores busy: $(( 100 * busy / (busy + idle) )) %" >>"$work/$1.log"
  echo "$e - $s" | bc
}
# Waits (up to 60 s) until the Ray daemons of a node just started are done starting: the
# machine idle for a second. A cluster a job runs on has been up for a while.
settle() {
  local i a b
  for i in $(seq 60); do
    a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
    local busy=$(( (b[1]+b[2]+b[3]) - (a[1]+a[2]+a[3]) )) idle=$(( b[4] - a[4] ))
    [ $(( 100 * busy / (busy + idle + 1) )) -lt 5 ] && return 0
  done
}
# The best of two runs, like the one-machine time (the first also starts the Ray workers).
ray_best() { # NAME
  local a b
  a=$(ray_run "$1-a") && b=$(ray_run "$1") || return 1
  if [ "$(echo "$a < $b" | bc)" = 1 ]; then cp "$work/$1-a.log" "$work/$1.log"; cp "$tmp/$1-a.json" "$tmp/$1.json"; echo "$a"; else echo "$b"; fi
}
phases() { grep -E "^(plan|connected|map units|merged|cores busy)" "$work/$1.log" | sed "s/^/  /" | sed -E "s/plan sha256:[0-9a-f]+/plan/"; }
settle
t_ray1=$(ray_best ray1)
[ "$(tables "$tmp/ray1.json")" = "$(tables "$tmp/one.json")" ] || { echo "ray1: tables differ" >&2; exit 1; }
echo "ray, 1 worker node: ${t_ray1} s ($(echo "scale=2; $t_ray1 / $best" | bc) x one machine)"
phases ray1
setsid "$bin/ray" start --address=127.0.0.1:6379 --node-ip-address=127.0.0.1 --num-cpus=1 \
  --disable-usage-stats --block >"$tmp/worker.log" 2>&1 &
pids+=($!)
until [ "$("$bin/ray" status --address=127.0.0.1:6379 2>/dev/null | grep -c " node_")" = 2 ]; do sleep 0.5; done
settle
t_ray2=$(ray_best ray2)
[ "$(tables "$tmp/ray2.json")" = "$(tables "$tmp/one.json")" ] || { echo "ray2: tables differ" >&2; exit 1; }
echo "ray, 2 worker nodes: ${t_ray2} s ($(echo "scale=2; $t_ray2 / $best" | bc) x one machine)"
phases ray2
echo "tables of every run: identical to the one-machine run"
' _ "$mez" "$python" "$day" "$key" "$work" "$PWD"
rm -f "$key.key" "$key.pub"
