"""A follow-up check is a check like any other (issue 9 item 3): due at its time, overdue after its grace,
raised, deferred with a reason for at most its interval, recorded; the next check is then the grid's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ketamine_desktop.domain.reminders import active, raise_payloads, reminders
from ketamine_desktop.domain.session import SessionError, check_key, deferral_payload
from tests.helpers.builders import T0, Ledger


def test_a_follow_up_is_due_overdue_raised_deferred_and_recorded_like_any_check() -> None:
    ledger = Ledger()
    ledger.at(70)
    ledger.record_check(None, respiration_rate=10)  # off the grid: RR 9-11 raises a check at 85 min
    due = T0 + timedelta(minutes=85)
    key = check_key(due)
    follow = next(r for r in reminders(ledger.state, ledger.now) if r.key == key)
    assert follow.status == "upcoming" and follow.check is not None and follow.check.kind == "follow-up"
    assert (follow.check.interval_min, follow.check.grace_min) == (15, 5)
    ledger.at(85)
    assert next(r for r in reminders(ledger.state, ledger.now) if r.key == key).status == "due"
    ledger.at(90)
    found = reminders(ledger.state, ledger.now)
    assert next(r for r in found if r.key == key).status == "overdue"
    assert key in [r.key for r in active(found)]
    for raised in raise_payloads(ledger.state, found, ledger.now):
        ledger.add(raised, by="ketamine-desktop")
    with pytest.raises(SessionError, match="from 1 to 15 min"):
        deferral_payload(ledger.state, due, 16, "patient asleep", "EF", ledger.now)
    ledger.add(deferral_payload(ledger.state, due, 10, "patient in the bathroom", "EF", ledger.now), by="EF")
    assert next(r for r in reminders(ledger.state, ledger.now) if r.key == key).status == "deferred"
    ledger.at(100)
    assert next(r for r in reminders(ledger.state, ledger.now) if r.key == key).status == "overdue"
    ledger.record_check(due, respiration_rate=14)
    assert next(r for r in reminders(ledger.state, ledger.now) if r.key == key).status == "done"
    upcoming = [
        r for r in reminders(ledger.state, ledger.now) if r.kind == "check" and r.status == "upcoming"
    ]
    assert upcoming[0].check is not None and upcoming[0].check.kind == "routine"
