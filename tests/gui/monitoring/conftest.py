"""Fixtures for the running-session GUI tests: a record in RAM, the session store on the fake clock of
tests/gui/conftest.py, a silent sound player, and the monitoring panel on its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import SessionParts, attach_session, build_main_window, connect_panel_commands
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.state.plan import PlanStore
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.state.settings import ViewSettings
from ketamine_desktop.store import RecordStore


class QuietPlayer:
    """Plays nothing, says it did (counts the chimes)."""

    name = "test player"

    def __init__(self) -> None:
        self.plays = 0

    def play(self, path: Path) -> bool:
        del path
        self.plays += 1
        return True

    def working(self) -> bool:
        return True


@pytest.fixture
def session_store(library: Library, record_store: RecordStore, clock: FakeClock) -> SessionStore:
    return SessionStore(library, record_store, clock)


@pytest.fixture
def panel(qtbot: QtBot, library: Library, session_store: SessionStore) -> MonitoringPanel:
    widget = MonitoringPanel(library, session_store)
    session_store.changed.connect(widget.show_session)
    connect_panel_commands(widget, session_store)  # as app.py connects it
    qtbot.addWidget(widget)
    widget.resize(1300, 900)
    return widget


@pytest.fixture
def player() -> QuietPlayer:
    return QuietPlayer()


App = tuple[MainWindow, PlanStore, SessionParts]
AppFactory = Callable[[], App]


@pytest.fixture
def make_app(
    qtbot: QtBot,
    qapp: QApplication,
    library: Library,
    settings_path: Path,
    clock: FakeClock,
    record_store: RecordStore,
    player: QuietPlayer,
) -> AppFactory:
    """The app object as app.py builds it, over one record: calling it again is a restart."""

    def make() -> App:
        window, plan = build_main_window(qapp, library, ViewSettings(settings_path), clock)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        parts = attach_session(window, plan, library, record_store, clock, player, start_ticker=False)
        window.show()
        qtbot.waitExposed(window)
        parts.ticker.start()
        return window, plan, parts

    return make
