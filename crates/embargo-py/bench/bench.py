"""Spark vs `embargo batch`: rows/s/core on the same file in the same run.

    python bench/bench.py --rows 200000 --data-dir DIR --embargo target/release/embargo \
        --lists ../shared/data/lists/us_csl/2022-05/consolidated.csv [--skip-cli]

Both screen the same synthetic customer file (tests/customers.py) with the
same columns, threshold and lists on this machine's cores:

* CLI: `embargo batch FILE --out out.csv` (best hit per row), all cores;
* Spark: local[N] (N = cores), CSV read, embargo.spark.screen (mapInArrow,
  one screening thread per Python worker), written to Spark's `noop` sink
  so every row is screened and nothing is collected on the driver.

Reports wall time, rows/s, rows/s/core, the ratio, the engine load cost (a
read-only load of the data directory, as each executor's Python worker
does once) and the peak resident memory of each run's whole process tree
(sampled every 0.2 s from /proc).
"""

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from customers import generate  # noqa: E402


def tree_rss(root_pid):
    """Resident bytes of root_pid and all its descendants."""
    parent = {}
    rss = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            parent[int(d)] = int(parts[1])
            rss[int(d)] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    total, stack = 0, [root_pid]
    seen = set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        total += rss.get(p, 0)
        stack.extend(c for c, pp in parent.items() if pp == p)
    return total


class Peak:
    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.2)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *a):
        self._stop.set()
        self._t.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--embargo", required=True, help="the release embargo CLI")
    ap.add_argument("--lists", required=True, help="CSL consolidated.csv for planted names")
    ap.add_argument("--work", default=None, help="scratch directory")
    ap.add_argument("--cores", type=int, default=os.cpu_count())
    ap.add_argument("--skip-cli", action="store_true")
    a = ap.parse_args()
    work = pathlib.Path(a.work or (pathlib.Path(a.data_dir).parent / "py-bench"))
    work.mkdir(parents=True, exist_ok=True)
    customers = work / f"customers-{a.rows}.csv"
    if not customers.exists():
        t = time.time()
        planted = generate(customers, a.rows, a.lists)
        print(f"generated {a.rows} rows ({planted} planted) in {time.time() - t:.1f} s", flush=True)
    cols = ["--name-column", "name", "--schema-column", "schema", "--country-column", "country",
            "--dob-column", "dob"]
    report = {"rows": a.rows, "cores": a.cores, "machine": f"{platform.processor() or platform.machine()}, "
              f"{os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') >> 30} GiB"}

    import embargo

    loads = []
    for _ in range(3):
        t = time.perf_counter()
        embargo.Engine.open_unaudited(a.data_dir)
        loads.append(time.perf_counter() - t)
    report["engine_load_s"] = round(sorted(loads)[1], 3)
    print(f"engine load (read-only data dir, per Python worker): {report['engine_load_s']} s", flush=True)

    if not a.skip_cli:
        t = time.perf_counter()
        subprocess.run([a.embargo, "--data-dir", a.data_dir, "screen", "warm up", "--json"],
                       capture_output=True)
        report["cli_load_s"] = round(time.perf_counter() - t, 3)
        out = work / "cli-out.csv"
        t = time.perf_counter()
        p = subprocess.Popen([a.embargo, "--data-dir", a.data_dir, "batch", str(customers), *cols,
                              "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with Peak(p.pid) as peak:
            so, se = p.communicate()
        wall = time.perf_counter() - t
        if p.returncode not in (0, 1):
            raise SystemExit(se.decode())
        report["cli"] = {"wall_s": round(wall, 2), "rows_per_s": round(a.rows / wall),
                         "rows_per_s_per_core": round(a.rows / wall / a.cores),
                         "peak_rss_mib": peak.peak >> 20, "output": so.decode().strip()}
        print("cli:", json.dumps(report["cli"]), flush=True)

    import embargo.spark
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(f"local[{a.cores}]").appName("embargo-bench")
             .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "4g")
             .getOrCreate())
    schema = "id string, name string, schema string, country string, dob string"

    def run(path):
        df = spark.read.csv(str(path), header=True, escape='"', schema=schema)
        out = embargo.spark.screen(df, name_col="name", schema_col="schema", country_col="country",
                                   dob_col="dob", data_dir=a.data_dir, limit=1)
        out.write.format("noop").mode("overwrite").save()

    # Warm the JVM (and the workers' engines) on a small file first.
    small = work / "customers-2000.csv"
    if not small.exists():
        generate(small, 2000, a.lists)
    t = time.perf_counter()
    run(small)
    report["spark_warmup_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    with Peak(os.getpid()) as peak:
        run(customers)
    wall = time.perf_counter() - t
    report["spark"] = {"wall_s": round(wall, 2), "rows_per_s": round(a.rows / wall),
                       "rows_per_s_per_core": round(a.rows / wall / a.cores),
                       "peak_rss_mib": peak.peak >> 20}
    print("spark:", json.dumps(report["spark"]), flush=True)
    if "cli" in report:
        report["spark_vs_cli"] = round(report["spark"]["rows_per_s_per_core"]
                                       / report["cli"]["rows_per_s_per_core"], 3)
    spark.stop()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
