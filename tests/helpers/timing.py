"""Driving a session store through time on a fake clock, and judging its reminders from the record.

The judge works from what the store wrote (the raised-reminder and clock-jump records), the way an
auditor would: a reminder is *missed* when a check fell due and was neither recorded nor raised; it is
*doubled* when the same level was raised twice for the same check without a deferral in between.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.schedule import Check
from ketamine_desktop.domain.session import SessionState, check_key, session_checks
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore, StoredRecord
from tests.helpers.builders import check_draft


@dataclass
class Verdict:
    checks_due: int = 0
    raised: int = 0
    missed: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    late: list[tuple[str, float]] = field(default_factory=list)  # (key, seconds after due when raised)
    jumps: list[float] = field(default_factory=list)


def tick(store: SessionStore, clock: FakeClock) -> None:
    store.tick(clock.now(), clock.monotonic())


def run(
    store: SessionStore,
    clock: FakeClock,
    seconds: float,
    *,
    step: float = 1.0,
    record_after: float | None = None,
    on_tick: Callable[[], None] | None = None,
) -> None:
    """Tick every `step` s for `seconds`; with `record_after`, record each check that long after it fell due."""
    end = clock.monotonic() + seconds
    while clock.monotonic() < end:
        clock.advance(step)
        tick(store, clock)
        if record_after is not None:
            record_due(store, clock.now() - timedelta(seconds=record_after))
        if on_tick is not None:
            on_tick()


def record_due(store: SessionStore, before: datetime, by: str = "EF") -> int:
    """Record every open check that fell due at or before `before`; returns how many were saved."""
    saved = 0
    for reminder in store.reminders:
        if reminder.kind == "check" and reminder.status in ("due", "overdue") and reminder.due <= before:
            state = store.state
            assert state is not None
            outcome = store.record_observation(check_draft(state, reminder.due, store.reminders), by)
            saved += outcome.saved
    return saved


def judge(
    store: SessionStore, record_store: RecordStore, latest_wall: datetime, now: datetime | None = None
) -> Verdict:
    """Audit the record: every check due by `latest_wall` (the latest wall time the app saw) was recorded
    or raised; no level raised twice within one deferral epoch; every jump written.

    A check raised by a recorded check (a follow-up, a check brought forward) is due on the wall clock as
    it was when that check was recorded: after the clock was put back it may fall due before
    `latest_wall` and yet not have come yet. It is judged by the latest wall time seen after the record
    that raised it (the records written since, and `now`, the wall time at the end)."""
    state = store.state
    assert state is not None
    stored = record_store.records(state.session_id)
    verdict = Verdict()
    recorded = {o.body.check_due for o in state.observations}
    raises: list[StoredRecord] = [r for r in stored if r.kind == "reminder"]
    deferral_seqs: dict[str, list[int]] = {}
    for record in stored:
        if record.kind == "deferral":
            due = datetime.fromisoformat(str(record.payload["check_due"]))
            deferral_seqs.setdefault(check_key(due), []).append(record.seq)
    counts: Counter[tuple[str, object, int]] = Counter()
    for record in raises:
        key = str(record.payload["key"])
        epoch = sum(1 for seq in deferral_seqs.get(key, []) if seq < record.seq)
        counts[(key, record.payload["level"], epoch)] += 1
    verdict.raised = len(raises)
    verdict.doubled = [f"{key} {level} x{n}" for (key, level, _epoch), n in counts.items() if n > 1]
    raised_keys = {str(r.payload["key"]) for r in raises}
    first_raise = {}
    for record in raises:
        first_raise.setdefault(str(record.payload["key"]), record)
    for check in session_checks(state, latest_wall):
        key = check_key(check.due)
        if check.reasons and now is not None and check.due > _seen_after(state, stored, check, now):
            continue  # raised after a clock put back: not due yet on the clock it runs on
        verdict.checks_due += 1
        if key in raised_keys:
            at = first_raise[key].recorded_at
            verdict.late.append((key, (at - check.due).total_seconds()))
        elif check.due not in recorded:
            verdict.missed.append(key)
    verdict.jumps = [float(r.payload["jump_seconds"]) for r in stored if r.kind == "clock-jump"]  # type: ignore[arg-type]
    return verdict


def _seen_after(state: SessionState, stored: list[StoredRecord], check: Check, now: datetime) -> datetime:
    """The latest wall time seen since the first record that raised `check`."""
    raised_at = {reason.observed_at for reason in check.reasons}
    first = min((o.seq for o in state.observations if o.body.taken_at in raised_at), default=0)
    return max([now, *(r.recorded_at for r in stored if r.seq > first)])
