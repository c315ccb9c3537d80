#!/usr/bin/env bash
# Creates the test-only virtualenv with the real OpenSanctions client
# (PyPI `nomenklatura`) if it is missing, then runs match.py with the given
# arguments. The Rust test `yente_client` calls this against an in-process
# server; it can also be pointed at a running `embargo serve` by hand:
#   crates/embargo-server/tests/yente_client/run.sh http://127.0.0.1:8000 KEY Company:Hikvision
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
venv="${EMBARGO_TEST_VENV:-$root/.venv-test}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import nomenklatura.enrich.yente' 2>/dev/null; then
  echo "creating $venv with nomenklatura (PyICU compiles: a few minutes the first time)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'nomenklatura>=4,<5' >&2
fi
# `run.sh --setup`: only the venv (.ci/run builds it while cargo compiles).
if [ "${1:-}" = --setup ]; then exit 0; fi
exec "$venv/bin/python" "$here/match.py" "$@"
