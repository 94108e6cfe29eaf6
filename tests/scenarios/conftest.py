"""Whole-shift scenarios: the `nurse` fixture is the real, wired main window on a fake clock over a
temporary data directory, driven and read through `tests/scenarios/nurse.py` (see its docstring)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from tests.scenarios.nurse import START, Nurse

# The offscreen platform says this once per shown top-level window; every other Qt warning fails the test.
_OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.qt_log_ignore(_OFFSCREEN_NOISE))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def nurse(
    qtbot: QtBot, qapp: QApplication, library: Library, clock: FakeClock, data_dir: Path, tmp_path: Path
) -> Iterator[Nurse]:
    """The app opened on a fresh data directory (settings isolated); closed, and its record too, after."""
    driver = Nurse(qtbot, qapp, library, clock, data_dir, tmp_path / "settings.ini")
    driver.open()
    try:
        yield driver
    finally:
        driver.close()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
