"""The pre-start checklist: the bed, the syringe volume and who starts, nothing unticked, a second
practitioner named; the baseline observations are the app's baseline check, never a tick. Without a session
attached (these tests) it shows the planned schedule; with one it starts it (tests/gui/monitoring)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.checklist import items_to_tick
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.schedule import monitoring_checks
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.gui.tabs.monitoring import NOT_RUNNING
from ketamine_desktop.state.plan import PLANNED_SCHEDULE_SPAN, PlanStore
from tests.helpers.gui_helpers import (
    answer_screening,
    choose_protocol,
    complete_checklist,
    find,
    find_all,
    retype,
    text,
)


def _open_checklist(qtbot: QtBot, window: MainWindow, protocol_id: str = "subanesthetic-infusion") -> None:
    answer_screening(window)
    choose_protocol(window, protocol_id)
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    find(window, QPushButton, "startButton").click()
    assert find(window, QDialog, "prestartDialog").isVisible()


def test_the_checklist_cannot_complete_with_an_item_unticked(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, library: Library
) -> None:
    _open_checklist(qtbot, window)
    dialog = find(window, QDialog, "prestartDialog")
    protocol = library.protocol("subanesthetic-infusion")
    items = find_all(dialog, QCheckBox, "checklist_.+")
    item_ids = [box.objectName().removeprefix("checklist_") for box in items]
    assert item_ids == [item.id for item in items_to_tick(library, protocol)]
    assert "baseline-observations" not in item_ids
    find(dialog, QLineEdit, "prestartBedField").setText("Bed 4")
    find(dialog, QLineEdit, "prestartVolumeField").setText("50")
    find(dialog, QLineEdit, "prestartStartedByField").setText("AB")
    for field in find_all(dialog, QLineEdit, "checklist_.+_name"):
        field.setText("A. Second RN")
    for box in items[:-1]:
        box.setChecked(True)
    assert not find(dialog, QPushButton, "prestartCompleteButton").isEnabled()
    assert "1 checklist item to tick" in text(dialog, "prestartMissing")
    find(dialog, QPushButton, "prestartCompleteButton").click()
    assert plan_store.planned is None
    items[-1].setChecked(True)
    assert find(dialog, QPushButton, "prestartCompleteButton").isEnabled()
    dialog.reject()


def test_the_checklist_needs_the_second_practitioners_name(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    _open_checklist(qtbot, window)
    dialog = find(window, QDialog, "prestartDialog")
    find(dialog, QLineEdit, "prestartBedField").setText("Bed 4")
    find(dialog, QLineEdit, "prestartVolumeField").setText("50")
    find(dialog, QLineEdit, "prestartStartedByField").setText("AB")
    for box in find_all(dialog, QCheckBox, "checklist_.+"):
        box.setChecked(True)
    names = find_all(dialog, QLineEdit, "checklist_.+_name")
    assert names, "the library's double-check item asks for a name"
    assert not find(dialog, QPushButton, "prestartCompleteButton").isEnabled()
    assert "second practitioner's name" in text(dialog, "prestartMissing")
    name = names[0]
    name.setText("   ")
    assert not find(dialog, QPushButton, "prestartCompleteButton").isEnabled()
    name.setText("B. Checker")
    assert find(dialog, QPushButton, "prestartCompleteButton").isEnabled()
    find(dialog, QPushButton, "prestartCompleteButton").click()
    assert plan_store.planned is not None
    assert list(plan_store.planned.names.values()) == ["B. Checker"]


def test_completing_the_checklist_shows_the_planned_schedule_starting_now(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, library: Library, clock: FakeClock
) -> None:
    _open_checklist(qtbot, window)
    complete_checklist(window)
    current = find(window, QTabWidget, "mainTabs").currentWidget()
    tab = find(window, QWidget, "monitoringTab")  # built inside its place when first shown
    assert current.isAncestorOf(tab) and tab.isVisible()
    assert text(window, "planNotice") == NOT_RUNNING
    assert "NOT A RUNNING SESSION" in text(window, "planNotice")
    model = find(window, QTableView, "plannedScheduleTable").model()
    expected = monitoring_checks(
        library, "subanesthetic-infusion", clock.now(), (), clock.now() + PLANNED_SCHEDULE_SPAN
    )
    assert model.rowCount() == len(expected)
    assert [row.check for row in model.rows] == list(expected)
    assert model.rows[0].check.due == clock.now()
    first = model.index(0, 1)
    assert model.data(first) == "+0:00"
    assert model.data(model.index(0, 2)) == "Baseline"
    assert "A. Second RN" in text(window, "planDetail")
    assert "4.2 mL/h" in text(window, "planDetail")


def test_gates_must_be_confirmed_in_the_checklist(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    _open_checklist(qtbot, window, "shock")
    dialog = find(window, QDialog, "prestartDialog")
    gates = find_all(dialog, QCheckBox, r"gate_\d+")
    assert gates, "the shock protocol has a gate"
    find(dialog, QLineEdit, "prestartBedField").setText("Bed 4")
    find(dialog, QLineEdit, "prestartVolumeField").setText("50")
    find(dialog, QLineEdit, "prestartStartedByField").setText("AB")
    for box in find_all(dialog, QCheckBox, "checklist_.+"):
        box.setChecked(True)
    for field in find_all(dialog, QLineEdit, "checklist_.+_name"):
        field.setText("A. Second RN")
    assert not find(dialog, QPushButton, "prestartCompleteButton").isEnabled()
    assert "gate" in text(dialog, "prestartMissing")
    for box in gates:
        box.setChecked(True)
    find(dialog, QPushButton, "prestartCompleteButton").click()
    assert plan_store.planned is not None


def test_changing_the_regimen_withdraws_the_planned_schedule(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, clock: FakeClock
) -> None:
    _open_checklist(qtbot, window)
    complete_checklist(window)
    assert plan_store.planned is not None
    clock.advance(timedelta(minutes=5).total_seconds())
    window.show_tab(0)
    retype(qtbot, find(window, QLineEdit, "weightField"), "72")
    assert plan_store.planned is None
    assert find(window, QTableView, "plannedScheduleTable").isHidden()
    assert "No planned schedule" in text(window, "planSummary")


def test_a_cancelled_checklist_plans_nothing(qtbot: QtBot, window: MainWindow, plan_store: PlanStore) -> None:
    _open_checklist(qtbot, window)
    dialog = find(window, QDialog, "prestartDialog")
    find(dialog, QPushButton, "prestartCancelButton").click()
    assert not dialog.isVisible()
    assert plan_store.planned is None


def test_the_checklist_asks_for_the_bed_the_volume_and_who_starts(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    find(window, QLineEdit, "bedField").setText("Ward 7 bed 12")
    find(window, QLineEdit, "initialsField").setText("JD")
    _open_checklist(qtbot, window)
    dialog = find(window, QDialog, "prestartDialog")
    assert (
        find(dialog, QLineEdit, "prestartBedField").text() == "Ward 7 bed 12"
        and find(dialog, QLineEdit, "prestartInitialsField").text() == "JD"
    )  # from the strip
    in_app = text(dialog, "checklist_baseline-observations_inApp")
    assert "recorded in the app" in in_app and "due at once" in in_app
    for box in find_all(dialog, QCheckBox, r"checklist_.+|gate_\d+"):
        box.setChecked(True)
    for field in find_all(dialog, QLineEdit, "checklist_.+_name"):
        field.setText("B. Checker")
    assert "the syringe or bag volume" in text(dialog, "prestartMissing")
    assert "your initials (started by)" in text(dialog, "prestartMissing")
    find(dialog, QLineEdit, "prestartVolumeField").setText("5O")
    find(dialog, QLineEdit, "prestartVolumeField").textEdited.emit("5O")
    assert (
        text(dialog, "prestartVolumeFieldError") != ""
        and not find(dialog, QPushButton, "prestartCompleteButton").isEnabled()
    )
    find(dialog, QLineEdit, "prestartVolumeField").setText("0")
    find(dialog, QLineEdit, "prestartVolumeField").textEdited.emit("0")
    assert "must be greater than zero" in text(dialog, "prestartMissing")
    find(dialog, QLineEdit, "prestartVolumeField").setText("50")
    find(dialog, QLineEdit, "prestartVolumeField").textEdited.emit("50")
    find(dialog, QLineEdit, "prestartBedField").setText("  ")
    assert "the bed or location" in text(dialog, "prestartMissing")
    find(dialog, QLineEdit, "prestartBedField").setText("Ward 7 bed 12")
    find(dialog, QLineEdit, "prestartStartedByField").setText("AB")
    assert find(dialog, QPushButton, "prestartCompleteButton").isEnabled(), text(dialog, "prestartMissing")
    find(dialog, QPushButton, "prestartCompleteButton").click()
    planned = plan_store.planned
    assert planned is not None and not dialog.isVisible()  # no session attached: the plan is shown
    assert (planned.bed_label, planned.patient_initials, planned.started_by) == ("Ward 7 bed 12", "JD", "AB")
    assert planned.syringe_volume_ml == Decimal(50)
    assert "baseline-observations" not in planned.confirmed_items


def test_a_bolus_only_checklist_has_no_volume(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    _open_checklist(qtbot, window, "acute-bolus")
    dialog = find(window, QDialog, "prestartDialog")
    assert not find_all(dialog, QLineEdit, "prestartVolumeField")
    complete_checklist(window)
    assert plan_store.planned is not None and plan_store.planned.syringe_volume_ml is None
