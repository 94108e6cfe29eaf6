"""Which due check a recorded observation answers: the oldest open one by default, or another open one.

A check is open from the moment it is due (due, overdue, urgent, or deferred) until it is recorded. The
nurse may pick any open check, or the next upcoming one when none is open (a check taken a little early);
an observation that answers none of them is an extra check. The choices are in due order, oldest first, so
the default (the first) is the one that has waited longest.
"""

from __future__ import annotations

from collections.abc import Iterable

from ketamine_desktop.domain.reminders import Reminder

__all__ = ["answerable_checks", "default_answer"]

_OPEN = frozenset({"due", "overdue", "urgent", "deferred"})


def answerable_checks(reminders: Iterable[Reminder]) -> tuple[Reminder, ...]:
    """The checks an observation may answer now: every open one, oldest first; else the next upcoming."""
    checks = sorted((r for r in reminders if r.kind == "check" and r.status != "done"), key=lambda r: r.due)
    waiting = tuple(r for r in checks if r.status in _OPEN)
    if waiting:
        return waiting
    return tuple(checks[:1])


def default_answer(reminders: Iterable[Reminder]) -> Reminder | None:
    """The check a new observation answers unless the nurse picks another: the oldest open one."""
    choices = answerable_checks(reminders)
    return choices[0] if choices else None
