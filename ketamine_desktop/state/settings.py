"""The user's view preferences (night mode, glance mode), kept in QSettings between runs.

Only how the window looks is kept here. Nothing about a patient (bed, initials, weight) is ever written
to settings: those stay in memory and, once a session runs, in the record store.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Signal

_NIGHT_KEY = "view/night_mode"
_GLANCE_KEY = "view/glance_mode"
SETTINGS_FILE_NAME = "settings.ini"


@dataclass(frozen=True)
class ViewPrefs:
    night_mode: bool = False
    glance_mode: bool = False


def default_settings_path() -> Path:
    """The per-user settings file; under QStandardPaths test mode this is a throwaway test location."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    return Path(folder) / SETTINGS_FILE_NAME


class ViewSettings(QObject):
    """Night and glance mode, read once at start and written the moment the user changes them."""

    changed = Signal(object)  # ViewPrefs

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # An explicit INI file rather than the platform default, so tests and a portable install can
        # point it anywhere and it never touches the registry or another app's settings.
        self._settings = QSettings(str(path), QSettings.Format.IniFormat, self)
        self._prefs = ViewPrefs(
            night_mode=self._read_bool(_NIGHT_KEY),
            glance_mode=self._read_bool(_GLANCE_KEY),
        )

    @property
    def prefs(self) -> ViewPrefs:
        return self._prefs

    @property
    def path(self) -> Path:
        return Path(self._settings.fileName())

    def set_night_mode(self, on: bool) -> None:
        self._update(replace(self._prefs, night_mode=on), _NIGHT_KEY, on)

    def set_glance_mode(self, on: bool) -> None:
        self._update(replace(self._prefs, glance_mode=on), _GLANCE_KEY, on)

    def _update(self, prefs: ViewPrefs, key: str, value: bool) -> None:
        if prefs == self._prefs:
            return
        self._prefs = prefs
        self._settings.setValue(key, value)
        # Written at once, so a crash or power cut a second later keeps the choice.
        self._settings.sync()
        self.changed.emit(prefs)

    def _read_bool(self, key: str) -> bool:
        value = self._settings.value(key, False)
        # INI files hand back "true"/"false" strings; anything unexpected means the default.
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() == "true"
