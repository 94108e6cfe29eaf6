"""The Contraindications and Side effects tabs are built when first shown (start-up, issue 5); built late
they show the plan store's state and feed Start exactly as before."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.main_window import MainWindow
from tests.helpers.gui_helpers import answer_screening, choose_protocol, retype


def test_the_side_effects_tab_is_built_when_first_shown_and_its_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: object, window: MainWindow, library: Library
) -> None:
    assert window.built_tabs == ()
    assert window.side_effects_place.content is None
    window.show_tab(3)
    assert window.built_tabs == ("side effects",)
    tab = window.side_effects
    assert tab.isVisible() and tab.effects_table.isVisible()
    assert tab.effects_table.model().rowCount() == len(library.document.side_effects)
    for model in (tab.effects_model, tab.escalation, tab.effects_proxy, tab.escalation_proxy):
        qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_start_follows_a_contraindication_answered_in_the_tab_built_late(
    qtbot: QtBot, window: MainWindow
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, window.dosing.form.weight.edit, "70")
    start = window.dosing.start_bar.start_button
    assert not start.isEnabled() and window.built_tabs == ()  # unanswered screening blocks Start
    window.show_tab(2)
    assert window.built_tabs == ("contraindications",)
    tab = window.contraindications
    answer_screening(window)
    assert start.isEnabled()
    tab.rows["hypersensitivity"].present.click()  # absolute: cannot start
    assert not start.isEnabled()
    tab.rows["hypersensitivity"].absent.click()
    assert start.isEnabled()
