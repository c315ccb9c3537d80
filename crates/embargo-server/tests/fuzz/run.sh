#!/usr/bin/env bash
# Fuzzes every JSON endpoint described in /openapi.json with schemathesis
# (property-based requests, valid and invalid), against a server it starts on
# a free loopback port with a fresh data directory, API keys required, and an
# admin key so every operation is reachable. Bounded by MAX_TIME (default
# 60 s). Fails when any response is a 5xx, does not match its documented
# status code / content type / schema, or a request the schema forbids is
# accepted, or when schemathesis warns of a schema mismatch (every request
# the schema allows refused as invalid: the document is looser than the
# handler; schemathesis.toml makes that warning fail, and the output is
# searched for it as well).
#
# /v1/batch is excluded: its NDJSON body cannot be generated from a JSON
# schema (schemathesis cannot serialise it) and it answers bad lines with
# per-line errors inside a 200 by design; tests/it/api.rs covers it.
#
# The test-only virtualenv (/work/main/.venv-schemathesis, git-ignored) is
# created when missing; `run.sh --setup` only creates it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
venv="${EMBARGO_FUZZ_VENV:-$root/.venv-schemathesis}"
max_time="${MAX_TIME:-60}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5' >&2
fi
# `run.sh --setup`: only the venv (.ci/run fetches it while cargo compiles).
if [ "${1:-}" = --setup ]; then exit 0; fi
source "$root/crates/embargo-server/tests/start_server.sh"
build_server
data="$(mktemp -d)"
log="$data/server.log"
cleanup() { stop_servers; rm -rf "$data"; }
trap cleanup EXIT
start_server "" "$data" "$log" --auth keys --rate-limit off --admin-key-file "$data/admin.key"
key="$(cat "$data/admin.key")"
out="$data/schemathesis.out"
set +e
"$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" run "$url/openapi.json" \
  --header "X-API-Key: $key" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection \
  --max-time "$max_time" --workers 2 --request-timeout 10 \
  --exclude-path /v1/batch \
  --suppress-health-check all \
  --report junit --report-dir "$data/report" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e
if grep -qi "schema validation mismatch\|validation_mismatch\|schema mismatch" "$out"; then
  echo "schemathesis reports a schema mismatch: make the request schemas in crates/embargo-server/src/schemas.rs exact" >&2
  rc=1
fi
if grep -q "panicked" "$log"; then
  echo "server log shows a panic:" >&2; grep -B2 -A5 panicked "$log" >&2; rc=1
fi
exit $rc
