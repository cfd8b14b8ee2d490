#!/usr/bin/env bash
# Fault injection (issue 7): kill -9 `release` and `deposit --ocfl` at random moments, many times,
# on a corpus of about 100 MB, and check after each kill that nothing partial stands under a
# final name, that every OCFL object is valid (ocfl-validate.py), and that the next run completes.
#
# Usage: scripts/fault-injection.sh [TRIALS]     (default 50 of each)
#   env BENCH_DIR=/tmp/archivist-faults          corpus and scratch space
#       ARCHIVIST_BIN=PATH                      the binary to try (default: a release build)
#       KINDS="release deposit s3"               which to run (s3: deposits into a storage root
#                                                on a three-node Garage cluster on 127.0.0.1,
#                                                started here and stopped at the end, with a
#                                                corpus of 300 documents)
# Prints a summary line per kind; exits non-zero on the first violation.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
trials=${1:-50}
work=${BENCH_DIR:-/tmp/archivist-faults}
mkdir -p "$work"
if [ -n "${ARCHIVIST_BIN:-}" ]; then
  bin="$ARCHIVIST_BIN"   # a build of one's own (e.g. target/debug/archivist for a quick try)
else
  cargo build --release --quiet --manifest-path "$top/Cargo.toml"
  bin="$top/target/release/archivist"
fi
venv_bin=$(bash "$top/scripts/validators.sh")
# The fixture description with an identifier: a deposit takes the object id from the release.
config="$work/dataset.toml"
grep -v '^identifier' "$top/tests/fixtures/config/dataset.toml" \
  | sed 's/^publisher = .*/&\nidentifier = "urn:x-archivist:fault-injection"/' > "$config"
user=(--user "fault injection" --address "mailto:faults@example.org")
if [ ! -f "$work/corpus.done" ]; then
  rm -rf "$work/corpus"
  python3 "$top/../shared/bench/gen_corpus.py" "$work/corpus" --docs 2000 --mean-kb 50 --seed 7 >&2
  touch "$work/corpus.done"
fi

# How long a full run takes: kills land anywhere from the start to a little past the end.
start=$(date +%s%N)
rm -rf "$work/out" && "$bin" -q release --raw "$work/corpus" --config "$config" --out "$work/out" >/dev/null
release_secs=$(python3 -c "print(($(date +%s%N) - $start) / 1e9)")
zip="$work/out/fixture-0.1.0.zip"

fail() { echo "VIOLATION: $*" >&2; exit 1; }
random_delay() { python3 -c "import random; print(round(random.uniform(0, $1 * 1.1), 3))"; }

kinds=${KINDS:-release deposit s3}

# --- release ---
killed=0; completed_before_kill=0
[[ " $kinds " == *" release "* ]] || trials_release=0
for i in $(seq "${trials_release:-$trials}"); do
  rm -rf "$work/rel"
  "$bin" -q release --raw "$work/corpus" --config "$config" --out "$work/rel" >/dev/null 2>&1 &
  pid=$!
  sleep "$(random_delay "$release_secs")"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); else completed_before_kill=$((completed_before_kill + 1)); fi
  wait "$pid" 2>/dev/null || true
  final="$work/rel/fixture-0.1.0.zip"
  if [ -e "$final" ]; then
    "$bin" -q verify "$final" --sha256 "$(sha256sum "$zip" | cut -d' ' -f1)" >/dev/null || fail "release trial $i: a damaged zip under its final name"
  fi
  if [ -e "$final.sha256" ]; then
    [ -e "$final" ] || fail "release trial $i: a sidecar without its zip"
    (cd "$work/rel" && sha256sum --quiet -c fixture-0.1.0.zip.sha256) || fail "release trial $i: a wrong sidecar"
  fi
  "$bin" -q release --raw "$work/corpus" --config "$config" --out "$work/rel" >/dev/null || fail "release trial $i: the next release failed"
  cmp -s "$final" "$zip" || fail "release trial $i: the next release differs"
  leftover=$(find "$work/rel" -name '*.tmp' | wc -l)
  [ "$leftover" -eq 0 ] || fail "release trial $i: temporary files left after the next run"
done
[[ " $kinds " == *" release "* ]] && echo "release: $trials trials, $killed killed mid-run, $completed_before_kill finished before the kill; no partial file under a final name; every next run completed with identical bytes"

# --- deposit ---
second_dir="$work/second"
if [ ! -f "$second_dir/done" ] || ! cmp -s "$config" "$second_dir/dataset.toml"; then
  rm -rf "$second_dir" && mkdir -p "$second_dir/raw"
  cp -a "$work/corpus/." "$second_dir/raw/"
  printf 'One more document.\n' > "$second_dir/raw/zzz_new.txt"
  "$bin" -q release --raw "$second_dir/raw" --config "$config" --out "$second_dir/out" --version 0.2.0 >/dev/null
  cp "$config" "$second_dir/dataset.toml"
  touch "$second_dir/done"
fi
second="$second_dir/out/fixture-0.2.0.zip"
rm -rf "$work/pristine" && "$bin" -q deposit "$zip" --ocfl "$work/pristine/root" "${user[@]}" >/dev/null
start=$(date +%s%N)
rm -rf "$work/timing" && cp -a "$work/pristine" "$work/timing"
"$bin" -q deposit "$second" --ocfl "$work/timing/root" "${user[@]}" >/dev/null
deposit_secs=$(python3 -c "print(($(date +%s%N) - $start) / 1e9)")
killed=0; completed_before_kill=0
[[ " $kinds " == *" deposit "* ]] || trials_deposit=0
for i in $(seq "${trials_deposit:-$trials}"); do
  rm -rf "$work/dep" && cp -a "$work/pristine" "$work/dep"
  "$bin" -q deposit "$second" --ocfl "$work/dep/root" "${user[@]}" >/dev/null 2>&1 &
  pid=$!
  sleep "$(random_delay "$deposit_secs")"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); else completed_before_kill=$((completed_before_kill + 1)); fi
  wait "$pid" 2>/dev/null || true
  # The object, not a staged copy in the root's extensions folder.
  object=$(dirname "$(find "$work/dep/root" -path '*/extensions' -prune -o -name '0=ocfl_object_1.1' -print)")
  [ "$(find "$work/dep/root" -path '*/extensions' -prune -o -name '0=ocfl_object_*' -print | wc -l)" -eq 1 ] || fail "deposit trial $i: not exactly one object"
  "$venv_bin/ocfl-validate.py" "$object" >/dev/null || fail "deposit trial $i: invalid object after kill -9"
  head=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['head'])" "$object/inventory.json")
  case "$head" in v1|v2) ;; *) fail "deposit trial $i: head $head";; esac
  "$bin" -q deposit "$second" --ocfl "$work/dep/root" "${user[@]}" >/dev/null || fail "deposit trial $i: the next deposit failed"
  "$venv_bin/ocfl-validate.py" "$object" >/dev/null || fail "deposit trial $i: invalid object after the next deposit"
  [ ! -e "$work/dep/root/extensions/archivist-staging" ] || fail "deposit trial $i: staging left after the next deposit"
  "$bin" -q retrieve "$work/dep/root" fixture-0.2.0 --out "$work/dep/out" >/dev/null || fail "deposit trial $i: retrieve failed"
  cmp -s "$work/dep/out/fixture-0.2.0.zip" "$second" || fail "deposit trial $i: the retrieved zip differs from the deposited one"
  echo "deposit trial $i of $trials: clean" >&2
done
[[ " $kinds " == *" deposit "* ]] && echo "deposit: $trials trials, $killed killed mid-run, $completed_before_kill finished before the kill; every object valid (ocfl-validate.py) with head v1 or v2; every next deposit completed and retrieve gave back the deposited zip byte for byte"

# --- deposit into a storage root on S3 (Garage) ---
[[ " $kinds " == *" s3 "* ]] || exit 0
small="$work/s3-corpus"
if [ ! -f "$small.done" ]; then
  rm -rf "$small" && python3 "$top/../shared/bench/gen_corpus.py" "$small/raw" --docs 300 --mean-kb 50 --seed 9 >&2
  printf 'One more document.\n' > "$small/extra.txt"
  rm -rf "$small/out" && "$bin" -q release --raw "$small/raw" --config "$config" --out "$small/out" >/dev/null
  cp "$small/extra.txt" "$small/raw/zzz_new.txt"
  "$bin" -q release --raw "$small/raw" --config "$config" --out "$small/out" --version 0.2.0 >/dev/null
  touch "$small.done"
fi
s3_first="$small/out/fixture-0.1.0.zip"
s3_second="$small/out/fixture-0.2.0.zip"
cluster="$work/garage"
rm -rf "$cluster"
trap 'bash "$top/scripts/garage-cluster.sh" stop "$cluster"' EXIT
set -a
eval "$(bash "$top/scripts/garage-cluster.sh" start "$cluster" "${S3_PORT:-39300}")"
set +a
# The errors an interrupted commit may leave (README: OCFL on object storage): a version folder
# the inventory does not list yet, a sidecar not yet rewritten, a new object's files before its
# declaration. Anything else is a violation.
allowed() { python3 -c "
import json, sys
report = json.load(sys.stdin)
bad = [p for p in report['problems'] if p['severity'] == 'error' and p['code'] not in ('E046', 'E060', 'E084')]
sys.exit(1 if bad else 0)"; }
staged_left() { python3 -c "
import json, sys
report = json.load(sys.stdin)
sys.exit(0 if any('archivist-staging' in p['path'] for p in report['problems']) else 1)"; }
start=$(date +%s%N)
"$bin" -q deposit "$s3_first" --ocfl s3://ocfl/timing "${user[@]}" >/dev/null
"$bin" -q deposit "$s3_second" --ocfl s3://ocfl/timing "${user[@]}" >/dev/null
s3_secs=$(python3 -c "print(($(date +%s%N) - $start) / 2e9)")
killed=0; completed_before_kill=0; invalid_after_kill=0
for i in $(seq "$trials"); do
  root="s3://ocfl/trial$i"
  "$bin" -q deposit "$s3_first" --ocfl "$root" "${user[@]}" >/dev/null || fail "s3 trial $i: the first deposit failed"
  "$bin" -q deposit "$s3_second" --ocfl "$root" "${user[@]}" >/dev/null 2>&1 &
  pid=$!
  sleep "$(random_delay "$s3_secs")"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); else completed_before_kill=$((completed_before_kill + 1)); fi
  wait "$pid" 2>/dev/null || true
  head=$("$bin" log --json "$root" | python3 -c "import json,sys; print(json.load(sys.stdin)['objects'][0]['head'])")
  case "$head" in v1|v2) ;; *) fail "s3 trial $i: head $head";; esac
  if ! "$bin" -q verify --json "$root" > "$work/s3-audit.json" 2>/dev/null; then
    invalid_after_kill=$((invalid_after_kill + 1))
    allowed < "$work/s3-audit.json" || fail "s3 trial $i: an error no interrupted commit makes: $(cat "$work/s3-audit.json")"
  fi
  "$bin" -q deposit "$s3_second" --ocfl "$root" "${user[@]}" >/dev/null || fail "s3 trial $i: the next deposit failed"
  "$bin" -q verify --json "$root" > "$work/s3-audit.json" || fail "s3 trial $i: invalid after the next deposit"
  ! staged_left < "$work/s3-audit.json" || fail "s3 trial $i: staging left after the next deposit"
  rm -rf "$work/s3-out"
  "$bin" -q retrieve "$root" fixture-0.2.0 --out "$work/s3-out" >/dev/null || fail "s3 trial $i: retrieve failed"
  cmp -s "$work/s3-out/fixture-0.2.0.zip" "$s3_second" || fail "s3 trial $i: the retrieved zip differs"
  echo "s3 trial $i of $trials: clean (head $head after the kill)" >&2
done
echo "s3: $trials trials, $killed killed mid-run, $completed_before_kill finished before the kill, $invalid_after_kill left an interrupted commit (only E046/E060/E084); every head v1 or v2, every next deposit completed and validated, no staging left, retrieve gave back the deposited zip byte for byte"
