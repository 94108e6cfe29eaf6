"""Driving the running-session widgets the way a nurse does: type the values, pick the choices, save."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QPushButton, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import SessionParts
from ketamine_desktop.gui.main_window import MainWindow
from tests.helpers.gui_helpers import (
    answer_screening,
    choose_protocol,
    complete_checklist,
    find,
    retype,
    text,
)

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


# The record form's fields by observation name, as objectNames.
NUMBER_FIELDS = {
    "respiration_rate": "rrField",
    "spo2": "spo2Field",
    "pulse": "hrField",
    "systolic_bp": "bpField",
    "diastolic_bp": "dbpField",
    "pain": "painField",
    "temperature": "temperatureField",
}
CHOICE_FIELDS = {
    "oxygen": "oxygenField",
    "consciousness": "consciousnessField",
    "hallucinations": "hallucinationsField",
    "dysphoria": "dysphoriaField",
    "nightmares": "nightmaresField",
    "nausea": "nauseaField",
    "monitors": "monitorsField",
}


def fill(
    qtbot: QtBot,
    where: QWidget,
    sedation: str,
    by: str = "EF",
    *,
    typed: bool = False,
    **changes: str,
) -> None:
    """Fill every visible field of the record form (found in `where`) with normal values (`changes`
    override, by observation field name)."""
    unknown = set(changes) - set(NUMBER_FIELDS) - set(CHOICE_FIELDS)
    assert not unknown, f"no such field on the record form: {sorted(unknown)}"
    form = find(where, QWidget, "recordCheckForm")
    texts = {**NORMAL_TEXT, **{k: v for k, v in changes.items() if k in NORMAL_TEXT}}
    choices = {**NORMAL_CHOICES, **{k: v for k, v in changes.items() if k in NORMAL_CHOICES}}
    for name, object_name in NUMBER_FIELDS.items():
        edit = find(form, QLineEdit, object_name)
        if edit.isVisibleTo(form):
            if typed:
                type_into(qtbot, edit, texts[name])
            else:
                edit.setText(texts[name])
    for name, object_name in CHOICE_FIELDS.items():
        combo = find(form, QComboBox, object_name)
        if combo.isVisibleTo(form):
            choose(combo, choices[name])
    sedation_combo = find(form, QComboBox, "sedationField")
    if sedation_combo.isVisibleTo(form):
        choose(sedation_combo, sedation)
    find(form, QLineEdit, "recordedByField").setText(by)


def start_from_the_dosing_tab(
    qtbot: QtBot,
    window: MainWindow,
    parts: SessionParts,
    protocol: str,
    bed: str = "Ward 7 bed 12",
    initials: str = "",
) -> None:
    """Dosing tab, screening, then the pre-start checklist (with the syringe volume) starts the session."""
    find(window, QLineEdit, "bedField").setText(bed)
    find(window, QLineEdit, "initialsField").setText(initials)
    answer_screening(window)
    choose_protocol(window, protocol)
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    find(window, QPushButton, "startButton").click()
    dialog = find(window, QDialog, "prestartDialog")
    complete_checklist(window, name="B. Checker")
    assert parts.store.running, text(dialog, "prestartMissing")
    assert not dialog.isVisible() and find(window, QTabWidget, "mainTabs").currentIndex() == 1
