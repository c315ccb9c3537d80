# Sourced, not run: builds the `serve` example and starts servers on free
# loopback ports for the scripts that drive a real server
# (benches/load.sh, tests/fuzz/run.sh, web/e2e/run.sh).
#
# The caller sets `root` (the workspace root) and `set -euo pipefail`
# before sourcing, and calls `stop_servers` from its EXIT trap.
#
#   build_server [--release]          builds; sets $serve_bin
#   start_server LABEL DIR LOG ARGS…  serve --data-dir DIR --listen
#                                     127.0.0.1:0 ARGS… >LOG; sets $url
#   stop_servers                      stops every server started here

# Honour CARGO_TARGET_DIR, as cargo does.
target_dir="${CARGO_TARGET_DIR:-$root/target}"
serve_bin="$target_dir/debug/examples/serve"
server_pids=()

build_server() {
  local profile_dir=debug
  if [ "${1:-}" = --release ]; then profile_dir=release; fi
  # scripts/test builds the example with its test build's features and says
  # where; a `cargo build -p embargo-server` here would resolve other
  # features and rebuild dozens of crates.
  if [ "$profile_dir" = debug ] && [ -x "${EMBARGO_PREBUILT_SERVE:-}" ]; then
    serve_bin="$EMBARGO_PREBUILT_SERVE"; return
  fi
  (cd "$root" && cargo build -q "$@" -p embargo-server --example serve)
  serve_bin="$target_dir/$profile_dir/examples/serve"
}

# The server prints "listening on http://127.0.0.1:PORT" once bound, so
# port 0 (any free port) needs no guessing; wait up to 10 s for that line
# and stop early if the server has already died.
start_server() {
  local label="$1" dir="$2" log="$3"; shift 3
  mkdir -p "$dir"
  "$serve_bin" --data-dir "$dir" --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  server_pids+=($!)
  url=""
  for _ in $(seq 1 100); do
    url="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$log" | head -1)"
    [ -n "$url" ] && break
    kill -0 "${server_pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "server ${label:+$label }did not start" >&2; cat "$log" >&2; exit 1; }
}

stop_servers() {
  local p
  for p in "${server_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}
