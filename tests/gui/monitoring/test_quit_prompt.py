"""Quitting with an infusion running asks first and says that the reminders stop while the app is closed."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from tests.gui.monitoring.conftest import AppFactory
from tests.helpers.session_helpers import start_from_the_dosing_tab


def test_file_quit_with_an_infusion_running_asks_first(qtbot: QtBot, make_app: AppFactory) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "subanesthetic-infusion")
    quit_action = window.quit_action
    quit_action.trigger()
    box = window.findChild(QMessageBox, "quitConfirmDialog")
    assert box is not None and box.isVisible() and window.isVisible()
    assert "no reminders" in box.informativeText()
    keep = box.findChild(QPushButton, "quitCancelButton")
    assert keep is not None and box.defaultButton() is keep  # Enter keeps the app open
    keep.click()
    assert window.isVisible() and not box.isVisible()
    quit_action.trigger()
    box = window.quit_dialog
    assert box is not None and box.isVisible()
    confirm = box.findChild(QPushButton, "quitConfirmButton")
    assert confirm is not None
    confirm.click()
    assert not window.isVisible()


def test_file_quit_without_a_session_closes_at_once(make_app: AppFactory) -> None:
    window, _plan, _parts = make_app()
    assert window.windowTitle() == "Ketamine Desktop"  # the app's name once
    assert window.zone_status.text().startswith("Local time")  # the zone, said once
    window.quit_action.trigger()
    assert window.quit_dialog is None and not window.isVisible()
