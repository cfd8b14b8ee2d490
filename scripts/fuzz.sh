#!/usr/bin/env bash
# Coverage-guided fuzzing of archivist's parsers (issue 7), with cargo fuzz (libFuzzer) on the
# nightly toolchain. Each target runs for SECONDS (default 600) from the seeds in fuzz/corpus;
# the inputs it grows are kept in target/fuzz-corpus (not committed), crashes land in
# fuzz/artifacts/<target>/ and must become regression inputs in fuzz/regressions/<target>/
# (replayed by `cargo test`).
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]    (default: all five targets, two at a time)
# Needs: rustup toolchain nightly, cargo install cargo-fuzz.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode_normalize metadata bag zip_verify zip_read inventory)
cd "$top/fuzz"
cargo +nightly fuzz build -O >&2
run() {
  local t=$1
  mkdir -p "$top/target/fuzz-corpus/$t"
  cargo +nightly fuzz run -O "$t" "$top/target/fuzz-corpus/$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 > "$top/target/fuzz-$t.log" 2>&1 || true
  local runs crashes
  runs=$(grep -o 'Done [0-9]* runs' "$top/target/fuzz-$t.log" | grep -o '[0-9]*' || echo "?")
  crashes=$(find "artifacts/$t" -type f 2>/dev/null | wc -l)
  echo "$t: ${seconds}s, $runs executions, corpus grown to $(ls "$top/target/fuzz-corpus/$t" | wc -l) inputs, $crashes crash/timeout/oom artifacts"
}
i=0
for t in "${targets[@]}"; do
  run "$t" &
  i=$((i + 1))
  if [ $((i % 2)) -eq 0 ]; then wait; fi
done
wait
