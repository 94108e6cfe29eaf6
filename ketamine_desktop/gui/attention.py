"""The GUI side of an alert: the taskbar flash, the tray message and the desktop's beep.

`WindowAttention` turns the alert controller's `attention_requested` (state/alerts.py) into
`QApplication.alert` on the main window (the taskbar flashes) and, where there is a system tray, a tray
message. Neither ever names a patient: they say only that something is due.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from ketamine_desktop.domain.reminders import Reminder
from ketamine_desktop.state.alerts import SoundPlayer, command_player, sound_device_present

TRAY_TITLE = "Ketamine monitoring"


class BeepPlayer:
    """The desktop's own beep: better than nothing, though some desktops keep it silent. Without a sound
    device it says so (the banner then reads "no sound on this computer") instead of beeping into nothing."""

    name = "system beep"

    def __init__(self, device_present: Callable[[], bool] = sound_device_present) -> None:
        self._device_present = device_present

    def play(self, path: Path) -> bool:
        del path
        if not self._device_present():
            return False
        QApplication.beep()
        return True

    def working(self) -> bool:
        return self._device_present()


def default_player() -> SoundPlayer:
    """The system's sound player (state/alerts.py), else the desktop's beep."""
    return command_player() or BeepPlayer()


class WindowAttention(QObject):
    """Asks for the user's attention to `window`: the taskbar flash, and a tray message where there is a
    system tray (with `tray_icon`)."""

    def __init__(self, window: QWidget, tray_icon: QIcon | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.tray: QSystemTrayIcon | None = None
        if tray_icon is not None and QSystemTrayIcon.isSystemTrayAvailable():  # pragma: no cover - desktop
            self.tray = QSystemTrayIcon(tray_icon, self)
            self.tray.setToolTip(TRAY_TITLE)
            self.tray.show()

    def on_attention_requested(self, reminders: tuple[Reminder, ...]) -> None:
        """The slot for the alert controller's `attention_requested`."""
        QApplication.alert(self._window, 0)
        if self.tray is not None:  # pragma: no cover - desktop
            overdue = any(r.level in ("overdue", "urgent") for r in reminders)
            text = "A check is overdue." if overdue else "A check or task is due."
            self.tray.showMessage(TRAY_TITLE, text, QSystemTrayIcon.MessageIcon.Warning)
