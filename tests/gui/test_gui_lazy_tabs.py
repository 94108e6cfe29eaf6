"""The Contraindications and Side effects tabs are built when first shown (start-up, issue 5); built late
they show the plan store's state and feed Start exactly as before."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtWidgets import QLineEdit, QPushButton, QRadioButton, QTableView, QWidget
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.main_window import MainWindow
from tests.helpers.gui_helpers import answer_screening, choose_protocol, find, find_all, retype


def test_the_side_effects_tab_is_built_when_first_shown_and_its_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: object, window: MainWindow, library: Library
) -> None:
    assert window.built_tabs == ()
    assert not find_all(window, QWidget, "sideEffectsTab")
    window.show_tab(3)
    assert window.built_tabs == ("side effects",)
    tab = find(window, QWidget, "sideEffectsTab")
    effects_table = find(tab, QTableView, "sideEffectsTable")
    assert tab.isVisible() and effects_table.isVisible()
    assert effects_table.model().rowCount() == len(library.document.side_effects)
    proxies = [find(tab, QTableView, name).model() for name in ("sideEffectsTable", "escalationTable")]
    for proxy in proxies:
        assert isinstance(proxy, QSortFilterProxyModel)
        for model in (proxy.sourceModel(), proxy):
            qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_start_follows_a_contraindication_answered_in_the_tab_built_late(
    qtbot: QtBot, window: MainWindow
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    start = find(window, QPushButton, "startButton")
    assert not start.isEnabled() and window.built_tabs == ()  # unanswered screening blocks Start
    window.show_tab(2)
    assert window.built_tabs == ("contraindications",)
    answer_screening(window)
    assert start.isEnabled()
    find(window, QRadioButton, "contra_hypersensitivity_present").click()  # absolute: cannot start
    assert not start.isEnabled()
    find(window, QRadioButton, "contra_hypersensitivity_absent").click()
    assert start.isEnabled()
