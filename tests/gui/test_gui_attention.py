"""The GUI side of an alert (gui/attention.py): the desktop's beep as the last sound, and the window's
attention request when the alert controller asks for it."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ketamine_desktop.gui import attention as attention_module
from ketamine_desktop.gui.attention import BeepPlayer, WindowAttention, default_player
from ketamine_desktop.state import alerts as alerts_module
from ketamine_desktop.state.alerts import CommandPlayer, chime_path


def test_the_beep_player(qapp: QApplication) -> None:
    del qapp
    beep = BeepPlayer(lambda: True)
    assert beep.play(chime_path()) and beep.working() and beep.name == "system beep"
    # No sound device: no beep into nothing, and the banner says "no sound on this computer".
    deaf = BeepPlayer(lambda: False)
    assert not deaf.play(chime_path()) and not deaf.working()


def test_default_player_prefers_paplay_then_aplay_then_the_beep(monkeypatch: pytest.MonkeyPatch) -> None:
    found = {"paplay": None, "aplay": "/usr/bin/aplay"}
    monkeypatch.setattr(alerts_module.shutil, "which", lambda name: found.get(name))
    player = default_player()
    assert isinstance(player, CommandPlayer) and player.name == "aplay"
    found["aplay"] = None
    assert isinstance(default_player(), BeepPlayer)


def test_attention_is_asked_of_the_window(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    asked: list[tuple[QWidget, int]] = []
    monkeypatch.setattr(attention_module.QApplication, "alert", lambda w, ms: asked.append((w, ms)))
    attention = WindowAttention(window)
    assert attention.tray is None  # no tray icon given
    attention.on_attention_requested(())
    assert asked == [(window, 0)]
