"""Reliability recipe 11: the reminders as a hypothesis state machine over the real session store.

Rules: time passes (ticks), a check is recorded (normal or urgent), a check is deferred with a reason
(or the app is asked to defer one without a reason, which it must refuse), an urgent action is
acknowledged, the syringe is changed, the app restarts (a new SessionStore over the same record), the
wall clock jumps (+1 h, -1 h, +1 day, -10 min, and small steps under the 60 s threshold), and the
machine sleeps (wall moves, monotonic does not).

Invariants, after every step:
- an overdue check is always shown (as overdue, or under a live deferral);
- a deferral never outlasts its limit (the check's interval) in real time;
- priority never drops while its cause lasts;
- only a recorded check, a named deferral (or, for the other reminders, their own action) clears one;
- no reminder is lost or doubled (judged from the record at the end).
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.reminders import LEVELS, Reminder
from ketamine_desktop.domain.session import EventDraft
from ketamine_desktop.state.session_store import JUMP_THRESHOLD_S, SessionStore
from ketamine_desktop.store import RecordStore
from tests.helpers.builders import T0, THEATRE, WARD, check_draft, library, start_draft
from tests.helpers.runs import count, examples
from tests.helpers.timing import judge

JUMPS = (3600.0, -3600.0, 86400.0, -600.0, 30.0, -30.0)
CLEARING = {
    "check": {"record", "defer"},
    "acknowledge": {"acknowledge"},
    "syringe-empty": {"syringe"},
    "syringe-change": {"syringe"},
}


def _rank(reminder: Reminder) -> int:
    return LEVELS.index(reminder.level) if reminder.level is not None else -1


class ReminderMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # A RAM-backed folder where there is one: every append waits for fsync (synchronous=FULL), which is
        # what the durability recipes test; here it only slows the exploration down.
        shm = Path("/dev/shm")
        self._folder = tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None)
        self.records = RecordStore.open(Path(self._folder.name) / "data")
        self.clock = FakeClock(T0, monotonic_start=100.0)
        self.store = SessionStore(library(), self.records, self.clock)
        self.latest_wall = T0
        self.seen: dict[str, Reminder] = {}  # active reminders at the last step
        self.cleared: dict[str, str] = {}  # key -> the action that may have cleared it this step
        # (check due, monotonic at the deferral, limit in s, unrecorded put-back seconds since)
        self.deferrals: list[list[object]] = []

    def teardown(self) -> None:
        verdict = judge(self.store, self.records, self.latest_wall, self.clock.now())
        self.records.close()
        self._folder.cleanup()
        assert verdict.missed == [], verdict.missed
        assert verdict.doubled == [], verdict.doubled

    # --- helpers ---

    def _tick(self) -> None:
        self.store.tick(self.clock.now(), self.clock.monotonic())
        self.latest_wall = max(self.latest_wall, self.clock.now())

    def _open_checks(self) -> list[Reminder]:
        return [r for r in self.store.reminders if r.kind == "check" and r.status in ("due", "overdue")]

    # --- rules ---

    @initialize(protocol=st.sampled_from([THEATRE, WARD]))
    def start(self, protocol: str) -> None:
        assert self.store.start(start_draft(protocol, reason="test")).saved
        self._tick()

    @rule(seconds=st.integers(min_value=1, max_value=1500))
    def tick(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self._tick()

    @rule(urgent=st.booleans())
    def record(self, urgent: bool) -> None:
        open_checks = self._open_checks()
        if not open_checks:
            return
        target = open_checks[0]
        state = self.store.state
        assert state is not None
        scale = {"rass": -4} if state.protocol.sedation_scale == "RASS" else {"poss": "4"}
        draft = check_draft(state, target.due, self.store.reminders, **(scale if urgent else {}))
        assert self.store.record_observation(draft, "EF").saved
        self.cleared[target.key] = "record"

    @rule(fraction=st.floats(min_value=0.05, max_value=1.0))
    def defer(self, fraction: float) -> None:
        open_checks = self._open_checks()
        if not open_checks or open_checks[0].check is None:
            return
        target = open_checks[0]
        interval = open_checks[0].check.interval_min
        minutes = max(1, int(interval * fraction))
        outcome = self.store.defer(target.due, minutes, "patient away from the bed", "EF")
        if outcome.saved:
            self.cleared[target.key] = "defer"
            # The latest deferral of a check is the one that counts.
            self.deferrals = [d for d in self.deferrals if d[0] != target.due]
            self.deferrals.append([target.due, self.clock.monotonic(), minutes * 60.0, 0.0])

    @rule()
    def defer_without_reason(self) -> None:
        open_checks = self._open_checks()
        if open_checks:
            before = self.store.reminders
            assert not self.store.defer(open_checks[0].due, 1, "  ", "EF").saved
            assert self.store.reminders == before

    @rule()
    def acknowledge(self) -> None:
        waiting = [r for r in self.store.reminders if r.kind == "acknowledge"]
        if waiting and waiting[0].observation_seq is not None:
            assert self.store.acknowledge(waiting[0].observation_seq, "EF").saved
            self.cleared[waiting[0].key] = "acknowledge"

    @precondition(lambda self: self.store.state is not None and self.store.state.status == "running")
    @rule()
    def change_syringe(self) -> None:
        outcome = self.store.record_event(EventDraft(kind="syringe-change", syringe_volume_ml=50), "EF")
        assert outcome.saved, outcome.message
        for key in list(self.seen):
            if key.startswith("syringe"):
                self.cleared[key] = "syringe"

    @rule()
    def restart(self) -> None:
        self.store = SessionStore(library(), self.records, self.clock)
        self._tick()

    @rule(jump=st.sampled_from(JUMPS))
    def jump(self, jump: float) -> None:
        self.clock.jump_wall(jump)
        if jump < 0 and abs(jump) <= JUMP_THRESHOLD_S:
            for deferral in self.deferrals:
                deferral[3] = float(deferral[3]) + abs(jump)  # type: ignore[arg-type]
        self._tick()

    @rule(seconds=st.integers(min_value=60, max_value=8 * 3600))
    def suspend(self, seconds: int) -> None:
        self.clock.suspend(seconds)
        self._tick()

    # --- invariants ---

    @invariant()
    def overdue_checks_are_shown(self) -> None:
        state = self.store.state
        if state is None:
            return
        now = self.clock.now()
        for reminder in self.store.reminders:
            if reminder.kind == "check" and reminder.overdue_at is not None and reminder.overdue_at <= now:
                assert reminder.status in ("overdue", "deferred", "done"), reminder

    @invariant()
    def deferrals_never_outlast_their_limit(self) -> None:
        by_due = {r.due: r for r in self.store.reminders if r.kind == "check"}
        for due, made_at, limit, slack in self.deferrals:
            assert isinstance(due, datetime)
            elapsed = self.clock.monotonic() - float(made_at)  # type: ignore[arg-type]
            reminder = by_due.get(due)
            if reminder is not None and elapsed >= float(limit) + float(slack):  # type: ignore[arg-type]
                assert reminder.status != "deferred", (reminder, elapsed, limit)

    @invariant()
    def priority_never_drops_and_only_its_action_clears_it(self) -> None:
        now_shown = {r.key: r for r in self.store.reminders}
        for key, before in self.seen.items():
            after = now_shown.get(key)
            action = self.cleared.get(key)
            if after is not None and after.active:
                if action is None:
                    assert _rank(after) >= _rank(before), (before, after)
                continue
            # No longer asking: something allowed cleared it.
            assert action in CLEARING[before.kind], (before, after, action)
        self.seen = {r.key: r for r in self.store.reminders if r.active}
        self.cleared = {}


@pytest.mark.long_run
class TestReminderStateMachine(ReminderMachine.TestCase):  # type: ignore[name-defined,misc]
    settings = examples(200, long=1000, stateful_step_count=count(30, long=60))
