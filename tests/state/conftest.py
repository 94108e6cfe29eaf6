"""Fixtures for the session state tests: a record in a temporary data directory, a fake clock, and a
session store over them (Qt objects are parented to nothing and deleted by the test's end)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore
from tests.helpers.builders import T0

StoreFactory = Callable[[], SessionStore]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0, monotonic_start=1000.0)


@pytest.fixture
def make_session_store(
    qapp: QApplication, library: Library, record_store: RecordStore, clock: FakeClock
) -> StoreFactory:
    """A new SessionStore over the same record each call: a restart of the state layer."""
    del qapp

    def make() -> SessionStore:
        return SessionStore(library, record_store, clock)

    return make


@pytest.fixture
def session_store(make_session_store: StoreFactory) -> SessionStore:
    return make_session_store()
