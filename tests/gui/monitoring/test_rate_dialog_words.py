"""The rate-change dialog: the new mL/h is its largest text, no literal "&", every finding's message shown
whole, and a warning's reason is asked for "to record this" (not "at Start")."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.state.session_store import SessionStore
from tests.gui.monitoring.test_monitoring_panel import start, tick
from tests.helpers.gui_helpers import find, finding_code, finding_rows, open_dialog, text
from tests.helpers.session_helpers import type_into


def open_rate_dialog(panel: MonitoringPanel) -> QDialog:
    find(panel, QPushButton, "rateChangeButton").click()
    return open_dialog(panel, "eventDialog")


def test_the_new_rate_is_the_largest_text_and_the_words_are_right(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 20 * 60)
    dialog = open_rate_dialog(panel)
    # An "&" is a keyboard mnemonic only on a label with a buddy; without one it is painted as typed.
    literal = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.isVisibleTo(dialog) and "&" in label.text() and label.buddy() is None
    ]
    assert not literal
    dose = find(dialog, QLineEdit, "newDoseField")
    type_into(qtbot, dose, "1.5")  # an increase within the lockout: a warning
    assert text(dialog, "newRateValue") == "New rate: 6.3 mL/h"
    assert "30px" in find(dialog, QLabel, "newRateValue").styleSheet()
    words = [text(row, "noteWord") for row in finding_rows(dialog)]
    assert words and all("at Start" not in w for w in words)
    assert any(w == "Warning: reason needed to record this" for w in words)
    type_into(qtbot, dose, "x")
    assert text(dialog, "newRateValue") == "New rate: \u2014"  # nothing stale stays large


def test_a_mixup_message_is_shown_whole(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 20 * 60)
    dialog = open_rate_dialog(panel)
    dose = find(dialog, QLineEdit, "newDoseField")
    type_into(qtbot, dose, "60")  # 60 mcg/kg/min: a probable mg/kg/h slip
    rows = finding_rows(dialog)
    assert any(finding_code(row) == "unit-mixup" for row in rows)
    assert text(dialog, "newRateValue") == "New rate: \u2014 (blocked by a hard limit)"  # never large
    qtbot.wait(1)
    for row in rows:
        message = find(row, QLabel, "noteMessage")
        # Every line of the wrapped message fits inside the row and the row inside the dialog.
        assert message.height() >= message.heightForWidth(message.width())
        bottom = row.mapTo(dialog, row.rect().bottomLeft()).y()
        assert bottom <= dialog.height(), (bottom, dialog.height())
    # "Use 1 mcg/kg/min instead" puts the likely dose in.
    find(dialog, QPushButton, "useSuggestionButton").click()
    assert dose.text() == "1"
    assert not any(finding_code(row) == "unit-mixup" for row in finding_rows(dialog))
