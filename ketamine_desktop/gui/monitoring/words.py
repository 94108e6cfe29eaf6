"""How the running session says things: status words and icons, local clock times, spans of time.

Status is never colour alone: each has a word and an icon shape (from the window's theme), and the colour
comes third.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtGui import QColor

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
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
STATUS_COLOURS: dict[Status, str] = {
    "upcoming": "#56606B",
    "due": "#B07400",
    "overdue": "#D55E00",
    "urgent": "#D55E00",
    "deferred": "#0072B2",
    "done": "#009E73",
}
KIND_WORDS: dict[str, str] = {
    "check": "Check",
    "syringe-empty": "Syringe empty",
    "syringe-change": "Syringe change",
    "lft": "Liver tests",
    "end-prompt": "End of infusion",
    "acknowledge": "Acknowledge",
}


def status_colour(status: Status) -> QColor:
    return QColor(STATUS_COLOURS[status])


def clock_time(instant: datetime) -> str:
    """Local wall-clock time, "08:15"."""
    return instant.astimezone().strftime("%H:%M")


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
