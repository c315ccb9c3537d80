#!/usr/bin/env bash
# Load benchmark: 50 concurrent clients POSTing yente /match requests (two
# queries each) to a server on loopback for DURATION (default 30 s), using
# wrk (Debian package, installed if missing). Prints throughput and latency
# percentiles including p99.
#
# The server runs with the embedded regime pack (fresh data directory), rate
# limiting off, and the audit log on: every query is a durable audit append,
# as in production.
#
#   crates/embargo-server/benches/load.sh [DURATION] [CONNECTIONS] [THREADS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
duration="${1:-30s}"; conns="${2:-50}"; threads="${3:-2}"
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >&2; else sudo apt-get install -y wrk >&2; fi
fi
# PROFILE=release for release figures; the default dev profile is already
# optimised (opt-level 1 for our crates, 2 for dependencies) and shares the
# build the tests use.
profile="${PROFILE:-dev}"
source "$root/crates/embargo-server/tests/start_server.sh"
if [ "$profile" = release ]; then build_server --release; else build_server; fi
data="$(mktemp -d)"
cleanup() { stop_servers; rm -rf "$data"; }
trap cleanup EXIT
start_server "" "$data" "$data/server.log" --rate-limit off
# Sanity: one request must succeed before measuring.
curl -fsS -X POST -H 'content-type: application/json' \
  -d '{"queries":{"q":{"schema":"Company","properties":{"name":["Hikvision"]}}}}' \
  "$url/match/default" >/dev/null
echo "profile $profile; wrk: $conns connections, $threads threads, $duration against $url/match/default ($(nproc) cores)"
wrk -t"$threads" -c"$conns" -d"$duration" --latency -s "$here/match.lua" "$url"
echo "audit records written: $(sqlite3 "$data/audit.sqlite" 'select count(*) from audit_log' 2>/dev/null || echo n/a)"
