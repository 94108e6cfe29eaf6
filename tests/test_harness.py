"""The harness itself (tests/conftest.py, tests/helpers/leaks.py): pinned locale, isolated standard
paths, and leak checks that do fail a test."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QLocale, QStandardPaths

LEAKY_TESTS = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog

KEEP = []


def test_leaves_a_dialog_open(qapp):
    dialog = QDialog()
    dialog.setObjectName("leakyDialog")
    dialog.show()
    KEEP.append(dialog)


def test_leaves_a_timer_running(qapp):
    timer = QTimer()
    timer.setObjectName("danglingTimer")
    timer.start(1000)
    KEEP.append(timer)


def test_closes_what_it_opens(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    timer = QTimer(dialog)
    timer.start(1000)
"""


def test_the_locale_is_pinned_whatever_the_machine_says() -> None:
    assert os.environ["LC_ALL"] == os.environ["LANG"] == "C.UTF-8"
    assert QLocale().decimalPoint() == "."
    assert QLocale.system().decimalPoint() == "."


def test_standard_paths_are_in_test_mode() -> None:
    assert QStandardPaths.isTestModeEnabled()
    assert ".qttest" in QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)


def test_a_window_or_timer_left_behind_fails_its_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["tests.helpers.leaks"]')
    pytester.makepyfile(test_leaky=LEAKY_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*test_leaves_a_dialog_open left behind: QDialog leakyDialog*",
            "*test_leaves_a_timer_running left behind: QTimer danglingTimer every 1000 ms*",
        ]
    )
