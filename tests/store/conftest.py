"""The record store tests use a data directory on disk (permissions, fsync and WAL files are what they
test), not the one in RAM the other directories share; `record_store` (tests/helpers/fixtures.py) opens it."""

from pathlib import Path

import pytest


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
