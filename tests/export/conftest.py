"""A night shift in a real record, written once per module (tests that change a record copy it first)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.export.shift import night_ledger, write


@pytest.fixture(scope="module")
def night_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("night") / "data"
    write(data, night_ledger())
    return data


@pytest.fixture
def record_copy(night_dir: Path, tmp_path: Path) -> Path:
    """A copy of the night's record that a test may change."""
    copy = tmp_path / "data"
    shutil.copytree(night_dir, copy)
    return copy


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
