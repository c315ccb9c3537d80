#!/usr/bin/env bash
# Browser end-to-end test of the web page. Installs what it needs (Debian
# chromium, playwright-core via npm ci), builds and starts the server example
# on a free loopback port with a fresh data directory, runs the test, stops
# the server. Screenshots land in web/e2e/shots/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (Debian package)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y chromium >&2; else sudo apt-get install -y chromium >&2; fi
fi
(cd "$here" && npm ci --no-audit --no-fund --silent)
(cd "$root" && cargo build -q -p embargo-server --example serve)
data="$(mktemp -d)"
log="$data/server.log"
"$root/target/debug/examples/serve" --data-dir "$data" --listen 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$log" | head -1)"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "server did not start" >&2; cat "$log" >&2; exit 1; }
echo "server at $url" >&2
cd "$here" && EMBARGO_URL="$url" EMBARGO_SHOTS="$here/shots" node screen.test.mjs
