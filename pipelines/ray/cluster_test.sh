#!/usr/bin/env bash
# The Ray end-to-end test's cluster side (run by pipelines/tests/it/ray.rs), inside
# `unshare --net --fork`: loopback is the only interface, so nothing leaves the machine.
# Starts a Ray head and one more node and a SeaweedFS S3 server; through the Ray driver,
# nets WORK/day in 1, 3 and 7 shards and once more in 3 shards with a map worker killed
# mid-task, screens WORK/names.csv in 5 ranges against a regpack of WORK/list.csv, and
# runs the nightly of the zones in WORK/jur-ray on WORK/sources; writes each merge's summary
# to WORK/ray-<name>.json. Stops what it started.
#
#   cluster_test.sh WORK MEZ PYTHON
set -euo pipefail
work=$1 mez=$2 python=$3
here=$(cd "$(dirname "$0")" && pwd)
bin=$(dirname "$python")
ip link set lo up
export RAY_USAGE_STATS_ENABLED=0
tmp=$(mktemp -d /tmp/mez-ray.XXXXXX)
pids=()
stop() {
  # The worker node, then the head, then the object store; each by its PID.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap stop EXIT

weed mini -dir="$tmp/weed" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.telemetry=false \
  -admin.ui=false -webdav=false -s3.port=8333 -s3.port.iceberg=0 -s3.port.lance=0 \
  -bucket=mez >"$tmp/weed.log" 2>&1 &
pids+=($!)
setsid "$bin/ray" start --head --node-ip-address=127.0.0.1 --port=6379 --num-cpus=1 \
  --include-dashboard=false --disable-usage-stats --temp-dir="$tmp/ray" --block \
  >"$tmp/head.log" 2>&1 &
pids+=($!)
sleep 1
setsid "$bin/ray" start --address=127.0.0.1:6379 --node-ip-address=127.0.0.1 --num-cpus=1 \
  --disable-usage-stats --block >"$tmp/worker.log" 2>&1 &
pids+=($!)

deadline=$((SECONDS + 120))
until [ "$("$bin/ray" status --address=127.0.0.1:6379 2>/dev/null | grep -c " node_")" = 2 ]; do
  [ $SECONDS -lt $deadline ] || { echo "the Ray cluster did not start" >&2; cat "$tmp/head.log" >&2; exit 1; }
  sleep 0.5
done
until "$python" -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8333/mez")' 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || { echo "SeaweedFS did not start" >&2; cat "$tmp/weed.log" >&2; exit 1; }
  sleep 0.5
done

export AWS_ENDPOINT=http://127.0.0.1:8333 AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=mez AWS_SECRET_ACCESS_KEY=mez
drive() { # NAME MEZ JOB PLAN-ARGUMENTS...
  local name=$1 binary=$2
  shift 2
  "$python" "$here/mez_ray.py" --address 127.0.0.1:6379 --mez "$binary" \
    --store "s3://mez/$name" --key "$work/ops.key" --summary "$work/ray-$name.json" \
    "$@" >"$tmp/driver-$name.log"
}
for n in 1 3 7; do
  drive "shards-$n" "$mez" netting --input "$work/day" --shards "$n" --segment-bytes 100000
done
"$mez" --quiet --store s3://mez/screen --key "$work/ops.key" \
  regpack build --jurisdiction test --lists "$work/list.csv"
drive screen "$mez" screen --names "$work/names.csv" --regpack runs/regpack-test/latest --shards 5
drive nightly "$mez" nightly --jurisdictions "$work/jur-ray" --sources "$work/sources" --as-of 2026-11-23

# A map unit whose worker is killed with SIGKILL while the unit runs: its mez is slowed
# down by a wrapper so that the kill lands mid-task; Ray runs the unit again.
cat >"$tmp/slow-mez" <<EOF
#!/bin/sh
case "\$*" in *"netting map"*) sleep 4 ;; esac
exec "$mez" "\$@"
EOF
chmod +x "$tmp/slow-mez"
drive killed "$tmp/slow-mez" netting --input "$work/day" --shards 3 --segment-bytes 100000 &
driver=$!
victim=
for _ in $(seq 1 200); do
  unit=$(pgrep -f "slow-mez.*netting map" | head -1 || true)
  if [ -n "$unit" ]; then
    victim=$(ps -o ppid= -p "$unit" | tr -d ' ')
    kill -KILL "$victim"
    break
  fi
  sleep 0.1
done
wait "$driver"
echo "${victim:-none}" >"$work/ray-killed.victim"
