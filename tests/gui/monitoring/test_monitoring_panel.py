"""The running-session panel on its own: the header, the timed list, the record-check form with strict
parsing and its assessment, the acknowledgement of an urgent action, the event, deferral and close
dialogs, the history and the trend chart (made only when its tab is first shown)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTimeEdit,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.reminders import Reminder
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel, list_rows, record_target
from ketamine_desktop.gui.monitoring.record_form import RecordCheckForm
from ketamine_desktop.gui.monitoring.trend_chart import TrendChart
from ketamine_desktop.state.session_store import SessionStore
from tests.helpers.builders import BOLUS_ONLY, T0, THEATRE, WARD, start_draft
from tests.helpers.gui_helpers import find, find_all, finding_rows, open_dialog, select_tab, text
from tests.helpers.session_helpers import CHOICE_FIELDS, choose, fill, type_into


def start(store: SessionStore, protocol: str = WARD) -> None:
    outcome = store.start(start_draft(protocol, volume=None if protocol == BOLUS_ONLY else "50"))
    assert outcome.saved, outcome.message


def tick(store: SessionStore, clock: FakeClock, seconds: float = 1) -> None:
    clock.advance(seconds)
    store.tick(clock.now(), clock.monotonic())


def session_shown(panel: MonitoringPanel) -> bool:
    """A running session's view is in the panel (a closed one is hidden, then deleted)."""
    return any(not view.isHidden() for view in find_all(panel, QWidget, "runningSession"))


def shown_on_bar(panel: MonitoringPanel, button: str) -> bool:
    return find(panel, QPushButton, button).isVisibleTo(find(panel, QWidget, "eventBar"))


def model_rows(panel: MonitoringPanel, table: str) -> list[Any]:
    """The rows of a table's model (the model's public API: its domain rows)."""
    model: Any = find(panel, QTableView, table).model()
    return list(model.rows)


def give_the_planned_bolus(qtbot: QtBot, panel: MonitoringPanel) -> None:
    """The planned bolus, recorded as given now (Bolus given, the time as shown, initials)."""
    assert shown_on_bar(panel, "bolusGivenButton")
    assert not shown_on_bar(panel, "bolusButton")  # none before the planned one
    assert text(panel, "sessionPendingBolus").startswith("Planned bolus 10.5 mg (0.15 mg/kg)")
    find(panel, QPushButton, "bolusGivenButton").click()
    dialog = open_dialog(panel, "eventDialog")
    assert find(dialog, QTimeEdit, "bolusGivenTimeField").isVisibleTo(dialog)
    type_into(qtbot, find(dialog, QLineEdit, "eventByField"), "EF")
    find(dialog, QPushButton, "confirmEventButton").click()
    assert not dialog.isVisible(), text(dialog, "eventMessage")
    assert not shown_on_bar(panel, "bolusGivenButton")
    assert shown_on_bar(panel, "bolusButton")
    assert not find(panel, QLabel, "sessionPendingBolus").isVisibleTo(find(panel, QWidget, "sessionHeader"))
    assert any(r.what.startswith("Planned bolus given 10.5 mg") for r in model_rows(panel, "historyTable"))


def test_no_session_no_running_view(panel: MonitoringPanel) -> None:
    assert not session_shown(panel)
    assert not find(panel, QLabel, "sessionLoadError").isVisibleTo(panel)


def test_the_header_shows_rate_dose_syringe_and_the_next_check(
    panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store, THEATRE)  # 70 kg x 0.25 mg/kg/h at 1 mg/mL
    assert text(panel, "sessionRate") == "17.5 mL/h"
    dose = text(panel, "sessionDose")
    assert "0.25 mg/kg/h = 4.17 mcg/kg/min" in dose and "17.5 mg/h" in dose
    assert text(panel, "sessionStatus") == "RUNNING"
    assert text(panel, "sessionProtocol").startswith("Ward 7 bed 12 (JD)")
    assert text(panel, "nextCheck").startswith("CHECK DUE NOW: due")
    tick(session_store, clock, 6 * 60)
    assert text(panel, "nextCheck").startswith("CHECK OVERDUE:") and "6 min late" in text(panel, "nextCheck")
    assert "about 48.2 mL left" in text(panel, "sessionSyringe")


def test_recording_the_due_check_through_the_form(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 60)
    form = find(panel, RecordCheckForm, "recordCheckForm")
    assert form.target is not None and form.target.due == T0
    assert "Record the baseline check due" in text(form, "recordTarget")
    assert find(form, QLineEdit, "temperatureField").isVisibleTo(form)  # the baseline takes the temperature
    fill(qtbot, panel, sedation="1", typed=True)
    qtbot.keyClick(find(form, QLineEdit, "recordedByField"), Qt.Key.Key_Return)
    assert "Saved at" in text(form, "saveStatus")
    state = session_store.state
    assert state is not None and len(state.observations) == 1
    assert find(form, QLineEdit, "rrField").text() == ""
    assert find(form, QLineEdit, "recordedByField").text() == "EF"
    assert text(panel, "news2Summary").startswith("NEWS2 0 (low)")
    assert text(panel, "infusionDecision") == "Decision: Continue"
    assert not find(panel, QFrame, "acknowledgeFrame").isVisibleTo(find(panel, QWidget, "assessmentView"))
    rows = model_rows(panel, "reminderList")
    assert next(r for r in rows if r.due == T0).status == "done"
    assert find(panel, QTableView, "historyTable").model().rowCount() == 2


@pytest.mark.parametrize("typed", ["nan", "1e2", "12.5", "1,6", "-4", "", "\uff11\uff16", "300"])
def test_strict_numbers_refuse_and_keep_the_values(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock, typed: str
) -> None:
    start(session_store)
    fill(qtbot, panel, sedation="1", respiration_rate=typed)
    find(panel, QPushButton, "saveCheckButton").click()
    assert session_store.state is not None and session_store.state.observations == ()
    assert text(panel, "rrFieldError") != ""
    assert find(panel, QLineEdit, "rrField").text() == typed
    assert find(panel, QLineEdit, "spo2Field").text() == "98"
    assert text(panel, "saveStatus").startswith("Not saved")


def test_an_unanswered_choice_is_not_a_no(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore
) -> None:
    start(session_store)
    fill(qtbot, panel, sedation="1")
    find(panel, QComboBox, "hallucinationsField").setCurrentIndex(0)
    find(panel, QLineEdit, "recordedByField").setText("")
    draft, problems = find(panel, RecordCheckForm, "recordCheckForm").collect()
    assert draft is None and set(problems) == {"hallucinations", "by"}


def test_poss_4_says_stop_and_needs_an_acknowledgement(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore
) -> None:
    start(session_store)
    fill(qtbot, panel, sedation="4")
    find(panel, QPushButton, "saveCheckButton").click()
    view = find(panel, QWidget, "assessmentView")
    ack_frame = find(view, QFrame, "acknowledgeFrame")
    assert text(view, "infusionDecision") == "Decision: STOP the infusion"
    # The deciding action is the decision itself, not a numbered line under it.
    assert text(view, "decisionText").startswith("Stop the ketamine infusion")
    assert not find_all(view, QWidget, "action_stop-infusion")
    assert ack_frame.isVisibleTo(view)
    assert [r.kind for r in session_store.active][:2] == ["decision", "acknowledge"]
    find(view, QPushButton, "acknowledgeButton").click()  # no initials: refused, still there
    assert ack_frame.isVisibleTo(view) and "Not acknowledged" in text(view, "acknowledgeText")
    find(view, QLineEdit, "acknowledgedByField").setText("EF")
    find(view, QPushButton, "acknowledgeButton").click()
    assert not ack_frame.isVisibleTo(view)
    assert not [r for r in session_store.active if r.kind == "acknowledge"]


def test_rate_change_dialog_checks_limits_and_the_lockout(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 20 * 60)
    find(panel, QPushButton, "rateChangeButton").click()
    dialog = open_dialog(panel, "eventDialog")
    dose = find(dialog, QLineEdit, "newDoseField")
    confirm = find(dialog, QPushButton, "confirmEventButton")
    reason = find(dialog, QLineEdit, "eventReasonField")
    assert find(dialog, QComboBox, "newDoseUnit").currentData() == "mcg/kg/min"
    type_into(qtbot, dose, "9")
    assert not confirm.isEnabled() and "hard limit" in text(dialog, "eventMessage")
    type_into(qtbot, dose, "1.5")
    assert "after the start" in text(finding_rows(dialog)[0], "noteMessage")
    assert reason.isVisibleTo(dialog) and not confirm.isEnabled()
    type_into(qtbot, reason, "pain 8/10, reviewed by Dr B")
    assert not confirm.isEnabled()  # initials
    type_into(qtbot, find(dialog, QLineEdit, "eventByField"), "EF")
    assert confirm.isEnabled()
    assert "6.3 mL/h" in text(dialog, "eventSummary")
    confirm.click()
    assert not dialog.isVisible()
    assert text(panel, "sessionRate") == "6.3 mL/h"
    assert any("Rate increased" in r.what for r in model_rows(panel, "historyTable"))


def test_pause_resume_syringe_and_stop_dialogs(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store, THEATRE)
    assert not find(panel, QPushButton, "resumeButton").isEnabled()
    assert find(panel, QPushButton, "pauseButton").isEnabled()
    for button in ("pauseButton", "resumeButton"):
        find(panel, QPushButton, button).click()
        dialog = open_dialog(panel, "eventDialog")
        type_into(qtbot, find(dialog, QLineEdit, "eventByField"), "EF")
        find(dialog, QPushButton, "confirmEventButton").click()
        assert not dialog.isVisible()
    find(panel, QPushButton, "syringeChangeButton").click()
    dialog = open_dialog(panel, "eventDialog")
    type_into(qtbot, find(dialog, QLineEdit, "eventByField"), "EF")
    assert not find(dialog, QPushButton, "confirmEventButton").isEnabled()
    type_into(qtbot, find(dialog, QLineEdit, "syringeVolumeField"), "50")
    find(dialog, QPushButton, "confirmEventButton").click()
    find(panel, QPushButton, "stopButton").click()
    stop = open_dialog(panel, "eventDialog")
    assert find(stop, QCheckBox, "endPromptDone").isVisibleTo(stop)
    type_into(qtbot, find(stop, QLineEdit, "eventByField"), "EF")
    find(stop, QPushButton, "confirmEventButton").click()
    assert text(panel, "sessionStatus") == "STOPPED"
    assert any(r.kind == "end-prompt" and r.status == "due" for r in session_store.reminders)
    # the end prompt is a task: select it in the list and mark it done
    row = next(i for i, r in enumerate(model_rows(panel, "reminderList")) if r.kind == "end-prompt")
    find(panel, QTableView, "reminderList").selectRow(row)
    find(panel, QLineEdit, "taskByField").setText("EF")
    find(panel, QPushButton, "taskDoneButton").click()
    assert any(r.kind == "end-prompt" and r.status == "done" for r in session_store.reminders)
    assert find(panel, QPushButton, "closeSessionButton").isEnabled()
    find(panel, QPushButton, "closeSessionButton").click()
    close = open_dialog(panel, "closeDialog")
    find(close, QLineEdit, "closeByField").setText("EF")
    find(close, QPushButton, "confirmCloseButton").click()
    assert close.isVisible() and "still open" in text(close, "closeMessage")
    find(close, QLineEdit, "closeReasonField").setText("moved to recovery")
    find(close, QPushButton, "confirmCloseButton").click()
    assert not close.isVisible() and not session_shown(panel) and not session_store.running


def test_marking_a_task_needs_a_task_selected(panel: MonitoringPanel, session_store: SessionStore) -> None:
    start(session_store)
    find(panel, QPushButton, "taskDoneButton").click()
    assert "Select a task" in text(panel, "taskMessage")
    find(panel, QTableView, "reminderList").selectRow(0)
    find(panel, QPushButton, "taskDoneButton").click()
    assert "Select a task" in text(panel, "taskMessage")


def test_bolus_dialog_uses_the_protocols_bolus(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store, BOLUS_ONLY)
    give_the_planned_bolus(qtbot, panel)
    clock.advance(30 * 60)  # acute-bolus may repeat after 30 min without a reason
    assert text(panel, "sessionRate") == "No infusion"
    assert text(panel, "sessionStatus").startswith("OBSERVING")
    assert not shown_on_bar(panel, "rateChangeButton")
    find(panel, QPushButton, "bolusButton").click()
    dialog = open_dialog(panel, "eventDialog")
    assert find(dialog, QLineEdit, "bolusDoseField").text() == "0.15" and "10.5 mg" in text(
        dialog, "eventSummary"
    )
    type_into(qtbot, find(dialog, QLineEdit, "eventByField"), "EF")
    find(dialog, QPushButton, "confirmEventButton").click()
    assert any(r.what.startswith("Bolus 10.5 mg") for r in model_rows(panel, "historyTable"))


def test_a_repeat_bolus_too_soon_asks_for_a_reason(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store, BOLUS_ONLY)
    give_the_planned_bolus(qtbot, panel)
    clock.advance(10 * 60)
    find(panel, QPushButton, "bolusButton").click()
    dialog = open_dialog(panel, "eventDialog")
    type_into(qtbot, find(dialog, QLineEdit, "eventByField"), "EF")
    confirm = find(dialog, QPushButton, "confirmEventButton")
    assert not confirm.isEnabled()  # 10 min after the first dose: a reason is needed
    reason = find(dialog, QLineEdit, "eventReasonField")
    assert reason.isVisibleTo(dialog)
    type_into(qtbot, reason, "pain 9/10, senior agreed")
    confirm.click()
    assert any(r.what.startswith("Bolus 10.5 mg") for r in model_rows(panel, "historyTable"))


def test_deferring_the_due_check(
    panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 60)
    defer = find(panel, QPushButton, "deferButton")
    assert defer.isEnabled()
    defer.click()
    dialog = open_dialog(panel, "deferDialog")
    minutes = find(dialog, QSpinBox, "deferMinutesField")
    assert minutes.maximum() == 15
    find(dialog, QPushButton, "confirmDeferButton").click()
    assert "reason" in text(dialog, "deferMessage")
    find(dialog, QLineEdit, "deferReasonField").setText("patient in X-ray")
    find(dialog, QLineEdit, "deferByField").setText("EF")
    minutes.setValue(10)
    find(dialog, QPushButton, "confirmDeferButton").click()
    assert not dialog.isVisible()
    rows = model_rows(panel, "reminderList")
    deferred = next(r for r in rows if r.due == T0)
    assert deferred.status == "deferred"
    model = find(panel, QTableView, "reminderList").model()
    when = model.index(rows.index(deferred), 3).data()
    assert "deferred until" in when and "patient in X-ray" in when


def test_timed_list_rows_fit_their_words_after_the_panel_is_resized(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    """Rows were fitted inside the header's resize, to a column not yet at its final width: a four-line
    reminder stood 222 px high and one row filled the list. After any resize each row fits its words."""
    start(session_store)
    tick(session_store, clock, 95 * 60)  # several checks overdue, long words in every column
    table = find(panel, QTableView, "reminderList")
    panel.show()
    qtbot.waitExposed(panel)
    rows = range(table.model().rowCount())
    assert len(rows) > 3
    for width in (700, 1400, 900):
        panel.resize(width, 800)
        # The re-fit is deferred until the header has settled: wait for it (events, not a sleep).
        qtbot.waitUntil(lambda: [table.rowHeight(r) for r in rows] == [table.sizeHintForRow(r) for r in rows])


def test_the_trend_chart_is_made_when_first_shown(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    assert not find_all(panel, TrendChart, "trendChart")
    for minute, rr in ((1, "16"), (15, "14"), (30, "12")):
        tick(session_store, clock, minute * 60 - (clock.now() - T0).total_seconds())
        fill(qtbot, panel, sedation="2", respiration_rate=rr)
        find(panel, QPushButton, "saveCheckButton").click()
    select_tab(panel, "sessionTabs", "Trend chart")
    chart = find(panel, TrendChart, "trendChart")
    assert chart.data is not None
    rr = chart.data.lanes[0]
    assert [str(v) for _, v in rr.points] == ["16", "14", "12"]
    assert chart.data.lanes[-1].name == "Pump rate"
    image = chart.grab()
    assert not image.isNull()
    # A check saved while another tab is shown is drawn when the chart is shown again (not on the save).
    select_tab(panel, "sessionTabs", "Timed list")
    tick(session_store, clock, 45 * 60 - (clock.now() - T0).total_seconds())
    fill(qtbot, panel, sedation="2", respiration_rate="18")
    find(panel, QPushButton, "saveCheckButton").click()
    assert [str(v) for _, v in chart.data.lanes[0].points] == ["16", "14", "12"]
    select_tab(panel, "sessionTabs", "Trend chart")
    assert [str(v) for _, v in chart.data.lanes[0].points] == ["16", "14", "12", "18"]


def test_models_pass_the_model_tester(
    qtmodeltester: ModelTester, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 30 * 60)
    reminders = find(panel, QTableView, "reminderList").model()
    qtmodeltester.check(reminders)
    qtmodeltester.check(find(panel, QTableView, "historyTable").model())
    assert reminders.headerData(0, Qt.Orientation.Horizontal) == "Status"


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
    form = find(panel, QWidget, "recordCheckForm")
    combos = ("sedationField", *CHOICE_FIELDS.values())  # oxygen, consciousness and the yes/no questions
    assert len(set(combos)) == 8
    for name in combos:
        assert find(form, QComboBox, name).currentData() is None
    sedation = find(form, QComboBox, "sedationField")
    choose(sedation, "S")
    assert sedation.currentText().startswith("S: Sleeping")
