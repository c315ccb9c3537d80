#!/usr/bin/env bash
# Spark vs CLI batch benchmark (release builds). Usage: bench/run.sh [ROWS]
# Reuses the venv and data directory run-tests.sh makes; builds the wheel and
# the CLI in release. Not run by CI.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/py-venv"
[ -x "$venv/bin/python" ] && [ -d "$target/py-test-data" ] || {
  echo "run crates/embargo-py/run-tests.sh first (venv and data directory)"; exit 2; }
(cd "$here" && "$venv/bin/maturin" build --release --out "$target/wheels-release" --quiet)
"$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$target"/wheels-release/embargo-*.whl
cargo build -q --release -p embargo-cli
export PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python"
exec "$venv/bin/python" "$here/bench/bench.py" --rows "${1:-200000}" \
  --data-dir "$target/py-test-data" --embargo "$target/release/embargo" \
  --lists "$root/../shared/data/lists/us_csl/2022-05/consolidated.csv" "${@:2}"
