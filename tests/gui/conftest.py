"""GUI test fixtures: the real main window on a fake clock, with settings isolated in a temporary file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import build_main_window
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.state.plan import PlanStore
from ketamine_desktop.state.settings import ViewSettings
from tests.helpers.gui_helpers import WindowFactory

# The offscreen platform says this once per shown top-level window; it is about the platform plugin, not
# about our code, and every other Qt warning still fails the test.
_OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"
START = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.qt_log_ignore(_OFFSCREEN_NOISE))


@pytest.fixture
def comma_locale() -> Iterator[None]:
    """A decimal-comma locale (de_DE) from before the window is built, as on a German ward computer."""
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield
    QLocale.setDefault(previous)


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def make_window(
    qtbot: QtBot, qapp: QApplication, library: Library, settings_path: Path, clock: FakeClock
) -> WindowFactory:
    """Build a real, wired main window (closed by qtbot at the end of the test)."""

    def make() -> tuple[MainWindow, PlanStore]:
        window, plan = build_main_window(qapp, library, ViewSettings(settings_path), clock)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        return window, plan

    return make


@pytest.fixture
def window_and_plan(make_window: WindowFactory) -> tuple[MainWindow, PlanStore]:
    return make_window()


@pytest.fixture
def window(window_and_plan: tuple[MainWindow, PlanStore]) -> MainWindow:
    return window_and_plan[0]


@pytest.fixture
def plan_store(window_and_plan: tuple[MainWindow, PlanStore]) -> PlanStore:
    return window_and_plan[1]
