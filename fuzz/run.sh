#!/usr/bin/env bash
# Fuzz one target with AFL++ on stable Rust (cargo-afl): `just fuzz TARGET SECONDS`.
#
# Seeds: fuzz/corpus/TARGET and fuzz/regressions/TARGET, plus — when ../shared/data is
# there — the real corpus's files for the target, copied into the work folder (never into
# the repository). Every crash AFL++ saves is copied to fuzz/regressions/TARGET/, where the
# ordinary `cargo test -p mez-fuzz` replays it; fix the reader, then commit the input.
# Prints executions, edges (coverage) and crashes from AFL++'s fuzzer_stats.
#
#   bash fuzz/run.sh TARGET SECONDS [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: fuzz/run.sh TARGET SECONDS [WORK_DIR]}"
seconds="${2:?usage: fuzz/run.sh TARGET SECONDS [WORK_DIR]}"
work="${3:-/tmp/mez-fuzz/$target}"
command -v cargo-afl >/dev/null || cargo install cargo-afl --locked
export CARGO_TARGET_DIR="${MEZ_AFL_TARGET_DIR:-$HOME/.cache/mez/target-afl}"
cargo afl config --build >/dev/null 2>&1 || true
cargo afl build --release -q -p mez-fuzz --features afl
bin="$CARGO_TARGET_DIR/release/mez-fuzz"

rm -rf "$work/in"
mkdir -p "$work/in" "fuzz/regressions/$target"
for dir in "fuzz/corpus/$target" "fuzz/regressions/$target"; do
    [ -d "$dir" ] && find "$dir" -type f -exec cp {} "$work/in/" \;
done
data=../shared/data
real() { # copy up to 40 real files under 200 KB matching a pattern
    [ -d "$data" ] || return 0
    find "$data/$1" -type f -name "$2" -size -200k 2>/dev/null | sort | head -40 |
        while read -r f; do cp "$f" "$work/in/real-$(basename "$f")"; done
}
case "$target" in
    xml_scanner | pacs008) real pacs008 '*.xml' ;;
    akn) real akn '*.xml' ;;
    sanctions_xml) real sanctions/excerpts '*.xml' ;;
    ofac_csv)
        ex="$data/sanctions/excerpts"
        if [ -f "$ex/ofac_sdn_excerpt.csv" ]; then
            { cat "$ex/ofac_sdn_excerpt.csv"; printf '\f'; cat "$ex/ofac_add_excerpt.csv"; printf '\f'
              cat "$ex/ofac_alt_excerpt.csv"; } | head -c 150000 > "$work/in/real-ofac-set.csv"
        fi ;;
esac
[ -n "$(ls -A "$work/in")" ] || { echo "no seeds for $target" >&2; exit 2; }

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    AFL_NO_AFFINITY=1 AFL_SKIP_CRASHES=1 AFL_BENCH_UNTIL_CRASH=0
rm -rf "$work/out"
cargo afl fuzz -V "$seconds" -m none -t 2000 -i "$work/in" -o "$work/out" -- "$bin" "$target" \
    > "$work/afl.log" 2>&1 || { tail -30 "$work/afl.log"; exit 1; }

stats="$work/out/default/fuzzer_stats"
get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=0
for c in "$work"/out/default/crashes/id:*; do
    [ -f "$c" ] || continue
    crashes=$((crashes + 1))
    cp "$c" "fuzz/regressions/$target/$(sha256sum "$c" | cut -c1-16)"
done
echo "$target: $(get execs_done) executions in $(get run_time) s, $(get edges_found) edges" \
     "(bitmap $(get bitmap_cvg)), corpus $(get corpus_count), crashes $crashes" \
     "$( [ "$crashes" -gt 0 ] && echo "-> fuzz/regressions/$target/")"
