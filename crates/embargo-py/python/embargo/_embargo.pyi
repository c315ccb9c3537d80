"""Type stubs for Embargo's native module."""

import datetime
import os
from typing import Any, Dict, List, Optional, Sequence, Union

import pyarrow

__version__: str

_Date = Union[str, datetime.date]
_Strings = Union[str, Sequence[str]]

class EmbargoError(Exception):
    """An error from the Embargo engine; the message names the field, file or dataset at fault."""

class UndecidedWarning(UserWarning):
    """A screen that cannot vouch for the absence of a party: an empty result is not a clear."""

class Engine:
    """A screening engine: the loaded lists and, when opened on a data directory, its audit log."""

    @staticmethod
    def open(data_dir: Optional[Union[str, "os.PathLike[str]"]] = None, *, actor: Optional[str] = None) -> "Engine":
        """Opens a data directory (audited), or with None the embedded regime pack alone (not audited)."""
    @staticmethod
    def open_unaudited(data_dir: Union[str, "os.PathLike[str]"]) -> "Engine":
        """Opens the lists of an existing data directory without its audit log (read-only use)."""
    @staticmethod
    def from_snapshot(path: Union[str, "os.PathLike[str]"]) -> "Engine":
        """Opens a snapshot file (`embargo snapshot export FILE`) or a data directory (as open_unaudited); not audited."""
    @property
    def audited(self) -> bool: ...
    @property
    def data_dir(self) -> Optional[str]: ...
    @property
    def pack_only(self) -> bool: ...
    @property
    def list_versions(self) -> List[str]: ...
    @property
    def datasets(self) -> List[str]: ...
    @property
    def actor(self) -> str: ...
    def screen(
        self,
        name: str,
        schema: Optional[str] = None,
        countries: Optional[_Strings] = None,
        dob: Optional[_Date] = None,
        ids: Optional[_Strings] = None,
        threshold: Optional[float] = None,
        as_of: Optional[_Date] = None,
        *,
        limit: Optional[int] = None,
        datasets: Optional[List[str]] = None,
        algorithm: Optional[str] = None,
        family_name: Optional[str] = None,
    ) -> List[Dict[str, Any]]:
        """Screens one name: hit dicts, best first (the `results` rows of `embargo screen --json`)."""
    def screen_report(
        self,
        name: str,
        schema: Optional[str] = None,
        countries: Optional[_Strings] = None,
        dob: Optional[_Date] = None,
        ids: Optional[_Strings] = None,
        threshold: Optional[float] = None,
        as_of: Optional[_Date] = None,
        *,
        limit: Optional[int] = None,
        datasets: Optional[List[str]] = None,
        algorithm: Optional[str] = None,
        family_name: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Screens one name: the whole `embargo screen --json` document, plus `audited` and `audit_seq`."""
    def decide(self, transaction: Union[Dict[str, Any], str]) -> Dict[str, Any]:
        """Decides a transaction: the `embargo decide --json` document (docs/json.md), with `decision_text` and `audit_seq` (0 when not audited)."""
    def record_batch(
        self,
        source: str,
        name_col: str,
        schema_col: Optional[str],
        country_col: Optional[str],
        dob_col: Optional[str],
        summary: Dict[str, int],
        *,
        threshold: Optional[float] = None,
        datasets: Optional[List[str]] = None,
    ) -> int:
        """Writes the audit record of a batch screened elsewhere (Spark executors); returns its number."""
    def screen_arrow(
        self,
        batch: pyarrow.RecordBatch,
        name_col: str,
        schema_col: Optional[str] = None,
        country_col: Optional[str] = None,
        dob_col: Optional[str] = None,
        *,
        threshold: Optional[float] = None,
        limit: Optional[int] = None,
        datasets: Optional[List[str]] = None,
        source: Optional[str] = None,
    ) -> pyarrow.RecordBatch:
        """Screens every row; returns the batch plus embargo_best, embargo_hits, embargo_note, embargo_warned."""

def pack_version() -> str:
    """The embedded regime pack's `dataset@version`."""

def default_data_dir() -> str:
    """The platform's default Embargo data directory."""
