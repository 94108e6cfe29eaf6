"""Keyboard-only operation and accessible names."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ketamine_desktop.gui.main_window import MainWindow
from tests.helpers.gui_helpers import answer_screening, choose_protocol, find, open_dialog, retype

_INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractItemView,
    QAbstractSpinBox,
    QPlainTextEdit,
    QTextEdit,
    QTabBar,
)


def interactive_widgets(root: QWidget) -> list[QWidget]:
    """Interactive widgets we created: not the private parts of a composite Qt widget (a combo box's
    list, a table's corner button, a tab bar's scroll arrows)."""
    found: list[QWidget] = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, _INTERACTIVE) or widget.objectName().startswith("qt_"):
            continue
        parent = widget.parentWidget()
        if isinstance(widget, QLineEdit) and isinstance(parent, QComboBox):
            continue
        inside_composite = False
        while parent is not None and parent is not root:
            if isinstance(parent, (QComboBox, QAbstractItemView, QTabBar, QAbstractSpinBox, QLineEdit)):
                inside_composite = True
                break
            parent = parent.parentWidget()
        if not inside_composite:
            found.append(widget)
    return found


def _assert_named(root: QWidget) -> int:
    widgets = interactive_widgets(root)
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', lambda: '')()!r}"
        for w in widgets
        if not w.objectName() or not w.accessibleName()
    ]
    assert not unnamed, unnamed
    return len(widgets)


def test_every_interactive_widget_has_an_object_name_and_an_accessible_name(
    qtbot: QtBot, window: MainWindow
) -> None:
    answer_screening(window, {"pregnancy": True, "age-over-75": True})
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    qtbot.mouseClick(find(window, QRadioButton, "infusionUnitMgKgH"), Qt.MouseButton.LeftButton)
    retype(qtbot, find(window, QLineEdit, "infusionDoseField"), "1")  # brings the suggestion button
    assert _assert_named(window) > 40

    find(window, QPushButton, "cardSourcesButton").click()
    sources = open_dialog(window, "sourcesDialog")
    _assert_named(sources)
    sources.close()
    find(window, QAction, "aboutAction").trigger()
    about = open_dialog(window, "aboutDialog")
    _assert_named(about)
    about.close()


def test_the_checklist_dialog_widgets_are_named(qtbot: QtBot, window: MainWindow) -> None:
    answer_screening(window)
    choose_protocol(window, "shock")  # has a gate
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    find(window, QPushButton, "startButton").click()
    dialog = open_dialog(window, "prestartDialog")
    assert _assert_named(dialog) >= 10
    dialog.reject()


def test_ctrl_1_to_4_switch_tabs(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitActive(window)
    for number, name in (
        (2, "monitoringTab"),
        (3, "contraindicationsTab"),  # built when first shown: found after the key
        (4, "sideEffectsTab"),
        (1, "dosingTab"),
    ):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        assert find(window, QTabWidget, "mainTabs").currentIndex() == number - 1
        shown, current = find(window, QWidget, name), find(window, QTabWidget, "mainTabs").currentWidget()
        assert shown.isVisible()
        assert shown is current or current.isAncestorOf(shown)


def test_tab_order_reaches_start(qtbot: QtBot, window: MainWindow) -> None:
    answer_screening(window)
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    start = find(window, QPushButton, "startButton")
    assert start.isEnabled()
    window.activateWindow()
    qtbot.waitActive(window)
    find(window, QComboBox, "protocolCombo").setFocus()
    visited = []
    for _ in range(40):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        visited.append(window.focusWidget().objectName())
        if window.focusWidget() is start:
            break
    assert window.focusWidget() is start, visited
    assert visited.index("weightField") < visited.index("infusionDoseField") < visited.index("startButton")


def test_mnemonics_reach_the_fields(qtbot: QtBot, window: MainWindow) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    window.activateWindow()
    qtbot.waitActive(window)
    find(window, QComboBox, "protocolCombo").setFocus()
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert window.focusWidget() is find(window, QLineEdit, "weightField")
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    assert window.focusWidget() is find(window, QLineEdit, "infusionDoseField")
