"""Reminders: what the session asks of the nurse now, as a pure function of its state and the clock.

`reminders(state, now)` lists the checks (upcoming, due, overdue, deferred, done), the syringe or bag's
time to empty, the 24-hour syringe change, liver function tests for long infusions, the protocol's end
prompt after the stop, urgent actions waiting for an acknowledgement, and stop, pause or reduce decisions
still open (not answered by the matching event or a recorded "not done": an acknowledgement does not
answer them). Every interval and warning time
comes from the library.

Priority (`upcoming` < `due` < `overdue` < `urgent`) never drops while its cause lasts. Time alone could
lower it (the wall clock put back an hour turns an overdue check into an upcoming one), so each level the
app raises is written to the record (`raise_payloads`), and a reminder is always at least the level last
raised for it. Only two things clear a reminder: doing it (a recorded check, a syringe change, a task
marked done, an acknowledgement), or, for a check, a deferral with a named reason that is still running.
A deferral's raised levels are left behind with it, so once it runs out the check is raised again.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from ketamine_desktop.domain.library import Item
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.schedule import Check, was_late
from ketamine_desktop.domain.session import (
    ClosePayload,
    DeferralPayload,
    OpenDecision,
    RaisePayload,
    SessionError,
    SessionState,
    TaskPayload,
    check_key,
    checks_until,
    clean_name,
    horizon_minutes,
    live_deferral,
    open_decisions,
    session_checks,
    syringe_empty_at,
)

__all__ = [
    "CLOSABLE",
    "LEVELS",
    "Level",
    "Reminder",
    "ReminderKind",
    "Status",
    "active",
    "close_payload",
    "latched_levels",
    "next_check",
    "raise_payloads",
    "reminders",
    "task_payload",
]

ReminderKind = Literal[
    "check", "syringe-empty", "syringe-change", "lft", "end-prompt", "acknowledge", "decision"
]
Level = Literal["upcoming", "due", "overdue", "urgent"]
Status = Literal["upcoming", "due", "overdue", "urgent", "deferred", "done"]
LEVELS: tuple[Level, ...] = ("upcoming", "due", "overdue", "urgent")
_ACTIVE: frozenset[Status] = frozenset({"due", "overdue", "urgent"})
# Reminders the nurse marks done from the list (the others are done by a check, an event or an ack).
TASK_KINDS: frozenset[ReminderKind] = frozenset({"lft", "end-prompt"})
END_PROMPT_KEY = "end-prompt"


class Reminder(FrozenModel):
    """One line of the timed list."""

    key: str
    kind: ReminderKind
    due: datetime
    overdue_at: datetime | None  # None: the library gives this prompt no grace, it stays "due"
    status: Status
    text: str
    sources: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    check: Check | None = None
    deferral: DeferralPayload | None = None
    deferred_by: str | None = None
    done_at: datetime | None = None
    late: bool = False
    observation_seq: int | None = None
    decision: OpenDecision | None = None

    @property
    def active(self) -> bool:
        """Asking for attention now: due, overdue or urgent."""
        return self.status in _ACTIVE

    @property
    def level(self) -> Level | None:
        return self.status if self.status in LEVELS else None


def _rank(level: Level | None) -> int:
    return -1 if level is None else LEVELS.index(level)


def _max(first: Level, second: Level | None) -> Level:
    return first if second is None or _rank(first) >= _rank(second) else second


def latched_levels(state: SessionState) -> Mapping[str, Level]:
    """The highest level raised for each reminder since its last deferral (kept by the fold)."""
    return state.latched


def _timed(now: datetime, due: datetime, overdue_at: datetime | None) -> Level:
    if now < due:
        return "upcoming"
    if overdue_at is None or now < overdue_at:
        return "due"
    return "overdue"


def reminders(
    state: SessionState, now: datetime, checks: tuple[Check, ...] | None = None
) -> tuple[Reminder, ...]:
    """Every reminder of the session at `now`, by due time. `checks`, when given, must be the session's
    checks up to at least `checks_until(state, now)` (a caller may keep them between ticks)."""
    if state.status == "ended":
        return ()
    until = checks_until(state, now)
    if checks is None:
        checks = session_checks(state, until)
    latched = latched_levels(state)
    found = [
        *_checks(state, tuple(c for c in checks if c.due <= until), now, latched),
        *_syringe(state, now, latched),
        *_lfts(state, now, latched),
        *_end_prompt(state, latched),
        *_acknowledgements(state),
        *_decisions(state),
    ]
    return tuple(sorted(found, key=lambda r: (r.due, r.key)))


def _checks(
    state: SessionState, checks: tuple[Check, ...], now: datetime, latched: Mapping[str, Level]
) -> Iterator[Reminder]:
    taken = state.checks_taken
    monitoring = state.library.document.monitoring
    # Checks done more than one horizon ago leave the list (the history keeps them): a tick then costs
    # the same on the third day as on the first.
    recent = now - timedelta(minutes=horizon_minutes(state.library, state.protocol))
    for check in checks:
        done_at = taken.get(check.due)
        if done_at is not None and check.due < recent:
            continue
        key = check_key(check.due)
        fields: dict[str, Any] = {
            "key": key,
            "kind": "check",
            "due": check.due,
            "overdue_at": check.overdue_at,
            "text": _check_text(check.items),
            "sources": monitoring.grace_sources,
            "flags": monitoring.grace_flags,
            "check": check,
        }
        if done_at is not None:
            yield _reminder(status="done", done_at=done_at, late=was_late(check, done_at), **fields)
            continue
        deferral = live_deferral(state, check.due, now)
        if deferral is not None:
            yield _reminder(status="deferred", deferral=deferral.body, deferred_by=deferral.by, **fields)
            continue
        yield _reminder(status=_max(_timed(now, check.due, check.overdue_at), latched.get(key)), **fields)


def _reminder(**fields: Any) -> Reminder:
    # Built from checked domain values on every tick: skipping validation keeps a tick cheap.
    return Reminder.model_construct(**fields)


@functools.cache
def _check_text(items: tuple[Item, ...]) -> str:
    return "Check: " + ", ".join(_ITEM_WORDS[item] for item in items)


def _syringe(state: SessionState, now: datetime, latched: Mapping[str, Level]) -> Iterator[Reminder]:
    syringe = state.syringe
    if syringe is None or state.status not in ("running", "paused"):
        return
    prompts = state.library.document.monitoring.timed_prompts
    empty_at = syringe_empty_at(state)
    if empty_at is not None:
        key = f"syringe-empty:{syringe.epoch_seq}"
        due = empty_at - timedelta(minutes=prompts.syringe_empty_warning_min)
        yield Reminder(
            key=key,
            kind="syringe-empty",
            due=due,
            overdue_at=empty_at,
            status=_max(_timed(now, due, empty_at), latched.get(key)),
            text=f"The syringe or bag runs empty at the current rate: have the next one ready "
            f"{prompts.syringe_empty_warning_min} min before",
            sources=prompts.syringe_empty_sources,
            flags=prompts.syringe_empty_flags,
        )
    key = f"syringe-change:{syringe.seq}"
    due = syringe.since + timedelta(hours=prompts.syringe_change_every_h)
    yield Reminder(
        key=key,
        kind="syringe-change",
        due=due,
        overdue_at=None,
        status=_max(_timed(now, due, None), latched.get(key)),
        text=f"New syringe or bag: every {prompts.syringe_change_every_h} h",
        sources=prompts.syringe_change_sources,
    )


def _lfts(state: SessionState, now: datetime, latched: Mapping[str, Level]) -> Iterator[Reminder]:
    """Liver function tests at every `lft_every_h` from the start, for infusions planned long enough."""
    prompts = state.library.document.monitoring.timed_prompts
    planned = state.protocol.duration_max_h
    if planned is None or planned <= prompts.lft_when_planned_over_h or state.infusion is None:
        return
    done = {t.body.key: t.body.at for t in state.tasks_done}
    stopped_at = state.stopped_at
    every = timedelta(hours=prompts.lft_every_h)
    number = 1
    while True:
        due = state.start.started_at + every * number
        if stopped_at is not None and due > stopped_at:
            return
        key = f"lft:{number}"
        status: Status = "done" if key in done else _max(_timed(now, due, None), latched.get(key))
        yield Reminder(
            key=key,
            kind="lft",
            due=due,
            overdue_at=None,
            status=status,
            text=f"Liver function tests (every {prompts.lft_every_h} h for infusions planned over "
            f"{prompts.lft_when_planned_over_h} h)",
            sources=prompts.lft_sources,
            flags=prompts.lft_flags,
            done_at=done.get(key),
        )
        if due > now:
            return  # the next one, upcoming, is listed; later ones are not yet
        number += 1


def _end_prompt(state: SessionState, latched: Mapping[str, Level]) -> Iterator[Reminder]:
    stop = next((e for e in state.events if e.body.kind == "stop"), None)
    if stop is None or stop.body.end_prompt is None:
        return
    done = next((t.body.at for t in state.tasks_done if t.body.key == END_PROMPT_KEY), None)
    if stop.body.end_prompt_done:
        done = stop.body.at
    yield Reminder(
        key=END_PROMPT_KEY,
        kind="end-prompt",
        due=stop.body.at,
        overdue_at=None,
        status="done" if done is not None else _max("due", latched.get(END_PROMPT_KEY)),
        text=stop.body.end_prompt,
        sources=state.protocol.sources,
        done_at=done,
    )


def _acknowledgements(state: SessionState) -> Iterator[Reminder]:
    for observation in state.unacknowledged:
        assessment = observation.body.assessment
        # The instructions only: an action superseded by the decision is not read out as one.
        urgent = [a for a in assessment.shown_actions if a.severity == "urgent"]
        yield Reminder(
            key=f"acknowledge:{observation.seq}",
            kind="acknowledge",
            due=observation.body.taken_at,
            overdue_at=None,
            status="urgent",
            text=" ".join(a.text for a in urgent),
            sources=tuple(source for a in urgent for source in a.sources),
            observation_seq=observation.seq,
        )


def _decisions(state: SessionState) -> Iterator[Reminder]:
    for decision in open_decisions(state):
        yield Reminder(
            key=f"decision:{decision.observation_seq}",
            kind="decision",
            due=decision.decided_at,
            overdue_at=None,
            status="urgent",
            text=decision.text,
            sources=decision.sources,
            flags=decision.flags,
            observation_seq=decision.observation_seq,
            decision=decision,
        )


def active(found: tuple[Reminder, ...]) -> tuple[Reminder, ...]:
    """The reminders asking for attention, most urgent first (an open decision before anything else of
    its level), then oldest first."""
    return tuple(
        sorted(
            (r for r in found if r.active),
            key=lambda r: (-_rank(r.level), r.decision is None, r.due, r.key),
        )
    )


def next_check(found: tuple[Reminder, ...]) -> Reminder | None:
    """The next check not yet due (the header's "next check in"), or None when none is scheduled."""
    return next((r for r in found if r.kind == "check" and r.status == "upcoming"), None)


def raise_payloads(
    state: SessionState, found: tuple[Reminder, ...], now: datetime
) -> tuple[RaisePayload, ...]:
    """The raises to write: every active reminder above the level last raised for it (once per level)."""
    latched = latched_levels(state)
    return tuple(
        RaisePayload(key=r.key, level=r.level, due=r.due, at=now)
        for r in found
        if r.active and _rank(r.level) > _rank(latched.get(r.key))
    )


def task_payload(
    state: SessionState, key: str, by: str, now: datetime, checks: tuple[Check, ...] | None = None
) -> TaskPayload:
    """Mark a task reminder (liver tests, the end prompt) done; only one that is due can be. (`checks`:
    as for `reminders`.)"""
    clean_name("done by", by)
    reminder = next((r for r in reminders(state, now, checks) if r.key == key), None)
    if reminder is None or reminder.kind not in TASK_KINDS or not reminder.active:
        raise SessionError("that task is not due")
    return TaskPayload(key=key, at=now)


# A bolus-only session has no infusion to stop: it is closed directly, with a reason while checks are open.
CLOSABLE: frozenset[str] = frozenset({"stopped", "observing"})


def close_payload(
    state: SessionState, reason: str | None, by: str, now: datetime, checks: tuple[Check, ...] | None = None
) -> ClosePayload:
    """Close a stopped (or bolus-only) session. With anything still outstanding, closing needs a reason.
    (`checks`: as for `reminders`.)"""
    clean_name("closed by", by)
    if state.status not in CLOSABLE:
        raise SessionError("stop the infusion before closing the session")
    text = (reason or "").strip() or None
    outstanding = [r for r in reminders(state, now, checks) if r.status not in ("done",)]
    if outstanding and text is None:
        raise SessionError(f"{len(outstanding)} reminders are still open: say why the session is closed")
    return ClosePayload(at=now, reason=text)


# The words of an observation chart, short enough for a list row.
_ITEM_WORDS: Mapping[Item, str] = {
    "respiratory_rate": "RR",
    "spo2": "SpO2",
    "heart_rate": "HR",
    "blood_pressure": "BP",
    "sedation": "sedation",
    "consciousness": "ACVPU",
    "pain": "pain",
    "psychotomimetic": "hallucinations etc.",
    "nausea": "nausea",
    "temperature": "temp",
    "monitors_attached": "monitors",
}
