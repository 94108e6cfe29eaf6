"""The clocks: the system clock's shape, and the fake clock's normal time, wall-clock jumps (recipe 9) and
suspend (recipe 10), with the jump detector the reminder ticker relies on."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ketamine_desktop.domain.clock import Clock, FakeClock, SystemClock, wall_jump_seconds
from ketamine_desktop.domain.schedule import Check, check_state

START = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def reading(clock: Clock) -> tuple[datetime, float]:
    return clock.now(), clock.monotonic()


def jump_since(clock: Clock, before: tuple[datetime, float]) -> float:
    return wall_jump_seconds(before[0], before[1], *reading(clock))


def test_system_clock_is_aware_utc_and_monotonic() -> None:
    clock: Clock = SystemClock()
    first_wall, first_mono = reading(clock)
    assert first_wall.tzinfo is UTC
    assert abs((first_wall - datetime.now(UTC)).total_seconds()) < 5
    if sys.platform.startswith("linux"):
        # Real elapsed time includes sleep: CLOCK_BOOTTIME, not CLOCK_MONOTONIC (issue 13).
        assert isinstance(clock, SystemClock) and clock.real_time_name == "CLOCK_BOOTTIME"
        assert abs(first_mono - time.clock_gettime(time.CLOCK_BOOTTIME)) < 5
    second_wall, second_mono = reading(clock)
    assert second_mono >= first_mono
    # No jump between two immediate readings (allowing for scheduling between the calls).
    assert abs(wall_jump_seconds(first_wall, first_mono, second_wall, second_mono)) < 1


def test_fake_clock_starts_where_told_in_utc() -> None:
    clock = FakeClock(
        datetime(2026, 11, 21, 9, 0, tzinfo=timezone(timedelta(hours=1))), monotonic_start=1234.5
    )
    assert clock.now() == START
    assert clock.now().tzinfo is UTC
    assert clock.monotonic() == 1234.5
    assert FakeClock(START).monotonic() == 0.0


def test_fake_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="aware"):
        FakeClock(datetime(2026, 11, 21, 8, 0))


def test_advance_moves_both_clocks_without_drift() -> None:
    clock = FakeClock(START)
    before = reading(clock)
    for _ in range(36_000):  # an hour in tenths of a second: float steps that would not add up exactly
        clock.advance(0.1)
    assert clock.now() == START + timedelta(hours=1)
    assert clock.monotonic() == 3600.0
    assert jump_since(clock, before) == 0.0


def test_advance_and_suspend_cannot_go_back() -> None:
    clock = FakeClock(START)
    with pytest.raises(ValueError, match="advance"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="suspend"):
        clock.suspend(-0.5)
    assert reading(clock) == (START, 0.0)
    clock.advance(0)
    clock.suspend(0)
    assert reading(clock) == (START, 0.0)


@pytest.mark.parametrize("seconds", [3600, -3600, 86400, -600])
def test_wall_clock_jumps_are_detected(seconds: int) -> None:
    clock = FakeClock(START, monotonic_start=500.0)
    clock.advance(30)
    before = reading(clock)
    clock.jump_wall(seconds)
    assert clock.monotonic() == 530.0
    assert clock.now() == START + timedelta(seconds=30 + seconds)
    assert jump_since(clock, before) == seconds
    clock.advance(1)
    assert jump_since(clock, before) == seconds  # normal time after the jump adds nothing


def test_suspend_is_a_forward_wall_jump_with_monotonic_standing_still() -> None:
    clock = FakeClock(START)
    before = reading(clock)
    clock.suspend(8 * 3600)
    assert clock.monotonic() == 0.0
    assert clock.now() == START + timedelta(hours=8)
    assert jump_since(clock, before) == 8 * 3600


def test_after_suspend_the_first_tick_sees_every_check_overdue() -> None:
    # Recipe 10: due times are absolute instants, so one look at the wall clock after the machine wakes
    # shows every check that fell due while it slept, already overdue; no ticks had to be counted.
    checks = [
        Check(
            due=START + timedelta(minutes=15 * k),
            kind="routine",
            items=("pain",),
            interval_min=15,
            grace_min=5,
        )
        for k in range(1, 5)
    ]
    clock = FakeClock(START)
    assert [check_state(c, False, clock.now()) for c in checks] == ["upcoming"] * 4
    clock.suspend(8 * 3600)
    assert [check_state(c, False, clock.now()) for c in checks] == ["overdue"] * 4


def test_a_clock_put_back_makes_nothing_due_twice() -> None:
    # Recipe 9: the state is judged by the wall clock against the stored instant alone, so after the clock
    # goes back 10 min the check is upcoming until the wall clock reaches its instant, and done stays done.
    check = Check(
        due=START + timedelta(minutes=15), kind="routine", items=("pain",), interval_min=15, grace_min=5
    )
    clock = FakeClock(START)
    clock.advance(14 * 60)
    assert check_state(check, False, clock.now()) == "upcoming"
    clock.jump_wall(-10 * 60)
    assert check_state(check, False, clock.now()) == "upcoming"
    clock.advance(11 * 60)
    assert check_state(check, False, clock.now()) == "due"
    assert check_state(check, True, clock.now()) == "done"


def test_a_clock_that_counts_sleep_sees_no_jump_in_a_suspend() -> None:
    """CLOCK_BOOTTIME: a sleep moves both clocks, so it is never taken for a wall-clock change."""
    clock = FakeClock(START, counts_sleep=True)
    assert clock.counts_sleep
    before = reading(clock)
    clock.suspend(8 * 3600)
    assert clock.monotonic() == 8 * 3600
    assert jump_since(clock, before) == 0
    assert not FakeClock(START).counts_sleep
    assert SystemClock().counts_sleep is sys.platform.startswith("linux")
    if sys.platform.startswith("linux"):
        assert len(SystemClock().boot_id() or "") == 36  # a UUID, the same for the whole boot
    assert clock.boot_id() == "fake-boot"
