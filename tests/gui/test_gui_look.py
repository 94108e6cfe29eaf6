"""Night mode and glance mode: applied at once, kept in settings, back in a new window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QScrollArea, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from ketamine_desktop.state.settings import ViewPrefs, ViewSettings
from tests.helpers.gui_helpers import WindowFactory, choose_protocol, find, retype, text


def test_night_and_glance_mode_persist_into_a_new_window(
    qtbot: QtBot, qapp: QApplication, make_window: WindowFactory, settings_path: Path
) -> None:
    first, _ = make_window()
    assert (
        not find(first, QAction, "nightModeAction").isChecked()
        and not find(first, QAction, "glanceModeAction").isChecked()
    )
    assert "Day theme" in qapp.styleSheet()
    find(first, QAction, "nightModeAction").trigger()
    find(first, QAction, "glanceModeAction").trigger()
    assert "Night theme" in qapp.styleSheet()
    assert "Glance mode" in qapp.styleSheet()
    assert find(first, QScrollArea, "dosingFormScroll").isHidden()
    first.close()

    stored = QSettings(str(settings_path), QSettings.Format.IniFormat)
    assert stored.value("view/night_mode") in (True, "true")
    assert ViewSettings(settings_path).prefs == ViewPrefs(night_mode=True, glance_mode=True)

    second, _ = make_window()
    assert find(second, QAction, "nightModeAction").isChecked()
    assert find(second, QAction, "glanceModeAction").isChecked()
    assert find(second, QScrollArea, "dosingFormScroll").isHidden()
    find(second, QAction, "glanceModeAction").trigger()
    assert not find(second, QScrollArea, "dosingFormScroll").isHidden()
    assert "Glance mode" not in qapp.styleSheet()
    find(second, QAction, "nightModeAction").trigger()
    assert "Day theme" in qapp.styleSheet()
    assert ViewSettings(settings_path).prefs == ViewPrefs()


def test_glance_mode_keeps_the_pump_rate_largest(qtbot: QtBot, make_window: WindowFactory) -> None:
    window, _ = make_window()
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    normal = find(window, QLabel, "pumpRateValue").fontInfo().pixelSize()
    find(window, QAction, "glanceModeAction").trigger()
    glance = find(window, QLabel, "pumpRateValue").fontInfo().pixelSize()
    assert glance > normal
    assert text(window, "pumpRateValue") == "4.2 mL/h"
    assert find(window, QWidget, "dosingNotes").isHidden()
    find(window, QAction, "glanceModeAction").trigger()


def test_settings_hold_no_patient_details(
    qtbot: QtBot, make_window: WindowFactory, settings_path: Path
) -> None:
    window, _ = make_window()
    find(window, QLineEdit, "bedField").setText("CANARY-BED-17")
    find(window, QLineEdit, "initialsField").setText("QZX")
    find(window, QAction, "nightModeAction").trigger()
    find(window, QAction, "nightModeAction").trigger()
    window.close()
    text = settings_path.read_text(encoding="utf-8")
    assert "CANARY" not in text and "QZX" not in text
    assert "CANARY" not in window.windowTitle()


# 1366x768 at 150% scaling leaves 911x512 logical pixels, less a title bar: the window must fit in that,
# in every mode, or part of it would be off the screen.
SMALLEST_SCREEN = (911, 480)


def test_the_window_fits_a_1366x768_screen_at_150_percent_in_every_mode(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window, _ = make_window()
    choose_protocol(window, "icu-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "80")
    retype(qtbot, find(window, QLineEdit, "infusionDoseField"), "1.5")  # capped: the longest card texts
    for night, glance in ((False, False), (True, False), (True, True), (False, True)):
        if find(window, QAction, "nightModeAction").isChecked() != night:
            find(window, QAction, "nightModeAction").trigger()
        if find(window, QAction, "glanceModeAction").isChecked() != glance:
            find(window, QAction, "glanceModeAction").trigger()
        for index in range(find(window, QTabWidget, "mainTabs").count()):
            window.show_tab(index)
            needed = window.minimumSizeHint()
            fits = needed.width() <= SMALLEST_SCREEN[0] and needed.height() <= SMALLEST_SCREEN[1]
            assert fits, (night, glance, index, needed.toTuple())
