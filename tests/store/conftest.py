"""Fixtures for the record store tests: a fresh store in a temporary data directory."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from ketamine_desktop.store import RecordStore


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[RecordStore]:
    with RecordStore.open(data_dir) as opened:
        yield opened
