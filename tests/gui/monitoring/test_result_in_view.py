"""The result is where the eyes are: after a save, the check's heading, NEWS2 and decision are inside the
visible part of the record column at 1366x768 (100% and 125% scaling) and 1920x1080 (150%), in logical
pixels as Qt lays them out; when the next check begins, the last decision and "Saved at" fold away."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import SessionParts
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.record_form import RecordCheckForm
from tests.gui.monitoring.conftest import AppFactory
from tests.helpers.gui_helpers import find, text
from tests.helpers.session_helpers import fill, start_from_the_dosing_tab

# Screen size / scaling -> the logical window size (the screen less a taskbar of about 40 px).
SIZES = {
    "1366x768 at 100%": (1366, 728),
    "1366x768 at 125%": (1093, 582),
    "1920x1080 at 150%": (1280, 693),
}


def tick(parts: SessionParts, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    parts.ticker.tick()
    QApplication.processEvents()


def in_view(running: QWidget, widget: QWidget) -> bool:
    viewport = find(running, QScrollArea, "recordScroll").viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return widget.isVisibleTo(running) and viewport.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_the_saved_result_is_in_view(qtbot: QtBot, make_app: AppFactory, clock: FakeClock, size: str) -> None:
    window, _plan, parts = make_app()
    window.resize(*SIZES[size])
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    tick(parts, clock, 1)
    running = find(window, QWidget, "runningSession")
    fill(qtbot, window, sedation="1")
    find(window, QPushButton, "saveCheckButton").click()
    QApplication.processEvents()
    assert text(window, "saveStatus").startswith("Saved at")
    assert text(window, "infusionDecision").startswith("Decision:")
    for widget in (
        find(window, QLabel, "assessmentHeading"),
        find(window, QLabel, "news2Summary"),
        find(window, QFrame, "decisionFrame"),
    ):
        assert in_view(running, widget), (size, widget.objectName())


def test_a_new_check_folds_the_last_decision_away(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    tick(parts, clock, 1)
    running = find(window, QWidget, "runningSession")
    fill(qtbot, window, sedation="1")
    find(window, QPushButton, "saveCheckButton").click()
    assert find(window, QFrame, "decisionFrame").isVisibleTo(running) and text(window, "saveStatus")
    form = find(window, RecordCheckForm, "recordCheckForm")
    target = form.target  # the check the form records (a domain reminder, not a widget)
    assert target is not None and target.status == "upcoming"
    tick(parts, clock, (target.due - clock.now()).total_seconds() + 1)  # the next check is due
    assert form.target is not None and form.target.status in ("due", "overdue")
    assert not find(window, QFrame, "decisionFrame").isVisibleTo(running) and not find(
        window, QLabel, "news2Summary"
    ).isVisibleTo(running)
    assert text(window, "assessmentHeading").startswith("Last check:") and "History" in text(
        window, "assessmentHeading"
    )
    assert text(window, "saveStatus") == ""
