"""The Contraindications tab: absolute blocks, contraindicated needs a named override, cautions an
acknowledgement; the result shows next to Start."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.state.plan import PlanStore
from tests.helpers.gui_helpers import answer_screening, choose_protocol, retype


def _ready(qtbot: QtBot, window: MainWindow) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, window.dosing.form.weight.edit, "70")


def test_start_needs_every_item_answered(qtbot: QtBot, window: MainWindow, plan_store: PlanStore) -> None:
    _ready(qtbot, window)
    start = window.dosing.start_bar.start_button
    assert not start.isEnabled()
    assert "not answered" in window.dosing.start_bar.screening_text.text()
    tab = window.contraindications
    # The group button answers only the cautions, whose names it shows; the others stay to answer.
    cautions = [row for row in tab.rows.values() if row.item.level == "caution"]
    others = [row for row in tab.rows.values() if row.item.level != "caution"]
    assert cautions and others
    assert all(row.item.text in tab.cautions_list.text() for row in cautions)
    tab.none_present.click()
    assert all(row.answer() is not None for row in cautions)
    assert all(row.answer() is None for row in others)
    assert not plan_store.screening.complete and not start.isEnabled()
    assert tab.none_present.isHidden() and tab.cautions_list.isHidden()
    answer_screening(window)
    assert plan_store.screening.complete and plan_store.screening.can_start
    assert start.isEnabled()
    assert window.dosing.start_bar.screening_text.text() == plan_store.screening.summary


def test_answering_moves_the_focus_to_the_next_item(qtbot: QtBot, window: MainWindow) -> None:
    window.show_tab(2)
    tab = window.contraindications
    rows = list(tab.rows.values())
    rows[0].absent.setFocus()
    qtbot.keyClick(rows[0].absent, Qt.Key.Key_Space)  # Space answers "not present"
    assert rows[0].answer() is not None and not rows[0].answer().present
    assert rows[1].absent.hasFocus()
    qtbot.keyClick(rows[1].absent, Qt.Key.Key_Space)
    assert rows[2].absent.hasFocus()


def test_an_overridden_item_never_shows_a_green_tick(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    from ketamine_desktop.gui.tabs.contraindications import STATUS_LEVEL

    assert STATUS_LEVEL["overridden"] != "ok"
    answer_screening(window, {"pregnancy": True})
    row = window.contraindications.rows["pregnancy"]
    qtbot.keyClicks(row.override_by, "Dr A. Senior")
    qtbot.keyClicks(row.override_reason, "Benefit outweighs risk")
    item = next(i for i in plan_store.screening.items if i.item_id == "pregnancy")
    assert item.status == "overridden"
    assert (
        row.status_icon.pixmap().toImage()
        != window.contraindications.rows["hypersensitivity"].status_icon.pixmap().toImage()
    )


def test_a_contraindication_blocks_start_until_a_named_senior_overrides_with_a_reason(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    _ready(qtbot, window)
    answer_screening(window, {"pregnancy": True})
    row = window.contraindications.rows["pregnancy"]
    start = window.dosing.start_bar.start_button
    assert not start.isEnabled()
    assert not row.override_box.isHidden()
    assert "senior" in window.dosing.start_bar.screening_text.text()

    qtbot.keyClicks(row.override_by, "Dr A. Senior")
    assert not start.isEnabled()  # a name without a reason is not an override
    qtbot.keyClicks(row.override_reason, "Benefit outweighs risk, obstetrics agree")
    assert start.isEnabled()
    item = next(i for i in plan_store.screening.items if i.item_id == "pregnancy")
    assert item.status == "overridden"
    assert item.override_by == "Dr A. Senior"
    assert "overridden by Dr A. Senior" in window.dosing.start_bar.screening_text.text()

    row.override_reason.selectAll()
    qtbot.keyClick(row.override_reason, Qt.Key.Key_Backspace)
    assert not start.isEnabled()


def test_an_absolute_contraindication_cannot_be_overridden(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    _ready(qtbot, window)
    answer_screening(window, {"hypersensitivity": True})
    row = window.contraindications.rows["hypersensitivity"]
    assert row.override_box.isHidden()
    assert row.acknowledge.isHidden()
    assert not window.dosing.start_bar.start_button.isEnabled()
    assert window.dosing.start_bar.screening_text.text().startswith("Cannot start")
    assert "cannot be started" in row.status_text.text()


def test_a_caution_needs_an_acknowledgement(qtbot: QtBot, window: MainWindow, plan_store: PlanStore) -> None:
    _ready(qtbot, window)
    answer_screening(window, {"age-over-75": True})
    row = window.contraindications.rows["age-over-75"]
    start = window.dosing.start_bar.start_button
    assert not row.acknowledge.isHidden()
    assert not start.isEnabled()
    qtbot.mouseClick(row.acknowledge, Qt.MouseButton.LeftButton)
    assert start.isEnabled()
    assert "1 caution acknowledged" in window.dosing.start_bar.screening_text.text()


def test_the_grading_note_and_levels_are_shown_in_words(window: MainWindow, library: Library) -> None:
    tab = window.contraindications
    assert library.document.screening.grading_note in tab.grading_note.text()
    words = {row.item.level: row.meta.text() for row in tab.rows.values()}
    assert words["absolute"].startswith("Absolute: cannot start")
    assert words["contraindicated"].startswith("Contraindicated: senior override with reason")
    assert words["caution"].startswith("Caution: acknowledge")
