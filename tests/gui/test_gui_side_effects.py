"""The Side effects tab: the library's side effects and escalation rules, filterable."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QTableView
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.main_window import MainWindow
from tests.helpers.gui_helpers import find


def test_side_effects_and_escalation_rules_are_listed_and_filterable(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    window.show_tab(3)
    effects = find(window, QTableView, "sideEffectsTable").model()
    escalation = find(window, QTableView, "escalationTable").model()
    assert effects.rowCount() == len(library.document.side_effects)
    assert escalation.rowCount() == len(library.document.escalation)
    qtbot.keyClicks(find(window, QLineEdit, "sideEffectsFilter"), "antiemetic")
    names = [effects.index(r, 0).data() for r in range(effects.rowCount())]
    assert names == ["Nausea and vomiting"]
    assert escalation.rowCount() == 1  # the nausea rule
    find(window, QLineEdit, "sideEffectsFilter").clear()
    assert effects.rowCount() == len(library.document.side_effects)
