"""After a restart with a running session, the patient strip and the Dosing tab show that session's
weight, protocol and regimen, read-only; once the session is closed the Monitoring tab says it ended
instead of showing the schedule planned before it, and a new plan comes only from the Dosing tab."""

from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import EventDraft
from ketamine_desktop.state.plan import SESSION_RUNNING, SetNumber
from tests.gui.monitoring.conftest import AppFactory
from tests.helpers.gui_helpers import retype
from tests.helpers.session_helpers import start_from_the_dosing_tab

PROTOCOL = "subanesthetic-infusion"


def test_a_restart_shows_the_running_sessions_weight_protocol_and_regimen_read_only(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock, library: Library
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, PROTOCOL)
    pump_rate = window.dosing.card.pump_rate.text()
    parts.ticker.stop()
    window.close()
    clock.advance(3600)
    window2, plan2, parts2 = make_app()
    name = library.protocol(PROTOCOL).name
    assert window2.strip.weight.text() == "70 kg"
    assert window2.strip.protocol.text() == name
    form = window2.dosing.form
    assert form.protocol_combo.currentData() == PROTOCOL and form.weight.text() == "70"
    assert not form.isEnabled()  # read-only while the session runs
    assert window2.dosing.card.pump_rate.text() == pump_rate
    start = window2.dosing.start_bar
    assert not start.start_button.isEnabled() and SESSION_RUNNING in start.gate_text.text()
    # Nothing can change the running regimen, not even a command sent past the disabled form.
    plan2.apply(SetNumber("weight_kg", Decimal(90)))
    assert plan2.entries.weight_kg == 70 and window2.strip.weight.text() == "70 kg"
    assert not window2.contraindications.isEnabled()
    parts2.ticker.stop()


def test_a_closed_session_leaves_the_monitoring_tab_saying_so_not_the_old_plan(
    qtbot: QtBot, make_app: AppFactory
) -> None:
    window, plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, PROTOCOL)
    assert plan.planned is None  # the running session replaced the plan it was started from
    assert parts.store.record_event(EventDraft(kind="stop"), "AB").saved
    assert parts.store.close("pain settled", "AB").saved
    tab = window.monitoring
    window.show_tab(1)
    assert "ended" in tab.summary.text() and "pain settled" in tab.summary.text()
    assert "Dosing tab" in tab.summary.text()
    assert tab.summary.isVisible() and not tab.table.isVisible() and tab.model.rowCount() == 0
    assert not tab.notice.isVisible()  # no "planned schedule" notice without a planned schedule
    # A new plan comes from the Dosing tab, which is editable again.
    assert window.dosing.form.isEnabled() and window.strip.bed.isEnabled()
    retype(qtbot, window.dosing.form.weight.edit, "72")
    assert plan.entries.weight_kg == 72
    parts.ticker.stop()
