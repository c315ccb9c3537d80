#!/usr/bin/env bash
# The Python package's tests: builds the wheel from this workspace, installs
# it in a venv with pytest, pyarrow and pyspark (PyPI), makes a data
# directory with the official lists from ../shared, and runs pytest
# (package tests, Arrow tests, the Spark test against `embargo batch`).
#
# Installs what it needs: the venv (reused when present) under the cargo
# target dir, and Java (Debian openjdk-17-jre-headless) for Spark when no
# `java` is on PATH. Environment:
#   EMBARGO_SPARK_ROWS  rows of the Spark-vs-batch test (default 100000)
#   EMBARGO_PY_PROFILE  cargo profile of the wheel (default dev)
#   PYTEST_ARGS         extra pytest arguments
# `--setup` installs Java and the venv, and stops.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/py-venv"
profile="${EMBARGO_PY_PROFILE:-dev}"
start=$SECONDS

if ! command -v java >/dev/null 2>&1; then
  echo "== java not found: installing Debian openjdk-17-jre-headless (for pyspark)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
java -version 2>&1 | head -1

if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv"
  python3 -m venv "$venv"
fi
# Already-installed packages are not fetched again.
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
  "maturin>=1.5,<2" pytest "pyarrow>=14" "pyspark>=3.5" "pandas>=2.2,<3"
# `run-tests.sh --setup`: only Java and the venv (.ci/run fetches them while
# cargo compiles).
if [ "${1:-}" = --setup ]; then exit 0; fi

echo "== building the wheel ($profile profile)"
rm -rf "$target/wheels"
(cd "$here" && "$venv/bin/maturin" build --profile "$profile" --out "$target/wheels" --quiet)
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps \
  "$target"/wheels/embargo-*.whl

# scripts/test builds the CLI with its test build's features and says where
# (EMBARGO_PREBUILT_BIN); run alone, this script builds it.
if [ "$profile" = release ]; then
  cargo build -q --release -p embargo-cli; bin="$target/release/embargo"
elif [ -n "${EMBARGO_PREBUILT_BIN:-}" ]; then
  bin="$EMBARGO_PREBUILT_BIN"
else
  echo "== building the embargo CLI"
  cargo build -q -p embargo-cli; bin="$target/debug/embargo"
fi

# A data directory with the official lists (CSL 2022-05 and the SDN of
# 2024-05-03), rebuilt when missing.
data="$target/py-test-data"
csl="$root/../shared/data/lists/us_csl/2022-05/consolidated.csv"
sdn="$root/../shared/data/lists/ofac_sdn/2024-05-03/sdn.csv"
if [ -f "$csl" ] && [ -f "$sdn" ]; then
  if [ ! -f "$data/.complete" ]; then
    rm -rf "$data"
    "$bin" --data-dir "$data" lists import "$csl" --source csl >/dev/null
    "$bin" --data-dir "$data" lists import "$sdn" >/dev/null
    touch "$data/.complete"
  fi
  export EMBARGO_TEST_DATA="$data"
else
  echo "SKIP: ../shared lists missing: tests on the official lists will skip"
  unset EMBARGO_TEST_DATA
fi
export EMBARGO_BIN="$bin"
export PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python"
echo "== pytest (Spark test on ${EMBARGO_SPARK_ROWS:-100000} rows) after $((SECONDS - start)) s"
cd "$here/tests"
# shellcheck disable=SC2086
"$venv/bin/python" -m pytest -q -rs -p no:cacheprovider ${PYTEST_ARGS:-} .
echo "== python tests done in $((SECONDS - start)) s"
