"""Screen a Spark DataFrame with Embargo, inside the executors.

    from embargo.spark import screen
    hits = screen(customers, name_col="name", country_col="country",
                  data_dir="/dbfs/embargo")          # or a path on shared storage
    hits.filter("embargo_best IS NOT NULL").show()

:func:`screen` returns the DataFrame with four columns added (the columns of
:meth:`embargo.Engine.screen_arrow`):

* ``embargo_best``: struct of the best hit, null when none;
* ``embargo_hits``: array of every hit, best first: ``entity_id``,
  ``subject_id`` (the consolidated party), ``score``, ``caption``,
  ``matched_name``, ``source`` (dataset), ``list``, ``programs``,
  ``record_ids``;
* ``embargo_note``: why a row was not screened (empty or unusable name),
  else null. Such a row is never a clear;
* ``embargo_warned``: an optional column's value could not be read.

It runs with ``mapInArrow``: each Python worker loads the engine once (a
module-level cache, kept while Spark reuses the worker) and screens whole
Arrow batches in Rust, without turning strings into Python objects.

Where the lists come from:

* ``data_dir=``: an Embargo data directory. With ``ship=True`` (default) the
  driver copies its list store (``embargo.sqlite`` only, never the audit log
  or its signing key) with SQLite's backup API and sends it to every
  executor with ``SparkContext.addFile``. With ``ship=False`` the path must
  be readable from every executor (DBFS, EFS, a mounted volume).
* ``snapshot=``: a snapshot file written by ``embargo snapshot export FILE``
  (the indexed, consolidated lists in one checksummed file that executors
  memory-map: no index build per worker). With ``ship=True`` (default) it is
  sent to every executor with ``SparkContext.addFile``; with ``ship=False``
  the path must be readable from every executor. A data directory path
  works as ``data_dir`` with ``ship=False``.
* neither: the embedded regime pack alone, with a warning: import the
  official lists for a full screen.

Executors open the lists read-only and write no audit record. Call
:func:`audit` on the result to write the batch's one audit record (row and
hit counts) to the driver's data directory, as ``embargo batch`` does.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
import warnings
from typing import Any, Dict, Iterator, List, Optional

from ._embargo import EmbargoError, Engine

__all__ = ["screen", "audit", "hit_struct_type", "result_fields"]

# One engine per Python worker process, keyed by where its lists come from.
_ENGINES: Dict[tuple, Engine] = {}

#: Columns screen() adds.
RESULT_COLUMNS = ("embargo_best", "embargo_hits", "embargo_note", "embargo_warned")


def hit_struct_type():
    """The Spark type of one hit (``embargo_best`` and the items of ``embargo_hits``)."""
    from pyspark.sql.types import (
        ArrayType,
        DoubleType,
        StringType,
        StructField,
        StructType,
    )

    return StructType(
        [
            StructField("entity_id", StringType(), True),
            StructField("subject_id", StringType(), True),
            StructField("score", DoubleType(), True),
            StructField("caption", StringType(), True),
            StructField("matched_name", StringType(), True),
            StructField("source", StringType(), True),
            StructField("list", StringType(), True),
            StructField("programs", ArrayType(StringType(), True), True),
            StructField("record_ids", ArrayType(StringType(), True), True),
        ]
    )


def result_fields():
    """The Spark fields screen() appends."""
    from pyspark.sql.types import ArrayType, BooleanType, StringType, StructField

    hit = hit_struct_type()
    return [
        StructField("embargo_best", hit, True),
        StructField("embargo_hits", ArrayType(hit, True), True),
        StructField("embargo_note", StringType(), True),
        StructField("embargo_warned", BooleanType(), True),
    ]


def _engine(kind: str, path: Optional[str], threads: Optional[int]) -> Engine:
    """The worker's engine for (kind, path), loaded on first use."""
    key = (kind, path)
    engine = _ENGINES.get(key)
    if engine is not None:
        return engine
    if threads:
        # Each Spark task slot is one Python worker: one screening thread
        # each unless told otherwise (read by the thread pool on first use).
        os.environ.setdefault("RAYON_NUM_THREADS", str(threads))
    if kind == "pack":
        engine = Engine.open()
    elif kind == "shipped":
        from pyspark import SparkFiles

        engine = Engine.open_unaudited(_unpack_shipped(SparkFiles.get(path)))
    elif kind == "dir":
        engine = Engine.open_unaudited(path)
    elif kind == "snapshot":
        engine = Engine.from_snapshot(path)
    elif kind == "shipped_snapshot":
        from pyspark import SparkFiles

        engine = Engine.from_snapshot(SparkFiles.get(path))
    else:  # pragma: no cover - internal
        raise EmbargoError(f"unknown engine source {kind!r}")
    _ENGINES[key] = engine
    return engine


def _unpack_shipped(file: str) -> str:
    """A data directory holding the shipped list store (a link or copy)."""
    target = file + ".d"
    db = os.path.join(target, "embargo.sqlite")
    if not os.path.exists(db):
        tmp = tempfile.mkdtemp(prefix=".embargo-", dir=os.path.dirname(file))
        try:
            os.link(file, os.path.join(tmp, "embargo.sqlite"))
        except OSError:
            shutil.copyfile(file, os.path.join(tmp, "embargo.sqlite"))
        try:
            os.rename(tmp, target)
        except OSError:
            # Another worker on this executor got there first.
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _ship(spark, data_dir: str) -> str:
    """Copies the data directory's list store (consistently, with SQLite's
    backup API) and adds it to the Spark job; returns its SparkFiles name."""
    src = os.path.join(data_dir, "embargo.sqlite")
    if not os.path.isfile(src):
        raise EmbargoError(
            f"{data_dir} is not an Embargo data directory (no embargo.sqlite): import lists there first"
        )
    name = f"embargo-lists-{uuid.uuid4().hex}.sqlite"
    staging = tempfile.mkdtemp(prefix="embargo-ship-")
    dst = os.path.join(staging, name)
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as s, sqlite3.connect(dst) as d:
        s.backup(d)
    spark.sparkContext.addFile(dst)
    return name


def screen(
    df,
    name_col: str,
    schema_col: Optional[str] = None,
    country_col: Optional[str] = None,
    dob_col: Optional[str] = None,
    *,
    data_dir: Optional[str] = None,
    snapshot: Optional[str] = None,
    ship: bool = True,
    threshold: Optional[float] = None,
    limit: Optional[int] = None,
    datasets: Optional[List[str]] = None,
    threads_per_worker: Optional[int] = 1,
):
    """Screens every row of ``df`` and returns it with the hit columns.

    ``name_col`` (and the optional ``schema_col``, ``country_col``,
    ``dob_col``) must be string columns. ``threshold`` (default 0.75),
    ``limit`` (hits per row, default 10) and ``datasets`` are as for
    ``embargo batch``. See the module documentation for ``data_dir``,
    ``snapshot`` and ``ship``. The screen is lazy, like any transformation.
    """
    from pyspark.sql.types import StructType

    for c in RESULT_COLUMNS:
        if c in df.columns:
            raise EmbargoError(f"`{c}`: the DataFrame already has this column; drop or rename it first")
    for field, col in (("name_col", name_col), ("schema_col", schema_col),
                       ("country_col", country_col), ("dob_col", dob_col)):
        if col is not None and col not in df.columns:
            raise EmbargoError(
                f"`{field}`: column {col!r} not found; the DataFrame has: {', '.join(df.columns)}"
            )
    if data_dir is not None and snapshot is not None:
        raise EmbargoError("pass data_dir or snapshot, not both")
    spark = df.sparkSession
    if snapshot is not None:
        if os.path.isdir(snapshot):
            kind, path = "dir", snapshot
        else:
            # A damaged or incompatible file fails here, on the driver,
            # with the engine's own message.
            Engine.from_snapshot(snapshot)
            if ship:
                spark.sparkContext.addFile(snapshot)
                kind, path = "shipped_snapshot", os.path.basename(snapshot)
            else:
                kind, path = "snapshot", snapshot
    elif data_dir is not None:
        if ship:
            kind, path = "shipped", _ship(spark, data_dir)
        else:
            kind, path = "dir", data_dir
    else:
        warnings.warn(
            "embargo.spark.screen without data_dir or snapshot screens the embedded regime pack "
            "alone: import the official lists into a data directory for a full screen",
            stacklevel=2,
        )
        kind, path = "pack", None
    schema = StructType(list(df.schema.fields) + result_fields())
    opts: Dict[str, Any] = {"threshold": threshold, "limit": limit, "datasets": datasets}
    threads = threads_per_worker

    def screen_batches(batches: Iterator[Any]) -> Iterator[Any]:
        engine = _engine(kind, path, threads)
        for batch in batches:
            yield engine.screen_arrow(
                batch, name_col, schema_col, country_col, dob_col, source="spark", **opts
            )

    return df.mapInArrow(screen_batches, schema)


def audit(
    result,
    data_dir: str,
    name_col: str,
    schema_col: Optional[str] = None,
    country_col: Optional[str] = None,
    dob_col: Optional[str] = None,
    *,
    source: str = "spark",
    threshold: Optional[float] = None,
    datasets: Optional[List[str]] = None,
    actor: Optional[str] = None,
) -> Dict[str, int]:
    """Counts a screened DataFrame (one Spark job) and writes the batch's
    audit record to ``data_dir`` (the same record as ``embargo batch``:
    the columns, threshold, datasets and the row counts). Returns the
    summary with ``audit_seq``. Pass the same column names and threshold
    as to :func:`screen`.
    """
    from pyspark.sql import functions as F

    row = result.agg(
        F.count(F.lit(1)).alias("rows"),
        F.count("embargo_best").alias("rows_with_hits"),
        F.count("embargo_note").alias("rows_not_screened"),
        F.sum(F.col("embargo_warned").cast("long")).alias("rows_with_warnings"),
    ).collect()[0]
    summary = {k: int(row[k] or 0) for k in ("rows", "rows_with_hits", "rows_not_screened", "rows_with_warnings")}
    engine = Engine.open(data_dir, actor=actor)
    summary["audit_seq"] = engine.record_batch(
        source, name_col, schema_col, country_col, dob_col, summary,
        threshold=threshold, datasets=datasets,
    )
    return summary
