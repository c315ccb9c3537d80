"""Shared fixtures for the embargo package tests.

run-tests.sh sets EMBARGO_BIN (the CLI built from this workspace) and
EMBARGO_TEST_DATA (a data directory with the official lists from ../shared
imported, or unset when ../shared is absent: those tests then skip with the
reason, and fail instead under EMBARGO_REQUIRE_SHARED=1).
"""

import os
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def shared_lists_dir():
    """The data directory with official lists, or skip (fail when required)."""
    d = os.environ.get("EMBARGO_TEST_DATA")
    if d and (pathlib.Path(d) / "embargo.sqlite").is_file():
        return d
    msg = "EMBARGO_TEST_DATA unset (../shared lists not imported): official-list tests skipped"
    if os.environ.get("EMBARGO_REQUIRE_SHARED") == "1":
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def lists_dir():
    return shared_lists_dir()


@pytest.fixture()
def work_dir(lists_dir, tmp_path):
    """A private copy of the lists data directory (tests write audit records)."""
    dst = tmp_path / "data"
    dst.mkdir()
    shutil.copy(pathlib.Path(lists_dir) / "embargo.sqlite", dst / "embargo.sqlite")
    return str(dst)


@pytest.fixture(scope="session")
def embargo_bin():
    b = os.environ.get("EMBARGO_BIN")
    if not b or not os.access(b, os.X_OK):
        pytest.fail("EMBARGO_BIN must name the embargo CLI (run-tests.sh sets it)")
    return b
