"""How the running session says things: status words and icons, local clock times, spans of time.

Status is never colour alone: each has a word and an icon shape (from the window's theme), and the colour
comes third.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtGui import QColor, QGuiApplication, QPalette

from ketamine_desktop.domain import formatting
from ketamine_desktop.domain.reminders import Reminder, Status

STATUS_WORDS: dict[Status, str] = {
    "upcoming": "Upcoming",
    "due": "DUE",
    "overdue": "OVERDUE",
    "urgent": "URGENT",
    "deferred": "Deferred",
    "done": "Done",
}
# Theme level names (icon shapes) for each status.
STATUS_LEVELS: dict[Status, str] = {
    "upcoming": "pending",
    "due": "soft",
    "overdue": "hard",
    "urgent": "hard",
    "deferred": "caution",
    "done": "ok",
}
# Okabe-Ito hues, distinguishable with the common colour-vision deficiencies, darkened for the day theme's
# light tables and lifted for the night theme's dark ones so that each reads at 4.5:1 or more (WCAG AA;
# tests/gui/test_gui_contrast.py).
STATUS_COLOURS: dict[Status, str] = {
    "upcoming": "#56606B",
    "due": "#8A5A00",
    "overdue": "#B34700",
    "urgent": "#B34700",
    "deferred": "#005A8C",
    "done": "#00704F",
}
STATUS_COLOURS_NIGHT: dict[Status, str] = {
    "upcoming": "#9AA6B2",
    "due": "#E69F00",
    "overdue": "#F08A4B",
    "urgent": "#F08A4B",
    "deferred": "#5FA8D3",
    "done": "#2FB38A",
}
KIND_WORDS: dict[str, str] = {
    "check": "Check",
    "syringe-empty": "Syringe empty",
    "syringe-change": "Syringe change",
    "lft": "Liver tests",
    "end-prompt": "End of infusion",
    "acknowledge": "Acknowledge",
    "decision": "Decision open",
}


def status_colour(status: Status) -> QColor:
    """The status's text colour for the theme in use (read from the application's palette)."""
    night = QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128
    return QColor((STATUS_COLOURS_NIGHT if night else STATUS_COLOURS)[status])


# The running session's clock correction (SessionStore.correction): session times are shown on the
# corrected wall clock. Set by the session wiring on every store change; zero when no clock was changed.
_display_correction = timedelta(0)


def set_display_correction(correction: timedelta) -> None:
    global _display_correction
    _display_correction = correction


def clock_time(instant: datetime) -> str:
    """Local wall-clock time, "08:15" (the zone is said once, in the status bar); a session time moved
    onto the corrected wall clock."""
    return formatting.clock_time(instant + _display_correction)


def span(delta: timedelta) -> str:
    """A span of time in whole minutes: "7 min", "2 h 05 min", "1 d 3 h"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def when_words(reminder: Reminder, now: datetime) -> str:
    """Where a reminder stands in time, in words."""
    if reminder.status == "done":
        assert reminder.done_at is not None
        late = ", late" if reminder.late else ""
        return f"done {clock_time(reminder.done_at)}{late}"
    if reminder.status == "deferred" and reminder.deferral is not None:
        return f"deferred until {clock_time(reminder.deferral.until)}: {reminder.deferral.reason}"
    if reminder.status == "upcoming":
        return f"in {span(reminder.due - now)}"
    if reminder.status == "overdue":
        since = reminder.overdue_at or reminder.due
        return f"{span(now - reminder.due)} late (overdue since {clock_time(since)})"
    return f"since {clock_time(reminder.due)} ({span(now - reminder.due)})"
