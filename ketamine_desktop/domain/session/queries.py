"""What a session's state tells without changing it: its schedule, its checks, its syringe, its deferrals."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from operator import is_
from typing import Literal, TypeVar

from ketamine_desktop.domain.assessment import AssessmentContext
from ketamine_desktop.domain.library import Library, Protocol
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.observed_schedule import SchedulePoint, observed_schedule
from ketamine_desktop.domain.regimen import InfusionResult
from ketamine_desktop.domain.schedule import Check, ObservedCheck, ScheduleEvent
from ketamine_desktop.domain.session.fold import CHECK_KEY_PREFIX, InfusionStatus, SessionState
from ketamine_desktop.domain.session.records import (
    DeferralPayload,
    EventPayload,
    ObservationPayload,
    Recorded,
    iso_utc,
)
from ketamine_desktop.domain.units import round_down_to_step

# Events that reach the monitoring schedule; a syringe change does not change when checks are due.
_SCHEDULE_KINDS: frozenset[str] = frozenset(
    {"bolus", "rate-increase", "rate-decrease", "pause", "resume", "stop"}
)
_US_PER_H = Decimal(3_600_000_000)
R = TypeVar("R")
T = TypeVar("T")

# --- Derived values -------------------------------------------------------------------------------------


def schedule_events(state: SessionState) -> tuple[ScheduleEvent, ...]:
    """The events that shape the monitoring schedule (a syringe change does not)."""
    return tuple(event for e in state.events for event in _schedule_event(e))


def _schedule_event(event: Recorded[EventPayload]) -> tuple[ScheduleEvent, ...]:
    body = event.body
    return (ScheduleEvent(at=body.at, kind=body.kind),) if body.kind in _SCHEDULE_KINDS else ()


def horizon_minutes(library: Library, protocol: Protocol) -> int:
    """The longest interval any of the protocol's grids has: looking this far ahead always finds the next
    check, if there is one."""
    schedules = [library.schedule(protocol.schedule)]
    if protocol.after_stop_schedule is not None:
        schedules.append(library.schedule(protocol.after_stop_schedule))
    return max(
        phase.every_min
        for schedule in schedules
        for track in (*schedule.tracks, *schedule.retighten)
        for phase in track.phases
    )


def checks_until(state: SessionState, now: datetime) -> datetime:
    """How far the session's check list reaches at `now`: one horizon past `now`, or past the latest
    check already raised if the wall clock was put back behind it (a raised check never drops out)."""
    raised = state.latest_raised_check
    latest = now if raised is None else max(now, raised)
    return latest + timedelta(minutes=horizon_minutes(state.library, state.protocol))


@dataclass(frozen=True)
class SessionSchedule:
    """Where a session's schedule can go on from: the recorded checks and events it was last computed for
    (the state's own records, compared by identity), the same as the schedule reads them, and the
    `SchedulePoint` (`observed_schedule`). A value: the caller keeps the one `session_schedule` returns
    and hands it to the next call (the session store keeps it beside the state); nothing is kept here.
    (A dataclass, as `SchedulePoint`: made on every save, it is not validated item by item.)"""

    observations: tuple[Recorded[ObservationPayload], ...] = ()
    observed: tuple[ObservedCheck, ...] = ()
    events: tuple[Recorded[EventPayload], ...] = ()
    timeline: tuple[ScheduleEvent, ...] = ()
    point: SchedulePoint | None = None


def session_schedule(
    state: SessionState, until: datetime, since: SessionSchedule | None = None
) -> tuple[tuple[Check, ...], SessionSchedule]:
    """`session_checks`, going on from `since` (what an earlier call returned, for this or any other state)
    where nothing it depended on changed: the answer is the same, and on a session's 14th day it costs
    about what it does on its first. Returns the checks and where the next call can go on from."""
    since = since or SessionSchedule()
    observed = _went_on(since.observations, since.observed, state.observations, _observed)
    timeline = _went_on(since.events, since.timeline, state.events, _schedule_event)
    checks, point = observed_schedule(
        state.library,
        state.start.protocol_id,
        state.start.started_at,
        timeline,
        observed,
        max(until, state.start.started_at),
        held=state.held_checks,
        point=since.point,
    )
    schedule = SessionSchedule(
        observations=state.observations,
        observed=observed,
        events=state.events,
        timeline=timeline,
        point=point,
    )
    return checks, schedule


def _went_on(
    seen: tuple[R, ...],
    converted: tuple[T, ...],
    records: tuple[R, ...],
    convert: Callable[[R], Iterable[T]],
) -> tuple[T, ...]:
    """`records` converted: `converted` (what `seen` became) and the records after them, when `seen` are
    the first of `records` (the same objects: a later state of the same fold); else all of them."""
    known = len(seen)
    if known > len(records) or not all(map(is_, seen, records)):
        known, converted = 0, ()
    return (*converted, *(item for record in records[known:] for item in convert(record)))


def session_checks(
    state: SessionState, until: datetime, since: SessionSchedule | None = None
) -> tuple[Check, ...]:
    """Every check of the session's schedule from the start to `until` (never before the start), with the
    follow-ups the recorded checks raised and the grid rule (`observed_checks`); from `since` when given
    (`session_schedule`)."""
    return session_schedule(state, until, since)[0]


def _observed(observation: Recorded[ObservationPayload]) -> tuple[ObservedCheck]:
    return (
        ObservedCheck(
            taken_at=observation.body.taken_at,
            check_due=observation.body.check_due,
            # A superseded action raises nothing: the rule that superseded it raises its own checks.
            fired=tuple(a.code for a in observation.body.assessment.actions if a.superseded_by is None),
        ),
    )


def assessment_context(state: SessionState) -> AssessmentContext:
    """What the next check's assessment needs from the earlier ones: episodes so far, the last pain."""
    return AssessmentContext(prior_episodes=state.episodes, previous_pain=state.last_pain)


def syringe_empty_at(state: SessionState) -> datetime | None:
    """When the running syringe or bag runs empty at the current rate; None while nothing is running.

    Rounded down to the whole second: an early warning is the safe side.
    """
    syringe = state.syringe
    if syringe is None or state.status != "running" or syringe.delivering_ml_per_h <= 0:
        return None
    # Floor, also below zero (an already empty syringe): Decimal's // would round -42.9 up to -42.
    seconds = int((syringe.remaining_ml * 3600 / syringe.delivering_ml_per_h).to_integral_value(ROUND_FLOOR))
    return syringe.as_of + timedelta(seconds=seconds)


def syringe_remaining_ml(state: SessionState, now: datetime) -> Decimal | None:
    """What is left in the syringe or bag at `now` at the rate running since the last change (never below
    0); None when there is no syringe.

    Rounded down to the volume resolution: "about 48.2 mL left" must not promise more than is there.
    """
    syringe = state.syringe
    if syringe is None:
        return None
    elapsed_us = max(now - syringe.as_of, timedelta(0)) // timedelta(microseconds=1)
    left = syringe.remaining_ml - syringe.delivering_ml_per_h * Decimal(elapsed_us) / _US_PER_H
    return max(round_down_to_step(left, state.library.document.units.volume_resolution_ml), Decimal(0))


RateChange = Literal["start", "rate-increase", "rate-decrease"]


class RunningRate(FrozenModel):
    """The infusion as it is set now (the rate on the pump), and when and why it was last set."""

    infusion: InfusionResult
    status: InfusionStatus
    since: datetime
    change: RateChange
    reason: str | None = None


def running_rate(state: SessionState) -> RunningRate | None:
    """The rate set now: the start's, or the last recorded rate change's; None for a session without an
    infusion."""
    if state.infusion is None:
        return None
    changes = [e.body for e in state.events if e.body.kind in ("rate-increase", "rate-decrease")]
    if not changes:
        return RunningRate(
            infusion=state.infusion, status=state.status, since=state.start.started_at, change="start"
        )
    last = changes[-1]
    kind: RateChange = "rate-increase" if last.kind == "rate-increase" else "rate-decrease"
    return RunningRate(
        infusion=state.infusion, status=state.status, since=last.at, change=kind, reason=last.reason
    )


def live_deferral(
    state: SessionState, check_due: datetime, now: datetime
) -> Recorded[DeferralPayload] | None:
    """The deferral of this check that is still running at `now`, if any (the latest one counts).

    A deferral runs on real time: when the wall clock was put back after it was made, the time put back
    is added to `now`, so turning the clock back cannot stretch it. (A forward jump is not taken off:
    it may be a sleep, which is real time for the patient; the deferral then ends early, the safe side.)
    """
    latest = next((d for d in reversed(state.deferrals) if d.body.check_due == check_due), None)
    if latest is None:
        return None
    put_back = sum(
        (
            -j.body.jump_seconds
            for j in state.clock_jumps
            # A corrected jump is already taken out of the session's time line.
            if j.seq > latest.seq and j.body.jump_seconds < 0 and not j.body.corrected
        ),
        Decimal(0),
    )
    if now + timedelta(seconds=int(put_back)) >= latest.body.until:
        return None
    # A reminder raised again after the deferral (it ran out before the clock was put back) ends it.
    # (A deferral clears its check's latched level; a raise after it latches it again.)
    if check_key(check_due) in state.latched:
        return None
    return latest


def check_key(due: datetime) -> str:
    """The stable name of the check due at `due`, for raised reminders and the banner."""
    return f"{CHECK_KEY_PREFIX}{iso_utc(due)}"


def clock_correction(state: SessionState) -> timedelta:
    """How far the session's time line is behind the wall clock: the sum of the corrected jumps.

    Session time = wall time - correction. Due times, records and decisions are on the session's time
    line, which runs on real elapsed time; times shown add the correction back (the corrected wall clock).
    """
    corrected = (j.body.jump_seconds for j in state.clock_jumps if j.body.corrected)
    return timedelta(seconds=float(sum(corrected, Decimal(0))))
