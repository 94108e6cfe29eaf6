"""Driving the running-session widgets the way a nurse does: type the values, pick the choices, save."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import SessionParts
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.gui.monitoring.record_form import RecordCheckForm
from tests.helpers.gui_helpers import answer_screening, choose_protocol, complete_checklist, retype

NORMAL_TEXT = {
    "respiration_rate": "16",
    "spo2": "98",
    "pulse": "72",
    "systolic_bp": "128",
    "diastolic_bp": "76",
    "pain": "3",
    "temperature": "36.8",
}
NORMAL_CHOICES = {
    "oxygen": "air",
    "consciousness": "A",
    "hallucinations": "no",
    "dysphoria": "no",
    "nightmares": "no",
    "nausea": "no",
    "monitors": "yes",
}


def choose(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def fill(
    qtbot: QtBot,
    form: RecordCheckForm,
    sedation: str,
    by: str = "EF",
    *,
    typed: bool = False,
    **changes: str,
) -> None:
    """Fill every visible field with normal values (`changes` override, by observation field name)."""
    texts = {**NORMAL_TEXT, **{k: v for k, v in changes.items() if k in NORMAL_TEXT}}
    choices = {**NORMAL_CHOICES, **{k: v for k, v in changes.items() if k in NORMAL_CHOICES}}
    for name, field in form.numbers.items():
        if field.isVisibleTo(form):
            if typed:
                type_into(qtbot, field.edit, texts[name])
            else:
                field.edit.setText(texts[name])
    combos = {"oxygen": form.oxygen, "consciousness": form.consciousness, **form.yes_no}
    for name, combo in combos.items():
        if combo.isVisibleTo(form):
            choose(combo, choices[name])
    if form.sedation.isVisibleTo(form):
        choose(form.sedation, sedation)
    form.by.setText(by)


def start_from_the_dosing_tab(
    qtbot: QtBot,
    window: MainWindow,
    parts: SessionParts,
    protocol: str,
    bed: str = "Ward 7 bed 12",
    initials: str = "",
) -> None:
    """Dosing tab, screening, then the pre-start checklist (with the syringe volume) starts the session."""
    window.strip.bed.setText(bed)
    window.strip.initials.setText(initials)
    answer_screening(window)
    choose_protocol(window, protocol)
    retype(qtbot, window.dosing.form.weight.edit, "70")
    window.dosing.start_bar.start_button.click()
    dialog = window.prestart_dialog
    assert dialog is not None
    complete_checklist(window, name="B. Checker")
    assert parts.store.running, dialog.missing.text()
    assert not dialog.isVisible() and window.tabs.currentIndex() == 1
