"""Times nomenklatura's logic-v2 (the matcher yente uses) on the labelled
pairs of nomenklatura/cases.csv, for the per-pair speed ratio against
Embargo's `compare_names` (see `examples/bench.rs` and BENCHMARKS.md).

Run in the bench-only virtualenv:
    python3 -m venv .venv-bench && .venv-bench/bin/pip install nomenklatura
    .venv-bench/bin/python crates/embargo-match/benches/logicv2_pairs.py ../shared/eval/nomenklatura/cases.csv
"""

import csv
import sys
import time

from followthemoney import model
from nomenklatura.matching.logic_v2.model import LogicV2
from nomenklatura.matching.types import ScoringConfig


def entity(schema: str, name: str, key: str):
    e = model.make_entity(schema or "LegalEntity")
    e.id = key
    e.add("name", name)
    return e


def main(path: str, rounds: int = 3) -> None:
    pairs = []
    with open(path, newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            schema = row["schema"] or "LegalEntity"
            pairs.append(
                (
                    entity(schema, row["name1"], f"q{i}"),
                    entity(schema, row["name2"], f"r{i}"),
                    row["is_match"].strip().lower() == "true",
                )
            )
    config = ScoringConfig.defaults()
    # Warm-up round (caches inside rigour), also used for the F1 check.
    tp = fp = fn = 0
    for q, r, label in pairs:
        s = LogicV2.compare(q, r, config).score
        tp += s >= 0.7 and label
        fp += s >= 0.7 and not label
        fn += s < 0.7 and label
    f1 = 2 * tp / (2 * tp + fp + fn)
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        for q, r, _ in pairs:
            LogicV2.compare(q, r, config)
        best = min(best, time.perf_counter() - t)
    print(f"logic-v2: {len(pairs)} pairs, best of {rounds}: {best:.3f} s, "
          f"{best / len(pairs) * 1e6:.1f} us/pair; F1 at 0.7 = {f1:.3f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/nomenklatura/cases.csv")
