"""The running-session panel on its own: the header, the timed list, the record-check form with strict
parsing and its assessment, the acknowledgement of an urgent action, the event, deferral and close
dialogs, the history and the trend chart (made only when its tab is first shown)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.reminders import Reminder
from ketamine_desktop.gui.monitoring.events import EventDialog
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel, list_rows, record_target
from ketamine_desktop.gui.monitoring.reason_dialogs import CloseDialog, DeferDialog
from ketamine_desktop.gui.monitoring.trend_chart import TrendChart
from ketamine_desktop.state.session_store import SessionStore
from tests.helpers.builders import BOLUS_ONLY, T0, THEATRE, WARD, start_draft
from tests.helpers.session_helpers import choose, fill, type_into


def start(store: SessionStore, protocol: str = WARD) -> None:
    outcome = store.start(start_draft(protocol, volume=None if protocol == BOLUS_ONLY else "50"))
    assert outcome.saved, outcome.message


def tick(store: SessionStore, clock: FakeClock, seconds: float = 1) -> None:
    clock.advance(seconds)
    store.tick(clock.now(), clock.monotonic())


def give_the_planned_bolus(qtbot: QtBot, panel: MonitoringPanel) -> None:
    """The planned bolus, recorded as given now (Bolus given, the time as shown, initials)."""
    running = panel.running
    assert running is not None
    assert running.events.buttons["bolus-given"].isVisibleTo(running.events)
    assert not running.events.buttons["bolus"].isVisibleTo(running.events)  # none before the planned one
    assert running.header.pending_bolus.text().startswith("Planned bolus 10.5 mg (0.15 mg/kg)")
    running.events.buttons["bolus-given"].click()
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog) and dialog.given_at is not None
    type_into(qtbot, dialog.by, "EF")
    dialog.confirm_button.click()
    assert not dialog.isVisible(), dialog.message.text()
    assert not running.events.buttons["bolus-given"].isVisibleTo(running.events)
    assert running.events.buttons["bolus"].isVisibleTo(running.events)
    assert not running.header.pending_bolus.isVisibleTo(running.header)
    assert any(r.what.startswith("Planned bolus given 10.5 mg") for r in running.history_model.rows)


def test_no_session_no_running_view(panel: MonitoringPanel) -> None:
    assert panel.running is None
    assert not panel.load_error.isVisibleTo(panel)


def test_the_header_shows_rate_dose_syringe_and_the_next_check(
    panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store, THEATRE)  # 70 kg x 0.25 mg/kg/h at 1 mg/mL
    running = panel.running
    assert running is not None
    header = running.header
    assert header.rate.text() == "17.5 mL/h"
    assert "0.25 mg/kg/h = 4.17 mcg/kg/min" in header.dose.text() and "17.5 mg/h" in header.dose.text()
    assert header.status.text() == "RUNNING" and header.protocol.text().startswith("Ward 7 bed 12 (JD)")
    assert header.next_text.text().startswith("CHECK DUE NOW: due")
    tick(session_store, clock, 6 * 60)
    assert header.next_text.text().startswith("CHECK OVERDUE:") and "6 min late" in header.next_text.text()
    assert "about 48.2 mL left" in header.syringe.text()


def test_recording_the_due_check_through_the_form(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 60)
    running = panel.running
    assert running is not None
    form = running.form
    assert form.target is not None and form.target.due == T0
    assert "Record the baseline check due" in form.heading.text()
    assert form.numbers["temperature"].isVisibleTo(form)  # the baseline takes the temperature
    fill(qtbot, form, sedation="1", typed=True)
    qtbot.keyClick(form.by, Qt.Key.Key_Return)
    assert "Saved at" in form.message.text()
    state = session_store.state
    assert state is not None and len(state.observations) == 1
    assert form.numbers["respiration_rate"].text() == "" and form.by.text() == "EF"
    assert running.assessment.news2.text().startswith("NEWS2 0 (low)")
    assert running.assessment.decision.text() == "Decision: Continue"
    assert not running.assessment.ack_frame.isVisibleTo(running.assessment)
    rows = running.reminder_model.rows
    assert next(r for r in rows if r.due == T0).status == "done"
    assert running.history_model.rowCount() == 2


@pytest.mark.parametrize("text", ["nan", "1e2", "12.5", "1,6", "-4", "", "\uff11\uff16", "300"])
def test_strict_numbers_refuse_and_keep_the_values(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock, text: str
) -> None:
    start(session_store)
    running = panel.running
    assert running is not None
    fill(qtbot, running.form, sedation="1", respiration_rate=text)
    running.form.save_button.click()
    assert session_store.state is not None and session_store.state.observations == ()
    assert running.form.numbers["respiration_rate"].error_label.text() != ""
    assert running.form.numbers["respiration_rate"].text() == text
    assert running.form.numbers["spo2"].text() == "98"
    assert running.form.message.text().startswith("Not saved")


def test_an_unanswered_choice_is_not_a_no(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore
) -> None:
    start(session_store)
    running = panel.running
    assert running is not None
    fill(qtbot, running.form, sedation="1")
    running.form.yes_no["hallucinations"].setCurrentIndex(0)
    running.form.by.setText("")
    draft, problems = running.form.collect()
    assert draft is None and set(problems) == {"hallucinations", "by"}


def test_poss_4_says_stop_and_needs_an_acknowledgement(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore
) -> None:
    start(session_store)
    running = panel.running
    assert running is not None
    fill(qtbot, running.form, sedation="4")
    running.form.save_button.click()
    view = running.assessment
    assert view.decision.text() == "Decision: STOP the infusion"
    # The deciding action is the decision itself, not a numbered line under it.
    assert view.decision_text.text().startswith("Stop the ketamine infusion")
    assert not [row for row in view.action_rows if row.objectName() == "action_stop-infusion"]
    assert view.ack_frame.isVisibleTo(view)
    assert [r.kind for r in session_store.active][:2] == ["decision", "acknowledge"]
    view.ack_button.click()  # no initials: refused, still there
    assert view.ack_frame.isVisibleTo(view) and "Not acknowledged" in view.ack_text.text()
    view.ack_by.setText("EF")
    view.ack_button.click()
    assert not view.ack_frame.isVisibleTo(view)
    assert not [r for r in session_store.active if r.kind == "acknowledge"]


def test_rate_change_dialog_checks_limits_and_the_lockout(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 20 * 60)
    running = panel.running
    assert running is not None
    running.events.buttons["rate-change"].click()
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog) and dialog.isVisible()
    assert dialog.dose is not None and dialog.unit is not None
    assert dialog.unit.currentData() == "mcg/kg/min"
    type_into(qtbot, dialog.dose, "9")
    assert not dialog.confirm_button.isEnabled() and "hard limit" in dialog.message.text()
    type_into(qtbot, dialog.dose, "1.5")
    assert "after the start" in dialog.findings.rows[0].message.text()
    assert dialog.reason.isVisibleTo(dialog) and not dialog.confirm_button.isEnabled()
    type_into(qtbot, dialog.reason, "pain 8/10, reviewed by Dr B")
    assert not dialog.confirm_button.isEnabled()  # initials
    type_into(qtbot, dialog.by, "EF")
    assert dialog.confirm_button.isEnabled()
    assert "6.3 mL/h" in dialog.summary.text()
    dialog.confirm_button.click()
    assert not dialog.isVisible()
    assert running.header.rate.text() == "6.3 mL/h"
    assert any("Rate increased" in r.what for r in running.history_model.rows)


def test_pause_resume_syringe_and_stop_dialogs(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store, THEATRE)
    running = panel.running
    assert running is not None
    bar = running.events
    assert not bar.buttons["resume"].isEnabled() and bar.buttons["pause"].isEnabled()
    for kind in ("pause", "resume"):
        bar.buttons[kind].click()
        dialog = panel.dialog
        assert isinstance(dialog, EventDialog)
        type_into(qtbot, dialog.by, "EF")
        dialog.confirm_button.click()
        assert not dialog.isVisible()
    bar.buttons["syringe-change"].click()
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog) and dialog.volume is not None
    type_into(qtbot, dialog.by, "EF")
    assert not dialog.confirm_button.isEnabled()
    type_into(qtbot, dialog.volume, "50")
    dialog.confirm_button.click()
    bar.buttons["stop"].click()
    stop = panel.dialog
    assert isinstance(stop, EventDialog) and stop.end_prompt_done is not None
    type_into(qtbot, stop.by, "EF")
    stop.confirm_button.click()
    assert running.header.status.text() == "STOPPED"
    assert any(r.kind == "end-prompt" and r.status == "due" for r in session_store.reminders)
    # the end prompt is a task: select it in the list and mark it done
    row = next(i for i, r in enumerate(running.reminder_model.rows) if r.kind == "end-prompt")
    running.list.selectRow(row)
    running.task_by.setText("EF")
    running.task_button.click()
    assert any(r.kind == "end-prompt" and r.status == "done" for r in session_store.reminders)
    assert bar.close_button.isEnabled()
    bar.close_button.click()
    close = panel.dialog
    assert isinstance(close, CloseDialog)
    close.by.setText("EF")
    close.confirm_button.click()
    assert close.isVisible() and "still open" in close.message.text()
    close.reason.setText("moved to recovery")
    close.confirm_button.click()
    assert not close.isVisible() and panel.running is None and not session_store.running


def test_marking_a_task_needs_a_task_selected(panel: MonitoringPanel, session_store: SessionStore) -> None:
    start(session_store)
    running = panel.running
    assert running is not None
    running.task_button.click()
    assert "Select a task" in running.task_message.text()
    running.list.selectRow(0)
    running.task_button.click()
    assert "Select a task" in running.task_message.text()


def test_bolus_dialog_uses_the_protocols_bolus(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store, BOLUS_ONLY)
    give_the_planned_bolus(qtbot, panel)
    clock.advance(30 * 60)  # acute-bolus may repeat after 30 min without a reason
    running = panel.running
    assert running is not None
    assert running.header.rate.text() == "No infusion" and running.header.status.text().startswith(
        "OBSERVING"
    )
    assert not running.events.buttons["rate-change"].isVisibleTo(running.events)
    running.events.buttons["bolus"].click()
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog) and dialog.bolus_dose is not None
    assert dialog.bolus_dose.text() == "0.15" and "10.5 mg" in dialog.summary.text()
    type_into(qtbot, dialog.by, "EF")
    dialog.confirm_button.click()
    assert any(r.what.startswith("Bolus 10.5 mg") for r in running.history_model.rows)


def test_a_repeat_bolus_too_soon_asks_for_a_reason(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store, BOLUS_ONLY)
    give_the_planned_bolus(qtbot, panel)
    clock.advance(10 * 60)
    running = panel.running
    assert running is not None
    running.events.buttons["bolus"].click()
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog)
    type_into(qtbot, dialog.by, "EF")
    assert not dialog.confirm_button.isEnabled()  # 10 min after the first dose: a reason is needed
    assert dialog.reason.isVisibleTo(dialog)
    type_into(qtbot, dialog.reason, "pain 9/10, senior agreed")
    dialog.confirm_button.click()
    assert any(r.what.startswith("Bolus 10.5 mg") for r in running.history_model.rows)


def test_deferring_the_due_check(
    panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 60)
    running = panel.running
    assert running is not None and running.form.defer_button.isEnabled()
    running.form.defer_button.click()
    dialog = panel.dialog
    assert isinstance(dialog, DeferDialog) and dialog.minutes.maximum() == 15
    dialog.confirm_button.click()
    assert "reason" in dialog.message.text()
    dialog.reason.setText("patient in X-ray")
    dialog.by.setText("EF")
    dialog.minutes.setValue(10)
    dialog.confirm_button.click()
    assert not dialog.isVisible()
    deferred = next(r for r in running.reminder_model.rows if r.due == T0)
    assert deferred.status == "deferred"
    model = running.reminder_model
    when = model.index(model.rows.index(deferred), 3).data()
    assert "deferred until" in when and "patient in X-ray" in when


def test_the_trend_chart_is_made_when_first_shown(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    running = panel.running
    assert running is not None and running.trend_chart is None
    for minute, rr in ((1, "16"), (15, "14"), (30, "12")):
        tick(session_store, clock, minute * 60 - (clock.now() - T0).total_seconds())
        fill(qtbot, running.form, sedation="2", respiration_rate=rr)
        running.form.save_button.click()
    running.tabs.setCurrentIndex(2)
    chart = running.trend_chart
    assert isinstance(chart, TrendChart) and chart.data is not None
    rr = chart.data.lanes[0]
    assert [str(v) for _, v in rr.points] == ["16", "14", "12"]
    assert chart.data.lanes[-1].name == "Pump rate"
    image = chart.grab()
    assert not image.isNull()


def test_models_pass_the_model_tester(
    qtmodeltester: ModelTester, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 30 * 60)
    running = panel.running
    assert running is not None
    qtmodeltester.check(running.reminder_model)
    qtmodeltester.check(running.history_model)
    assert running.reminder_model.headerData(0, Qt.Orientation.Horizontal) == "Status"


def test_list_rows_keep_only_the_last_done(panel: MonitoringPanel) -> None:
    del panel
    assert list_rows(()) == () and record_target(()) is None
    done = [
        Reminder(
            key=f"k{i}", kind="check", due=T0 + timedelta(minutes=i), overdue_at=None, status="done", text=""
        )
        for i in range(6)
    ]
    assert [r.key for r in list_rows(tuple(done))] == ["k3", "k4", "k5"]


def test_choices_start_unanswered(panel: MonitoringPanel, session_store: SessionStore) -> None:
    start(session_store)
    running = panel.running
    assert running is not None
    form = running.form
    for combo in (form.oxygen, form.sedation, form.consciousness, *form.yes_no.values()):
        assert combo.currentData() is None
    choose(form.sedation, "S")
    assert form.sedation.currentText().startswith("S: Sleeping")
