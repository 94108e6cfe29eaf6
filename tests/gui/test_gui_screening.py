"""The Contraindications tab: absolute blocks, contraindicated needs a named override, cautions an
acknowledgement; the result shows next to Start."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QLineEdit, QPushButton, QRadioButton
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.state.plan import PlanStore
from tests.helpers.gui_helpers import answer_screening, choose_protocol, find, find_all, retype, text


def _answered(window: MainWindow, item_id: str) -> bool:
    """The item has an answer on screen (one of its two buttons is checked)."""
    return any(
        find(window, QRadioButton, f"contra_{item_id}_{answer}").isChecked()
        for answer in ("absent", "present")
    )


def _ready(qtbot: QtBot, window: MainWindow) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")


def test_start_needs_every_item_answered(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, library: Library
) -> None:
    _ready(qtbot, window)
    start = find(window, QPushButton, "startButton")
    assert not start.isEnabled()
    assert "not answered" in text(window, "screeningSummary")
    window.show_tab(2)
    # The group button answers only the cautions, whose names it shows; the others stay to answer.
    items = library.document.contraindications
    cautions = [item for item in items if item.level == "caution"]
    others = [item for item in items if item.level != "caution"]
    assert cautions and others
    assert all(item.text in text(window, "unansweredCautions") for item in cautions)
    find(window, QPushButton, "markRemainingAbsentButton").click()
    assert all(_answered(window, item.id) for item in cautions)
    assert not any(_answered(window, item.id) for item in others)
    assert not plan_store.screening.complete and not start.isEnabled()
    assert find(window, QPushButton, "markRemainingAbsentButton").isHidden()
    assert find(window, QLabel, "unansweredCautions").isHidden()
    answer_screening(window)
    assert plan_store.screening.complete and plan_store.screening.can_start
    assert start.isEnabled()
    assert text(window, "screeningSummary") == plan_store.screening.summary


def test_answering_moves_the_focus_to_the_next_item(qtbot: QtBot, window: MainWindow) -> None:
    window.show_tab(2)
    absent = find_all(window, QRadioButton, "contra_.+_absent")
    absent[0].setFocus()
    qtbot.keyClick(absent[0], Qt.Key.Key_Space)  # Space answers "not present"
    first = absent[0].objectName().removesuffix("_absent")
    assert absent[0].isChecked() and not find(window, QRadioButton, f"{first}_present").isChecked()
    assert absent[1].hasFocus()
    qtbot.keyClick(absent[1], Qt.Key.Key_Space)
    assert absent[2].hasFocus()


def test_an_overridden_item_never_shows_a_green_tick(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    from ketamine_desktop.gui.tabs.contraindications import STATUS_LEVEL

    assert STATUS_LEVEL["overridden"] != "ok"
    answer_screening(window, {"pregnancy": True})
    qtbot.keyClicks(find(window, QLineEdit, "contra_pregnancy_overrideBy"), "Dr A. Senior")
    qtbot.keyClicks(find(window, QLineEdit, "contra_pregnancy_overrideReason"), "Benefit outweighs risk")
    item = next(i for i in plan_store.screening.items if i.item_id == "pregnancy")
    assert item.status == "overridden"
    assert (
        find(window, QLabel, "contra_pregnancy_statusIcon").pixmap().toImage()
        != find(window, QLabel, "contra_hypersensitivity_statusIcon").pixmap().toImage()
    )


def test_a_contraindication_blocks_start_until_a_named_senior_overrides_with_a_reason(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    _ready(qtbot, window)
    answer_screening(window, {"pregnancy": True})
    override_by = find(window, QLineEdit, "contra_pregnancy_overrideBy")
    override_reason = find(window, QLineEdit, "contra_pregnancy_overrideReason")
    start = find(window, QPushButton, "startButton")
    assert not start.isEnabled()
    row = find(window, QFrame, "contra_pregnancy")
    assert override_by.isVisibleTo(row) and override_reason.isVisibleTo(row)
    assert "senior" in text(window, "screeningSummary")

    qtbot.keyClicks(override_by, "Dr A. Senior")
    assert not start.isEnabled()  # a name without a reason is not an override
    qtbot.keyClicks(override_reason, "Benefit outweighs risk, obstetrics agree")
    assert start.isEnabled()
    item = next(i for i in plan_store.screening.items if i.item_id == "pregnancy")
    assert item.status == "overridden"
    assert item.override_by == "Dr A. Senior"
    assert "overridden by Dr A. Senior" in text(window, "screeningSummary")

    override_reason.selectAll()
    qtbot.keyClick(override_reason, Qt.Key.Key_Backspace)
    assert not start.isEnabled()


def test_an_absolute_contraindication_cannot_be_overridden(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    _ready(qtbot, window)
    answer_screening(window, {"hypersensitivity": True})
    row = find(window, QFrame, "contra_hypersensitivity")
    assert not find(row, QLineEdit, "contra_hypersensitivity_overrideBy").isVisibleTo(row)
    assert not find(row, QLineEdit, "contra_hypersensitivity_overrideReason").isVisibleTo(row)
    assert find(window, QCheckBox, "contra_hypersensitivity_acknowledge").isHidden()
    assert not find(window, QPushButton, "startButton").isEnabled()
    assert text(window, "screeningSummary").startswith("Cannot start")
    assert "cannot be started" in text(window, "contra_hypersensitivity_status")


def test_a_caution_needs_an_acknowledgement(qtbot: QtBot, window: MainWindow, plan_store: PlanStore) -> None:
    _ready(qtbot, window)
    answer_screening(window, {"age-over-75": True})
    acknowledge = find(window, QCheckBox, "contra_age-over-75_acknowledge")
    start = find(window, QPushButton, "startButton")
    assert not acknowledge.isHidden()
    assert not start.isEnabled()
    qtbot.mouseClick(acknowledge, Qt.MouseButton.LeftButton)
    assert start.isEnabled()
    assert "1 caution acknowledged" in text(window, "screeningSummary")


def test_the_grading_note_and_levels_are_shown_in_words(window: MainWindow, library: Library) -> None:
    window.show_tab(2)
    assert library.document.screening.grading_note in text(window, "gradingNote")
    words = {
        item.level: text(window, f"contra_{item.id}_meta") for item in library.document.contraindications
    }
    assert words["absolute"].startswith("Absolute: cannot start")
    assert words["contraindicated"].startswith("Contraindicated: senior override with reason")
    assert words["caution"].startswith("Caution: acknowledge")
