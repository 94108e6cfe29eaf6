"""Nothing moves under the pointer: the reminder banner has its place kept, so it appearing, growing to
OVERDUE or going never shifts a control."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QFrame, QPushButton, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import SessionParts
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.main_window import MainWindow
from tests.gui.monitoring.conftest import AppFactory
from tests.helpers.gui_helpers import find, text
from tests.helpers.session_helpers import fill, start_from_the_dosing_tab


def tick(parts: SessionParts, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    parts.ticker.tick()
    QApplication.processEvents()


def where(window: MainWindow, widget: QWidget) -> QPoint:
    return widget.mapTo(window, QPoint(0, 0))


def test_the_banner_showing_or_going_moves_no_button(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    tick(parts, clock, 1)  # the baseline check is due from the start: the banner shows
    assert find(window, QFrame, "alertBanner").isVisible() and text(window, "alertBannerText").startswith(
        "DUE"
    )
    buttons = [
        find(window, QPushButton, "rateChangeButton"),
        find(window, QPushButton, "stopButton"),
        find(window, QPushButton, "saveCheckButton"),
    ]
    before = [where(window, b) for b in buttons]
    tabs_at = where(window, find(window, QTabWidget, "mainTabs"))
    tick(parts, clock, 5 * 60)  # OVERDUE: larger words, same place
    assert text(window, "alertBannerText").startswith("OVERDUE")
    assert [where(window, b) for b in buttons] == before
    assert find(window, QFrame, "alertBanner").height() <= find(window, QWidget, "bannerSlot").height()
    fill(qtbot, window, sedation="1")
    find(window, QPushButton, "saveCheckButton").click()
    QApplication.processEvents()
    assert not find(
        window, QFrame, "alertBanner"
    ).isVisible()  # it went: the tabs and the event buttons stayed put
    # (the saved form itself changes below, so only what lies outside it is compared here)
    assert [where(window, b) for b in buttons[:2]] == before[:2] and where(
        window, find(window, QTabWidget, "mainTabs")
    ) == tabs_at
