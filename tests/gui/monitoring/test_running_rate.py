"""The rate on screen is the rate running: the Dosing card and glance mode follow a rate change made on the
Monitoring tab at once, say when and why it was set, and a card that is not running says "proposal"."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.events import EventDialog
from ketamine_desktop.gui.monitoring.words import clock_time
from tests.gui.monitoring.conftest import AppFactory
from tests.gui.test_gui_decimal_mark import marks_on_screen
from tests.helpers.gui_helpers import answer_screening, choose_protocol, retype
from tests.helpers.session_helpers import start_from_the_dosing_tab, type_into


def test_a_plan_is_a_proposal_not_running(qtbot: QtBot, make_app: AppFactory) -> None:
    window, _plan, _parts = make_app()
    answer_screening(window)
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, window.dosing.form.weight.edit, "70")
    card = window.dosing.card
    assert card.rate_status.isVisibleTo(window)
    assert card.rate_status.text() == "Proposal - not running"


def test_dosing_and_glance_show_the_rate_running_after_a_rate_change(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "subanesthetic-infusion")
    card = window.dosing.card
    started = card.pump_rate.text()
    assert card.rate_status.text().startswith("RUNNING NOW · set ")
    assert "(at the start)" in card.rate_status.text()

    clock.advance(20 * 60)
    running = parts.panel.running
    assert running is not None
    running.events.buttons["rate-change"].click()
    dialog = parts.panel.dialog
    assert isinstance(dialog, EventDialog) and dialog.dose is not None
    type_into(qtbot, dialog.dose, "0.5")
    if dialog.reason.isVisibleTo(dialog):
        type_into(qtbot, dialog.reason, "drowsy")
    type_into(qtbot, dialog.by, "EF")
    assert dialog.confirm_button.isEnabled(), dialog.message.text()
    dialog.confirm_button.click()

    new_rate = running.header.rate.text()
    assert new_rate != started
    # The Dosing tab, without a restart: the new rate, when and why.
    window.show_tab(0)
    assert card.pump_rate.text() == new_rate
    changed_at = clock_time(clock.now())
    assert card.rate_status.text().startswith(f"RUNNING NOW · set {changed_at} (rate decrease")
    assert plan.running is not None and plan.running.change == "rate-decrease"
    # Glance mode shows the same card, the same running rate.
    window.glance_action.trigger()
    assert not window.dosing.form_scroll.isVisibleTo(window)
    assert card.pump_rate.isVisibleTo(window) and card.pump_rate.text() == new_rate
    assert card.rate_status.isVisibleTo(window)


def test_a_pause_shows_on_the_dosing_card(qtbot: QtBot, make_app: AppFactory) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "subanesthetic-infusion")
    running = parts.panel.running
    assert running is not None
    running.events.buttons["pause"].click()
    dialog = parts.panel.dialog
    assert isinstance(dialog, EventDialog)
    type_into(qtbot, dialog.by, "EF")
    dialog.confirm_button.click()
    assert window.dosing.card.rate_status.text().startswith("PAUSED · set ")


def test_the_monitoring_tab_uses_the_comma_of_a_comma_locale(
    qtbot: QtBot, comma_locale: None, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    running = parts.panel.running
    assert running is not None
    assert "0,06 mg/kg/h = 1 mcg/kg/min" in running.header.dose.text()
    assert running.header.rate.text() == "4,2 mL/h"
    assert marks_on_screen(running) <= {","}
    window.show_tab(0)
    assert window.dosing.card.pump_rate.text() == "4,2 mL/h"
    assert marks_on_screen(window.dosing) == {","}
