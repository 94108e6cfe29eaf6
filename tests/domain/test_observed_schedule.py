"""Going on from an earlier schedule (`observed_schedule` with a `SchedulePoint`) never disagrees with
computing it all again (`observed_checks`): the key safety property of the incremental schedule.

A random run keeps one schedule's inputs and changes them one step at a time the way a session does and
the ways it should not: a check recorded now, early, late or before the last one (out of order), answering
a check, a dropped follow-up or nothing, with any follow-up rules fired; an event now or back-dated (a
bolus, a rate change, a pause, a stop); `until` moved on or back; a due time raised (held). After every
step the schedule gone on from the last point equals the schedule computed from nothing (or both refuse
the inputs alike).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_desktop.domain.library import Library, load_library
from ketamine_desktop.domain.observed_schedule import SchedulePoint, observed_checks, observed_schedule
from ketamine_desktop.domain.schedule import Check, InvalidSchedule, ObservedCheck, ScheduleEvent
from tests.helpers.library_edit import DEFAULT_LIBRARY
from tests.helpers.runs import count, examples

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
PROTOCOLS = ("chronic-opioid-tolerant", "icu-infusion", "neuropathic-prolonged", "intraoperative")
LIBRARY = load_library(DEFAULT_LIBRARY)
RULES = sorted({rule for follow_up in LIBRARY.document.follow_ups for rule in follow_up.rules})
EVENTS = ("bolus", "rate-increase", "rate-decrease", "pause", "resume", "stop")

STEP = st.one_of(
    st.tuples(
        st.just("observe"),
        st.integers(min_value=-40, max_value=120),  # minutes after the latest check (before it: out of order)
        st.sampled_from(["next", "due", "none", "dropped", "any"]),
        st.lists(st.sampled_from(RULES), max_size=2, unique=True),
    ),
    st.tuples(st.just("event"), st.integers(min_value=-90, max_value=60), st.sampled_from(EVENTS)),
    st.tuples(st.just("until"), st.integers(min_value=-120, max_value=240)),
    st.tuples(st.just("hold"), st.integers(min_value=0, max_value=50)),
)


class Run:
    """One schedule's inputs, changed step by step, and the point carried from call to call."""

    def __init__(self, library: Library, protocol: str) -> None:
        self.library = library
        self.protocol = protocol
        self.observed: list[ObservedCheck] = []
        self.events: list[ScheduleEvent] = []
        self.held: set[datetime] = set()
        self.latest = T0
        self.until = T0 + timedelta(hours=2)
        self.point: SchedulePoint | None = None
        self.checks: tuple[Check, ...] = ()
        self.resumed = 0  # how many calls went on from a point (the property is not empty)

    def step(self, step: tuple[object, ...]) -> None:
        kind = step[0]
        if kind == "observe":
            _, minutes, answering, fired = step
            taken = max(T0, self.latest + timedelta(minutes=int(minutes)))  # type: ignore[call-overload]
            self.observed.append(
                ObservedCheck(taken_at=taken, check_due=self._due(answering, taken), fired=tuple(fired))  # type: ignore[arg-type]
            )
            self.latest = max(self.latest, taken)
            self.until = max(self.until, taken + timedelta(hours=1))
        elif kind == "event":
            _, minutes, event = step
            at = max(T0, self.latest + timedelta(minutes=int(minutes)))  # type: ignore[call-overload]
            self.events.append(ScheduleEvent(at=at, kind=event))  # type: ignore[arg-type]
        elif kind == "until":
            self.until = max(T0, self.until + timedelta(minutes=int(step[1])))  # type: ignore[call-overload]
        elif self.checks:
            self.held.add(self.checks[int(step[1]) % len(self.checks)].due)  # type: ignore[call-overload]

    def _due(self, answering: object, taken: datetime) -> datetime | None:
        done = {o.check_due for o in self.observed}
        open_checks = [c.due for c in self.checks if c.due not in done]
        if answering == "none" or not self.checks:
            return None
        if answering == "next":
            return next((due for due in open_checks if due >= taken), None)
        if answering == "due":
            return next((due for due in open_checks if due <= taken), None)
        if answering == "dropped":
            # A follow-up an earlier check raised that a later one overtook (no longer listed).
            listed = {c.due for c in self.checks}
            raised = (
                o.taken_at + timedelta(minutes=f.every_min)
                for o in self.observed
                for f in self.library.document.follow_ups
                if set(f.rules).intersection(o.fired)
            )
            return next((due for due in raised if due not in listed), None)
        return self.checks[len(self.observed) % len(self.checks)].due

    def compare(self) -> None:
        args = (self.library, self.protocol, T0, self.events, self.observed, self.until, frozenset(self.held))
        try:
            expected = observed_checks(*args)
        except InvalidSchedule as refused:
            with pytest.raises(
                InvalidSchedule, match=refused.message.replace("(", r"\(").replace(")", r"\)")
            ):
                observed_schedule(*args, point=self.point)
            self.events.pop()  # a session never records what the schedule refuses: go on without it
            return
        if self.point is not None:
            self.resumed += 1
        checks, self.point = observed_schedule(*args, point=self.point)
        assert checks == expected
        self.checks = checks


@pytest.mark.long_run
@examples(120, long=1500)
@given(protocol=st.sampled_from(PROTOCOLS), steps=st.lists(STEP, min_size=1, max_size=count(30, long=80)))
def test_going_on_from_a_point_equals_computing_it_all(
    protocol: str, steps: list[tuple[object, ...]]
) -> None:
    run = Run(LIBRARY, protocol)
    for step in steps:
        run.step(step)
        run.compare()


def test_a_long_run_of_checks_goes_on_from_its_point() -> None:
    """A day of hourly checks, each answering its check: every call after the first few goes on from a
    point that settles all but the last check (not from nothing), and equals computing it all."""
    run = Run(LIBRARY, "neuropathic-prolonged")
    for hour in range(24):
        run.step(("observe", 60 if hour else 0, "due", RULES[:1] if hour % 5 == 0 else []))
        run.compare()
        run.step(("until", 30))
        run.compare()
    assert run.point is not None and len(run.point.order) >= len(run.observed) - 2
    assert run.resumed >= 40


def test_recording_a_dropped_follow_up_brings_it_back_also_from_a_point() -> None:
    """A follow-up overtaken by the next check is dropped; a check recorded later for its time (say
    entered late) brings it back, though the step that dropped it was settled in the point."""
    run = Run(LIBRARY, "chronic-opioid-tolerant")
    run.step(("observe", 125, "none", ["notify-respiratory"]))  # raises a follow-up at 10:20 (off the grid)
    run.step(("observe", 5, "none", []))  # overtakes it: dropped
    for _ in range(3):
        run.step(("observe", 30, "none", []))
        run.compare()
    assert run.point is not None and run.point.dropped
    run.step(("observe", 1, "dropped", []))
    run.compare()
    assert any(c.due == T0 + timedelta(minutes=140) for c in run.checks)


def test_a_point_carries_the_checks_its_steps_added_after_it() -> None:
    """A reduce decision's follow-up (kept until recorded, not overtaken) 15 min after a check, with the
    next check 5 min later: the point settles the first check only, and the follow-up after the point's
    time goes with it."""
    run = Run(LIBRARY, "chronic-opioid-tolerant")
    run.step(("event", 10, "bolus"))  # its re-tightened window ends long before the point
    run.step(("observe", 125, "none", ["reduce-infusion"]))  # a follow-up at 10:20, kept until recorded
    run.step(("observe", 5, "none", ["news2-review"]))  # looks an hour ahead: not settled yet
    run.step(("observe", 15, "none", []))
    run.compare()
    assert run.point is not None and run.point.puts
    run.step(("observe", 30, "none", []))
    run.compare()
    assert run.resumed and any(c.due == T0 + timedelta(minutes=140) for c in run.checks)


def test_a_point_is_not_used_for_another_protocol_start_or_library() -> None:
    run = Run(LIBRARY, "icu-infusion")
    for hour in range(4):
        run.step(("observe", 60 if hour else 0, "due", ["notify-respiratory"]))
        run.compare()
    point = run.point
    assert point is not None
    args = (run.events, run.observed, run.until)
    for protocol, start in (("chronic-opioid-tolerant", T0), ("icu-infusion", T0 - timedelta(minutes=5))):
        expected = observed_checks(LIBRARY, protocol, start, *args)
        assert observed_schedule(LIBRARY, protocol, start, *args, point=point)[0] == expected
    # Fewer recorded checks than the point settled (another session's state): computed again.
    fewer = run.observed[:1]
    expected = observed_checks(LIBRARY, "icu-infusion", T0, run.events, fewer, run.until)
    assert (
        observed_schedule(LIBRARY, "icu-infusion", T0, run.events, fewer, run.until, point=point)[0]
        == expected
    )
