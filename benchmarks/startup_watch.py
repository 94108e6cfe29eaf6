"""Runs `ketamine-desktop` from source, watched from outside the product: when its window first paints, and
when it is ready.

    KETAMINE_DESKTOP_FIRST_PAINT_FILE=PATH python benchmarks/startup_watch.py [app options...]

The product has no start-up probe. This launcher makes the QApplication itself and installs one
application-wide event filter on it, then calls the app's entry point (`__main__.main`, which reuses that
QApplication); the filter sees every event of every widget:
- first paint: the first paint event of any widget in the window named `mainWindow` (the chrome and the
  Dosing tab's first inputs, before the library is loaded);
- ready: the first paint event of the regimen card (`regimenCard`) or of the Monitoring tab
  (`monitoringTab`), whichever comes first. Neither exists until the library is validated and its
  signature checked and the plan store computes, so ready is when a dose could be computed and shown;
- settled: ready, and the record's open-time check (the whole hash chain, run after the first paint in a
  thread) done and a running session attached: the status-bar note `recordCheckStatus` hidden.
Then it writes CLOCK_MONOTONIC (`time.monotonic()`, comparable across processes) of the first paint to
PATH, of ready to PATH.ready and of settled to PATH.settled, and quits the app (it exits 0 through its
normal path). At the first paint it also writes PAINT_MARK to stderr (with `python -X importtime`, the
imports before it came first). The frozen bundle cannot run this launcher: benchmarks/startup.py watches
its window from the X server instead (benchmarks/x_watch.py).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the app from this checkout

VARIABLE = "KETAMINE_DESKTOP_FIRST_PAINT_FILE"
WINDOW_NAME = "mainWindow"
READY_NAMES = frozenset({"regimenCard", "monitoringTab"})
TIMEOUT_MS = 120_000
PAINT_MARK = "startup_watch: first paint"
CHECK_STATUS_NAME = "recordCheckStatus"  # hidden once the record's check is done and the session wired


class StartupWatch(QObject):
    """Notes the first paint of the main window and the first paint of a widget that needs the library;
    `on_paint` and `on_ready` are called at those moments (the profile reads memory there)."""

    def __init__(
        self,
        path: str,
        on_paint: Callable[[], None] = lambda: None,
        on_ready: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__()
        self.path = path
        self.painted: float | None = None
        self.ready: float | None = None
        self.settled: float | None = None  # the record's open-time check done and the session wired
        self._on_paint = on_paint
        self._on_ready = on_ready

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide and watched.objectName() == CHECK_STATUS_NAME:
            if self.settled is None and self.painted is not None:  # not the hide before it was shown
                self.settled = time.monotonic()
                if self.ready is not None:
                    QTimer.singleShot(0, self.report)
            return False
        if event.type() != QEvent.Type.Paint or self.ready is not None:
            return False
        now = time.monotonic()
        if (
            self.painted is None
            and isinstance(watched, QWidget)
            and watched.window().objectName() == WINDOW_NAME
        ):
            self.painted = now
            # A mark in the stream `python -X importtime` writes to: what was imported before the paint.
            sys.stderr.write(f"{PAINT_MARK}\n")
            sys.stderr.flush()
            self._on_paint()
        if watched.objectName() in READY_NAMES:
            self.ready = now
            self._on_ready()
            if self.settled is None and not getattr(watched.window(), "record_checking", False):
                self.settled = now  # the record was checked before (or is not being checked)
            if self.settled is not None:
                QTimer.singleShot(0, self.report)  # after this paint is delivered
        return False

    def report(self) -> None:
        assert self.ready is not None and self.settled is not None
        painted = self.ready if self.painted is None else self.painted
        Path(self.path + ".settled").write_text(repr(max(self.settled, self.ready)), encoding="ascii")
        Path(self.path + ".ready").write_text(repr(self.ready), encoding="ascii")
        Path(self.path).write_text(repr(painted), encoding="ascii")
        QApplication.quit()


def watched_application(watch: StartupWatch) -> QApplication:
    app = QApplication([sys.argv[0]])
    app.installEventFilter(watch)
    # Never hang a benchmark: a window that never becomes ready fails the run (no files written).
    QTimer.singleShot(TIMEOUT_MS, lambda: app.exit(3))
    return app


def main(argv: list[str]) -> int:
    watch = StartupWatch(os.environ[VARIABLE])
    app = watched_application(watch)
    from ketamine_desktop.__main__ import main as app_main

    try:
        return app_main(argv)
    finally:
        app.removeEventFilter(watch)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
