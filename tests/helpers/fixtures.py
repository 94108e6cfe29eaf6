"""The fixtures every test directory shares (loaded for the whole suite by tests/conftest.py).

- `library`: the app's own default library, loaded once per run (the same object as
  `tests.helpers.builders.library()`), approved by its SHA-256 file as the app requires.
- `data_dir`: a fresh data directory, in RAM where possible (tests/store overrides it with one on disk).
- `record_store`: the record store opened on `data_dir`, closed after the test.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ketamine_desktop.domain.library import Library
from ketamine_desktop.store import RecordStore
from tests.helpers import builders


@pytest.fixture(scope="session")
def library() -> Library:
    return builders.library()


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """In RAM where possible: each append waits for fsync, which the durability recipes test elsewhere."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        yield tmp_path / "data"
        return
    with tempfile.TemporaryDirectory(dir=shm) as folder:
        yield Path(folder) / "data"


@pytest.fixture
def record_store(data_dir: Path) -> Iterator[RecordStore]:
    with RecordStore.open(data_dir) as opened:
        yield opened
