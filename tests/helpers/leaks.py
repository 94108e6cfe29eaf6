"""Leak checks (a pytest plugin, loaded by tests/conftest.py): a test that leaves a visible window or
dialog, or a running QTimer, behind fails in its teardown, and what it left is closed or stopped so the
next test starts clean.

Checked after every fixture of the test is torn down (pytest-qt has closed the widgets given to
`qtbot.addWidget` by then, and deferred deletes are delivered first). Timers are every QTimer started
through `QTimer.start` during the test (napari's dangling-timer check); windows are the application's
visible top-level widgets (gitfourchette's leaked-window check).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication

_started: list[QTimer] = []
_original_start = QTimer.start


def _tracking_start(self: QTimer, *args: Any) -> None:
    _started.append(self)
    _original_start(self, *args)


QTimer.start = _tracking_start  # type: ignore[method-assign]


def _running_timers() -> list[str]:
    running = []
    for timer in _started:
        if shiboken6.isValid(timer) and timer.isActive():
            running.append(f"QTimer {timer.objectName() or '(no objectName)'} every {timer.interval()} ms")
            timer.stop()
    _started.clear()
    return running


def _visible_windows() -> list[str]:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return []
    left = []
    for widget in app.topLevelWidgets():
        if widget.isVisible():
            left.append(f"{type(widget).__name__} {widget.objectName() or '(no objectName)'}")
            widget.close()
            widget.deleteLater()
    return left


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    result = yield
    if QCoreApplication.instance() is None:
        _started.clear()
        return result
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    leaks = _visible_windows() + _running_timers()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if leaks:
        pytest.fail(f"{item.nodeid} left behind: " + "; ".join(leaks), pytrace=False)
    return result
