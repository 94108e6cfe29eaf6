"""Which due check an observation answers: the oldest open one by default; any open one may be picked."""

from __future__ import annotations

from datetime import timedelta

from ketamine_desktop.domain.answering import answerable_checks, default_answer
from ketamine_desktop.domain.reminders import Reminder, Status
from tests.helpers.builders import T0


def _reminder(minutes: int, status: Status, kind: str = "check") -> Reminder:
    return Reminder(
        key=f"{kind}:{minutes}",
        kind=kind,  # type: ignore[arg-type]
        due=T0 + timedelta(minutes=minutes),
        overdue_at=None,
        status=status,
        text="",
    )


def test_every_open_check_oldest_first_and_the_oldest_by_default() -> None:
    reminders = (
        _reminder(30, "due"),
        _reminder(0, "done"),
        _reminder(15, "overdue"),
        _reminder(45, "upcoming"),
        _reminder(5, "deferred"),
        _reminder(10, "urgent"),
        _reminder(1, "due", kind="syringe-change"),
    )
    assert [r.key for r in answerable_checks(reminders)] == ["check:5", "check:10", "check:15", "check:30"]
    default = default_answer(reminders)
    assert default is not None and default.key == "check:5"


def test_with_nothing_open_the_next_upcoming_check_and_with_nothing_at_all_none() -> None:
    reminders = (_reminder(60, "upcoming"), _reminder(0, "done"), _reminder(30, "upcoming"))
    assert [r.key for r in answerable_checks(reminders)] == ["check:30"]
    assert answerable_checks((_reminder(0, "done"),)) == ()
    assert default_answer(()) is None
