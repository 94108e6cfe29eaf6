"""The alert banner: over every tab, in the window (never a modal dialog), saying what is due or overdue.

It lives in a place the window keeps for it (`MainWindow.banner_slot`), one line high, so it appearing or
going never moves a control. Empty when nothing asks for attention. An overdue check or an urgent action
makes its words larger and red; a due one amber. Words and an icon shape carry the level as well as the
colour. When no sound can be played it says "no sound on this computer" (also while nothing is due), so
nobody relies on a chime that never rang.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ketamine_desktop.domain.reminders import Reminder
from ketamine_desktop.gui.monitoring.header import decision_words
from ketamine_desktop.gui.monitoring.words import KIND_WORDS, STATUS_LEVELS, STATUS_WORDS, clock_time, span
from ketamine_desktop.gui.theme import level_pixmap
from ketamine_desktop.gui.widgets.accessible import named
from ketamine_desktop.gui.widgets.elided import ElidedLabel
from ketamine_desktop.gui.widgets.number_field import repolish
from ketamine_desktop.state.alerts import AlertState

NO_SOUND = "no sound on this computer"
_PROMINENT = "font-size: 20px; font-weight: 800;"
_NORMAL = "font-size: 16px; font-weight: 700;"


def banner_text(first: Reminder, count: int, now: datetime) -> str:
    what = "Check" if first.kind == "check" else KIND_WORDS[first.kind]
    if first.decision is not None:
        # The words of the header; what to do is under the decision on the Monitoring tab.
        line = decision_words(first.decision)
    elif first.status == "urgent":
        line = f"URGENT: acknowledge: {first.text}"
    elif first.status == "overdue":
        line = f"OVERDUE: {what} due {clock_time(first.due)}, {span(now - first.due)} late"
    else:
        line = f"DUE: {what} due {clock_time(first.due)}"
    if count > 1:
        line += f" (and {count - 1} more)"
    return line


class AlertBanner(QFrame):
    show_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertBanner")
        self.icon = QLabel(self)
        self.text = ElidedLabel("", self)
        self.text.setObjectName("alertBannerText")
        self.sound = QLabel(self)
        self.sound.setObjectName("alertBannerSound")
        self.show_button = named(
            QPushButton("Show &monitoring", self), "alertShowButton", "Show the monitoring tab"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        row.addWidget(self.icon)
        row.addWidget(self.text, 1)
        row.addWidget(self.sound)
        row.addWidget(self.show_button)
        self.show_button.clicked.connect(self.show_requested)
        self.hide()

    def show_alerts(self, state: AlertState, now: datetime) -> None:
        self.sound.setText("" if state.sound_ok else NO_SOUND)
        self.sound.setToolTip(
            "" if state.sound_ok else f"No sound could be played ({state.sound_name}): watch this bar."
        )
        self.sound.setVisible(not state.sound_ok)
        if not state.active:
            self.icon.clear()
            self.text.setText("")
            self.show_button.hide()
            if self.property("level") != "quiet":
                self.setProperty("level", "quiet")
                repolish(self)
            self.setVisible(not state.sound_ok)
            return
        self.show_button.show()
        first = state.active[0]
        level = STATUS_LEVELS[first.status]
        self.icon.setPixmap(level_pixmap(level, 24))
        self.icon.setAccessibleName(STATUS_WORDS[first.status])
        self.text.setText(banner_text(first, len(state.active), now))
        sheet = _PROMINENT if first.status in ("overdue", "urgent") else _NORMAL
        if self.text.styleSheet() != sheet:  # setting it again re-polishes and relays out the window
            self.text.setStyleSheet(sheet)
        if self.property("level") != level:
            self.setProperty("level", level)
            repolish(self)
        self.show()
