"""Quitting with an infusion running asks first and says that the reminders stop while the app is closed."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from tests.gui.monitoring.conftest import AppFactory
from tests.helpers.gui_helpers import find, find_all, open_dialog, text
from tests.helpers.session_helpers import start_from_the_dosing_tab


def test_file_quit_with_an_infusion_running_asks_first(qtbot: QtBot, make_app: AppFactory) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "subanesthetic-infusion")
    quit_action = find(window, QAction, "quitAction")
    quit_action.trigger()
    box = open_dialog(window, "quitConfirmDialog")
    assert isinstance(box, QMessageBox) and window.isVisible()
    assert "no reminders" in box.informativeText()
    keep = find(box, QPushButton, "quitCancelButton")
    assert box.defaultButton() is keep  # Enter keeps the app open
    keep.click()
    assert window.isVisible() and not box.isVisible()
    quit_action.trigger()
    box = open_dialog(window, "quitConfirmDialog")
    find(box, QPushButton, "quitConfirmButton").click()
    assert not window.isVisible()


def test_file_quit_without_a_session_closes_at_once(make_app: AppFactory) -> None:
    window, _plan, _parts = make_app()
    assert window.windowTitle() == "Ketamine Desktop"  # the app's name once
    assert text(window, "zoneStatus").startswith("Local time")  # the zone, said once
    find(window, QAction, "quitAction").trigger()
    assert not find_all(window, QMessageBox, "quitConfirmDialog") and not window.isVisible()
