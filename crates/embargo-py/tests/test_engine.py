"""The package over embargo-app: screen, decide, errors, audit."""

import datetime
import json
import pathlib
import subprocess
import warnings

import pytest

import embargo
from conftest import ROOT


def test_pack_only_engine_answers_and_says_it_is_the_pack_alone():
    e = embargo.Engine.open()
    assert e.pack_only and not e.audited and e.data_dir is None
    hits = e.screen("Hikvision")
    assert hits, "Hikvision is in the regime pack"
    top = hits[0]
    assert "Hikvision" in top["caption"]
    assert top["score"] >= 0.9
    assert "EAR-ENTITY-LIST" in top["programs"]
    assert top["source"] == "embargo_xinjiang_pack"
    # The HTTP/CLI vocabulary: every documented field is there.
    for k in ("entity_id", "caption", "schema", "score", "matched_name", "source", "list",
              "programs", "list_version", "explanation", "explanation_text", "review"):
        assert k in top, k
    report = e.screen_report("Hikvision")
    assert report["results"][0]["entity_id"] == top["entity_id"]
    assert report["audited"] is False and report["audit_seq"] == 0
    assert any("Only the embedded regime pack" in n for n in report["notes"])
    assert any("Not audited" in n for n in report["notes"])


def test_screen_matches_the_cli_json(work_dir, embargo_bin):
    e = embargo.Engine.open(work_dir)
    assert e.audited and not e.pack_only
    assert any(v.startswith("us_trade_csl@") for v in e.list_versions)
    py = e.screen_report("Hikvision", schema="Organization", countries=["CN"])
    cli = subprocess.run(
        [embargo_bin, "--data-dir", work_dir, "screen", "Hikvision", "--schema", "Organization",
         "--country", "CN", "--json"],
        capture_output=True, text=True,
    )
    assert cli.returncode == 1, cli.stderr  # a hit: something to look at
    doc = json.loads(cli.stdout)
    assert [r["entity_id"] for r in py["results"]] == [r["entity_id"] for r in doc["results"]]
    assert [r["score"] for r in py["results"]] == [r["score"] for r in doc["results"]]
    for k in ("query", "threshold", "algorithm", "datasets", "coverage", "notes", "undecided",
              "list_versions"):
        assert py[k] == doc[k], k
    assert len(py["results"]) >= 1
    # Official records of the party are consolidated into the row.
    sources = {r["source"] for r in py["results"][0].get("records", [])}
    assert "us_trade_csl" in sources, py["results"][0]


def test_every_screen_and_decision_is_audited(work_dir, embargo_bin):
    e = embargo.Engine.open(work_dir, actor="python:test")
    a = e.screen_report("Hikvision")
    b = e.screen_report("John Smith")
    assert b["audit_seq"] == a["audit_seq"] + 1
    tx = json.loads((ROOT / "docs/examples/export.json").read_text())
    d = e.decide(tx)
    out = subprocess.run(
        [embargo_bin, "--data-dir", work_dir, "audit", "export"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    mine = [r for r in records if r.get("actor") == "python:test"]
    kinds = [r["kind"] for r in mine]
    assert kinds == ["screen", "screen", "decide"], kinds
    assert mine[2]["result"]["decision_id"] == d["decision_id"]
    verify = subprocess.run([embargo_bin, "--data-dir", work_dir, "audit", "verify"],
                            capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_decide_matches_the_cli_document(work_dir, embargo_bin):
    e = embargo.Engine.open(work_dir)
    path = ROOT / "docs/examples/export.json"
    py = e.decide(json.loads(path.read_text()))
    also = e.decide(path.read_text())  # JSON text is accepted too
    cli = subprocess.run([embargo_bin, "--data-dir", work_dir, "decide", str(path), "--json"],
                         capture_output=True, text=True)
    assert cli.returncode in (0, 1), cli.stderr
    doc = json.loads(cli.stdout)
    # One vocabulary (docs/json.md): the same keys, unwrapped, and the same
    # values but for the decision's own id, time, text and audit record.
    assert set(py) == set(doc) == set(also), (sorted(py), sorted(doc))
    own = ("decision_id", "evaluated_at", "decision_text", "audit_seq")
    strip = lambda d: {k: v for k, v in d.items() if k not in own}
    assert strip(py) == strip(doc)
    assert strip(also) == strip(doc)
    assert py["list_versions"] and py["findings"], py.keys()
    assert py["decision_id"] in py["decision_text"]
    assert doc["audit_seq"] > py["audit_seq"] > 0


def test_decide_on_the_pack_alone_is_not_audited_and_still_cites():
    e = embargo.Engine.open()
    d = e.decide((ROOT / "docs/examples/export.json").read_text())
    assert d["list_versions"] == e.list_versions
    assert d["audit_seq"] == 0, "no audit log, no audit record"
    assert all(f.get("citations") for f in d["findings"] if f.get("outcome") != "CLEAR")


def test_errors_are_embargo_errors_with_the_engines_message(tmp_path):
    e = embargo.Engine.open()
    with pytest.raises(embargo.EmbargoError, match="`name`: must not be empty"):
        e.screen("   ")
    with pytest.raises(embargo.EmbargoError, match="`countries`: \"ZZZ\""):
        e.screen("Hikvision", countries="ZZZ")
    with pytest.raises(embargo.EmbargoError, match="`threshold`: 2 is not between 0 and 1"):
        e.screen("Hikvision", threshold=2.0)
    with pytest.raises(embargo.EmbargoError, match="unknown dataset \"nope\""):
        e.screen("Hikvision", datasets=["nope"])
    with pytest.raises(embargo.EmbargoError, match="`as_of`: is in the future"):
        e.screen("Hikvision", as_of=datetime.date.today() + datetime.timedelta(days=3))
    with pytest.raises(embargo.EmbargoError, match="date"):
        e.decide({"parties": []})
    with pytest.raises(embargo.EmbargoError, match="not an Embargo data directory"):
        embargo.Engine.open_unaudited(str(tmp_path))
    f = tmp_path / "lists.snapshot"
    f.write_bytes(b"x")
    with pytest.raises(embargo.EmbargoError, match="not an Embargo index file"):
        embargo.Engine.from_snapshot(str(f))
    with pytest.raises(embargo.EmbargoError, match="no audit log"):
        e.record_batch("x", "name", None, None, None,
                       {"rows": 1, "rows_with_hits": 0, "rows_not_screened": 0, "rows_with_warnings": 0})
    assert issubclass(embargo.EmbargoError, Exception)


def test_a_past_day_before_the_stored_history_warns_instead_of_clearing(work_dir):
    e = embargo.Engine.open(work_dir)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        hits = e.screen("Some Unlisted Trading Company", as_of="1999-01-01")
    assert any(issubclass(x.category, embargo.UndecidedWarning) for x in w), [str(x.message) for x in w]
    report = e.screen_report("Some Unlisted Trading Company", as_of=datetime.date(1999, 1, 1))
    assert report["undecided"], report
    assert hits == []


def test_unaudited_copy_screens_the_same(work_dir):
    a = embargo.Engine.open(work_dir)
    b = embargo.Engine.from_snapshot(work_dir)
    assert not b.audited and b.list_versions == a.list_versions
    ra = a.screen("Hikvision", schema="Organization")
    rb = b.screen("Hikvision", schema="Organization")
    assert [(r["entity_id"], r["score"]) for r in ra] == [(r["entity_id"], r["score"]) for r in rb]


def test_a_snapshot_file_screens_and_decides_like_its_data_directory(work_dir, embargo_bin, tmp_path):
    snap = tmp_path / "lists.embidx"
    subprocess.run([embargo_bin, "--data-dir", work_dir, "snapshot", "export", str(snap)],
                   check=True, capture_output=True)
    a = embargo.Engine.open(work_dir)
    b = embargo.Engine.from_snapshot(str(snap))
    assert not b.audited and b.data_dir is None
    assert b.list_versions == a.list_versions
    for name in ("Hikvision", "Chen Quanguo", "海康威视", "Xinjiang Public Security Bureau"):
        ra = a.screen(name)
        rb = b.screen(name)
        assert ra, name
        assert [(r["entity_id"], r["score"]) for r in ra] == [(r["entity_id"], r["score"]) for r in rb], name
    tx = {"date": "2024-06-01", "flow": "export",
          "actor": {"us_person": True, "country": "US"}, "destination": "CN",
          "item": {"description": "servers", "origin": "US", "located_in": "US", "eccn": "EAR99"},
          "parties": [{"role": "ultimate_consignee",
                       "name": "Hangzhou Hikvision Digital Technology Co., Ltd.", "country": "CN"}]}
    da, db = a.decide(tx), b.decide(tx)
    assert [(f["measure"], f["outcome"]) for f in da["findings"]] == \
        [(f["measure"], f["outcome"]) for f in db["findings"]]


def test_help_and_stubs_are_shipped():
    assert "Screens one name" in embargo.Engine.screen.__doc__
    assert "pyarrow.RecordBatch" in embargo.Engine.screen_arrow.__doc__
    pkg = pathlib.Path(embargo.__file__).parent
    assert (pkg / "py.typed").is_file() and (pkg / "_embargo.pyi").is_file()
    assert embargo.pack_version().startswith("embargo_xinjiang_pack@")
