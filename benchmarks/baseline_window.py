"""The floor every start-up, size and memory figure is measured against: an empty four-tab PySide6 window.

It does what the app's window path does at the least: a QApplication, a main window with four empty tabs,
shown. It honours the same two switches as the app so both are timed by the same harness:

- `--self-test`: build the window (not shown), print "self-test ok", exit 0;
- `KETAMINE_DESKTOP_FIRST_PAINT_FILE=PATH`: when the window first paints, write `time.monotonic()` (the
  system-wide CLOCK_MONOTONIC on Linux, so comparable with the harness's clock) to PATH and quit.

Built the default way (`pyinstaller benchmarks/baseline_window.spec`) it is also the size floor.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget

TAB_TITLES = ("Dosing", "Monitoring", "Contraindications", "Side effects")


class FirstPaintProbe(QObject):
    """Writes the monotonic time of the window's first paint to a file, then quits the application."""

    def __init__(self, path: str, parent: QObject) -> None:
        super().__init__(parent)
        self._path = path
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._seen:
            self._seen = True
            # Report after this paint has been delivered, not before it.
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        with open(self._path, "w", encoding="ascii") as handle:
            handle.write(repr(time.monotonic()))
        QApplication.quit()


def build_window() -> QMainWindow:
    window = QMainWindow()
    window.setWindowTitle("Empty four-tab window")
    tabs = QTabWidget(window)
    for title in TAB_TITLES:
        tabs.addTab(QWidget(tabs), title)
    window.setCentralWidget(tabs)
    window.resize(1100, 760)
    return window


def main(argv: list[str]) -> int:
    app = QApplication(argv)
    window = build_window()
    if "--self-test" in argv[1:]:
        sys.stdout.write("self-test ok\n")
        return 0
    probe_path = os.environ.get("KETAMINE_DESKTOP_FIRST_PAINT_FILE")
    if probe_path:
        window.installEventFilter(FirstPaintProbe(probe_path, window))
    window.showMaximized()  # as the app shows its window
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
