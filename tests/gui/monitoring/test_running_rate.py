"""The rate on screen is the rate running: the Dosing card and glance mode follow a rate change made on the
Monitoring tab at once, say when and why it was set, and a card that is not running says "proposal"."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.words import clock_time
from tests.gui.monitoring.conftest import AppFactory
from tests.gui.test_gui_decimal_mark import marks_on_screen
from tests.helpers.gui_helpers import answer_screening, choose_protocol, find, retype, text
from tests.helpers.session_helpers import start_from_the_dosing_tab, type_into


def test_a_plan_is_a_proposal_not_running(qtbot: QtBot, make_app: AppFactory) -> None:
    window, _plan, _parts = make_app()
    answer_screening(window)
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    assert find(window, QLabel, "cardRateStatus").isVisibleTo(window)
    assert text(window, "cardRateStatus") == "Proposal - not running"


def test_dosing_and_glance_show_the_rate_running_after_a_rate_change(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "subanesthetic-infusion")
    started = text(window, "pumpRateValue")
    assert text(window, "cardRateStatus").startswith("RUNNING NOW · set ")
    assert "(at the start)" in text(window, "cardRateStatus")

    clock.advance(20 * 60)
    find(window, QPushButton, "rateChangeButton").click()
    dialog = find(window, QDialog, "eventDialog")
    assert dialog.isVisible()
    type_into(qtbot, find(dialog, QLineEdit, "newDoseField"), "0.5")
    reason = find(dialog, QLineEdit, "eventReasonField")
    if reason.isVisibleTo(dialog):
        type_into(qtbot, reason, "drowsy")
    type_into(qtbot, find(dialog, QLineEdit, "eventByField"), "EF")
    confirm = find(dialog, QPushButton, "confirmEventButton")
    assert confirm.isEnabled(), text(dialog, "eventMessage")
    confirm.click()

    new_rate = text(window, "sessionRate")
    assert new_rate != started
    # The Dosing tab, without a restart: the new rate, when and why.
    window.show_tab(0)
    assert text(window, "pumpRateValue") == new_rate
    changed_at = clock_time(clock.now())
    assert text(window, "cardRateStatus").startswith(f"RUNNING NOW · set {changed_at} (rate decrease")
    assert plan.running is not None and plan.running.change == "rate-decrease"
    # Glance mode shows the same card, the same running rate.
    find(window, QAction, "glanceModeAction").trigger()
    assert not find(window, QScrollArea, "dosingFormScroll").isVisibleTo(window)
    assert (
        find(window, QLabel, "pumpRateValue").isVisibleTo(window)
        and text(window, "pumpRateValue") == new_rate
    )
    assert find(window, QLabel, "cardRateStatus").isVisibleTo(window)


def test_a_pause_shows_on_the_dosing_card(qtbot: QtBot, make_app: AppFactory) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "subanesthetic-infusion")
    find(window, QPushButton, "pauseButton").click()
    dialog = find(window, QDialog, "eventDialog")
    assert dialog.isVisible()
    type_into(qtbot, find(dialog, QLineEdit, "eventByField"), "EF")
    find(dialog, QPushButton, "confirmEventButton").click()
    assert text(window, "cardRateStatus").startswith("PAUSED · set ")


def test_the_monitoring_tab_uses_the_comma_of_a_comma_locale(
    qtbot: QtBot, comma_locale: None, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    assert "0,06 mg/kg/h = 1 mcg/kg/min" in text(window, "sessionDose")
    assert text(window, "sessionRate") == "4,2 mL/h"
    assert marks_on_screen(find(window, QWidget, "runningSession")) <= {","}
    window.show_tab(0)
    assert text(window, "pumpRateValue") == "4,2 mL/h"
    assert marks_on_screen(find(window, QWidget, "dosingTab")) == {","}
