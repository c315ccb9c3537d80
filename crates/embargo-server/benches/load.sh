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
if [ "$profile" = release ]; then
  (cd "$root" && cargo build -q --release -p embargo-server --example serve); bin="$root/target/release/examples/serve"
else
  (cd "$root" && cargo build -q -p embargo-server --example serve); bin="$root/target/debug/examples/serve"
fi
data="$(mktemp -d)"
log="$data/server.log"
"$bin" --data-dir "$data" --listen 127.0.0.1:0 --rate-limit off >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$log" | head -1)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "server did not start" >&2; cat "$log" >&2; exit 1; }
# Sanity: one request must succeed before measuring.
curl -fsS -X POST -H 'content-type: application/json' \
  -d '{"queries":{"q":{"schema":"Company","properties":{"name":["Hikvision"]}}}}' \
  "$url/match/default" >/dev/null
echo "profile $profile; wrk: $conns connections, $threads threads, $duration against $url/match/default ($(nproc) cores)"
wrk -t"$threads" -c"$conns" -d"$duration" --latency -s "$here/match.lua" "$url"
echo "audit records written: $(sqlite3 "$data/audit.sqlite" 'select count(*) from audit_log' 2>/dev/null || echo n/a)"
