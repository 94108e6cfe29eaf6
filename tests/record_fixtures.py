"""The record-store fixtures the state and monitoring-GUI tests share (imported by their conftests)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ketamine_desktop.store import RecordStore


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
def records(data_dir: Path) -> Iterator[RecordStore]:
    with RecordStore.open(data_dir) as opened:
        yield opened
