#!/usr/bin/env bash
# Provision rocfl (an independent OCFL validator, from crates.io) under target/tools, built in a
# target folder of its own so it never contends with the project's build. About two minutes the
# first time. Prints the path of the rocfl binary. Safe to run concurrently.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
tools="${ARCHIVIST_TOOLS:-$top/target/tools}"
version="1.7.0"
mkdir -p "$tools"
exec 9>"$tools/rocfl.lock"
flock 9
if [ "$("$tools/bin/rocfl" --version 2>/dev/null)" != "rocfl $version" ]; then
  CARGO_TARGET_DIR="$tools/build" cargo install --quiet --locked --root "$tools" rocfl --version "$version" >&2
  rm -rf "$tools/build"
fi
echo "$tools/bin/rocfl"
