"""History stays readable with a rate change in it: fixed one-line rows, the details column the widest,
the full text on hover and in the details pane under the table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.events import EventDialog
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.gui.monitoring.running_session import HISTORY_DETAILS
from ketamine_desktop.state.session_store import SessionStore
from tests.gui.monitoring.test_monitoring_panel import start, tick
from tests.helpers.session_helpers import type_into


def test_history_rows_are_fixed_height_with_a_details_pane(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 20 * 60)
    running = panel.running
    assert running is not None
    running.events.buttons["rate-change"].click()
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog) and dialog.dose is not None
    type_into(qtbot, dialog.dose, "0.5")
    type_into(qtbot, dialog.by, "EF")
    dialog.confirm_button.click()
    running.tabs.setCurrentWidget(running.history_page)
    panel.show()
    qtbot.waitExposed(panel)
    table, model = running.history, running.history_model
    rate_row = next(i for i, r in enumerate(model.rows) if r.what.startswith("Rate decreased"))
    heights = {table.rowHeight(i) for i in range(model.rowCount())}
    assert len(heights) == 1 and heights.pop() <= table.fontMetrics().height() * 2
    widths = [table.columnWidth(c) for c in range(model.columnCount())]
    assert widths[HISTORY_DETAILS] == max(widths) and widths[HISTORY_DETAILS] >= 200, widths
    index = model.index(rate_row, HISTORY_DETAILS)
    full = model.rows[rate_row].what
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == full
    table.setCurrentIndex(index)
    assert full in running.history_details.text()
    assert running.history_details.isVisibleTo(panel)
