"""The running session in the real main window (pytest-qt, fake clock): start after the checklist; a
check falls due -> banner over every tab and an attention request; recording it clears it; POSS 4 says
stop the infusion and needs an acknowledgement; a restart of the app object restores the session."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ketamine_desktop.app import SessionParts
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.words import clock_time
from tests.gui.monitoring.conftest import AppFactory, QuietPlayer
from tests.helpers.gui_helpers import answer_screening, choose_protocol, complete_checklist, retype
from tests.helpers.session_helpers import fill, start_from_the_dosing_tab, type_into


def tick(parts: SessionParts, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    parts.ticker.tick()


def test_a_due_check_raises_the_banner_and_recording_it_clears_it(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock, player: QuietPlayer
) -> None:
    window, _plan, parts = make_app()
    assert not parts.banner.isVisible()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    state = parts.store.state
    assert state is not None and state.start.bed_label == "Ward 7 bed 12"
    assert state.start.double_checked_by == "B. Checker" and state.start.syringe_volume_ml == 50
    assert not window.strip.bed.isEnabled()
    assert "Ward 7" not in window.windowTitle()
    with qtbot.waitSignal(parts.alerts.attention_requested):
        tick(parts, clock, 1)  # the baseline falls due at the start
    assert parts.banner.isVisible() and parts.banner.text.text().startswith("DUE: Check due")
    window.show_tab(0)
    assert parts.banner.isVisible()  # over every tab
    plays = player.plays
    tick(parts, clock, 5 * 60)
    assert parts.banner.text.text().startswith("OVERDUE") and parts.banner.property("level") == "hard"
    assert player.plays == plays + 1 and parts.alerts.attention_count == 2
    parts.banner.show_button.click()
    assert window.tabs.currentIndex() == 1
    running = parts.panel.running
    assert running is not None
    fill(qtbot, running.form, sedation="1")
    running.form.save_button.click()
    assert running.form.message.text().startswith("Saved at")
    assert not parts.banner.isVisible()


def test_poss_4_shows_stop_and_needs_acknowledging(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    tick(parts, clock, 60)
    running = parts.panel.running
    assert running is not None
    fill(qtbot, running.form, sedation="4")
    running.form.save_button.click()
    view = running.assessment
    assert view.decision.text() == "Decision: STOP the infusion"
    # The open decision leads the banner; the acknowledgement is counted behind it.
    assert parts.banner.isVisible() and parts.banner.text.text().startswith("STOP ADVISED at ")
    assert "(and 1 more)" in parts.banner.text.text()
    tick(parts, clock, 30 * 60)
    assert parts.banner.text.text().startswith("STOP ADVISED")  # not dismissed by time
    type_into(qtbot, view.ack_by, "EF")
    view.ack_button.click()
    assert not view.ack_frame.isVisibleTo(view)
    # Acknowledging that it was read does not answer the decision.
    assert parts.banner.text.text().startswith("STOP ADVISED")


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
    running = parts2.panel.running
    assert running is not None and running.header.rate.text() == "4.2 mL/h"
    assert window2.strip.bed.text() == "Ward 7 bed 12" and not window2.strip.bed.isEnabled()
    assert parts2.banner.isVisible() and parts2.banner.text.text().startswith("OVERDUE")
    overdue = [r for r in parts2.store.active if r.status == "overdue"]
    assert next_before is not None and next_before.key in {r.key for r in overdue}
    assert "(and " in parts2.banner.text.text()
    parts2.ticker.stop()


def test_the_checklist_starts_the_session_and_the_baseline_check_is_due_at_once(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    answer_screening(window)
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, window.dosing.form.weight.edit, "70")
    window.dosing.start_bar.start_button.click()
    dialog = window.prestart_dialog
    assert dialog is not None
    dialog.initials.setText("J1")  # refused by the start: the dialog stays open with every value
    complete_checklist(window, name="B. Checker", volume="50")
    assert not parts.store.running and dialog.isVisible()
    assert dialog.missing.text() == "Not started: patient initials: letters only, at most 4"
    assert dialog.volume is not None and dialog.volume.text() == "50"
    dialog.initials.setText("JD")
    dialog.complete_button.click()
    assert parts.store.running and not dialog.isVisible()
    state = parts.store.state
    assert state is not None
    assert "baseline-observations" not in state.start.confirmed_checklist
    assert state.start.patient_initials == "JD" and window.strip.initials.text() == "JD"
    # No second form: the Monitoring tab shows the running session, its baseline check due now.
    assert window.tabs.currentIndex() == 1
    running = parts.panel.running
    assert running is not None
    assert running.header.next_text.text().startswith("CHECK DUE NOW: due")
    assert running.form.heading.text() == f"Record the baseline check due {clock_time(clock.now())} (DUE)"
    assert not window.monitoring.table.isVisibleTo(window)  # the planned schedule stepped aside
    fill(qtbot, running.form, sedation="0")
    running.form.save_button.click()
    assert running.form.message.text().startswith("Saved at")
    state = parts.store.state
    assert state is not None and state.observations[0].body.check_due == state.start.started_at
