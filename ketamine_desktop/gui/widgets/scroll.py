"""Scroll areas that keep content readable at any window size: they scroll, they never clip."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class VerticalScrollArea(QScrollArea):
    """Scrolls up and down only, and is never narrower than its content's minimum width (plus the scroll
    bar), so text wraps instead of being cut off at the right edge."""

    def _content_width(self) -> int:
        content = self.widget()
        if content is None:
            return 0
        return content.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 2

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self._content_width()), hint.height())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self._content_width()), hint.height())


def vertical_scroll(content: QWidget, object_name: str) -> VerticalScrollArea:
    area = VerticalScrollArea()
    area.setObjectName(object_name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    return area


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize to `width` x `height`, but never beyond the available screen (a small laptop, 150% scaling)."""
    size = QSize(width, height)
    screen = widget.screen()
    if screen is not None:
        size = size.boundedTo(screen.availableSize() * 0.95)
    widget.resize(size)
