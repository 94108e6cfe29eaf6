"""Real time decides when a check is due (issue 13).

The wall clock put back 1 h or 10 min, or forward 1 h, while a session runs (or before a restart) must
neither delay nor advance any check: each is raised when its real elapsed time has come (measured on the
monotonic clock, which on Linux is CLOCK_BOOTTIME and counts sleep), the change is written with both
clocks' readings, and the times shown follow the corrected wall clock. A sleep still makes due checks
overdue, and is not mistaken for a clock change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from PySide6.QtWidgets import QApplication

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore
from tests.helpers.builders import T0, WARD, library, start_draft
from tests.helpers.timing import record_due

MONO0 = 1000.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0, monotonic_start=MONO0, counts_sleep=True)  # Linux: CLOCK_BOOTTIME


@pytest.fixture
def lib() -> Library:
    return library()


@pytest.fixture
def make_store(
    qapp: QApplication, lib: Library, record_store: RecordStore, clock: FakeClock
) -> Callable[[], SessionStore]:
    del qapp
    return lambda: SessionStore(lib, record_store, clock)


def drive(store: SessionStore, clock: FakeClock, seconds: int, first_due: dict[str, float]) -> None:
    """Tick each real second; note the real time (monotonic) at which each check first asks for
    attention; record each check 4 min after it fell due, on the session's own time line."""
    for _ in range(seconds):
        clock.advance(1)
        store.tick(clock.now(), clock.monotonic())
        for reminder in store.active:
            if reminder.kind == "check":
                first_due.setdefault(reminder.key, clock.monotonic())
        record_due(store, store.now - timedelta(minutes=4))


def lateness(first_due: dict[str, float]) -> list[tuple[str, float]]:
    """For every check that asked for attention: seconds from its real due time to then (+ late)."""
    out = []
    for key, at in first_due.items():
        due = datetime.fromisoformat(key.removeprefix("check:").replace("Z", "+00:00"))
        out.append((key, at - (MONO0 + (due - T0).total_seconds())))
    return out


@pytest.mark.parametrize(
    ("jump_s", "label"), [(-3600, "back 1 h"), (-600, "back 10 min"), (3600, "forward 1 h")]
)
def test_a_wall_clock_change_neither_delays_nor_advances_a_check(
    make_store: Callable[[], SessionStore],
    record_store: RecordStore,
    clock: FakeClock,
    jump_s: int,
    label: str,
) -> None:
    store = make_store()
    assert store.start(start_draft(WARD)).saved
    first_due: dict[str, float] = {}
    drive(store, clock, 50 * 60, first_due)
    clock.jump_wall(jump_s)
    drive(store, clock, 3 * 3600, first_due)
    found = lateness(first_due)
    assert len(found) >= 8, label  # 08:00 ... 10:30 and hourly after: every one of them was raised
    off = [(key, s) for key, s in found if not 0 <= s <= 1]
    assert off == [], label  # 0 checks early, 0 later than the next tick
    # The change is written once, with both clocks' readings, and corrected for.
    jumps = [r for r in record_store.records() if r.kind == "clock-jump"]
    assert len(jumps) == 1
    payload = jumps[0].payload
    assert float(payload["jump_seconds"]) == pytest.approx(jump_s, abs=1)  # type: ignore[arg-type]
    assert (
        payload["corrected"] is True and payload["wall_at"] is not None and payload["real_time_s"] is not None
    )
    # Times shown follow the corrected wall clock: session time + correction is the wall clock now.
    assert store.correction == timedelta(seconds=float(payload["jump_seconds"]))  # type: ignore[arg-type]
    assert store.now + store.correction == clock.now()


def test_a_clock_put_back_before_a_restart_does_not_delay_checks(
    make_store: Callable[[], SessionStore], record_store: RecordStore, clock: FakeClock
) -> None:
    store = make_store()
    assert store.start(start_draft(WARD)).saved
    first_due: dict[str, float] = {}
    drive(store, clock, 50 * 60, first_due)
    clock.jump_wall(-3600)  # while the app is closed (restarted at once)
    restarted = make_store()
    drive(restarted, clock, 2 * 3600, first_due)
    # Restarted in the same boot: the last clock reading beside the record gives the real time since.
    off = [(key, s) for key, s in lateness(first_due) if not 0 <= s <= 1]
    assert off == []
    # A second restart keeps the correction (it is in the record), and does not write the jump again.
    again = make_store()
    assert again.correction == restarted.correction == timedelta(hours=-1)
    drive(again, clock, 60, first_due)
    assert len([r for r in record_store.records() if r.kind == "clock-jump"]) == 1


def test_after_a_reboot_a_clock_put_back_is_found_from_the_record(
    make_store: Callable[[], SessionStore], record_store: RecordStore, clock: FakeClock
) -> None:
    """No reading from this boot: the last record is the clue; checks may be late by the time the app was
    closed (here about a minute since the last record), never early, never by the hour put back."""
    store = make_store()
    assert store.start(start_draft(WARD)).saved
    first_due: dict[str, float] = {}
    drive(store, clock, 50 * 60, first_due)
    (record_store.path.parent / "session.clock").unlink()  # as after a reboot (another boot id)
    clock.jump_wall(-3600)
    restarted = make_store()
    drive(restarted, clock, 2 * 3600, first_due)
    off = [(key, s) for key, s in lateness(first_due) if not 0 <= s <= 2 * 60]
    assert off == []
    assert timedelta(minutes=-61) <= restarted.correction <= timedelta(minutes=-58)


def test_a_sleep_makes_due_checks_overdue_and_is_no_clock_change(
    make_store: Callable[[], SessionStore], record_store: RecordStore, clock: FakeClock
) -> None:
    store = make_store()
    assert store.start(start_draft(WARD)).saved
    drive(store, clock, 10, {})
    clock.suspend(2 * 3600)
    store.tick(clock.now(), clock.monotonic())
    overdue = [r for r in store.active if r.kind == "check" and r.status == "overdue"]
    assert overdue, "checks that fell due during the sleep are overdue on the first tick"
    assert [r for r in record_store.records() if r.kind == "clock-jump"] == []
    assert store.correction == timedelta(0)


def test_where_the_monotonic_clock_stops_in_sleep_a_forward_jump_is_not_corrected(
    qapp: QApplication, lib: Library, record_store: RecordStore
) -> None:
    """Fallback platforms: a forward jump may be a sleep, which is real time: checks come early, not late."""
    del qapp
    clock = FakeClock(T0, monotonic_start=MONO0, counts_sleep=False)
    store = SessionStore(lib, record_store, clock)
    assert store.start(start_draft(WARD)).saved
    drive(store, clock, 60, {})
    clock.suspend(3600)
    store.tick(clock.now(), clock.monotonic())
    jumps = [r for r in record_store.records() if r.kind == "clock-jump"]
    assert len(jumps) == 1 and jumps[0].payload["corrected"] is False
    assert store.correction == timedelta(0)
