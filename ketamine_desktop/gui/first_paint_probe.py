"""The start-up measurement's hook: the time of the main window's first paint, read from outside.

Not part of the app's behaviour: inert unless KETAMINE_DESKTOP_FIRST_PAINT_FILE is set (by
benchmarks/startup.py, packaging/check_install.py and the frozen-bundle test). It has to ship inside the
package because the frozen bundle's start-up is measured too; it lives here, apart from the composition
root, so app.py holds only what the app does.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

VARIABLE = "KETAMINE_DESKTOP_FIRST_PAINT_FILE"


def first_paint_probe(window: QWidget) -> FirstPaintProbe | None:
    """The probe watching `window`, when the variable names a file; else None (normal use)."""
    path = os.environ.get(VARIABLE)
    if not path:
        return None
    probe = FirstPaintProbe(path, window)
    window.installEventFilter(probe)
    return probe


class FirstPaintProbe(QObject):
    """Benchmark hook (benchmarks/startup.py, issue 5): notes time.monotonic() at the main window's first
    paint; once the work deferred past that paint is done (`ready`), writes the paint time to the file and
    the ready time to the file + ".ready", then quits. Installed only when KETAMINE_DESKTOP_FIRST_PAINT_FILE
    is set."""

    def __init__(self, path: str, parent: QObject) -> None:
        super().__init__(parent)
        self._path = path
        self._painted: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._painted is None:
            self._painted = time.monotonic()
        return False

    def ready(self) -> None:
        ready = time.monotonic()
        painted = ready if self._painted is None else self._painted
        Path(self._path + ".ready").write_text(repr(ready), encoding="ascii")
        Path(self._path).write_text(repr(painted), encoding="ascii")
        QApplication.quit()
