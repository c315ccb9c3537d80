"""screen_arrow: Arrow in, Arrow out, the batch rules of `embargo batch`."""

import pyarrow as pa
import pytest

import embargo


def batch(names, **cols):
    return pa.RecordBatch.from_pydict({"id": list(range(len(names))), "name": names, **cols})


def test_hit_columns_are_added_and_inputs_pass_through():
    e = embargo.Engine.open()
    b = batch(["Hikvision", "Zzyzx Qwv Plumbing", None, "", "Hikvision"],
              country=["CN", "US", None, None, "not a country"])
    out = e.screen_arrow(b, "name", country_col="country")
    assert out.num_rows == 5
    assert out.schema.names == ["id", "name", "country", "embargo_best", "embargo_hits",
                                "embargo_note", "embargo_warned"]
    assert out.column("id").equals(b.column("id"))
    rows = out.to_pylist()
    best = rows[0]["embargo_best"]
    assert best["source"] == "embargo_xinjiang_pack" and best["score"] >= 0.9
    assert "EAR-ENTITY-LIST" in best["programs"]
    assert best["entity_id"] in best["record_ids"] and best["subject_id"] in best["record_ids"]
    assert rows[0]["embargo_hits"][0] == best
    # The same as a single screen of the same subject.
    single = e.screen("Hikvision", countries="CN", limit=10)
    assert [h["entity_id"] for h in rows[0]["embargo_hits"]] == [h["entity_id"] for h in single]
    assert rows[1]["embargo_best"] is None and rows[1]["embargo_hits"] == []
    assert rows[1]["embargo_note"] is None
    # Null and empty names are marked, never an empty "no hit".
    for r in rows[2:4]:
        assert r["embargo_note"] == "not screened: `name`: must not be empty", r
        assert r["embargo_best"] is None
    # An unreadable optional column is flagged; the name is still screened.
    assert rows[4]["embargo_warned"] is True and rows[4]["embargo_best"] is not None
    assert [r["embargo_warned"] for r in rows[:4]] == [False] * 4


@pytest.mark.parametrize("typ", [pa.string(), pa.large_string(), pa.string_view()])
def test_every_arrow_string_layout_is_read(typ):
    e = embargo.Engine.open()
    b = pa.RecordBatch.from_arrays([pa.array(["Hikvision", "Nobody Inc"], type=typ)], ["n"])
    rows = e.screen_arrow(b, "n").to_pylist()
    assert rows[0]["embargo_best"] is not None and rows[1]["embargo_best"] is None


def test_bad_columns_are_errors():
    e = embargo.Engine.open()
    b = batch(["Hikvision"])
    with pytest.raises(embargo.EmbargoError, match="`name_col`: column \"nom\" not found; the batch has: id, name"):
        e.screen_arrow(b, "nom")
    with pytest.raises(embargo.EmbargoError, match="not a string column"):
        e.screen_arrow(b, "id")
    with pytest.raises(embargo.EmbargoError, match="already has this column"):
        e.screen_arrow(batch(["x"], embargo_note=["y"]), "name")
    with pytest.raises(embargo.EmbargoError, match="threshold"):
        e.screen_arrow(b, "name", threshold=-1.0)


def test_an_empty_batch_gives_an_empty_result():
    e = embargo.Engine.open()
    b = pa.RecordBatch.from_pydict({"name": pa.array([], pa.string())})
    out = e.screen_arrow(b, "name")
    assert out.num_rows == 0 and "embargo_hits" in out.schema.names


def test_an_audited_engine_writes_one_batch_record(work_dir):
    e = embargo.Engine.open(work_dir, actor="python:arrow")
    before = e.screen_report("x y z")["audit_seq"]
    out = e.screen_arrow(batch(["Hikvision", "", "John Doe"]), "name", source="unit-test")
    after = e.screen_report("x y z")["audit_seq"]
    assert after == before + 2, "one record for the whole batch"
    assert out.num_rows == 3
