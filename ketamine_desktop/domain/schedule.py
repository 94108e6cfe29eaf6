"""The monitoring schedule: which checks are due when, as a pure function of the plan and its events.

A schedule's tracks each lay a grid of due times anchored at the start. Events change it: a bolus, a rate
increase or a resume (the schedule's `retighten_on`) opens a window in which the re-tightened tracks,
anchored at the event, replace the base grid; a stop ends the infusion's checks and, where the protocol
says so, starts the observation after stopping. Everything (intervals, items, companions, grace) comes
from the library; nothing here knows a clinical number.

What was recorded changes it too (`observed_checks`): each escalation rule that fired at a recorded check
raises the follow-up checks the library gives it (kind `follow-up`, with the reason: the rule and the check
that raised it), and the next check is never due more than one interval after the last recorded one (a
check recorded early pulls the next one forward).

All arithmetic is on aware instants converted to UTC first: adding minutes to a local time with a zone
that changes its offset (Europe/London in March and October) would be wall-clock arithmetic and wrong by
an hour. A due time is always its anchor plus a whole number of minutes, exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, AwareDatetime, Field

from ketamine_desktop.domain.library import (
    ITEMS,
    EventKind,
    FollowUp,
    Item,
    Library,
    Monitoring,
    Schedule,
    Track,
)
from ketamine_desktop.domain.model import FrozenModel

CheckKind = Literal["baseline", "routine", "after-change", "after-stop", "follow-up"]
CheckState = Literal["upcoming", "due", "overdue", "done"]
# A stored check read back (say from the record) is aware and in UTC like a computed one, or refused.
UtcInstant = Annotated[AwareDatetime, AfterValidator(lambda instant: instant.astimezone(UTC))]

# When checks from different grids fall on one instant they become one check of the first of these kinds.
_KIND_PRECEDENCE: tuple[CheckKind, ...] = ("baseline", "follow-up", "after-stop", "after-change", "routine")
# The reason given to a check pulled forward by the grid rule (words, not a clinical number).
GRID_RULE_LABEL = "At most one interval after the last recorded check"
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)


class InvalidSchedule(ValueError):
    """Input the schedule cannot be computed from; `field` names the input and `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ScheduleEvent(FrozenModel):
    """Something done to the infusion at an instant (aware; naive instants are refused when used)."""

    at: datetime
    kind: EventKind


class CheckReason(FrozenModel):
    """Why a check not on the protocol's grid is there: a rule (its label) and the check that raised it."""

    label: str
    observed_at: UtcInstant


class ObservedCheck(FrozenModel):
    """A recorded check as the schedule needs it: when, which check it answered, which rules fired."""

    taken_at: UtcInstant
    check_due: UtcInstant | None
    fired: tuple[str, ...]  # codes of the escalation rules that fired at it (and were not superseded)


class Check(FrozenModel):
    """One monitoring check: when it is due, which items to record, and how late it may be."""

    due: UtcInstant
    kind: CheckKind
    items: tuple[Item, ...] = Field(min_length=1)
    interval_min: Annotated[int, Field(gt=0)]
    grace_min: Annotated[int, Field(gt=0)]
    reasons: tuple[CheckReason, ...] = ()

    @property
    def overdue_at(self) -> datetime:
        return self.due + timedelta(minutes=self.grace_min)


@dataclass
class _Slot:
    """What the grids put on one instant, before it becomes a Check."""

    kinds: set[CheckKind] = field(default_factory=set)
    items: set[Item] = field(default_factory=set)
    intervals: set[int] = field(default_factory=set)
    reasons: list[CheckReason] = field(default_factory=list)


def monitoring_checks(
    library: Library,
    protocol_id: str,
    start: datetime,
    events: Sequence[ScheduleEvent],
    until: datetime,
) -> tuple[Check, ...]:
    """Every check of the protocol's schedule from `start` to `until` (inclusive), sorted by due time."""
    slots = _grid_slots(library, protocol_id, start, events, until)
    return _checks_of(library.document.monitoring, _utc("start", start), slots)


def observed_checks(
    library: Library,
    protocol_id: str,
    start: datetime,
    events: Sequence[ScheduleEvent],
    observed: Sequence[ObservedCheck],
    until: datetime,
    held: AbstractSet[datetime] = frozenset(),
) -> tuple[Check, ...]:
    """The schedule with what was recorded: the grid, the follow-ups the rules raised, and the grid rule.

    Follow-ups: a rule that fired at a recorded check raises a check `every_min` after it (for a `pause`
    anchor, after the first pause recorded before that time, if any). A `once` follow-up stays until
    recorded. A `rule-clears` follow-up is dropped when another check was recorded before it fell due:
    that check decided again (it fired the rule, raising its own follow-up, or it did not and the series
    ended). Once due, a check stays until it is recorded, like any other.
    An `at_least` follow-up is not added where another check is due within its interval anyway.

    The grid rule: after the last recorded check, the next check is due at most one interval (the next
    check's own) later; where the next is later than that, a check is added at that time. Such a check,
    like a `rule-clears` follow-up, is dropped when another check was recorded before it fell due.

    `held`: due times already raised to the nurse; such a check is never dropped (the wall clock put back
    could otherwise make a check that fell due look as if it had been overtaken).
    """
    start = _utc("start", start)
    until = _utc("until", until)
    slots = _grid_slots(library, protocol_id, start, events, until)
    monitoring = library.document.monitoring
    order = sorted(observed, key=lambda o: o.taken_at)
    recorded = {o.check_due for o in order if o.check_due is not None} | {_utc("held", h) for h in held}
    pauses = sorted(_utc("events", e.at) for e in events if e.kind == "pause")
    # A bolus or rate increase after a check starts its own re-tightened grid, a stop the checks after
    # stopping: the gap is counted from it.
    retighten_on = library.schedule(library.protocol(protocol_id).schedule).retighten_on
    retightened = sorted(_utc("events", e.at) for e in events if e.kind in retighten_on or e.kind == "stop")
    # The `at_least` ones last: they look at every other check first.
    follow_ups = sorted(library.document.follow_ups, key=lambda f: f.at_least)
    # One observation at a time, each seeing only what the checks recorded up to it raised: a later
    # check never moves or removes what an earlier one raised, except by overtaking it (`_redecided`).
    for index, observation in enumerate(order):
        for follow_up in follow_ups:
            raised = _follow_up(follow_up, order, index, recorded, pauses, until)
            if raised is None:
                continue
            due, reason = raised
            if follow_up.at_least and any(reason.observed_at < other <= due for other in slots):
                continue
            _put(slots, due, "follow-up", monitoring.core_items, follow_up.every_min, reason)
        pulled = _pulled_forward(slots, order[: index + 1], observation.taken_at, retightened)
        if pulled is None:
            continue
        due, items, every = pulled
        if due > until or _redecided(order, index, due, recorded):
            continue
        reason = CheckReason(label=GRID_RULE_LABEL, observed_at=observation.taken_at)
        _put(slots, due, "routine", items, every, reason)
    return _checks_of(monitoring, start, slots)


def _follow_up(
    follow_up: FollowUp,
    order: Sequence[ObservedCheck],
    index: int,
    recorded: AbstractSet[datetime],
    pauses: Sequence[datetime],
    until: datetime,
) -> tuple[datetime, CheckReason] | None:
    """The check this follow-up raises after the check `order[index]`, if its rules fired there."""
    observation = order[index]
    if not set(follow_up.rules).intersection(observation.fired):
        return None
    every = timedelta(minutes=follow_up.every_min)
    anchor = observation.taken_at
    if follow_up.anchor == "pause":
        # A pause recorded once the check was already due does not move it.
        anchor = next((at for at in pauses if anchor <= at < anchor + every), anchor)
    due = anchor + every
    if due > until or (follow_up.until == "rule-clears" and _redecided(order, index, due, recorded)):
        return None
    return due, CheckReason(label=follow_up.label, observed_at=observation.taken_at)


def _redecided(
    order: Sequence[ObservedCheck], index: int, due: datetime, recorded: AbstractSet[datetime]
) -> bool:
    """Whether the check raised at `order[index]` for `due` was overtaken: not recorded, and the next
    recorded check was taken before it fell due."""
    return index + 1 < len(order) and order[index + 1].taken_at < due and due not in recorded


def _pulled_forward(
    slots: dict[datetime, _Slot],
    so_far: Sequence[ObservedCheck],
    taken_at: datetime,
    retightened: Sequence[datetime],
) -> tuple[datetime, set[Item], int] | None:
    """Where the grid rule puts the next check after the check taken at `taken_at`, if it moves it."""
    done = {o.check_due for o in so_far if o.check_due is not None}
    upcoming = sorted(due for due in slots if due > taken_at and due not in done)
    if not upcoming:
        return None
    nxt = slots[upcoming[0]]
    every = min(nxt.intervals)
    since = max([taken_at, *(at for at in retightened if taken_at < at < upcoming[0])])
    latest = since + timedelta(minutes=every)
    if upcoming[0] <= latest:
        return None
    return latest, nxt.items, every


def _grid_slots(
    library: Library,
    protocol_id: str,
    start: datetime,
    events: Sequence[ScheduleEvent],
    until: datetime,
) -> dict[datetime, _Slot]:
    start = _utc("start", start)
    until = _utc("until", until)
    timeline = sorted(((_utc("events", e.at), e.kind) for e in events), key=lambda event: event[0])
    try:
        protocol = library.protocol(protocol_id)
    except KeyError:
        raise InvalidSchedule("protocol", f"unknown protocol {protocol_id!r}") from None
    if until < start:
        raise InvalidSchedule("until", f"{_text(until)} is before the start {_text(start)}")
    if protocol.infusion is None and any(kind != "bolus" for _, kind in timeline):
        # A stop would end a bolus-only grid early and drop the post-dose checks the dose needs.
        raise InvalidSchedule("events", f"{protocol.id} has no infusion: only bolus events apply")
    stop = _validated_stop(timeline, start)
    horizon = until if stop is None else min(until, stop)
    schedule = library.schedule(protocol.schedule)
    monitoring = library.document.monitoring
    slots: dict[datetime, _Slot] = {}

    if schedule.baseline:
        # The baseline precedes the grid: it has to be recorded before the grid's first step is due.
        first_step = min(track.phases[0].every_min for track in schedule.tracks)
        _put(slots, start, "baseline", monitoring.core_items, first_step)

    windows = _windows(schedule, [at for at, kind in timeline if kind in schedule.retighten_on], horizon)
    for track in schedule.tracks:
        for due, every in _grid(track, start, horizon):
            # Inside a re-tightening window the window's own grid replaces the base grid.
            if not any(opened < due <= closed for opened, closed in windows):
                _put(slots, due, "routine", track.items, every)
    for opened, closed in windows:
        for track in schedule.retighten:
            for due, every in _grid(track, opened, closed):
                _put(slots, due, "after-change", track.items, every)

    if stop is not None and protocol.after_stop_schedule is not None:
        for track in library.schedule(protocol.after_stop_schedule).tracks:
            for due, every in _grid(track, stop, until):
                _put(slots, due, "after-stop", track.items, every)

    return slots


def _checks_of(monitoring: Monitoring, start: datetime, slots: dict[datetime, _Slot]) -> tuple[Check, ...]:
    dues = sorted(slots)
    periodic = _periodic_companions(monitoring, start, dues)
    return tuple(_check(monitoring, due, slots[due], periodic.get(due, set())) for due in dues)


def check_state(check: Check, recorded: bool, now: datetime) -> CheckState:
    """Upcoming before its due time, due from then, overdue from due + grace, done once recorded."""
    now = _utc("now", now)
    if recorded:
        return "done"
    if now < check.due:
        return "upcoming"
    if now < check.overdue_at:
        return "due"
    return "overdue"


def was_late(check: Check, recorded_at: datetime) -> bool:
    """Whether a check was already overdue when it was recorded."""
    return _utc("recorded_at", recorded_at) >= check.overdue_at


def next_check(checks: Iterable[Check], recorded_dues: AbstractSet[datetime], now: datetime) -> Check | None:
    """The check to do next: the earliest one not recorded; None when every check is recorded.

    An unrecorded check stays first however long ago it fell due: an overdue check is cleared only by
    recording it, so the answer does not move on with `now` (which is still checked to be aware).
    """
    _utc("now", now)
    recorded = {_utc("recorded_dues", due) for due in recorded_dues}
    for check in sorted(checks, key=lambda c: c.due):
        if check.due not in recorded:
            return check
    return None


def grace_minutes(monitoring: Monitoring, interval_min: int) -> int:
    """Grace for a check produced by a grid of this interval: the first bounded entry that covers it,
    else the open-ended entry."""
    for grace in monitoring.grace:
        if grace.interval_max_min is not None and interval_min <= grace.interval_max_min:
            return grace.grace_min
    for grace in monitoring.grace:
        if grace.interval_max_min is None:
            return grace.grace_min
    raise InvalidSchedule("library", f"monitoring.grace has no entry for a {interval_min}-min interval")


def _utc(name: str, instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidSchedule(
            name, f"{instant.isoformat()} has no time zone (add Z or an offset like +01:00)"
        )
    return instant.astimezone(UTC)


def _text(instant: datetime) -> str:
    return instant.replace(tzinfo=None).isoformat() + "Z"


def _validated_stop(timeline: list[tuple[datetime, EventKind]], start: datetime) -> datetime | None:
    """The stop instant, if any, after checking that no event precedes the start or follows a stop."""
    stop: datetime | None = None
    for at, kind in timeline:
        if at < start:
            raise InvalidSchedule("events", f"{kind} at {_text(at)} is before the start {_text(start)}")
        if stop is not None and kind == "stop":
            raise InvalidSchedule(
                "events", f"a second stop at {_text(at)}: the infusion stopped at {_text(stop)}"
            )
        if stop is not None and at > stop:
            raise InvalidSchedule("events", f"{kind} at {_text(at)} comes after the stop at {_text(stop)}")
        if kind == "stop":
            stop = at
    return stop


def _window_minutes(schedule: Schedule) -> int | None:
    """How long a re-tightening window lasts; None (until stopped) if a re-tightened track never ends."""
    ends = [track.phases[-1].until_min for track in schedule.retighten]
    if None in ends:
        return None
    return max((end for end in ends if end is not None), default=0)


def _windows(
    schedule: Schedule, events: list[datetime], horizon: datetime
) -> list[tuple[datetime, datetime]]:
    """Each re-tightening event's window (opened, closed], cut short by the next such event.

    The cut windows cover exactly the same instants as the whole ones (each next window begins where the
    previous was cut), so a base-grid check inside any whole window is inside a cut one.
    """
    length = _window_minutes(schedule)
    windows = []
    for index, opened in enumerate(events):
        closed = horizon if length is None else min(horizon, opened + timedelta(minutes=length))
        if index + 1 < len(events):
            closed = min(closed, events[index + 1])
        windows.append((opened, closed))
    return windows


def _grid(track: Track, anchor: datetime, last: datetime) -> Iterator[tuple[datetime, int]]:
    """(due, interval) for each step of the track anchored at `anchor`, up to and including `last`."""
    for offset, every in _steps(track):
        due = anchor + timedelta(minutes=offset)
        if due > last:
            return
        yield due, every


def _steps(track: Track) -> Iterator[tuple[int, int]]:
    """(minutes from the anchor, interval) for every step of the track, for ever if its last phase is open.

    Each phase steps its interval from the previous phase's end up to and including its own end.
    """
    previous = 0
    for phase in track.phases:
        offset = previous + phase.every_min
        if phase.until_min is None:
            while True:
                yield offset, phase.every_min
                offset += phase.every_min
        while offset <= phase.until_min:
            yield offset, phase.every_min
            offset += phase.every_min
        previous = phase.until_min


def _put(
    slots: dict[datetime, _Slot],
    due: datetime,
    kind: CheckKind,
    items: Iterable[Item],
    every: int,
    reason: CheckReason | None = None,
) -> None:
    slot = slots.setdefault(due, _Slot())
    slot.kinds.add(kind)
    slot.items.update(items)
    slot.intervals.add(every)
    if reason is not None and reason not in slot.reasons:
        slot.reasons.append(reason)


def _periodic_companions(
    monitoring: Monitoring, start: datetime, dues: Sequence[datetime]
) -> dict[datetime, set[Item]]:
    """Periodic companions (4-hourly temperature) ride on the first check at or after each mark.

    Marks are whole multiples of the period from the start. Taking the first check at or after a mark,
    rather than only a check exactly on it, means a re-tightening window that moves the grid off the
    mark delays the item by minutes instead of skipping it for a whole period.
    """
    riders: dict[datetime, set[Item]] = {}
    for companion in monitoring.companions:
        if companion.every_min_from_start is None:
            continue
        period = timedelta(minutes=companion.every_min_from_start)
        taken = start  # the baseline covers the start itself (at_baseline)
        for due in dues:
            mark = start + ((due - start) // period) * period
            if mark > taken:
                riders.setdefault(due, set()).add(companion.item)
                taken = mark
    return riders


def _check(monitoring: Monitoring, due: datetime, slot: _Slot, periodic: set[Item]) -> Check:
    kind = next(kind for kind in _KIND_PRECEDENCE if kind in slot.kinds)
    items = slot.items | periodic
    # Companions never create a check: they ride along with one that is due anyway.
    for companion in monitoring.companions:
        if (
            (companion.with_item is not None and companion.with_item in items)
            or companion.with_every_check
            or (companion.at_baseline and kind == "baseline")
        ):
            items.add(companion.item)
    interval = min(slot.intervals)
    return Check(
        due=due,
        kind=kind,
        items=tuple(item for item in ITEMS if item in items),
        interval_min=interval,
        grace_min=grace_minutes(monitoring, interval),
        reasons=tuple(slot.reasons),
    )
