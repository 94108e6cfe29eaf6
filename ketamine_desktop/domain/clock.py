"""Time, injected: the wall clock (aware UTC) and the monotonic clock, with a fake one for tests.

Due and overdue are decided by comparing stored absolute due times with the wall clock, never by counting
timer ticks. The wall clock can jump (a clock change, an NTP correction) and keeps running while the
machine sleeps, when the monotonic clock does not; comparing the two deltas tells the two apart, so the
app can write a wall-clock jump to the audit log and show everything that fell due meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Where the app gets the time from."""

    def now(self) -> datetime:
        """The wall-clock time, aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes back, never jumps with the wall clock; on Linux it
        keeps counting while the machine sleeps (CLOCK_BOOTTIME)."""
        ...

    @property
    def counts_sleep(self) -> bool:
        """True when `monotonic` counts time asleep: then any difference between the two clocks is a
        wall-clock change, never a sleep, and both directions can be corrected for."""
        ...


def real_time_source() -> tuple[str, Callable[[], float]]:
    """The clock that counts real elapsed time, sleep included, on this platform, and its name.

    Linux: CLOCK_BOOTTIME (CLOCK_MONOTONIC stops while the machine sleeps, which made a sleep look like a
    wall-clock change). Elsewhere `time.monotonic()`: on Windows QueryPerformanceCounter, on macOS
    mach_absolute_time; whether those count sleep is not verified here (no such machine to test on).
    """
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is not None:
        return "CLOCK_BOOTTIME", lambda: time.clock_gettime(boottime)
    return "time.monotonic", time.monotonic  # pragma: no cover - platforms without CLOCK_BOOTTIME


class SystemClock:
    """The machine's clocks: the wall clock, and a real-time clock that includes sleep."""

    def __init__(self) -> None:
        self.real_time_name, self._real_time = real_time_source()

    @property
    def counts_sleep(self) -> bool:
        return self.real_time_name == "CLOCK_BOOTTIME"

    def boot_id(self) -> str | None:
        """This boot's identity (Linux): CLOCK_BOOTTIME readings compare only within one boot."""
        try:
            with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
                return handle.read().strip() or None
        except OSError:  # pragma: no cover - not Linux
            return None

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return self._real_time()


class FakeClock:
    """A clock that moves only when told to: normal time, a wall-clock change, or a machine asleep.

    Both clocks are kept as whole microseconds so that `advance` moves them by exactly the same amount and
    repeated small steps never drift apart through float rounding.
    """

    def __init__(self, start: datetime, *, monotonic_start: float = 0.0, counts_sleep: bool = False) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("FakeClock needs an aware start time (with a zone)")
        self._wall = start.astimezone(UTC)
        self._monotonic_us = _microseconds(monotonic_start)
        # False: a monotonic clock that stops in sleep (CLOCK_MONOTONIC, the fallback platforms);
        # True: one that counts it (CLOCK_BOOTTIME, Linux).
        self._counts_sleep = counts_sleep

    @property
    def counts_sleep(self) -> bool:
        return self._counts_sleep

    def boot_id(self) -> str | None:
        """One boot for the whole life of a fake clock."""
        return "fake-boot"

    def now(self) -> datetime:
        return self._wall

    def monotonic(self) -> float:
        return self._monotonic_us / 1_000_000

    def advance(self, seconds: float) -> None:
        """Time passes normally: both clocks move by the same amount."""
        step = _forward("advance", seconds)
        self._wall += timedelta(microseconds=step)
        self._monotonic_us += step

    def jump_wall(self, seconds: float) -> None:
        """The wall clock is changed (either way); the monotonic clock does not notice."""
        self._wall += timedelta(microseconds=_microseconds(seconds))

    def suspend(self, seconds: float) -> None:
        """The machine sleeps: the wall clock moves on; the monotonic clock stands still, unless it counts
        sleep (CLOCK_BOOTTIME), when it moves on too."""
        step = _forward("suspend", seconds)
        self._wall += timedelta(microseconds=step)
        if self._counts_sleep:
            self._monotonic_us += step


def wall_jump_seconds(prev_wall: datetime, prev_mono: float, wall: datetime, mono: float) -> float:
    """How far the wall clock moved beyond the monotonic clock between two readings.

    0 in normal running; positive after a forward clock change or a suspend; negative after the clock was
    put back.
    """
    return (wall - prev_wall).total_seconds() - (mono - prev_mono)


def _microseconds(seconds: float) -> int:
    return round(seconds * 1_000_000)


def _forward(what: str, seconds: float) -> int:
    step = _microseconds(seconds)
    if step < 0:
        raise ValueError(f"{what} cannot go back in time ({seconds} s)")
    return step
