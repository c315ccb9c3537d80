"""Synthetic customers with planted listed names, for the Spark test and the benchmark.

    python customers.py OUT.csv ROWS LISTS.csv [SEED]

Writes `id,name,schema,country,dob`. About 1 row in 200 is a name taken from
the official list file LISTS.csv (its `name` and `type` columns; a CSL file),
sometimes with a country; a few rows have an empty name, an unknown country
or a bad date (the batch rules mark or flag them); the rest are made-up
people and companies. Deterministic for a seed.
"""

import csv
import random
import sys

GIVEN = ["James", "Mary", "Wei", "Li", "Olga", "Ahmed", "Fatima", "Carlos", "Anna", "Hiro",
         "Priya", "John", "Elena", "Omar", "Chen", "Sofia", "Ivan", "Maria", "David", "Yuki"]
FAMILY = ["Smith", "Garcia", "Zhang", "Wang", "Petrova", "Khan", "Müller", "Rossi", "Kim",
          "Nguyen", "Silva", "Brown", "Tanaka", "Novak", "Haddad", "Larsen", "Okafor", "Dubois"]
WORDS = ["Blue", "River", "Summit", "Harbor", "Maple", "Pioneer", "Golden", "Northern", "Apex",
         "Crescent", "Silver", "Evergreen", "Atlas", "Meridian", "Cedar", "Orchid", "Falcon"]
TRADES = ["Bakery", "Logistics", "Consulting", "Textiles", "Software", "Dental", "Farms",
          "Plumbing", "Imports", "Studios", "Hardware", "Travel", "Foods", "Motors"]
FORMS = ["LLC", "Ltd", "GmbH", "Inc.", "S.A.", "Co.", "BV", "Pty Ltd"]
COUNTRIES = ["US", "GB", "DE", "FR", "CN", "IN", "BR", "JP", "NL", "ES", "IT", "CA", "AU", "MX"]


def listed_names(path):
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = (row.get("name") or "").strip()
            if 3 <= len(name) <= 120:
                kind = (row.get("type") or "").strip().lower()
                schema = "Person" if kind == "individual" else ("Organization" if kind == "entity" else "")
                out.append((name, schema))
    return out


def generate(out_path, rows, lists_path, seed=7, planted_ids=None):
    """Writes the file; returns the number of planted names (their ids are
    appended to planted_ids when given)."""
    rng = random.Random(seed)
    listed = listed_names(lists_path)
    planted = 0
    with open(out_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "schema", "country", "dob"])
        for i in range(rows):
            r = rng.random()
            schema, country, dob = "", rng.choice(COUNTRIES + [""]), ""
            if r < 0.005 and listed:
                name, schema = rng.choice(listed)
                country = ""
                planted += 1
                if planted_ids is not None:
                    planted_ids.append(f"C{i:09d}")
            elif r < 0.006:
                name = ""
            elif r < 0.5:
                name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
                schema = "Person" if rng.random() < 0.5 else ""
                if rng.random() < 0.3:
                    dob = f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            else:
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} {rng.choice(FORMS)}"
                schema = "Company" if rng.random() < 0.5 else ""
            if rng.random() < 0.002:
                country = "Atlantis"
            if rng.random() < 0.002:
                dob = "19xx"
            w.writerow([f"C{i:09d}", name, schema, country, dob])
    return planted


if __name__ == "__main__":
    n = generate(sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    print(f"{sys.argv[2]} rows, {n} planted listed names")
