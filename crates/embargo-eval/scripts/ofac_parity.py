#!/usr/bin/env python3
"""OFAC-mode parity check (issue 11 item 8).

No pairs scored by OFAC's own Sanctions List Search are in ../shared, so
this compares `embargo compare --algorithm ofac` with nomenklatura's open
reconstruction of the SLS score (`nomenklatura.matching.name_based.ofac`,
which its authors report within 5 points of OFAC on 95.7 % of 164 pairs)
on every pair of ../shared/eval/nomenklatura/cases.csv, in both
directions, reported by the frozen dev/test split (embargo-eval split.rs).

Usage: PY_WITH_NOMENKLATURA ofac_parity.py EMBARGO_BINARY [SHARED_DIR]
(nomenklatura 4.17.4: `python3 -m venv v && v/bin/pip install nomenklatura==4.17.4`).
"""
import csv
import io
import subprocess
import sys
import tempfile

from nomenklatura.matching.name_based.ofac import _per_token_score, _whole_string_score


def fnv_part(key: str) -> str:
    h = 0xCBF29CE484222325
    for b in ("embargo-split-v1\x1f" + key.strip().lower()).encode():
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "test" if h % 1000 < 300 else "dev"


def main() -> None:
    binary = sys.argv[1]
    shared = sys.argv[2] if len(sys.argv) > 2 else "../shared"
    rows = []
    with open(f"{shared}/eval/nomenklatura/cases.csv", newline="") as f:
        for r in csv.DictReader(f):
            a, b = r["name1"], r["name2"]
            part = fnv_part(f"{a.strip()}\t{b.strip()}")
            rows.append((a, b, part))
            rows.append((b, a, part))
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as t:
        w = csv.writer(t)
        w.writerow(["name1", "name2"])
        for a, b, _ in rows:
            w.writerow([a, b])
    out = subprocess.run(
        [binary, "compare", "--algorithm", "ofac", "--pairs", t.name],
        check=True, capture_output=True, text=True,
    ).stdout
    ours = [float(r["score"]) for r in csv.DictReader(io.StringIO(out))]
    stats = {}
    worst = []
    for (a, b, part), s in zip(rows, ours):
        ref = max(_whole_string_score(a, b), _per_token_score(a, b))
        gap = abs(ref - s) * 100
        st = stats.setdefault(part, [0, 0, 0.0])
        st[0] += 1
        st[1] += gap <= 5
        st[2] += gap
        worst.append((gap, a, b, ref, s))
    for part in ("dev", "test"):
        n, within, total = stats[part]
        print(f"{part}: {n} pairs, within 5 points {100 * within / n:.1f} %, mean gap {total / n:.2f} points")
    worst.sort(reverse=True)
    for gap, a, b, ref, s in worst[:15]:
        print(f"  gap {gap:5.1f}  ref {ref:.3f}  ours {s:.3f}  {a!r} / {b!r}")


if __name__ == "__main__":
    main()
