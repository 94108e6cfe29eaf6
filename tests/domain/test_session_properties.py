"""Properties of the session fold and the reminders over random sessions (hypothesis).

A random session is a protocol and a run of steps: time passes, the app raises what is due, a check is
recorded or deferred, the infusion is paused, resumed, changed or stopped. After every step:
- refolding all the records gives the state built one record at a time (the record is the truth);
- every check due by now that is neither recorded nor under a live deferral is shown as due or overdue;
- no reminder is listed twice, and the list is in due order;
- with the records fixed, time moving on never lowers a reminder (upcoming < due < overdue);
- raising is idempotent: once the raises are written, nothing more is raised at the same instant;
- a deferral never outlasts its check's interval;
- the schedule gone on from what the last call returned (`session_schedule`, carried by the caller as the
  session store carries it) equals the schedule computed from nothing, going forward and going back to an
  earlier state.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_desktop.domain.reminders import LEVELS, raise_payloads, reminders
from ketamine_desktop.domain.session import (
    SessionError,
    SessionSchedule,
    SessionState,
    check_key,
    deferral_payload,
    live_deferral,
    session_checks,
    session_schedule,
    session_state,
)
from tests.helpers.builders import ICU, LONG, THEATRE, WARD, Ledger, dose, library, start_draft
from tests.helpers.runs import count, examples

PROTOCOLS = (WARD, ICU, THEATRE, LONG)
STEP = st.tuples(
    st.integers(min_value=0, max_value=90),
    st.sampled_from(["wait", "raise", "record", "defer", "pause", "resume", "up", "down", "syringe", "stop"]),
)


def _rank(status: str) -> int:
    return LEVELS.index(status) if status in LEVELS else -1  # type: ignore[arg-type]


def _apply(ledger: Ledger, action: str) -> None:
    found = ledger.reminders()
    open_checks = [r for r in found if r.kind == "check" and r.active]
    try:
        if action == "raise":
            for payload in raise_payloads(ledger.state, found, ledger.now):
                ledger.add(payload, by="ketamine-desktop")
        elif action == "record" and open_checks:
            ledger.record_check(open_checks[0].due)
        elif action == "defer" and open_checks and open_checks[0].check is not None:
            interval = open_checks[0].check.interval_min
            ledger.add(deferral_payload(ledger.state, open_checks[0].due, interval, "busy", "EF", ledger.now))
        elif action in ("pause", "resume", "stop"):
            ledger.event(action)
        elif action in ("up", "down"):
            current = ledger.state.infusion
            assert current is not None
            factor = Decimal("1.5") if action == "up" else Decimal("0.5")
            new = dose(str(current.entered.value * factor), current.entered.unit)
            ledger.event("rate-change", infusion_dose=new, reason="titration")
        elif action == "syringe":
            ledger.event("syringe-change", syringe_volume_ml=Decimal(50))
    except SessionError:
        pass  # not possible now (paused, stopped, blocked dose): the state must be unchanged


def _check_invariants(ledger: Ledger) -> None:
    state, now = ledger.state, ledger.now
    assert session_state(library(), "session-1", ledger.records) == state
    found = reminders(state, now)
    keys = [r.key for r in found]
    assert len(keys) == len(set(keys))
    assert [r.due for r in found] == sorted(r.due for r in found)
    by_key = {r.key: r for r in found}
    for check in session_checks(state, now):
        if check.due not in state.recorded_dues:
            assert by_key[check_key(check.due)].status in ("due", "overdue", "deferred")
    for reminder in found:
        if reminder.kind != "check" or reminder.due > now:
            continue
        if reminder.due in state.recorded_dues:
            assert reminder.status == "done"
        elif live_deferral(state, reminder.due, now) is not None:
            assert reminder.status == "deferred"
        else:
            assert reminder.status in ("due", "overdue")
    later = {r.key: r for r in reminders(state, now + timedelta(minutes=7))}
    for reminder in found:
        after = later.get(reminder.key)
        if after is not None and reminder.status in LEVELS and after.status in LEVELS:
            assert _rank(after.status) >= _rank(reminder.status)
    for deferral in state.deferrals:
        limit = next(
            (r.check.interval_min for r in found if r.check is not None and r.due == deferral.body.check_due),
            None,
        )
        if limit is not None:
            assert deferral.body.until - deferral.body.at <= timedelta(minutes=limit)


def _carried(state: SessionState, until: datetime, since: SessionSchedule | None) -> SessionSchedule:
    checks, schedule = session_schedule(state, until, since)
    assert checks == session_checks(state, until)
    return schedule


def _run(protocol: str, steps: list[tuple[int, str]]) -> None:
    ledger = Ledger(start_draft(protocol, reason="test"))
    elapsed = 0
    schedule: SessionSchedule | None = None
    earlier = ledger.state
    for wait, action in steps:
        elapsed += wait
        ledger.at(elapsed)
        _apply(ledger, action)
        _check_invariants(ledger)
        until = ledger.now + timedelta(minutes=elapsed % 90)
        schedule = _carried(ledger.state, until, schedule)
        if wait % 3 == 0:  # now and then an earlier state, as any caller may ask
            schedule = _carried(earlier, until, schedule)
        earlier = ledger.state
    ledger.at(elapsed)
    for payload in raise_payloads(ledger.state, ledger.reminders(), ledger.now):
        ledger.add(payload, by="ketamine-desktop")
    assert raise_payloads(ledger.state, ledger.reminders(), ledger.now) == ()


@pytest.mark.long_run
@examples(150, long=2000)
@given(protocol=st.sampled_from(PROTOCOLS), steps=st.lists(STEP, max_size=count(14, long=30)))
def test_random_sessions_keep_the_reminder_invariants(protocol: str, steps: list[tuple[int, str]]) -> None:
    _run(protocol, steps)


@settings(max_examples=200, deadline=None)
@given(
    volume=st.decimals(min_value=1, max_value=500, places=1),
    waits=st.lists(st.integers(min_value=1, max_value=600), min_size=1, max_size=4),
)
def test_the_syringe_empties_when_its_volume_is_used_up(volume: Decimal, waits: list[int]) -> None:
    ledger = Ledger(start_draft(WARD, volume=str(volume)))
    rate = ledger.state.infusion.rate_ml_per_h  # type: ignore[union-attr]
    running, used, elapsed = True, Decimal(0), 0
    for wait in waits:
        if running:
            used += rate * wait / 60
        elapsed += wait
        ledger.at(elapsed)
        ledger.event("pause" if running else "resume")
        running = not running
    empty_at = ledger.reminders()
    from ketamine_desktop.domain.session import syringe_empty_at

    at = syringe_empty_at(ledger.state)
    if not running:
        assert at is None
        return
    assert at is not None and empty_at
    expected_seconds = (volume - used) * 3600 / rate
    actual = Decimal((at - ledger.now).total_seconds())
    assert expected_seconds - 1 < actual <= expected_seconds


def test_the_schedule_carried_from_another_session_is_not_gone_on_from() -> None:
    """Two sessions alike but for one reading: what one returned, given with the other, is not taken for
    it (the recorded checks are compared as the records they are, not by how many there are)."""
    calm, low = Ledger(start_draft(WARD, reason="test")), Ledger(start_draft(WARD, reason="test"))
    for ledger, rate in ((calm, 16), (low, 10)):  # RR 9-11 raises a check after it
        ledger.at(2)
        ledger.record_check(ledger.state.start.started_at, respiration_rate=rate)
    until = low.now + timedelta(hours=3)
    _checks, schedule = session_schedule(calm.state, until)
    follow_ups = [c for c in session_checks(low.state, until) if c.kind == "follow-up"]
    assert follow_ups, "the low rate raised a follow-up"
    assert session_schedule(low.state, until, schedule)[0] == session_checks(low.state, until)
