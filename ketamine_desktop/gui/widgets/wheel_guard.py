"""Nothing changes by accident: the mouse wheel over a combo box or spin box that does not have the focus
scrolls the page instead of changing the answer.

Wheel-scrolling a long form to reach Save must never turn a sedation score of 0 into "-5 Unarousable".
One filter on the application covers every window and dialog: a choice box takes the focus only from a
click or Tab (never from the wheel), and a wheel event over one without the focus goes to the scroll area
around it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QComboBox, QWidget

_GUARDED = (QComboBox, QAbstractSpinBox)


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


class WheelGuard(QObject):
    """Install once on the QApplication (`install_wheel_guard`)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, _GUARDED):
            return False
        if event.type() == QEvent.Type.Polish:
            # The default for a combo box is WheelFocus: the wheel alone would give it the focus.
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        area = _scroll_area_of(watched)
        if area is not None:
            QCoreApplication.sendEvent(area.verticalScrollBar(), event)
        return True  # the answer never changes from a wheel it did not ask for


def install_wheel_guard(app: QCoreApplication) -> WheelGuard:
    """The guard, parented to the application so it lives as long as it does (installed only once)."""
    existing = app.findChild(WheelGuard)
    if existing is not None:
        return existing
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    return guard
