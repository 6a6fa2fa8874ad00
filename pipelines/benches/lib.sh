# Helpers of the benchmark scripts (sourced, not run): the wall-clock time and the peak
# memory of one command. A command that fails stops the benchmark with its own error, so
# that a full disk or a bad input is never reported as a time.

# Seconds the command took.
secs() {
  local s e err
  err=$(mktemp)
  s=$(date +%s.%N)
  if ! "$@" >/dev/null 2>"$err"; then
    echo "benchmark: failed: $*" >&2
    cat "$err" >&2
    rm -f "$err"
    return 1
  fi
  e=$(date +%s.%N)
  rm -f "$err"
  echo "$e - $s" | bc
}

# Peak resident memory of the command, in MiB.
rss_mb() {
  local out
  out=$(mktemp)
  if ! /usr/bin/time -o "$out" -f '%M' "$@" >/dev/null; then
    echo "benchmark: failed: $*" >&2
    rm -f "$out"
    return 1
  fi
  awk '{printf "%.0f", $1/1024}' "$out"
  rm -f "$out"
}
