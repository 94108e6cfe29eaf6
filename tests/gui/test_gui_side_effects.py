"""The Side effects tab: the library's side effects and escalation rules, filterable."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.main_window import MainWindow


def test_side_effects_and_escalation_rules_are_listed_and_filterable(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    tab = window.side_effects
    window.show_tab(3)
    assert tab.effects_proxy.rowCount() == len(library.document.side_effects)
    assert tab.escalation_proxy.rowCount() == len(library.document.escalation)
    qtbot.keyClicks(tab.filter, "antiemetic")
    names = [tab.effects_proxy.index(r, 0).data() for r in range(tab.effects_proxy.rowCount())]
    assert names == ["Nausea and vomiting"]
    assert tab.escalation_proxy.rowCount() == 1  # the nausea rule
    tab.filter.clear()
    assert tab.effects_proxy.rowCount() == len(library.document.side_effects)
