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

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, AwareDatetime, Field

from ketamine_desktop.domain.library import (
    ITEMS,
    EventKind,
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
class Slot:
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
    slots = grid_slots(library, protocol_id, start, events, until)
    return _checks_of(library.document.monitoring, utc_instant("start", start), slots)


def grid_slots(
    library: Library,
    protocol_id: str,
    start: datetime,
    events: Sequence[ScheduleEvent],
    until: datetime,
    after: datetime | None = None,
) -> dict[datetime, Slot]:
    """The protocol's grid from `start` to `until` with the events' re-tightening windows and the checks
    after a stop; only the slots due after `after` when it is given (the inputs are checked all the same)."""
    start = utc_instant("start", start)
    until = utc_instant("until", until)
    timeline = sorted(((utc_instant("events", e.at), e.kind) for e in events), key=lambda event: event[0])
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
    slots: dict[datetime, Slot] = {}

    if schedule.baseline and (after is None or start > after):
        # The baseline precedes the grid: it has to be recorded before the grid's first step is due.
        first_step = min(track.phases[0].every_min for track in schedule.tracks)
        put_slot(slots, start, "baseline", monitoring.core_items, first_step)

    windows = _windows(schedule, [at for at, kind in timeline if kind in schedule.retighten_on], horizon)
    # Windows are in time order and never overlap (each ends at the latest where the next begins): only
    # the last one opened before a due time can hold it.
    openings = [opened for opened, _ in windows]
    for track in schedule.tracks:
        for due, every in _grid(track, start, horizon, after):
            # Inside a re-tightening window the window's own grid replaces the base grid.
            last = bisect.bisect_left(openings, due) - 1
            if last < 0 or due > windows[last][1]:
                put_slot(slots, due, "routine", track.items, every)
    for opened, closed in windows:
        if after is not None and closed <= after:
            continue
        for track in schedule.retighten:
            for due, every in _grid(track, opened, closed, after):
                put_slot(slots, due, "after-change", track.items, every)

    if stop is not None and protocol.after_stop_schedule is not None:
        for track in library.schedule(protocol.after_stop_schedule).tracks:
            for due, every in _grid(track, stop, until, after):
                put_slot(slots, due, "after-stop", track.items, every)

    return slots


def _checks_of(monitoring: Monitoring, start: datetime, slots: dict[datetime, Slot]) -> tuple[Check, ...]:
    return tuple(checks_in_order(monitoring, start, slots, sorted(slots), {}))


def checks_in_order(
    monitoring: Monitoring,
    start: datetime,
    slots: Mapping[datetime, Slot],
    dues: Sequence[datetime],
    taken: dict[int, datetime],
) -> Iterator[Check]:
    """The checks of the slots at `dues` (sorted), with the periodic companions riding along.

    `taken`: for each periodic companion (by its index in the library), the last mark it rode on before
    `dues[0]` (missing: the start, which the baseline covers); updated as the checks are made, so a
    caller can go on later from where this left off."""
    for due in dues:
        yield _check(monitoring, due, slots[due], _periodic_riders(monitoring, start, due, taken))


def check_state(check: Check, recorded: bool, now: datetime) -> CheckState:
    """Upcoming before its due time, due from then, overdue from due + grace, done once recorded."""
    now = utc_instant("now", now)
    if recorded:
        return "done"
    if now < check.due:
        return "upcoming"
    if now < check.overdue_at:
        return "due"
    return "overdue"


def was_late(check: Check, recorded_at: datetime) -> bool:
    """Whether a check was already overdue when it was recorded."""
    return utc_instant("recorded_at", recorded_at) >= check.overdue_at


def next_check(checks: Iterable[Check], recorded_dues: AbstractSet[datetime], now: datetime) -> Check | None:
    """The check to do next: the earliest one not recorded; None when every check is recorded.

    An unrecorded check stays first however long ago it fell due: an overdue check is cleared only by
    recording it, so the answer does not move on with `now` (which is still checked to be aware).
    """
    utc_instant("now", now)
    recorded = {utc_instant("recorded_dues", due) for due in recorded_dues}
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


def utc_instant(name: str, instant: datetime) -> datetime:
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


def _grid(
    track: Track, anchor: datetime, last: datetime, after: datetime | None = None
) -> Iterator[tuple[datetime, int]]:
    """(due, interval) for each step of the track anchored at `anchor`, up to and including `last`; only
    those due after `after` when it is given (stepped over, not walked through)."""
    skip = None if after is None else (after - anchor) / timedelta(minutes=1)
    # (`_steps` starts past `skip`: skip is the exact ratio rounded correctly, so a whole number of minutes
    # above it is after `after`.)
    for offset, every in _steps(track, skip):
        due = anchor + timedelta(minutes=offset)
        if due > last:
            return
        yield due, every


def _steps(track: Track, skip: float | None = None) -> Iterator[tuple[int, int]]:
    """(minutes from the anchor, interval) for every step of the track, for ever if its last phase is open;
    with `skip`, from the first step past that many minutes.

    Each phase steps its interval from the previous phase's end up to and including its own end.
    """
    previous = 0
    for phase in track.phases:
        offset = previous + phase.every_min
        if skip is not None and offset <= skip:
            offset += (int((skip - offset) // phase.every_min) + 1) * phase.every_min
        if phase.until_min is None:
            while True:
                yield offset, phase.every_min
                offset += phase.every_min
        while offset <= phase.until_min:
            yield offset, phase.every_min
            offset += phase.every_min
        previous = phase.until_min


def put_slot(
    slots: dict[datetime, Slot],
    due: datetime,
    kind: CheckKind,
    items: Iterable[Item],
    every: int,
    reason: CheckReason | None = None,
    dues: list[datetime] | None = None,
) -> None:
    slot = slots.get(due)
    if slot is None:
        slot = slots[due] = Slot()
        if dues is not None:
            bisect.insort(dues, due)
    slot.kinds.add(kind)
    slot.items.update(items)
    slot.intervals.add(every)
    if reason is not None and reason not in slot.reasons:
        slot.reasons.append(reason)


def _periodic_riders(
    monitoring: Monitoring, start: datetime, due: datetime, taken: dict[int, datetime]
) -> set[Item]:
    """Periodic companions (4-hourly temperature) ride on the first check at or after each mark.

    Marks are whole multiples of the period from the start. Taking the first check at or after a mark,
    rather than only a check exactly on it, means a re-tightening window that moves the grid off the
    mark delays the item by minutes instead of skipping it for a whole period. Call in due order.
    """
    riders: set[Item] = set()
    for index, companion in enumerate(monitoring.companions):
        if companion.every_min_from_start is None:
            continue
        period = timedelta(minutes=companion.every_min_from_start)
        mark = start + ((due - start) // period) * period
        if mark > taken.get(index, start):  # the baseline covers the start itself (at_baseline)
            riders.add(companion.item)
            taken[index] = mark
    return riders


def _check(monitoring: Monitoring, due: datetime, slot: Slot, periodic: set[Item]) -> Check:
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
