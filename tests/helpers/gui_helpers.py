"""Driving the window the way a user does: choose, type, tick, click."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.state.plan import PlanStore

WindowFactory = Callable[[], tuple[MainWindow, PlanStore]]


def choose_protocol(window: MainWindow, protocol_id: str) -> None:
    combo = window.dosing.form.protocol_combo
    index = combo.findData(protocol_id)
    assert index >= 0, protocol_id
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a click or Enter in the list sends


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Clear the field and type `text` key by key."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def paste(edit: QLineEdit, text: str) -> None:
    """Replace the field's text in one user edit, as a paste does (one textEdited)."""
    edit.setFocus()
    edit.selectAll()
    edit.insert(text)


def answer_screening(window: MainWindow, present: dict[str, bool] | None = None) -> None:
    """Answer every item: those in `present` as given, all others "not present"."""
    present = present or {}
    for item_id, row in window.contraindications.rows.items():
        (row.present if present.get(item_id) else row.absent).click()


def complete_checklist(
    window: MainWindow,
    name: str = "A. Second RN",
    reason: str | None = None,
    *,
    volume: str = "50",
    started_by: str = "AB",
) -> None:
    """Fill the pre-start checklist as a nurse does (bed kept from the strip, else "Ward 7 bed 12") and
    press its button: with a session attached this starts the session."""
    dialog = window.prestart_dialog
    assert dialog is not None
    if not dialog.bed.text():
        dialog.bed.setText("Ward 7 bed 12")
    if dialog.volume is not None:
        dialog.volume.edit.setText(volume)
    dialog.started_by.setText(started_by)
    for box, _ in (*dialog.items, *dialog.gates):
        box.setChecked(True)
    for field in dialog.names.values():
        field.setText(name)
    if reason is not None:
        assert dialog.reason is not None
        dialog.reason.setPlainText(reason)
    dialog.complete_button.click()
