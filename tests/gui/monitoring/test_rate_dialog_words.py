"""The rate-change dialog: the new mL/h is its largest text, no literal "&", every finding's message shown
whole, and a warning's reason is asked for "to record this" (not "at Start")."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.events import EventDialog
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.state.session_store import SessionStore
from tests.gui.monitoring.test_monitoring_panel import start, tick
from tests.helpers.session_helpers import type_into


def open_rate_dialog(panel: MonitoringPanel) -> EventDialog:
    running = panel.running
    assert running is not None
    running.events.buttons["rate-change"].click()
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog) and dialog.dose is not None
    return dialog


def test_the_new_rate_is_the_largest_text_and_the_words_are_right(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 20 * 60)
    dialog = open_rate_dialog(panel)
    # An "&" is a keyboard mnemonic only on a label with a buddy; without one it is painted as typed.
    literal = [
        label.text()
        for label in dialog.findChildren(type(dialog.summary))
        if label.isVisibleTo(dialog) and "&" in label.text() and label.buddy() is None
    ]
    assert not literal
    assert dialog.dose is not None
    type_into(qtbot, dialog.dose, "1.5")  # an increase within the lockout: a warning
    assert dialog.new_rate.text() == "New rate: 6.3 mL/h"
    assert "30px" in dialog.new_rate.styleSheet()
    words = [row.word.text() for row in dialog.findings.rows]
    assert words and all("at Start" not in w for w in words)
    assert any(w == "Warning: reason needed to record this" for w in words)
    type_into(qtbot, dialog.dose, "x")
    assert dialog.new_rate.text() == "New rate: \u2014"  # nothing stale stays large


def test_a_mixup_message_is_shown_whole(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 20 * 60)
    dialog = open_rate_dialog(panel)
    assert dialog.dose is not None
    type_into(qtbot, dialog.dose, "60")  # 60 mcg/kg/min: a probable mg/kg/h slip
    rows = dialog.findings.rows
    assert any(row.finding.code == "unit-mixup" for row in rows)
    assert dialog.new_rate.text() == "New rate: \u2014 (blocked by a hard limit)"  # never large
    qtbot.wait(1)
    for row in rows:
        message = row.message
        # Every line of the wrapped message fits inside the row and the row inside the dialog.
        assert message.height() >= message.heightForWidth(message.width())
        bottom = row.mapTo(dialog, row.rect().bottomLeft()).y()
        assert bottom <= dialog.height(), (bottom, dialog.height())
    # "Use 1 mcg/kg/min instead" puts the likely dose in.
    buttons = dialog.findings.suggestion_buttons()
    assert buttons
    buttons[0].click()
    assert dialog.dose is not None and dialog.dose.text() == "1"
    assert not any(row.finding.code == "unit-mixup" for row in dialog.findings.rows)
