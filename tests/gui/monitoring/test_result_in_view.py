"""The result is where the eyes are: after a save, the check's heading, NEWS2 and decision are inside the
visible part of the record column at 1366x768 (100% and 125% scaling) and 1920x1080 (150%), in logical
pixels as Qt lays them out; when the next check begins, the last decision and "Saved at" fold away."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import SessionParts
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.running_session import RunningSession
from tests.gui.monitoring.conftest import AppFactory
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


def in_view(running: RunningSession, widget: QWidget) -> bool:
    viewport = running.record_scroll.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return widget.isVisibleTo(running) and viewport.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_the_saved_result_is_in_view(qtbot: QtBot, make_app: AppFactory, clock: FakeClock, size: str) -> None:
    window, _plan, parts = make_app()
    window.resize(*SIZES[size])
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    tick(parts, clock, 1)
    running = parts.panel.running
    assert running is not None
    fill(qtbot, running.form, sedation="1")
    running.form.save_button.click()
    QApplication.processEvents()
    view = running.assessment
    assert running.form.message.text().startswith("Saved at")
    assert view.decision.text().startswith("Decision:")
    for widget in (view.heading, view.news2, view.decision_frame):
        assert in_view(running, widget), (size, widget.objectName())


def test_a_new_check_folds_the_last_decision_away(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    tick(parts, clock, 1)
    running = parts.panel.running
    assert running is not None
    fill(qtbot, running.form, sedation="1")
    running.form.save_button.click()
    view = running.assessment
    assert view.decision_frame.isVisibleTo(running) and running.form.message.text()
    target = running.form.target
    assert target is not None and target.status == "upcoming"
    tick(parts, clock, (target.due - clock.now()).total_seconds() + 1)  # the next check is due
    assert running.form.target is not None and running.form.target.status in ("due", "overdue")
    assert not view.decision_frame.isVisibleTo(running) and not view.news2.isVisibleTo(running)
    assert view.heading.text().startswith("Last check:") and "History" in view.heading.text()
    assert running.form.message.text() == ""
