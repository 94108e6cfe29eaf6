"""History stays readable with a rate change in it: fixed one-line rows, the details column the widest,
the full text on hover and in the details pane under the table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.gui.monitoring.running_session import HISTORY_DETAILS
from ketamine_desktop.state.session_store import SessionStore
from tests.gui.monitoring.test_monitoring_panel import start, tick
from tests.helpers.gui_helpers import find, open_dialog, select_tab, text
from tests.helpers.session_helpers import type_into


def test_history_rows_are_fixed_height_with_a_details_pane(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 20 * 60)
    find(panel, QPushButton, "rateChangeButton").click()
    dialog = open_dialog(panel, "eventDialog")
    type_into(qtbot, find(dialog, QLineEdit, "newDoseField"), "0.5")
    type_into(qtbot, find(dialog, QLineEdit, "eventByField"), "EF")
    find(dialog, QPushButton, "confirmEventButton").click()
    select_tab(panel, "sessionTabs", "History")
    panel.show()
    qtbot.waitExposed(panel)
    table = find(panel, QTableView, "historyTable")
    model: Any = table.model()  # its rows: the model's public API
    rate_row = next(i for i, r in enumerate(model.rows) if r.what.startswith("Rate decreased"))
    heights = {table.rowHeight(i) for i in range(model.rowCount())}
    assert len(heights) == 1 and heights.pop() <= table.fontMetrics().height() * 2
    widths = [table.columnWidth(c) for c in range(model.columnCount())]
    assert widths[HISTORY_DETAILS] == max(widths) and widths[HISTORY_DETAILS] >= 200, widths
    index = model.index(rate_row, HISTORY_DETAILS)
    full = model.rows[rate_row].what
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == full
    table.setCurrentIndex(index)
    assert full in text(panel, "historyDetails")
    assert find(panel, QLabel, "historyDetails").isVisibleTo(panel)
