#!/usr/bin/env bash
# Benchmark archivist against the chain of tools a user would otherwise run (../shared/bench),
# side by side in the same run, and print the figures and ratios as a Markdown table.
#
# Usage: scripts/bench.sh [ROUNDS]        (default 3 rounds; medians are reported)
#   env BENCH_DIR=/tmp/archivist-bench    corpora and scratch space (outside the repository)
#       SCALE=1                           also time release, verify and check on a 10x corpus:
#                                         ten hard-linked copies of the 1x corpus under other
#                                         names (200,000 documents, 10 GiB of raw text but no
#                                         more disk for it; about 7 GiB for the archive and
#                                         20 more minutes)
#       S3=1                              also deposit the release into an OCFL root on disk and
#                                         into one on a three-node Garage cluster on 127.0.0.1
#                                         (started for each round by garage-cluster.sh, stopped
#                                         after), and audit both (S3: full and --fast); in the
#                                         first S3_ROUNDS rounds (default 1: it takes minutes)
# Needs python3 (corpus generator, bagit.py from PyPI via scripts/validators.sh), zip, unzip,
# sha256sum, openssl, libdeflate-gzip (Debian libdeflate-tools), /usr/bin/time. Nothing here runs
# in the test suite.
#
# The physical floors, timed alternately with archivist in each round:
#   floor_deflate_distinct  libdeflate-gzip -6 over each distinct content of the payload (raw and
#                           normalized files, a content met twice counted once), in two parallel
#                           streams: the compression a release cannot avoid
#   floor_inflate_digests   the archive inflated (unzip -p) and its payload hashed with
#                           openssl dgst -sha256 and -sha512, in two parallel streams: what
#                           verify cannot avoid
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
rounds=${1:-3}
bench=${BENCH_DIR:-/tmp/archivist-bench}
shared="$top/../shared/bench"
mkdir -p "$bench"

echo "# building the release binary" >&2
cargo build --release --quiet --manifest-path "$top/Cargo.toml"
bin="$top/target/release/archivist"
venv_bin=$(bash "$top/scripts/validators.sh")
config="$top/tests/fixtures/config/dataset.toml"

corpus() { # corpus NAME DOCS MEAN_KB
  if [ ! -f "$bench/corpus/$1.done" ]; then
    rm -rf "$bench/corpus/$1"
    python3 "$shared/gen_corpus.py" "$bench/corpus/$1" --docs "$2" --mean-kb "$3" --seed 1 >&2
    touch "$bench/corpus/$1.done"
  fi
}
corpus big 20000 50

# measure NAME COMMAND...: run under /usr/bin/time, append "NAME wall cpu maxrss_kb" to results.
results="$bench/results.txt"
: > "$results"
measure() {
  local name=$1
  shift
  /usr/bin/time -f "$name %e %U %S %M" -o "$bench/time.txt" "$@" >/dev/null 2>"$bench/stderr.txt" || {
    cat "$bench/stderr.txt" >&2
    return 1
  }
  awk '{printf "%s %s %.2f %s\n", $1, $2, $3 + $4, $5}' "$bench/time.txt" >> "$results"
}
# peers: append peers.sh's step lines (wall seconds only).
peers() {
  BAGIT="$venv_bin/bagit.py" PROCESSES=2 CHECKSUMS="sha256 sha512" LEVEL=6 \
    "$shared/peers.sh" "$1" "$bench/scratch" 2>>"$bench/peers.log" |
    awk '{print "peer_" $1, $2, "-", "-"}' >> "$results"
}

raw_bytes=$(find "$bench/corpus/big" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
for round in $(seq "$rounds"); do
  echo "# round $round of $rounds" >&2
  rm -rf "$bench/out"
  measure release_t2 "$bin" -q release --threads 2 --raw "$bench/corpus/big" --config "$config" --out "$bench/out"
  zip="$bench/out/fixture-0.1.0.zip"
  measure verify_t2 "$bin" -q verify --threads 2 "$zip"
  measure check_t2 "$bin" -q check --threads 2 --raw "$bench/corpus/big" --config "$config"
  rm -rf "$bench/out1"
  measure release_t1 "$bin" -q release --threads 1 --raw "$bench/corpus/big" --config "$config" --out "$bench/out1"
  cmp "$zip" "$bench/out1/fixture-0.1.0.zip" || { echo "1 and 2 threads made different archives" >&2; exit 1; }
  measure verify_t1 "$bin" -q verify --threads 1 "$zip"
  # The peers package the same payload: the data/ of our own release.
  rm -rf "$bench/payload" && mkdir -p "$bench/payload" && unzip -q "$zip" -d "$bench/payload"
  peers "$bench/payload/fixture-0.1.0/data"
  measure floor_sha256sum_tree sh -c "find '$bench/payload/fixture-0.1.0/data' -type f -print0 | xargs -0 -P2 -n 1000 sha256sum"
  measure floor_openssl_tree sh -c "find '$bench/payload/fixture-0.1.0/data' -type f -print0 | xargs -0 -P2 -n 1000 openssl dgst -sha256"
  # The floors. Distinct contents: one path per SHA-256, split into two lists of about equal size.
  (cd "$bench/payload/fixture-0.1.0/data" && find raw text -type f -print0 | xargs -0 sha256sum |
    sort -k1,1 -u | awk '{print $2}' | xargs -d '\n' stat -c '%s %n' | sort -rn |
    awk -v a="$bench/distinct.a" -v b="$bench/distinct.b" '{ if (sa <= sb) { print $2 > a; sa += $1 } else { print $2 > b; sb += $1 } }')
  measure floor_deflate_distinct sh -c "cd '$bench/payload/fixture-0.1.0/data' && \
    (xargs -d '\n' libdeflate-gzip -6 -c < '$bench/distinct.a' > /dev/null & \
     xargs -d '\n' libdeflate-gzip -6 -c < '$bench/distinct.b' > /dev/null; wait)"
  # Inflate + both digests, in two parallel streams (the raw files; everything else: about
  # half the payload each), as verify runs on two threads.
  measure floor_inflate_digests bash -c "
    (unzip -p '$zip' '*/data/raw/*' | tee >(openssl dgst -sha256 > /dev/null) | openssl dgst -sha512 > /dev/null) &
    (unzip -p '$zip' -x '*/data/raw/*' | tee >(openssl dgst -sha256 > /dev/null) | openssl dgst -sha512 > /dev/null) &
    wait"
  if [ "${S3:-0}" = 1 ] && [ "$round" -le "${S3_ROUNDS:-1}" ]; then
    user=(--user bench --address mailto:bench@example.org)
    rm -rf "$bench/ocfl-disk"
    measure ocfl_deposit_disk "$bin" -q deposit "$zip" --ocfl "$bench/ocfl-disk" "${user[@]}"
    measure ocfl_audit_disk "$bin" -q verify "$bench/ocfl-disk"
    rm -rf "$bench/ocfl-disk" "$bench/garage"
    (
      trap 'bash "$top/scripts/garage-cluster.sh" stop "$bench/garage"' EXIT
      set -a
      eval "$(bash "$top/scripts/garage-cluster.sh" start "$bench/garage" "${S3_PORT:-39400}")"
      set +a
      measure ocfl_deposit_s3 "$bin" -q deposit "$zip" --ocfl s3://ocfl/bench "${user[@]}"
      measure ocfl_audit_s3 "$bin" -q verify s3://ocfl/bench
      measure ocfl_audit_s3_fast "$bin" -q verify --fast s3://ocfl/bench
    )
    rm -rf "$bench/garage"
  fi
  ls -l "$zip" | awk '{print "zip_bytes", $5, "-", "-"}' >> "$results"
  (cd "$bench/payload" && zip -rX -q -6 "$bench/peer.zip" fixture-0.1.0/data && ls -l "$bench/peer.zip" | awk '{print "peer_zip_bytes", $5, "-", "-"}' >> "$results"; rm -f "$bench/peer.zip")
done

if [ "${SCALE:-0}" = 1 ]; then
  if [ ! -f "$bench/corpus/big10.done" ]; then
    rm -rf "$bench/corpus/big10" && mkdir -p "$bench/corpus/big10"
    for k in 0 1 2 3 4 5 6 7 8 9; do
      (cd "$bench/corpus/big" && find . -maxdepth 1 -type f -name '*.txt' -printf '%f\0' |
        xargs -0 -I{} ln {} "$bench/corpus/big10/c${k}_{}")
    done
    touch "$bench/corpus/big10.done"
  fi
  rm -rf "$bench/out10"
  measure release10_t2 "$bin" -q release --threads 2 --raw "$bench/corpus/big10" --config "$config" --out "$bench/out10"
  measure verify10_t2 "$bin" -q verify --threads 2 "$bench/out10/fixture-0.1.0.zip"
  measure check10_t2 "$bin" -q check --threads 2 --raw "$bench/corpus/big10" --config "$config"
  rm -rf "$bench/out10"
fi

python3 - "$results" "$raw_bytes" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, wall, cpu, rss = line.split()
    rows.setdefault(name, []).append((float(wall), cpu, rss))
raw = int(sys.argv[2])
def med(name, i=0):
    vals = [float(r[i]) for r in rows.get(name, []) if r[i] != "-"]
    return statistics.median(vals) if vals else None
def fmt(x, spec=".1f"):
    return "-" if x is None else format(x, spec)
print(f"Corpus: 20,000 documents, {raw:,} bytes of raw text; medians of {len(rows['release_t2'])} runs"
      + (f" ({len(rows['ocfl_deposit_s3'])} for the OCFL rows)" if "ocfl_deposit_s3" in rows else "") + ".\n")
print("| step | wall s | CPU s | peak RSS MiB | MB/s of raw text |")
print("|---|---:|---:|---:|---:|")
for name in [n for n in rows if not n.endswith("bytes")]:
    wall, cpu, rss = med(name), med(name, 1), med(name, 2)
    size = raw * 10 if name.endswith("10_t2") else raw  # the 10x corpus
    print(f"| {name} | {fmt(wall, '.2f')} | {fmt(cpu, '.1f')} | {fmt(rss and rss / 1024, '.0f')} | {fmt(size / wall / 1e6 if wall else None)} |")
release_peer = med("peer_release_total"); verify_peer = med("peer_verify_total"); floor = med("peer_verify_stream_proxy")
print("\n| ratio | value |")
print("|---|---:|")
print(f"| peer release chain / archivist release (2 threads) | {fmt(release_peer / med('release_t2'), '.2f')}x |")
print(f"| peer verify chain / archivist verify (2 threads) | {fmt(verify_peer / med('verify_t2'), '.2f')}x |")
print(f"| streaming floor / archivist verify | {fmt(floor / med('verify_t2'), '.2f')}x |")
print(f"| archivist release / deflate floor (distinct contents, 2 streams) | {fmt(med('release_t2') / med('floor_deflate_distinct'), '.2f')}x |")
print(f"| archivist verify / inflate + sha256 + sha512 floor | {fmt(med('verify_t2') / med('floor_inflate_digests'), '.2f')}x |")
print(f"| check: MB/s of raw text (2 threads) | {fmt(raw / med('check_t2') / 1e6, '.0f')} |")
print(f"| release: 1 thread / 2 threads | {fmt(med('release_t1') / med('release_t2'), '.2f')}x |")
print(f"| verify: 1 thread / 2 threads | {fmt(med('verify_t1') / med('verify_t2'), '.2f')}x |")
print(f"| archive size / zip -6 of the same payload | {fmt(med('zip_bytes') / med('peer_zip_bytes'), '.3f')} |")
if "ocfl_deposit_s3" in rows:
    print(f"| OCFL deposit: Garage (3 nodes, 127.0.0.1) / disk | {fmt(med('ocfl_deposit_s3') / med('ocfl_deposit_disk'), '.2f')}x |")
    print(f"| OCFL full audit: Garage / disk | {fmt(med('ocfl_audit_s3') / med('ocfl_audit_disk'), '.2f')}x |")
    print(f"| OCFL audit on Garage: --fast / full | {fmt(med('ocfl_audit_s3_fast') / med('ocfl_audit_s3'), '.2f')}x |")
if "release10_t2" in rows:
    print(f"| release time, 10x corpus / 1x | {fmt(med('release10_t2') / med('release_t2'), '.2f')}x |")
    print(f"| release peak RSS, 10x corpus / 1x | {fmt(med('release10_t2', 2) / med('release_t2', 2), '.2f')}x |")
    print(f"| verify time, 10x corpus / 1x | {fmt(med('verify10_t2') / med('verify_t2'), '.2f')}x |")
    print(f"| verify peak RSS, 10x corpus / 1x | {fmt(med('verify10_t2', 2) / med('verify_t2', 2), '.2f')}x |")
    print(f"| check time, 10x corpus / 1x | {fmt(med('check10_t2') / med('check_t2'), '.2f')}x |")
    print(f"| check peak RSS, 10x corpus / 1x | {fmt(med('check10_t2', 2) / med('check_t2', 2), '.2f')}x |")
PY
