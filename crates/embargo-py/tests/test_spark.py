"""Spark: embargo.spark.screen equals `embargo batch` row by row.

EMBARGO_SPARK_ROWS synthetic customers (default 100,000; CI may set fewer)
with planted listed names are screened by `embargo batch` (JSON lines: every
hit per row) and by Spark local[2] with mapInArrow; every row must have the
same hits (entity id and score) and the same not-screened mark.
"""

import json
import os
import pathlib
import subprocess
import sys
import warnings

import pytest

import embargo
import embargo.spark
from conftest import ROOT

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from customers import generate  # noqa: E402

ROWS = int(os.environ.get("EMBARGO_SPARK_ROWS", "100000"))
CSL = ROOT.parent / "shared/data/lists/us_csl/2022-05/consolidated.csv"


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master("local[2]")
        .appName("embargo-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    yield s
    s.stop()


def batch_rows(embargo_bin, data_dir, csv_path, out):
    p = subprocess.run(
        [embargo_bin, "--data-dir", data_dir, "batch", str(csv_path), "--name-column", "name",
         "--schema-column", "schema", "--country-column", "country", "--dob-column", "dob",
         "--out", str(out)],
        capture_output=True, text=True,
    )
    assert p.returncode == 1, p.stdout + p.stderr  # planted names hit
    rows = {}
    with open(out, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            rows[d["input"]["id"]] = (
                [(h["entity_id"], round(h["score"], 9)) for h in d["results"]],
                d.get("not_screened"),
            )
    return rows


def test_spark_equals_embargo_batch_row_by_row(spark, work_dir, embargo_bin, tmp_path):
    if not CSL.is_file():
        pytest.skip(f"{CSL} missing")
    customers = tmp_path / "customers.csv"
    planted_ids = []
    planted = generate(customers, ROWS, CSL, planted_ids=planted_ids)
    assert planted >= ROWS // 400
    expected = batch_rows(embargo_bin, work_dir, customers, tmp_path / "batch.jsonl")
    assert len(expected) == ROWS

    df = spark.read.csv(str(customers), header=True, escape='"',
                        schema="id string, name string, schema string, country string, dob string")
    df = df.repartition(4)
    # The batch reads empty CSV fields as empty; Spark reads them as null:
    # both are "absent" to the engine.
    out = embargo.spark.screen(df, name_col="name", schema_col="schema", country_col="country",
                               dob_col="dob", data_dir=work_dir, limit=25)
    assert out.columns[:5] == ["id", "name", "schema", "country", "dob"]
    got = {}
    for r in out.select("id", "embargo_hits", "embargo_note").collect():
        got[r["id"]] = ([(h["entity_id"], round(h["score"], 9)) for h in r["embargo_hits"]],
                        r["embargo_note"])
    assert len(got) == ROWS
    diff = [i for i in expected if expected[i] != got.get(i)]
    assert not diff, f"{len(diff)} rows differ, e.g. {diff[0]}: batch {expected[diff[0]]} spark {got.get(diff[0])}"
    with_hits = sum(1 for h, _ in expected.values() if h)
    not_screened = sum(1 for _, n in expected.values() if n)
    # Not vacuous: the planted names hit, the empty names are marked.
    missed = [i for i in planted_ids if not expected[i][0]]
    assert len(missed) <= planted // 20, f"planted listed names without a hit: {missed[:5]}"
    assert not_screened >= 1
    print(f"{ROWS} rows: {with_hits} with hits ({planted} planted), {not_screened} not screened; "
          "Spark == embargo batch on every row")

    # The batch's audit record, written on the driver.
    summary = embargo.spark.audit(out, work_dir, "name", "schema", "country", "dob")
    assert summary["rows"] == ROWS and summary["rows_with_hits"] == with_hits
    assert summary["rows_not_screened"] == not_screened and summary["audit_seq"] > 0


def test_best_hit_struct_and_shared_storage_path(spark, work_dir):
    df = spark.createDataFrame(
        [("1", "Hikvision", "CN"), ("2", "Nobody Special Bakery", "US"), ("3", None, None)],
        "id string, name string, country string",
    )
    out = embargo.spark.screen(df, name_col="name", country_col="country", data_dir=work_dir,
                               ship=False)
    rows = {r["id"]: r for r in out.collect()}
    best = rows["1"]["embargo_best"]
    assert best is not None and best["score"] >= 0.9
    assert "us_trade_csl" in {rid.split(":")[0] for rid in best["record_ids"]}, best
    assert best["subject_id"] == min(best["record_ids"])
    assert rows["2"]["embargo_best"] is None and rows["2"]["embargo_note"] is None
    assert rows["3"]["embargo_note"].startswith("not screened")


def test_a_shipped_snapshot_file_screens_like_the_data_directory(spark, work_dir, embargo_bin, tmp_path):
    snap = tmp_path / "lists.embidx"
    subprocess.run([embargo_bin, "--data-dir", work_dir, "snapshot", "export", str(snap)],
                   check=True, capture_output=True)
    df = spark.createDataFrame(
        [("1", "Hikvision", "CN"), ("2", "Chen Quanguo", None), ("3", "Nobody Special Bakery", "US")],
        "id string, name string, country string",
    )
    by_dir = {r["id"]: r for r in embargo.spark.screen(
        df, name_col="name", country_col="country", data_dir=work_dir, ship=False).collect()}
    by_file = {r["id"]: r for r in embargo.spark.screen(
        df, name_col="name", country_col="country", snapshot=str(snap)).collect()}
    for i in ("1", "2", "3"):
        a, b = by_dir[i]["embargo_hits"], by_file[i]["embargo_hits"]
        assert [(h["entity_id"], h["score"]) for h in a] == [(h["entity_id"], h["score"]) for h in b], i
    assert by_file["1"]["embargo_best"] is not None and by_file["2"]["embargo_best"] is not None
    assert by_file["3"]["embargo_best"] is None


def test_pack_only_spark_screen_warns(spark):
    df = spark.createDataFrame([("Hikvision",)], "name string")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = embargo.spark.screen(df, name_col="name")
    assert any("embedded regime pack alone" in str(x.message) for x in w)
    assert out.collect()[0]["embargo_best"]["source"] == "embargo_xinjiang_pack"


def test_bad_arguments_fail_on_the_driver(spark, tmp_path):
    df = spark.createDataFrame([("x",)], "name string")
    with pytest.raises(embargo.EmbargoError, match="column 'nom' not found"):
        embargo.spark.screen(df, name_col="nom")
    with pytest.raises(embargo.EmbargoError, match="not an Embargo data directory"):
        embargo.spark.screen(df, name_col="name", data_dir=str(tmp_path))
    f = tmp_path / "x.snapshot"
    f.write_bytes(b"x")
    with pytest.raises(embargo.EmbargoError, match="not an Embargo index file"):
        embargo.spark.screen(df, name_col="name", snapshot=str(f))
