#!/usr/bin/env bash
# Provision the independent validators the tests run, in a virtual environment under
# target/validators (rebuilt from PyPI when missing; nothing here is cached that cannot be rebuilt):
#   bagit (bagit.py, Library of Congress), frictionless (with JSON Lines support), datacite,
#   ocfl-py (ocfl-validate.py), roc-validator (rocrate-validator, with rocrate for its RO-Crate
#   context, primed offline by ../shared/tools/rocrate-offline-cache.py), mlcroissant, bagit-profile
#   (bagit_profile.py, which imports pkg_resources: setuptools before 81) and PyLD.
# Prints the environment's bin folder. Safe to run concurrently: a lock serializes the install.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
venv="${ARCHIVIST_VALIDATORS:-$top/target/validators}"
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
requirements="bagit==1.9.0 frictionless[json]==5.21.0 datacite==1.4.1 ocfl-py==2.1.0 \
roc-validator==0.13.0 rocrate==0.16.0 mlcroissant==1.1.1 bagit-profile==1.3.1 PyLD==3.3.0 \
setuptools==65.5.0"
if [ "$(cat "$venv/.complete" 2>/dev/null)" != "$requirements" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check $requirements >&2
  echo "$requirements" > "$venv/.complete"
fi
echo "$venv/bin"
