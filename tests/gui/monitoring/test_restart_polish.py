"""After a restart with a running session, the patient strip and the Dosing tab show that session's
weight, protocol and regimen, read-only; once the session is closed the Monitoring tab says it ended
instead of showing the schedule planned before it, and a new plan comes only from the Dosing tab."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QScrollArea, QTableView, QWidget
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import EventDraft
from ketamine_desktop.state.plan import SESSION_RUNNING, SetNumber
from tests.gui.monitoring.conftest import AppFactory
from tests.helpers.gui_helpers import find, retype, text
from tests.helpers.session_helpers import start_from_the_dosing_tab

PROTOCOL = "subanesthetic-infusion"


def test_a_restart_shows_the_running_sessions_weight_protocol_and_regimen_read_only(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock, library: Library
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, PROTOCOL)
    pump_rate = text(window, "pumpRateValue")
    parts.ticker.stop()
    window.close()
    clock.advance(3600)
    window2, plan2, parts2 = make_app()
    name = library.protocol(PROTOCOL).name
    assert text(window2, "stripWeight") == "70 kg"
    assert text(window2, "stripProtocol") == name
    assert find(window2, QComboBox, "protocolCombo").currentData() == PROTOCOL
    assert find(window2, QLineEdit, "weightField").text() == "70"
    assert not find(window2, QWidget, "dosingForm").isEnabled()  # read-only while the session runs
    assert text(window2, "pumpRateValue") == pump_rate
    assert not find(window2, QPushButton, "startButton").isEnabled()
    assert SESSION_RUNNING in text(window2, "startGateText")
    # Nothing can change the running regimen, not even a command sent past the disabled form.
    plan2.apply(SetNumber("weight_kg", Decimal(90)))
    assert plan2.entries.weight_kg == 70 and text(window2, "stripWeight") == "70 kg"
    # The Contraindications tab shows the answers the session was started with, from its record, and no
    # form that could be taken for them.
    window2.show_tab(2)
    tab = find(window2, QWidget, "contraindicationsTab")
    assert find(tab, QScrollArea, "contraindicationsScroll").isHidden()
    assert text(tab, "screeningResult").startswith(
        "The running infusion was started with these answers (read-only"
    )
    recorded = {
        item.id: find(tab, QLabel, f"recorded_{item.id}_status")
        for item in library.document.contraindications
    }
    assert {label.text() for label in recorded.values()} == {"Not present."}
    assert all(label.isVisible() for label in recorded.values())
    parts2.ticker.stop()


def test_a_closed_session_leaves_the_monitoring_tab_saying_so_not_the_old_plan(
    qtbot: QtBot, make_app: AppFactory
) -> None:
    window, plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, PROTOCOL)
    assert plan.planned is None  # the running session replaced the plan it was started from
    assert parts.store.record_event(EventDraft(kind="stop"), "AB").saved
    assert parts.store.close("pain settled", "AB").saved
    window.show_tab(1)
    summary = text(window, "planSummary")
    assert "ended" in summary and "pain settled" in summary
    assert "Dosing tab" in summary
    table = find(window, QTableView, "plannedScheduleTable")
    assert (
        find(window, QLabel, "planSummary").isVisible()
        and not table.isVisible()
        and table.model().rowCount() == 0
    )
    assert not find(window, QLabel, "planNotice").isVisible()  # no "planned schedule" notice without one
    # A new plan comes from the Dosing tab, which is editable again.
    assert find(window, QWidget, "dosingForm").isEnabled() and find(window, QLineEdit, "bedField").isEnabled()
    retype(qtbot, find(window, QLineEdit, "weightField"), "72")
    assert plan.entries.weight_kg == 72
    parts.ticker.stop()
