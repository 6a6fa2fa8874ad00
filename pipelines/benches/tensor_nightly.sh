#!/usr/bin/env bash
# Benchmark: `mez tensor eval` for 1M entities × 20 domains (one zone, registry v1) with
# 3M attestations, ~333k licences and a screening run of the 1M names as evidence; then a
# nightly run for all zones of jurisdictions/ on generated sources (with the real OFAC SDN
# and UN lists when ../shared/data is present), cold and again unchanged. Wall time and peak RSS of each.
#
#   bash pipelines/benches/tensor_nightly.sh [WORK_DIR] [ENTITIES]
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work="${1:-/tmp/mez-bench-tensor}"
n="${2:-1000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mez/target}"
cargo xtask duckdb >/dev/null
cargo build --release -q -p pipelines --bin mez
mez="$CARGO_TARGET_DIR/release/mez"
measure() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }   # "seconds maxrss_kb"

mkdir -p "$work" && cd "$work"
rm -rf zones sources store && mkdir zones
cp -r "$repo/jurisdictions/." zones/ && rm -f zones/*/stack.lock
"$mez" keygen --out key-$$ >/dev/null
"$mez" gen sources --jurisdictions zones --out sources --entities 200 >/dev/null
# The real OFAC SDN (2021 CSV set) and UN lists in place of the generated ones, when present.
real="$repo/../shared/data/sanctions"
if [ -d "$real" ]; then
  rm -rf sources/lists/ofac-sdn sources/lists/un-consolidated
  mkdir -p sources/lists/ofac-sdn sources/lists/un-consolidated
  cp "$real"/ofac/csv-2021-07-07/*.csv.gz sources/lists/ofac-sdn/
  cp "$real"/un/un-consolidated-2026-02-27.xml.gz sources/lists/un-consolidated/
fi
python3 - "$n" <<'PY'
import random, sys
n = int(sys.argv[1]); r = random.Random(7)
domains = ["aml","kyc","sanctions","tax","securities","corporate","custody","data_privacy","banking",
           "payments","clearing","settlement","digital_assets","employment","consumer_protection","arbitration"]
states = ["compliant"] * 6 + ["exempt", "pending", "non_compliant"]
with open("entities.csv", "w") as e, open("attestations.csv", "w") as a, open("licences.csv", "w") as l:
    e.write("entity_id,name,jurisdiction_id\n"); a.write("entity_id,domain,state,expires\n")
    l.write("licence_id,holder,holder_name,type,status,valid_from,valid_to,activities\n")
    first = ["Omar","Maria","Wei","John","Aisha","Ivan","Priya","Kwame","Lucia","Hiroshi"]
    last = ["Haddad","Garcia","Chen","Smith","Khan","Petrov","Sharma","Mensah","Rossi","Tanaka"]
    for i in range(n):
        eid = f"E{i:07d}"
        e.write(f"{eid},{r.choice(first)} {r.choice(last)} {i},{'ZZ' if i % 50 == 0 else ''}\n")
        for d in r.sample(domains, 3):
            x = r.random()
            exp = "" if x < 0.4 else ("2025-12-31" if x < 0.5 else ("unknown" if x < 0.52 else "2027-06-30"))
            a.write(f"{eid},{d},{r.choice(states)},{exp}\n")
        if i % 3 == 0:
            st = r.choice(["active"] * 8 + ["suspended", "pending"])
            l.write(f"L{i:07d},{eid},,category 1,{st},2024-01-01,{'2026-06-30' if i % 7 == 0 else ''},dealing\n")
PY
z=zones/sg/zone.yaml
"$mez" --quiet --store store --key key-$$.key nightly --jurisdictions zones --sources sources --as-of 2026-11-23 >/dev/null
read t_screen rss_screen < <(measure "$mez" --quiet --store store --key key-$$.key screen --names entities.csv --regpack zones/sg/regpack)
read t_tensor rss_tensor < <(measure "$mez" --quiet --store store --key key-$$.key tensor eval --zone "$z" \
  --entities entities.csv --attestations attestations.csv --licences licences.csv \
  --screening runs/screening/latest --as-of 2026-11-23)
rows=$("$mez" --store store --key key-$$.key sql "SELECT count(*) FROM tensor" | tail -1)
rm -rf store2
read t_cold rss_cold < <(measure "$mez" --quiet --store store2 --key key-$$.key nightly --jurisdictions zones --sources sources --as-of 2026-11-23)
read t_warm rss_warm < <(measure "$mez" --quiet --store store2 --key key-$$.key nightly --jurisdictions zones --sources sources --as-of 2026-11-24)
echo "entities: $n; tensor cells: $rows"
echo "screening of the entities (evidence): ${t_screen} s, peak RSS $((rss_screen / 1024)) MB"
echo "tensor eval: ${t_tensor} s, peak RSS $((rss_tensor / 1024)) MB"
echo "nightly, all zones, cold: ${t_cold} s, peak RSS $((rss_cold / 1024)) MB"
echo "nightly, unchanged: ${t_warm} s, peak RSS $((rss_warm / 1024)) MB"
