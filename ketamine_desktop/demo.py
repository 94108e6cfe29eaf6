"""Training records: a realistic long infusion written through the domain's own commands.

`demo_records` simulates a ward: finished sessions first (`past_sessions` of them, one after another),
then a running `neuropathic-prolonged` session of `days` days that ends at `now`. Every step goes through
the same domain commands as the window (`start_payload`, `observation_payload`, `event_payload`,
`deferral_payload`, `acknowledgement_payload`, `task_payload`, `close_payload`, and the ticker's
`raise_payloads`), and each record is folded into the state before the next command is checked against it,
so the record is one the app itself could have written. Randomness (values, lateness, abnormal checks,
deferrals) comes from `random.Random(seed)`: the same seed gives the same record.

What the nurses do: record every scheduled check a few minutes after it falls due (now and then late,
so it is raised as overdue first, or deferred with a reason and recorded after), an extra check between
scheduled ones so that there is an observation every `extra_every_min` minutes (the load the issue
measured), change the rate once a day within the protocol's typical range, change the syringe before it
runs empty and every `syringe_change_every_h`, mark the liver tests done, and follow an abnormal check's
decision (reduce: a rate decrease; pause: a pause, then a resume an hour later; urgent actions are
acknowledged). No clinical number is made up here: doses are picked inside the library's typical range,
and every decision is the assessment's.

Every session id starts with `TRAINING_PREFIX`: every record of a training session is marked as one, in
a column the hash chain covers.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.library import DoseRate, Item, Library
from ketamine_desktop.domain.regimen import RegimenRequest
from ketamine_desktop.domain.reminders import (
    Reminder,
    close_payload,
    raise_payloads,
    reminders,
    task_payload,
)
from ketamine_desktop.domain.schedule import Check
from ketamine_desktop.domain.session import (
    KIND_OF,
    EventDraft,
    ObservationDraft,
    Payload,
    SessionError,
    SessionRecord,
    SessionSchedule,
    SessionState,
    StartDraft,
    acknowledgement_payload,
    apply_record,
    checks_until,
    deferral_payload,
    event_payload,
    horizon_minutes,
    not_done_payload,
    observation_payload,
    open_decisions,
    preview_event,
    session_schedule,
    session_state,
    start_payload,
    to_payload,
)
from ketamine_desktop.domain.training import TRAINING_PREFIX
from ketamine_desktop.store import RecordStore, StoreError

__all__ = [
    "DEMO_PROTOCOL",
    "PAST_PROTOCOL",
    "DemoRecord",
    "demo_records",
    "training_session_id",
    "write_records",
]

DEMO_PROTOCOL = "neuropathic-prolonged"  # the seeds' 4-14 day infusion
PAST_PROTOCOL = "chronic-opioid-tolerant"  # shorter ward infusions, stopped, observed and closed
# The author of the records the app writes by itself (state.session_store.SYSTEM_USER; a test keeps them
# equal: this module must not import Qt).
SYSTEM_USER = "ketamine-desktop"
_STEP = timedelta(minutes=5)  # how often the simulated ward looks at the list (the app ticks every second)
_NURSES = (("AB", "CD"), ("EF", "GH"), ("JK", "LM"))  # (nurse, second checker) by 12-hour shift
_PRESCRIBER = "Dr Training"  # who decides a decision is not done, in a training record
_BEDS = ("Training ward, bed 1", "Training ward, bed 2", "Training ward, bed 3")
# What an extra check between scheduled ones records.
_EXTRA_ITEMS: tuple[Item, ...] = (
    "respiratory_rate",
    "spo2",
    "heart_rate",
    "blood_pressure",
    "sedation",
    "consciousness",
    "pain",
)
_INFUSING = ("running", "paused")
_DEFER_REASONS = ("Patient in the bathroom", "Patient asleep after a bad night, check at next round")


@dataclass(frozen=True)
class DemoRecord:
    seq: int  # its place in the record: the demo writes into an empty one
    session_id: str
    body: Payload
    by: str
    at: datetime


def training_session_id(rng: random.Random) -> str:
    return TRAINING_PREFIX + uuid.UUID(int=rng.getrandbits(128), version=4).hex


def demo_records(
    library: Library,
    *,
    now: datetime,
    days: int,
    past_sessions: int = 0,
    seed: int = 0,
    extra_every_min: int = 15,
) -> Iterator[DemoRecord]:
    """The records of `past_sessions` finished sessions and one running session of `days` days ending
    at `now`, in the order they are written."""
    rng = random.Random(seed)
    running_start = now - timedelta(days=days)
    # Past sessions end before the running one starts, each one's start a day or two before the next.
    spans = [timedelta(hours=rng.randint(8, 16)) for _ in range(past_sessions)]
    starts: list[datetime] = []
    cursor = running_start
    for span in reversed(spans):
        cursor -= span + timedelta(hours=rng.randint(6, 18))
        starts.append(cursor)
    starts.reverse()
    # Seqs run on from one session to the next, as in the store (an acknowledgement names its check's seq).
    written = 0
    for start, span in zip(starts, spans, strict=True):
        ward = _Ward(library, rng, PAST_PROTOCOL, start, extra_every_min, written + 1)
        for record in ward.run(start + span, finish=True):
            written += 1
            yield record
    yield from _Ward(library, rng, DEMO_PROTOCOL, running_start, extra_every_min, written + 1).run(
        now, finish=False
    )


def write_records(
    store: RecordStore, library: Library, records: Iterable[DemoRecord]
) -> tuple[int, list[str]]:
    """Append the records, one transaction per session; returns how many, and the sessions in order."""
    written = 0
    sessions: list[str] = []
    batch: list[DemoRecord] = []

    def flush() -> None:
        with store.batch():
            for item in batch:
                stored = store.append(
                    item.session_id,
                    KIND_OF[type(item.body)],
                    to_payload(item.body),
                    recorded_by=item.by,
                    recorded_at=item.at,
                    library_version=library.version,
                    library_sha256=library.sha256,
                )
                if stored.seq != item.seq:
                    raise StoreError(f"a training record goes into an empty record (seq {stored.seq})")
        batch.clear()

    for record in records:
        if batch and record.session_id != batch[-1].session_id:
            flush()
        if not sessions or sessions[-1] != record.session_id:
            sessions.append(record.session_id)
        batch.append(record)
        written += 1
    if batch:
        flush()
    return written, sessions


class _Ward:
    """One simulated session: the nurses' commands, each folded in before the next."""

    def __init__(
        self,
        library: Library,
        rng: random.Random,
        protocol_id: str,
        start: datetime,
        extra_every_min: int,
        first_seq: int,
    ) -> None:
        self.first_seq = first_seq
        self.library = library
        self.rng = rng
        self.protocol = library.protocol(protocol_id)
        self.session_id = training_session_id(rng)
        self.start = start
        self.extra = timedelta(minutes=extra_every_min)
        self.out: list[DemoRecord] = []
        self.state: SessionState | None = None
        self._checks: tuple[tuple[int, datetime], tuple[Check, ...]] | None = None
        # Where the schedule goes on from (`session_schedule`): the list's (which looks 12 h ahead) and the
        # commands' (the checks up to `checks_until`, as the window's store gives them), kept apart so
        # neither asks for less than the other's point reached (which would compute it all again).
        self._schedule: SessionSchedule | None = None
        self._command_schedule: SessionSchedule | None = None
        self.last_observation = start
        self.resume_at: datetime | None = None
        self.late: dict[datetime, timedelta] = {}
        infusion = self.protocol.infusion
        assert infusion is not None
        low = infusion.typical_min.mg_per_kg_per_h
        high = min(infusion.typical_max.mg_per_kg_per_h, infusion.soft_max.mg_per_kg_per_h)
        # Doses the team moves between: the default and steps inside the typical range (below its top).
        default = infusion.default.mg_per_kg_per_h
        step = (high - low) / 6
        self.doses = sorted({default, *(low + step * k for k in range(1, 6))})
        self.dose = default

    # --- writing ---

    def _write(self, body: Payload, by: str, at: datetime) -> None:
        seq = self.state.last_seq + 1 if self.state is not None else self.first_seq
        self.out.append(DemoRecord(seq, self.session_id, body, by, at))
        folded = SessionRecord(seq=seq, recorded_by=by, recorded_at=at, body=body)
        if self.state is None:
            self.state = session_state(self.library, self.session_id, [folded])
        else:
            self.state = apply_record(self.state, folded)

    def _nurse(self, at: datetime) -> tuple[str, str]:
        return _NURSES[int((at - self.start).total_seconds() // 43200) % len(_NURSES)]

    def _checks_for(self, state: SessionState, now: datetime) -> tuple[Check, ...]:
        """The session's checks, recomputed only when an event changes them or time runs past them."""
        until = checks_until(state, now)
        key = len(state.events)
        if self._checks is None or self._checks[0][0] != key or self._checks[0][1] < until:
            reach = until + timedelta(hours=12)
            horizon = timedelta(minutes=horizon_minutes(state.library, state.protocol))
            checks, self._schedule = session_schedule(state, reach, self._schedule)
            kept = tuple(c for c in checks if c.due >= now - 2 * horizon)
            self._checks = ((key, reach), kept)
        return self._checks[1]

    def _command_checks(self, state: SessionState, now: datetime) -> tuple[Check, ...]:
        """The session's checks as a command checks against them (up to `checks_until`), from the state as
        it is (the list above is kept until an event changes it)."""
        checks, self._command_schedule = session_schedule(
            state, checks_until(state, now), self._command_schedule
        )
        return checks

    # --- the shift ---

    def run(self, end: datetime, *, finish: bool) -> Iterator[DemoRecord]:
        nurse, checker = self._nurse(self.start)
        draft = StartDraft(
            request=RegimenRequest(protocol_id=self.protocol.id, weight_kg=Decimal(self.rng.randint(55, 95))),
            bed_label=self.rng.choice(_BEDS),
            patient_initials="TR",
            syringe_volume_ml=Decimal(50),
            started_by=nurse,
            double_checked_by=checker,
        )
        self._write(start_payload(self.library, draft, self.start), nurse, self.start)
        next_rate_change = self.start + timedelta(hours=self.rng.randint(20, 28))
        t = self.start
        while t + _STEP <= end:
            t += _STEP
            found = self._tick(t)
            state = self.state
            assert state is not None
            if finish and state.status == "stopped" and not self._waiting(t, checks_only=True):
                break
            if finish and state.status == "running" and t >= end - timedelta(hours=4):
                self._event(EventDraft(kind="stop", end_prompt_done=True), t)
                continue
            self._act(t, [r for r in found if r.active])
            if state.status == "running" and t >= next_rate_change:
                self._rate_change(t)
                next_rate_change = t + timedelta(hours=self.rng.randint(20, 28))
            yield from self._drain()
        if finish:
            state = self.state
            assert state is not None
            if state.status == "running":
                self._event(EventDraft(kind="stop", end_prompt_done=True), t)
                state = self.state
                assert state is not None
            # What the close itself counts (every reminder, not only the checks kept near `t`).
            outstanding = [r for r in reminders(state, t) if r.status != "done"]
            reason = "Training session ended; observation complete" if outstanding else None
            by = self._nurse(t)[0]
            self._write(close_payload(state, reason, by, t), by, t)
        yield from self._drain()

    def _drain(self) -> Iterator[DemoRecord]:
        out, self.out = self.out, []
        yield from out

    def _waiting(self, now: datetime, *, checks_only: bool) -> list[Reminder]:
        """What is not done yet (upcoming included): the checks only, or every reminder."""
        state = self.state
        assert state is not None
        found = reminders(state, now, self._checks_for(state, now))
        return [r for r in found if r.status != "done" and (r.kind == "check" or not checks_only)]

    def _tick(self, now: datetime) -> tuple[Reminder, ...]:
        """What the app's ticker writes: each reminder raised to a new level, once; returns the reminders
        (a raise changes no reminder's status: it is already at least the level raised)."""
        state = self.state
        assert state is not None
        found = reminders(state, now, self._checks_for(state, now))
        for payload in raise_payloads(state, found, now):
            self._write(payload, SYSTEM_USER, now)
        return found

    def _act(self, now: datetime, active: list[Reminder]) -> None:
        state = self.state
        assert state is not None
        by = self._nurse(now)[0]
        if self.resume_at is not None and now >= self.resume_at and state.status == "paused":
            self.resume_at = None
            self._event(EventDraft(kind="resume", reason="Reviewed: symptoms settled"), now)
        for reminder in active:
            state = self.state
            assert state is not None
            if reminder.kind == "check" and reminder.check is not None:
                self._check(reminder.check, now)
            elif reminder.kind == "acknowledge" and reminder.observation_seq is not None:
                body = acknowledgement_payload(state, reminder.observation_seq, by, now)
                self._write(body, by, now)
            elif reminder.kind in ("syringe-empty", "syringe-change") and state.status in _INFUSING:
                self._event(EventDraft(kind="syringe-change", syringe_volume_ml=Decimal(50)), now)
            elif reminder.kind in ("lft", "end-prompt"):
                checks = self._command_checks(state, now)
                self._write(task_payload(state, reminder.key, by, now, checks), by, now)
        state = self.state
        assert state is not None
        if state.status != "ended" and now - self.last_observation >= self.extra:
            self._observe(None, self._items(), now)

    def _check(self, check: Check, now: datetime) -> None:
        """A due check: usually recorded now; sometimes left late, or deferred with a reason."""
        state = self.state
        assert state is not None
        if check.due not in self.late:
            roll = self.rng.random()
            self.late[check.due] = timedelta(minutes=check.grace_min + 5) if roll < 0.04 else timedelta(0)
            if 0.04 <= roll < 0.06:
                minutes = min(10, check.interval_min)
                by = self._nurse(now)[0]
                try:
                    reason = self.rng.choice(_DEFER_REASONS)
                    checks = self._command_checks(state, now)
                    body = deferral_payload(state, check.due, minutes, reason, by, now, checks)
                except SessionError:
                    pass
                else:
                    self._write(body, by, now)
                    return
        if now - check.due < self.late[check.due]:
            return
        self._observe(check.due, check.items, now)

    def _items(self) -> tuple[Item, ...]:
        return _EXTRA_ITEMS

    def _observe(self, due: datetime | None, items: tuple[Item, ...], now: datetime) -> None:
        state = self.state
        assert state is not None
        rng = self.rng
        values: dict[str, object] = {}
        wanted = set(items) | {"respiratory_rate", "spo2", "heart_rate", "blood_pressure", "sedation"}
        if "respiratory_rate" in wanted:
            values["respiration_rate"] = rng.randint(12, 18)
        if "spo2" in wanted:
            values["spo2"] = rng.randint(95, 99)
            values["oxygen"] = False
        if "heart_rate" in wanted:
            values["pulse"] = rng.randint(58, 88)
        if "blood_pressure" in wanted:
            values["systolic_bp"] = rng.randint(112, 142)
            values["diastolic_bp"] = rng.randint(62, 88)
        if "sedation" in wanted or "consciousness" in wanted:
            values["consciousness"] = "A"
            if self.protocol.sedation_scale == "RASS":
                values["rass"] = rng.choice((0, 0, 0, -1))
            else:
                values["poss"] = rng.choice(("1", "1", "1", "2", "S"))
        if "pain" in wanted:
            values["pain"] = rng.randint(2, 6)
        if "temperature" in wanted:
            values["temperature"] = Decimal(rng.randint(364, 373)) / 10
        roll = rng.random()
        if state.status == "running" and roll < 0.015:
            values["poss" if self.protocol.sedation_scale == "POSS" else "rass"] = (
                "3" if self.protocol.sedation_scale == "POSS" else -3
            )
        elif state.status == "running" and roll < 0.02:
            values["hallucinations"] = True
        monitors = True if "monitors_attached" in items else None
        answered = tuple(sorted({*items, *wanted, "psychotomimetic", "nausea"}))
        draft = ObservationDraft(
            check_due=due,
            observation=Observation.model_validate(values),
            monitors_attached=monitors,
            answered=answered,
        )
        by = self._nurse(now)[0]
        body = observation_payload(state, draft, by, now, self._command_checks(state, now))
        self._write(body, by, now)
        self.last_observation = now
        self._follow(body.assessment.infusion, now)

    def _follow(self, decision: str, now: datetime) -> None:
        """Do what the assessment said, a few minutes later in real life, at once here."""
        state = self.state
        assert state is not None
        if decision == "reduce" and state.status == "running":
            lower = [d for d in self.doses if d < self.dose]
            if lower:
                self._set_dose(lower[-1], now, "Sedation on the assessment: reduced as advised")
            else:
                self._not_done("Already at the lowest dose of the plan; reviewed, continue and recheck", now)
        elif decision == "pause" and state.status == "running":
            self._event(EventDraft(kind="pause", reason="Paused as the assessment advised"), now)
            self.resume_at = now + timedelta(hours=1)

    def _not_done(self, reason: str, now: datetime) -> None:
        """The open decisions recorded as not done, with the reason and the deciding prescriber."""
        state = self.state
        assert state is not None
        by = self._nurse(now)[0]
        for decision in open_decisions(state):
            body = not_done_payload(state, decision.observation_seq, reason, _PRESCRIBER, by, now)
            self._write(body, by, now)
            state = self.state
            assert state is not None

    def _rate_change(self, now: datetime) -> None:
        state = self.state
        assert state is not None
        if open_decisions(state):
            return  # the day's titration waits while a check's decision is not answered
        index = self.doses.index(self.dose)
        choices = [i for i in (index - 1, index + 1) if 0 <= i < len(self.doses)]
        self._set_dose(self.doses[self.rng.choice(choices)], now, None)

    def _set_dose(self, dose: Decimal, now: datetime, reason: str | None) -> None:
        dose_rate = DoseRate(value=dose, unit="mg/kg/h")
        draft = EventDraft(kind="rate-change", infusion_dose=dose_rate, reason=reason)
        try:
            self._event(draft, now)
        except SessionError:
            # A soft finding (an increase soon after the last) needs a reason the simulation gives.
            retry = draft.model_copy(update={"reason": "Pain review: titrated by the team"})
            state = self.state
            assert state is not None
            if preview_event(state, retry, now).needs_prescriber:
                return  # a safety lockout holds: the team leaves the rate as it is
            self._event(retry, now)
        self.dose = dose

    def _event(self, draft: EventDraft, now: datetime) -> None:
        state = self.state
        assert state is not None
        by = self._nurse(now)[0]
        self._write(event_payload(state, draft, now), by, now)
