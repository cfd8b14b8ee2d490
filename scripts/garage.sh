#!/usr/bin/env bash
# Provision Garage 2.5.0 (S3-compatible distributed object storage, from crates.io) under
# target/tools, built in a target folder of its own so it never contends with the project's
# build. About ten minutes on two cores the first time. Prints the path of the garage binary.
# Safe to run concurrently.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
tools="${ARCHIVIST_TOOLS:-$top/target/tools}"
version="2.5.0"
mkdir -p "$tools"
exec 9>"$tools/garage.lock"
flock 9
if ! "$tools/bin/garage" --version 2>/dev/null | grep -q "cargo:$version "; then
  CARGO_TARGET_DIR="$tools/build-garage" cargo install --quiet --locked --root "$tools" garage --version "$version" >&2
  rm -rf "$tools/build-garage"
fi
echo "$tools/bin/garage"
