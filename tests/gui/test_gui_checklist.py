"""The pre-start checklist: the bed, the syringe volume and who starts, nothing unticked, a second
practitioner named; the baseline observations are the app's baseline check, never a tick. Without a session
attached (these tests) it shows the planned schedule; with one it starts it (tests/gui/monitoring)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.checklist import items_to_tick
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.schedule import monitoring_checks
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.gui.tabs.monitoring import NOT_RUNNING
from ketamine_desktop.state.plan import PLANNED_SCHEDULE_SPAN, PlanStore
from tests.helpers.gui_helpers import answer_screening, choose_protocol, complete_checklist, retype


def _open_checklist(qtbot: QtBot, window: MainWindow, protocol_id: str = "subanesthetic-infusion") -> None:
    answer_screening(window)
    choose_protocol(window, protocol_id)
    retype(qtbot, window.dosing.form.weight.edit, "70")
    window.dosing.start_bar.start_button.click()
    assert window.prestart_dialog is not None and window.prestart_dialog.isVisible()


def test_the_checklist_cannot_complete_with_an_item_unticked(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, library: Library
) -> None:
    _open_checklist(qtbot, window)
    dialog = window.prestart_dialog
    assert dialog is not None
    protocol = library.protocol("subanesthetic-infusion")
    assert [item_id for _, item_id in dialog.items] == [item.id for item in items_to_tick(library, protocol)]
    assert "baseline-observations" not in [item_id for _, item_id in dialog.items]
    dialog.bed.setText("Bed 4")
    assert dialog.volume is not None
    dialog.volume.edit.setText("50")
    dialog.started_by.setText("AB")
    for field in dialog.names.values():
        field.setText("A. Second RN")
    for box, _ in dialog.items[:-1]:
        box.setChecked(True)
    assert not dialog.complete_button.isEnabled()
    assert "1 checklist item to tick" in dialog.missing.text()
    dialog.complete_button.click()
    assert plan_store.planned is None
    dialog.items[-1][0].setChecked(True)
    assert dialog.complete_button.isEnabled()
    dialog.reject()


def test_the_checklist_needs_the_second_practitioners_name(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    _open_checklist(qtbot, window)
    dialog = window.prestart_dialog
    assert dialog is not None
    dialog.bed.setText("Bed 4")
    assert dialog.volume is not None
    dialog.volume.edit.setText("50")
    dialog.started_by.setText("AB")
    for box, _ in dialog.items:
        box.setChecked(True)
    assert dialog.names, "the library's double-check item asks for a name"
    assert not dialog.complete_button.isEnabled()
    assert "second practitioner's name" in dialog.missing.text()
    name = next(iter(dialog.names.values()))
    name.setText("   ")
    assert not dialog.complete_button.isEnabled()
    name.setText("B. Checker")
    assert dialog.complete_button.isEnabled()
    dialog.complete_button.click()
    assert plan_store.planned is not None
    assert list(plan_store.planned.names.values()) == ["B. Checker"]


def test_completing_the_checklist_shows_the_planned_schedule_starting_now(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, library: Library, clock: FakeClock
) -> None:
    _open_checklist(qtbot, window)
    complete_checklist(window)
    assert window.tabs.currentWidget() is window.monitoring_place and window.monitoring.isVisible()
    tab = window.monitoring
    assert tab.notice.text() == NOT_RUNNING
    assert "NOT A RUNNING SESSION" in tab.notice.text()
    expected = monitoring_checks(
        library, "subanesthetic-infusion", clock.now(), (), clock.now() + PLANNED_SCHEDULE_SPAN
    )
    assert tab.model.rowCount() == len(expected)
    assert [row.check for row in tab.model.rows] == list(expected)
    assert tab.model.rows[0].check.due == clock.now()
    first = tab.model.index(0, 1)
    assert tab.model.data(first) == "+0:00"
    assert tab.model.data(tab.model.index(0, 2)) == "Baseline"
    assert "A. Second RN" in tab.detail.text()
    assert "4.2 mL/h" in tab.detail.text()


def test_gates_must_be_confirmed_in_the_checklist(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    _open_checklist(qtbot, window, "shock")
    dialog = window.prestart_dialog
    assert dialog is not None
    assert dialog.gates, "the shock protocol has a gate"
    dialog.bed.setText("Bed 4")
    assert dialog.volume is not None
    dialog.volume.edit.setText("50")
    dialog.started_by.setText("AB")
    for box, _ in dialog.items:
        box.setChecked(True)
    for field in dialog.names.values():
        field.setText("A. Second RN")
    assert not dialog.complete_button.isEnabled()
    assert "gate" in dialog.missing.text()
    for box, _ in dialog.gates:
        box.setChecked(True)
    dialog.complete_button.click()
    assert plan_store.planned is not None


def test_changing_the_regimen_withdraws_the_planned_schedule(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, clock: FakeClock
) -> None:
    _open_checklist(qtbot, window)
    complete_checklist(window)
    assert plan_store.planned is not None
    clock.advance(timedelta(minutes=5).total_seconds())
    window.show_tab(0)
    retype(qtbot, window.dosing.form.weight.edit, "72")
    assert plan_store.planned is None
    assert window.monitoring.table.isHidden()
    assert "No planned schedule" in window.monitoring.summary.text()


def test_a_cancelled_checklist_plans_nothing(qtbot: QtBot, window: MainWindow, plan_store: PlanStore) -> None:
    _open_checklist(qtbot, window)
    dialog = window.prestart_dialog
    assert dialog is not None
    dialog.cancel_button.click()
    assert not dialog.isVisible()
    assert plan_store.planned is None


def test_the_checklist_asks_for_the_bed_the_volume_and_who_starts(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    window.strip.bed.setText("Ward 7 bed 12")
    window.strip.initials.setText("JD")
    _open_checklist(qtbot, window)
    dialog = window.prestart_dialog
    assert dialog is not None
    assert dialog.bed.text() == "Ward 7 bed 12" and dialog.initials.text() == "JD"  # from the strip
    in_app = dialog.findChild(QLabel, "checklist_baseline-observations_inApp")
    assert in_app is not None and "recorded in the app" in in_app.text() and "due at once" in in_app.text()
    for box, _ in (*dialog.items, *dialog.gates):
        box.setChecked(True)
    for field in dialog.names.values():
        field.setText("B. Checker")
    assert dialog.volume is not None
    assert "the syringe or bag volume" in dialog.missing.text()
    assert "your initials (started by)" in dialog.missing.text()
    dialog.volume.edit.setText("5O")
    dialog.volume.edit.textEdited.emit("5O")
    assert dialog.volume.error_label.text() != "" and not dialog.complete_button.isEnabled()
    dialog.volume.edit.setText("0")
    dialog.volume.edit.textEdited.emit("0")
    assert "must be greater than zero" in dialog.missing.text()
    dialog.volume.edit.setText("50")
    dialog.volume.edit.textEdited.emit("50")
    dialog.bed.setText("  ")
    assert "the bed or location" in dialog.missing.text()
    dialog.bed.setText("Ward 7 bed 12")
    dialog.started_by.setText("AB")
    assert dialog.complete_button.isEnabled(), dialog.missing.text()
    dialog.complete_button.click()
    planned = plan_store.planned
    assert planned is not None and not dialog.isVisible()  # no session attached: the plan is shown
    assert (planned.bed_label, planned.patient_initials, planned.started_by) == ("Ward 7 bed 12", "JD", "AB")
    assert planned.syringe_volume_ml == Decimal(50)
    assert "baseline-observations" not in planned.confirmed_items


def test_a_bolus_only_checklist_has_no_volume(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    _open_checklist(qtbot, window, "acute-bolus")
    dialog = window.prestart_dialog
    assert dialog is not None and dialog.volume is None
    complete_checklist(window)
    assert plan_store.planned is not None and plan_store.planned.syringe_volume_ml is None
