"""The running session in the real main window (pytest-qt, fake clock): start after the checklist; a
check falls due -> banner over every tab and an attention request; recording it clears it; POSS 4 says
stop the infusion and needs an acknowledgement; a restart of the app object restores the session."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import SessionParts
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.export.report_html import hm
from ketamine_desktop.gui.monitoring.words import clock_time
from tests.gui.monitoring.conftest import AppFactory, QuietPlayer
from tests.helpers.gui_helpers import (
    answer_screening,
    choose_protocol,
    complete_checklist,
    find,
    retype,
    select_tab,
    text,
)
from tests.helpers.session_helpers import fill, start_from_the_dosing_tab, type_into


def tick(parts: SessionParts, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    parts.ticker.tick()


def test_a_due_check_raises_the_banner_and_recording_it_clears_it(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock, player: QuietPlayer
) -> None:
    window, _plan, parts = make_app()
    assert not find(window, QFrame, "alertBanner").isVisible()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    state = parts.store.state
    assert state is not None and state.start.bed_label == "Ward 7 bed 12"
    assert state.start.double_checked_by == "B. Checker" and state.start.syringe_volume_ml == 50
    assert not find(window, QLineEdit, "bedField").isEnabled()
    assert "Ward 7" not in window.windowTitle()
    with qtbot.waitSignal(parts.alerts.attention_requested):
        tick(parts, clock, 1)  # the baseline falls due at the start
    assert find(window, QFrame, "alertBanner").isVisible() and text(window, "alertBannerText").startswith(
        "DUE: Check due"
    )
    window.show_tab(0)
    assert find(window, QFrame, "alertBanner").isVisible()  # over every tab
    plays = player.plays
    tick(parts, clock, 5 * 60)
    assert (
        text(window, "alertBannerText").startswith("OVERDUE")
        and find(window, QFrame, "alertBanner").property("level") == "hard"
    )
    assert player.plays == plays + 1 and parts.alerts.attention_count == 2
    find(window, QPushButton, "alertShowButton").click()
    assert find(window, QTabWidget, "mainTabs").currentIndex() == 1
    fill(qtbot, window, sedation="1")
    find(window, QPushButton, "saveCheckButton").click()
    assert text(window, "saveStatus").startswith("Saved at")
    assert not find(window, QFrame, "alertBanner").isVisible()


def test_poss_4_shows_stop_and_needs_acknowledging(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    tick(parts, clock, 60)
    fill(qtbot, window, sedation="4")
    find(window, QPushButton, "saveCheckButton").click()
    view = find(window, QWidget, "assessmentView")
    assert text(window, "infusionDecision") == "Decision: STOP the infusion"
    # The open decision leads the banner; the acknowledgement is counted behind it.
    assert find(window, QFrame, "alertBanner").isVisible() and text(window, "alertBannerText").startswith(
        "STOP ADVISED at "
    )
    assert "(and 1 more)" in text(window, "alertBannerText")
    tick(parts, clock, 30 * 60)
    assert text(window, "alertBannerText").startswith("STOP ADVISED")  # not dismissed by time
    type_into(qtbot, find(window, QLineEdit, "acknowledgedByField"), "EF")
    find(window, QPushButton, "acknowledgeButton").click()
    assert not find(window, QFrame, "acknowledgeFrame").isVisibleTo(view)
    # Acknowledging that it was read does not answer the decision.
    assert text(window, "alertBannerText").startswith("STOP ADVISED")


def test_a_restart_of_the_app_object_restores_the_session(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "subanesthetic-infusion")
    before = parts.store.state
    next_before = parts.store.next_check
    parts.ticker.stop()
    window.close()
    clock.advance(3 * 3600)  # closed for three hours
    window2, _plan2, parts2 = make_app()
    assert parts2.store.state is not None and before is not None
    assert parts2.store.state.session_id == before.session_id
    assert text(window2, "sessionRate") == "4.2 mL/h"
    bed = find(window2, QLineEdit, "bedField")
    assert bed.text() == "Ward 7 bed 12" and not bed.isEnabled()
    assert find(window2, QFrame, "alertBanner").isVisible() and text(window2, "alertBannerText").startswith(
        "OVERDUE"
    )
    overdue = [r for r in parts2.store.active if r.status == "overdue"]
    assert next_before is not None and next_before.key in {r.key for r in overdue}
    assert "(and " in text(window2, "alertBannerText")
    parts2.ticker.stop()


def test_the_checklist_starts_the_session_and_the_baseline_check_is_due_at_once(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    answer_screening(window)
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    find(window, QPushButton, "startButton").click()
    dialog = find(window, QDialog, "prestartDialog")
    initials = find(dialog, QLineEdit, "prestartInitialsField")
    initials.setText("J1")  # refused by the start: the dialog stays open with every value
    complete_checklist(window, name="B. Checker", volume="50")
    assert not parts.store.running and dialog.isVisible()
    assert text(dialog, "prestartMissing") == "Not started: patient initials: letters only, at most 4"
    assert find(dialog, QLineEdit, "prestartVolumeField").text() == "50"
    initials.setText("JD")
    find(dialog, QPushButton, "prestartCompleteButton").click()
    assert parts.store.running and not dialog.isVisible()
    state = parts.store.state
    assert state is not None
    assert "baseline-observations" not in state.start.confirmed_checklist
    assert state.start.patient_initials == "JD" and find(window, QLineEdit, "initialsField").text() == "JD"
    # No second form: the Monitoring tab shows the running session, its baseline check due now.
    assert find(window, QTabWidget, "mainTabs").currentIndex() == 1
    assert text(window, "nextCheck").startswith("CHECK DUE NOW: due")
    assert text(window, "recordTarget") == f"Record the baseline check due {clock_time(clock.now())} (DUE)"
    assert not find(window, QTableView, "plannedScheduleTable").isVisibleTo(
        window
    )  # the planned schedule stepped aside
    fill(qtbot, window, sedation="0")
    find(window, QPushButton, "saveCheckButton").click()
    assert text(window, "saveStatus").startswith("Saved at")
    state = parts.store.state
    assert state is not None and state.observations[0].body.check_due == state.start.started_at


def _the_handover_is_current(window: QWidget, parts: SessionParts) -> None:
    """The Handover tab shows the record as it is now: its head and count, and the latest check first."""
    words = find(window, QTextBrowser, "handoverView").toPlainText()
    records, head = parts.store.record_head()
    assert head in words and f"after {records} records" in words
    state = parts.store.state
    assert state is not None and state.observations
    latest = state.observations[-1]
    assert f"Last observations\nTime\nObservation\nNEWS2\nDecision\nBy\n{hm(latest.body.taken_at)}\n" in words


def _save_the_due_check(qtbot: QtBot, window: QWidget, by: str) -> None:
    fill(qtbot, window, sedation="0", by=by)
    qtbot.keyClick(find(window, QLineEdit, "recordedByField"), Qt.Key.Key_Return)
    assert "Saved at" in text(window, "saveStatus")


def test_the_handover_shown_is_current_after_a_save_a_tab_switch_and_a_restart(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "subanesthetic-infusion")
    tick(parts, clock, 60)
    select_tab(window, "sessionTabs", "Handover")
    # A save with the Handover shown: its words follow at once.
    _save_the_due_check(qtbot, window, "EF")
    _the_handover_is_current(window, parts)
    # A save with the Timed list shown: the handover is not laid out again until it is shown.
    select_tab(window, "sessionTabs", "Timed list")
    tick(parts, clock, 20 * 60)
    _save_the_due_check(qtbot, window, "GH")
    select_tab(window, "sessionTabs", "Handover")
    _the_handover_is_current(window, parts)
    assert "\nGH\n" in find(window, QTextBrowser, "handoverView").toPlainText()
    # A tick that raises nothing leaves the same words: nothing set again, the place read is kept.
    browser = find(window, QTextBrowser, "handoverView")
    browser.verticalScrollBar().setValue(browser.verticalScrollBar().maximum())
    kept = browser.verticalScrollBar().value()
    tick(parts, clock, 1)
    assert browser.verticalScrollBar().value() == kept
    # After a restart the Handover tab shows the record as it was left.
    parts.ticker.stop()
    window.close()
    clock.advance(60)
    window2, _plan2, parts2 = make_app()
    select_tab(window2, "sessionTabs", "Handover")
    _the_handover_is_current(window2, parts2)
    assert "\nGH\n" in find(window2, QTextBrowser, "handoverView").toPlainText()
    parts2.ticker.stop()
