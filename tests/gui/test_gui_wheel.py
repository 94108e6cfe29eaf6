"""Nothing changes by accident: the wheel over a choice box without the focus scrolls the page instead."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QScrollArea, QWidget

from ketamine_desktop.gui.main_window import MainWindow
from tests.helpers.gui_helpers import find


def wheel(widget: QWidget, steps: int = -1) -> None:
    """One notch of the wheel over the middle of `widget` (negative: towards the user, i.e. down)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_an_unfocused_combo_box_changes_nothing(window: MainWindow) -> None:
    combo: QComboBox = find(window, QComboBox, "protocolCombo")
    combo.setCurrentIndex(0)
    find(window, QLineEdit, "weightField").setFocus()
    assert not combo.hasFocus()
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel cannot give it the focus
    wheel(combo)
    wheel(combo)
    assert combo.currentIndex() == 0
    assert not combo.hasFocus()
    # With the focus (a click or Tab), the wheel is the user's choice again.
    combo.setFocus()
    assert combo.hasFocus()
    wheel(combo)
    assert combo.currentIndex() == 1


def test_the_wheel_over_an_unfocused_combo_box_scrolls_its_page(window: MainWindow) -> None:
    window.resize(1366, 420)  # the form no longer fits: its page scrolls
    QApplication.processEvents()
    scroll = find(window, QScrollArea, "dosingFormScroll")
    bar = scroll.verticalScrollBar()
    combo = find(window, QComboBox, "protocolCombo")
    combo.setCurrentIndex(0)  # the protocol's fields make the form long
    combo.activated.emit(0)
    QApplication.processEvents()
    assert bar.maximum() > 0
    bar.setValue(0)
    find(window, QLineEdit, "weightField").setFocus()
    wheel(combo)
    assert bar.value() > 0
    assert combo.currentIndex() == 0
