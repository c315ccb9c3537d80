#!/usr/bin/env bash
# Browser end-to-end tests of the web page. Installs what it needs (Debian
# chromium and fonts-noto-cjk, playwright-core via npm ci), builds the
# server example, and runs its scenarios, each against a server on a free
# loopback port with a fresh data directory:
#   1. screen.test.mjs — embedded regime pack only: screen "Hikvision", open
#      the hit, record a review, see it cleared; run a decision; list versions.
#   2. diff.test.mjs — two imported versions of a small FtM list: the diff.
#   3. alerts.test.mjs — a customer book monitored against the pack: the
#      Alerts tab (filters, explanation, history, resolve under four eyes).
#   4. cjk, batch, reviews, ownership, report (.test.mjs, on the first
#      server: report clicks "Download report" under a screen and a decision
#      and checks a PDF arrives) and listchart.test.mjs (three versions of a
#      small list): issue 17.
# Screenshots land in web/e2e/shots/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (Debian package)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y chromium >&2; else sudo apt-get install -y chromium >&2; fi
fi
# Chinese, Japanese and Korean glyphs: without them Chinese names render as
# empty boxes (cjk.test.mjs fails).
if ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  echo "installing fonts-noto-cjk (Debian package, CJK glyphs for Chromium)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y fonts-noto-cjk >&2; else sudo apt-get install -y fonts-noto-cjk >&2; fi
fi
(cd "$here" && npm ci --no-audit --no-fund --silent)
# `run.sh --setup`: only the packages above (.ci/run fetches them while cargo
# compiles).
if [ "${1:-}" = --setup ]; then exit 0; fi
source "$root/crates/embargo-server/tests/start_server.sh"
build_server
work="$(mktemp -d)"
cleanup() { stop_servers; rm -rf "$work"; }
trap cleanup EXIT

# start NAME ARGS... : starts a server, sets $url
start() {
  local name="$1"; shift
  start_server "$name" "$work/$name" "$work/$name.log" "$@"
  echo "server $name at $url" >&2
}

# Reviews need a reviewer's key (loopback without a key may screen and
# decide, never review), and clearing an Entity List hit needs two.
start pack --review-key-file "$work/review-1.key" --review-key-file "$work/review-2.key"
(cd "$here" && EMBARGO_URL="$url" EMBARGO_SHOTS="$here/shots" \
  EMBARGO_REVIEW_KEY_1="$(cat "$work/review-1.key")" EMBARGO_REVIEW_KEY_2="$(cat "$work/review-2.key")" \
  node screen.test.mjs)
# Issue 17: Chinese glyphs, batch upload, review history, ownership graph
# (same server: the review history test files its decisions under another
# subject than screen.test.mjs).
for t in cjk batch reviews ownership report; do
  (cd "$here" && EMBARGO_URL="$url" EMBARGO_SHOTS="$here/shots" \
    EMBARGO_REVIEW_KEY_1="$(cat "$work/review-1.key")" EMBARGO_REVIEW_KEY_2="$(cat "$work/review-2.key")" \
    node "$t.test.mjs")
done

# Two versions of a small list: one entry changes country, one is removed,
# one is added.
cat >"$work/v1.ftm.json" <<'JSON'
{"id": "t-oceanic", "schema": "Company", "properties": {"name": ["Oceanic Shipping Trading LLC"], "country": ["ir"]}}
{"id": "t-sidorov", "schema": "Person", "properties": {"name": ["Ivan Petrovich Sidorov"], "birthDate": ["1961-04-12"]}}
JSON
cat >"$work/v2.ftm.json" <<'JSON'
{"id": "t-oceanic", "schema": "Company", "properties": {"name": ["Oceanic Shipping Trading LLC"], "country": ["ae"]}}
{"id": "t-northern", "schema": "Vessel", "properties": {"name": ["Northern Star Maritime"], "imoNumber": ["IMO9187629"]}}
JSON
start lists --import-ftm "$work/v1.ftm.json" --import-ftm "$work/v2.ftm.json"
(cd "$here" && EMBARGO_URL="$url" EMBARGO_SHOTS="$here/shots" node diff.test.mjs)

# Three versions for the list history chart: the second adds one entry,
# removes one and changes one (as above), the third adds two.
cat >"$work/v3.ftm.json" <<'JSON'
{"id": "t-oceanic", "schema": "Company", "properties": {"name": ["Oceanic Shipping Trading LLC"], "country": ["ae"]}}
{"id": "t-northern", "schema": "Vessel", "properties": {"name": ["Northern Star Maritime"], "imoNumber": ["IMO9187629"]}}
{"id": "t-karimov", "schema": "Person", "properties": {"name": ["Rustam Karimov"], "birthDate": ["1970-02-01"]}}
{"id": "t-eastern", "schema": "Company", "properties": {"name": ["Eastern Horizon Logistics FZE"], "country": ["ae"]}}
JSON
start history --import-ftm "$work/v1.ftm.json" --import-ftm "$work/v2.ftm.json" --import-ftm "$work/v3.ftm.json"
(cd "$here" && EMBARGO_URL="$url" EMBARGO_SHOTS="$here/shots" node listchart.test.mjs)

# A customer book monitored against the embedded pack (the CLI prepares the
# data directory; the server then serves its alerts).
# (scripts/test has built it already and says where: EMBARGO_PREBUILT_BIN.)
embargo_bin="${EMBARGO_PREBUILT_BIN:-}"
if [ -z "$embargo_bin" ]; then
  (cd "$root" && cargo build -q -p embargo-cli)
  embargo_bin="${CARGO_TARGET_DIR:-$root/target}/debug/embargo"
fi
mkdir -p "$work/alerts"
printf 'id,name\nc1,Hikvision\nc2,Orchard Lane Florists\nc3,Dahua Technology\n' >"$work/book.csv"
"$embargo_bin" --data-dir "$work/alerts" book import "$work/book.csv" --book retail --id-column id --name-column name >&2
"$embargo_bin" --data-dir "$work/alerts" monitor >&2 || true
start alerts --review-key-file "$work/alerts-review-1.key" --review-key-file "$work/alerts-review-2.key"
(cd "$here" && EMBARGO_URL="$url" EMBARGO_SHOTS="$here/shots" \
  EMBARGO_REVIEW_KEY_1="$(cat "$work/alerts-review-1.key")" EMBARGO_REVIEW_KEY_2="$(cat "$work/alerts-review-2.key")" \
  node alerts.test.mjs)
