"""Fixtures for the session state tests: a record in a temporary data directory, a fake clock, and a
session store over them (Qt objects are parented to nothing and deleted by the test's end)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore
from tests.state.builders import T0, library

StoreFactory = Callable[[], SessionStore]


@pytest.fixture
def lib() -> Library:
    return library()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0, monotonic_start=1000.0)


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


@pytest.fixture
def make_store(qapp: QApplication, lib: Library, records: RecordStore, clock: FakeClock) -> StoreFactory:
    """A new SessionStore over the same record each call: a restart of the state layer."""
    del qapp

    def make() -> SessionStore:
        return SessionStore(lib, records, clock)

    return make


@pytest.fixture
def store(make_store: StoreFactory) -> SessionStore:
    return make_store()
