"""Keystroke-to-card latency: from a key event in the weight field to the regimen card's repaint.

    .venv/bin/python tests/gui/bench_keystroke.py [--keystrokes 200]

Not a test (pytest does not collect it): a measurement to quote. It builds the real window, types into the
weight field key by key so that every keystroke changes the card (a digit makes a new weight and a new pump
rate; Backspace leaves a weight below the library's range, so the card turns stale), and times each key
press until the card has painted. Prints the median and the 99th percentile in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, QStandardPaths, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from ketamine_desktop.app import application, build_main_window
from ketamine_desktop.cli.common import load_default_library
from ketamine_desktop.domain.clock import SystemClock
from ketamine_desktop.state.plan import ChooseProtocol
from ketamine_desktop.state.settings import ViewSettings


class PaintWatch(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


def wait_for_paint(app: QApplication, watch: PaintWatch, timeout_s: float = 1.0) -> bool:
    deadline = time.perf_counter() + timeout_s
    while not watch.painted and time.perf_counter() < deadline:
        app.processEvents()
    return watch.painted


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keystrokes", type=int, default=200)
    args = parser.parse_args()
    app = application()
    QStandardPaths.setTestModeEnabled(True)
    with tempfile.TemporaryDirectory() as folder:
        window, plan = build_main_window(
            app, load_default_library(), ViewSettings(Path(folder) / "settings.ini"), SystemClock()
        )
        window.resize(1366, 768)
        window.show()
        QTest.qWaitForWindowExposed(window)
        plan.apply(ChooseProtocol("subanesthetic-infusion"))
        edit = window.findChild(QLineEdit, "weightField")  # a script: no tests.helpers on its path
        card = window.findChild(QWidget, "regimenCard")
        assert edit is not None and card is not None
        edit.setFocus()
        QTest.keyClicks(edit, "6")
        watch = PaintWatch()
        card.installEventFilter(watch)
        for _ in range(20):
            app.processEvents()
        samples: list[float] = []
        missed = 0
        digits = "0123456789"
        for index in range(args.keystrokes):
            key = Qt.Key.Key_Backspace if index % 2 else getattr(Qt.Key, f"Key_{digits[(index // 2) % 10]}")
            watch.painted = False
            start = time.perf_counter()
            QTest.keyClick(edit, key)
            if wait_for_paint(app, watch):
                samples.append((time.perf_counter() - start) * 1000)
            else:
                missed += 1
        window.close()
    samples.sort()
    p99 = samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]
    platform = QApplication.platformName()
    print(
        f"{len(samples)} keystrokes ({platform}): median {statistics.median(samples):.2f} ms, "
        f"p99 {p99:.2f} ms, max {samples[-1]:.2f} ms; {missed} without a repaint"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
