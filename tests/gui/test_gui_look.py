"""Night mode and glance mode: applied at once, kept in settings, back in a new window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ketamine_desktop.state.settings import ViewPrefs, ViewSettings
from tests.helpers.gui_helpers import WindowFactory, choose_protocol, retype


def test_night_and_glance_mode_persist_into_a_new_window(
    qtbot: QtBot, qapp: QApplication, make_window: WindowFactory, settings_path: Path
) -> None:
    first, _ = make_window()
    assert not first.night_action.isChecked() and not first.glance_action.isChecked()
    assert "Day theme" in qapp.styleSheet()
    first.night_action.trigger()
    first.glance_action.trigger()
    assert "Night theme" in qapp.styleSheet()
    assert "Glance mode" in qapp.styleSheet()
    assert first.dosing.form_scroll.isHidden()
    first.close()

    stored = QSettings(str(settings_path), QSettings.Format.IniFormat)
    assert stored.value("view/night_mode") in (True, "true")
    assert ViewSettings(settings_path).prefs == ViewPrefs(night_mode=True, glance_mode=True)

    second, _ = make_window()
    assert second.night_action.isChecked()
    assert second.glance_action.isChecked()
    assert second.dosing.form_scroll.isHidden()
    second.glance_action.trigger()
    assert not second.dosing.form_scroll.isHidden()
    assert "Glance mode" not in qapp.styleSheet()
    second.night_action.trigger()
    assert "Day theme" in qapp.styleSheet()
    assert ViewSettings(settings_path).prefs == ViewPrefs()


def test_glance_mode_keeps_the_pump_rate_largest(qtbot: QtBot, make_window: WindowFactory) -> None:
    window, _ = make_window()
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, window.dosing.form.weight.edit, "70")
    normal = window.dosing.card.pump_rate.fontInfo().pixelSize()
    window.glance_action.trigger()
    glance = window.dosing.card.pump_rate.fontInfo().pixelSize()
    assert glance > normal
    assert window.dosing.card.pump_rate.text() == "4.2 mL/h"
    assert window.dosing.notes_box.isHidden()
    window.glance_action.trigger()


def test_settings_hold_no_patient_details(
    qtbot: QtBot, make_window: WindowFactory, settings_path: Path
) -> None:
    window, _ = make_window()
    window.strip.bed.setText("CANARY-BED-17")
    window.strip.initials.setText("QZX")
    window.night_action.trigger()
    window.night_action.trigger()
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
    retype(qtbot, window.dosing.form.weight.edit, "80")
    retype(qtbot, window.dosing.form.infusion_dose.edit, "1.5")  # capped: the longest card texts
    for night, glance in ((False, False), (True, False), (True, True), (False, True)):
        if window.night_action.isChecked() != night:
            window.night_action.trigger()
        if window.glance_action.isChecked() != glance:
            window.glance_action.trigger()
        for index in range(window.tabs.count()):
            window.show_tab(index)
            needed = window.minimumSizeHint()
            fits = needed.width() <= SMALLEST_SCREEN[0] and needed.height() <= SMALLEST_SCREEN[1]
            assert fits, (night, glance, index, needed.toTuple())
