"""Reliability recipes 8, 9 and 10 on a fake clock, judged from the record.

8  blocked event loop (350 ms of every 500 ms): ticks arrive late and some not at all; every reminder is
   still raised by due + block + tick, none lost, and nothing counts ticks.
9  wall-clock jumps of +1 h, -1 h, +1 day and -10 min with the monotonic clock unchanged: 0 missed,
   0 doubled, every jump over 60 s written to the record.
10 suspend, +8 h wall and +0 monotonic: every check that fell due is overdue on the first tick.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore
from tests.helpers.builders import THEATRE, WARD, start_draft
from tests.helpers.timing import judge, record_due, run, tick

TICK_S = 1.0
BLOCK_S = 0.35
BLOCK_EVERY_S = 0.5


def start(session_store: SessionStore, protocol: str = THEATRE) -> None:
    assert session_store.start(start_draft(protocol)).saved


def blocked_tick_times(seconds: float) -> list[float]:
    """When a 1 s repeating timer's ticks reach a loop that is busy 350 ms in every 500 ms: a tick that
    falls in a busy spell waits for its end; a repeating timer that fell behind does not catch up."""
    times: list[float] = []
    scheduled = TICK_S
    while scheduled < seconds:
        phase = scheduled % BLOCK_EVERY_S
        delivered = scheduled - phase + BLOCK_S if phase < BLOCK_S else scheduled
        times.append(delivered)
        scheduled = max(scheduled + TICK_S, delivered + 1e-3)
    return times


def test_recipe_8_blocked_event_loop(
    session_store: SessionStore, record_store: RecordStore, clock: FakeClock
) -> None:
    start(session_store, THEATRE)
    base = clock.monotonic()
    hours = 3
    for at in blocked_tick_times(hours * 3600):
        clock.advance(base + at - clock.monotonic())
        tick(session_store, clock)
        record_due(session_store, clock.now() - timedelta(minutes=3))
    verdict = judge(session_store, record_store, clock.now())
    assert verdict.checks_due >= hours * 4
    assert verdict.missed == [] and verdict.doubled == []
    worst = max(delay for _, delay in verdict.late)
    assert 0 <= worst <= BLOCK_S + TICK_S + 1e-6, worst


def test_no_tick_is_counted_anywhere() -> None:
    """Elapsed time never comes from counting ticks: nothing in the state layer adds to a tick count."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "ketamine_desktop"
    for path in [*(root / "state").glob("*.py"), *(root / "gui" / "monitoring").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AugAssign):
                target = ast.unparse(node.target)
                assert "tick" not in target.lower(), f"{path.name}: {target} counts ticks"


@pytest.mark.parametrize(
    ("jump_s", "label"),
    [(3600, "+1 h"), (-3600, "-1 h"), (86400, "+1 day"), (-600, "-10 min")],
)
def test_recipe_9_wall_clock_jumps(
    session_store: SessionStore, record_store: RecordStore, clock: FakeClock, jump_s: int, label: str
) -> None:
    start(session_store, WARD)
    latest = clock.now()
    run(session_store, clock, 50 * 60, record_after=4 * 60)
    latest = max(latest, clock.now())
    clock.jump_wall(jump_s)
    tick(session_store, clock)
    latest = max(latest, clock.now())
    run(session_store, clock, 90 * 60, record_after=4 * 60, on_tick=None)
    latest = max(latest, clock.now())
    verdict = judge(session_store, record_store, latest)
    assert verdict.missed == [], label
    assert verdict.doubled == [], label
    assert verdict.jumps == [pytest.approx(jump_s, abs=1)], label
    assert all(r.status in ("due", "overdue", "urgent") for r in session_store.active)
    overdue_after = [
        r for r in session_store.reminders if r.kind == "check" and r.due <= latest and r.status == "upcoming"
    ]
    assert overdue_after == [], label


def test_recipe_9_a_raised_check_survives_the_clock_going_back(
    session_store: SessionStore, record_store: RecordStore, clock: FakeClock
) -> None:
    start(session_store, WARD)
    run(session_store, clock, 25 * 60)  # 08:00 and 08:15 raised, overdue, not recorded
    overdue = {r.key for r in session_store.active if r.status == "overdue"}
    assert len(overdue) == 2
    clock.jump_wall(-3600)
    tick(session_store, clock)
    assert {r.key for r in session_store.active if r.status == "overdue"} == overdue
    run(session_store, clock, 120)
    assert {r.key for r in session_store.active if r.status == "overdue"} == overdue
    assert judge(session_store, record_store, clock.now() + timedelta(hours=1)).doubled == []


def test_recipe_10_suspend(session_store: SessionStore, record_store: RecordStore, clock: FakeClock) -> None:
    start(session_store, WARD)
    run(session_store, clock, 10, record_after=0)
    clock.suspend(8 * 3600)
    tick(session_store, clock)
    overdue = [r for r in session_store.active if r.kind == "check"]
    fell_due = [
        r
        for r in session_store.reminders
        if r.kind == "check" and r.status != "done" and r.due <= clock.now()
    ]
    assert overdue and {r.key for r in overdue} == {r.key for r in fell_due}
    # Past its grace: overdue at once; the one whose grace has not run out yet: due.
    for reminder in overdue:
        assert reminder.overdue_at is not None
        expected = "overdue" if reminder.overdue_at <= clock.now() else "due"
        assert reminder.status == expected
    assert sum(r.status == "overdue" for r in overdue) >= len(overdue) - 1
    verdict = judge(session_store, record_store, clock.now())
    assert verdict.missed == [] and verdict.doubled == []
    assert verdict.jumps == [pytest.approx(8 * 3600, abs=1)]
    raised_now = [r for r in record_store.records() if r.kind == "reminder" and r.recorded_at == clock.now()]
    assert len(raised_now) >= len(fell_due)
