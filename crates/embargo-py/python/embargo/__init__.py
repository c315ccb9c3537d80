"""Embargo: sanctions and export-control screening, from Python.

The engine is Embargo's Rust library (the same code as the ``embargo`` CLI and
HTTP server); this package only translates.

    >>> import embargo
    >>> engine = embargo.Engine.open()          # the embedded regime pack only
    >>> engine.screen("Hikvision")[0]["caption"]
    >>> engine = embargo.Engine.open("/var/lib/embargo")   # lists + audit log

* ``Engine.open(data_dir)``: a data directory filled by ``embargo update`` or
  ``embargo lists import``; every screen and decision is audited there.
  ``Engine.open()`` with no directory screens the embedded Xinjiang regime
  pack alone and says so (``engine.pack_only``, the notes of
  ``screen_report``).
* ``Engine.screen(name, ...)`` -> list of hit dicts (the ``results`` rows of
  ``embargo screen --json``); ``Engine.screen_report`` -> the whole document.
* ``Engine.decide(transaction)`` -> the decision document of
  ``embargo decide --json``.
* ``Engine.screen_arrow(batch, name_col, ...)`` -> the batch with hit columns.
* ``embargo.spark.screen(df, ...)`` screens a Spark DataFrame.

Errors raise :class:`EmbargoError` with the engine's message.
"""

from ._embargo import (
    EmbargoError,
    Engine,
    UndecidedWarning,
    __version__,
    default_data_dir,
    pack_version,
)

__all__ = [
    "EmbargoError",
    "Engine",
    "UndecidedWarning",
    "__version__",
    "default_data_dir",
    "pack_version",
]
