"""Where a number comes from: source keys resolved to full citations, shown on hover or on click."""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QToolTip, QWidget

from ketamine_desktop.domain.library import Library

FLAG_WORDS: dict[str, str] = {
    "derived": "derived: worked out by the library's authors from the sources",
    "unverified": "unverified: could not be traced to a primary source",
}


def flags_text(flags: Iterable[str]) -> str:
    """ "(unverified)" style suffix for a number or note; empty when there is no flag."""
    names = list(dict.fromkeys(flags))
    return f"({', '.join(names)})" if names else ""


def citation(library: Library, ref: str) -> str:
    try:
        return library.citation(ref)
    except KeyError:  # the loader refuses unknown keys, so this is a replaced library gone wrong
        return "(not in this library's source list)"


def sources_html(library: Library, sources: Iterable[str], flags: Iterable[str] = (), title: str = "") -> str:
    """Rich text for a tooltip: each source key with its full reference, then the evidence flags."""
    refs = list(dict.fromkeys(sources))
    lines = [f"<b>{html.escape(title)}</b>"] if title else []
    if refs:
        lines.append("<b>Sources</b>")
        lines.extend(f"<b>{html.escape(ref)}</b>: {html.escape(citation(library, ref))}" for ref in refs)
    else:
        lines.append("<b>Sources</b>: none listed in the library")
    for flag in dict.fromkeys(flags):
        lines.append(f"<i>{html.escape(FLAG_WORDS.get(flag, flag))}</i>")
    # A fixed width keeps long citations wrapped instead of one line across the screen.
    return "<div style='width: 460px'>" + "<br>".join(lines) + "</div>"


def sources_plain(library: Library, sources: Iterable[str]) -> str:
    return "\n".join(f"{ref}: {citation(library, ref)}" for ref in dict.fromkeys(sources))


def show_sources_popup(position: QPoint, tooltip_html: str, widget: QWidget) -> None:
    """Show a label's sources where it was clicked (kept apart so tests can watch it)."""
    QToolTip.showText(position, tooltip_html, widget)


class SourcedLabel(QLabel):
    """A label whose sources show on hover, and on click for those who cannot hover (a touch screen,
    gloves): the same tooltip, kept up until the pointer moves away."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

    def set_sources(self, tooltip_html: str) -> None:
        self.setToolTip(tooltip_html)
        self.setCursor(Qt.CursorShape.WhatsThisCursor if tooltip_html else Qt.CursorShape.ArrowCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.toolTip():
            show_sources_popup(event.globalPosition().toPoint(), self.toolTip(), self)
            event.accept()
            return
        super().mousePressEvent(event)
