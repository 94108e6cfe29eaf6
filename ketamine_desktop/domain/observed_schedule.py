"""The schedule with what was recorded (`observed_checks`), and how to go on from an earlier computation.

`observed_checks` lays the protocol's grid (`schedule.grid_slots`) and then takes the recorded checks one at
a time, in the order they were taken: each adds the follow-ups its rules raised and, by the grid rule, a
check at most one interval after it. Each of those steps reads and writes only checks due after the check
it takes, so the checks due at or before a recorded check's time are final once the steps before it ran,
unless something they depended on changes: the events up to the latest instant they looked at, a due time
they dropped or kept because it was (not) recorded, or `until` cutting off what they would have added.

`observed_schedule` returns, with the checks, a `SchedulePoint`: those final checks and what their steps
depended on. Given it back with the next inputs, it checks that nothing they depended on changed and then
runs only the steps after it (a 14-day session: the last step or two instead of 1,400); when anything did
change it computes everything again. Either way the result is exactly `observed_checks` of the inputs
(tests/domain/test_observed_schedule.py compares the two for random sessions).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter

from ketamine_desktop.domain.library import EventKind, FollowUp, Item, Library, Monitoring
from ketamine_desktop.domain.schedule import (
    GRID_RULE_LABEL,
    Check,
    CheckKind,
    CheckReason,
    ObservedCheck,
    ScheduleEvent,
    Slot,
    checks_in_order,
    grid_slots,
    put_slot,
    utc_instant,
)

__all__ = ["SchedulePoint", "observed_checks", "observed_schedule"]

_TAKEN_AT = attrgetter("taken_at")


@dataclass(frozen=True)
class _Put:
    """One check a step added."""

    due: datetime
    kind: CheckKind
    items: frozenset[Item]
    every: int
    reason: CheckReason


@dataclass
class _Step:
    """What one recorded check's step added and what its result depended on."""

    reach: datetime  # the latest instant it looked at (checks, events)
    puts: list[_Put] = field(default_factory=list)
    dropped: list[datetime] = field(
        default_factory=list
    )  # overtaken and not recorded: recording one brings it back
    kept: list[datetime] = field(default_factory=list)  # overtaken but kept because recorded
    open_ended: bool = False  # `until` cut off what it would add, or found no check after it


@dataclass(frozen=True)
class SchedulePoint:
    """Where `observed_schedule` can go on: the checks due up to `cut`, final as long as the first
    `len(order)` recorded checks, the events up to `reach`, and the recorded-ness of `dropped` and `kept`
    stay as they were (and `until` reaches `reach`)."""

    library_sha256: str
    protocol_id: str
    start: datetime
    order: tuple[ObservedCheck, ...]  # the steps taken (all but the last) and the check after them
    cut: datetime  # the time of the last check in `order`
    reach: datetime
    timeline: tuple[tuple[datetime, EventKind], ...]  # the events up to `reach`
    settled: tuple[Check, ...]  # every check due at or before `cut`
    taken: tuple[tuple[int, datetime], ...]  # the periodic companions' last marks at `cut`
    puts: tuple[_Put, ...]  # what the steps added after `cut`
    dropped: frozenset[datetime]
    kept: frozenset[datetime]


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
    return observed_schedule(library, protocol_id, start, events, observed, until, held)[0]


def observed_schedule(
    library: Library,
    protocol_id: str,
    start: datetime,
    events: Sequence[ScheduleEvent],
    observed: Sequence[ObservedCheck],
    until: datetime,
    held: AbstractSet[datetime] = frozenset(),
    point: SchedulePoint | None = None,
) -> tuple[tuple[Check, ...], SchedulePoint | None]:
    """`observed_checks`, going on from `point` where nothing it depended on changed; with the point to
    give the next call (None while no check is final yet)."""
    start = utc_instant("start", start)
    until = utc_instant("until", until)
    monitoring = library.document.monitoring
    order = sorted(observed, key=_TAKEN_AT)
    recorded = {o.check_due for o in order if o.check_due is not None} | {
        utc_instant("held", h) for h in held
    }
    timeline = tuple(sorted((utc_instant("events", e.at), e.kind) for e in events))
    if point is not None and not _resumable(
        point, library, protocol_id, start, order, until, timeline, recorded
    ):
        point = None
    # The grid checks the inputs (and refuses what it cannot lay), also when only its part after the
    # point is laid.
    slots = grid_slots(library, protocol_id, start, events, until, None if point is None else point.cut)
    pauses = [at for at, kind in timeline if kind == "pause"]
    # A bolus or rate increase after a check starts its own re-tightened grid, a stop the checks after
    # stopping: the gap is counted from it.
    retighten_on = library.schedule(library.protocol(protocol_id).schedule).retighten_on
    retightened = [at for at, kind in timeline if kind in retighten_on or kind == "stop"]
    first = 0
    if point is not None:
        first = len(point.order) - 1
        for put in point.puts:
            put_slot(slots, put.due, put.kind, put.items, put.every, put.reason)
    # The `at_least` ones last: they look at every other check first.
    follow_ups = sorted(library.document.follow_ups, key=lambda f: f.at_least)
    # The slots' due times kept sorted as checks are added, and the dues recorded so far: each step looks
    # up what it needs (bisect) instead of sorting every slot again.
    dues = sorted(slots)
    done = {o.check_due for o in order[:first] if o.check_due is not None}
    # One observation at a time, each seeing only what the checks recorded up to it raised: a later
    # check never moves or removes what an earlier one raised, except by overtaking it (`_overtaken`).
    steps = [
        _step(index, order, recorded, pauses, retightened, follow_ups, slots, dues, done, until, monitoring)
        for index in range(first, len(order))
    ]
    # The next point: after the steps whose results no later check or event (at or after the last check)
    # can change.
    cut_index = first
    reach = point.reach if point is not None else None
    last = order[-1].taken_at if order else start
    for offset, step in enumerate(steps[:-1]):
        # (The checks up to the cut are final only if this call's grid reached the cut.)
        if step.open_ended or step.reach > last or order[first + offset + 1].taken_at > until:
            break
        cut_index = first + offset + 1
        reach = step.reach if reach is None else max(reach, step.reach)
    taken = dict(point.taken) if point is not None else {}
    settled = point.settled if point is not None else ()
    if cut_index == first:
        checks = (*settled, *checks_in_order(monitoring, start, slots, dues, taken))
        return checks, point
    cut = order[cut_index].taken_at
    split = bisect.bisect_right(dues, cut)
    settled = (*settled, *checks_in_order(monitoring, start, slots, dues[:split], taken))
    at_cut = tuple(sorted(taken.items()))
    checks = (*settled, *checks_in_order(monitoring, start, slots, dues[split:], taken))
    reach = max(cut, reach) if reach is not None else cut
    taken_steps = steps[: cut_index - first]
    earlier = (point.puts, point.dropped, point.kept) if point is not None else ((), frozenset(), frozenset())
    return checks, SchedulePoint(
        library_sha256=library.sha256,
        protocol_id=protocol_id,
        start=start,
        order=tuple(order[: cut_index + 1]),
        cut=cut,
        reach=reach,
        timeline=tuple(event for event in timeline if event[0] <= reach),
        settled=settled,
        taken=at_cut,
        puts=tuple(put for put in (*earlier[0], *(p for s in taken_steps for p in s.puts)) if put.due > cut),
        dropped=earlier[1].union(*(s.dropped for s in taken_steps)),
        kept=earlier[2].union(*(s.kept for s in taken_steps)),
    )


def _resumable(
    point: SchedulePoint,
    library: Library,
    protocol_id: str,
    start: datetime,
    order: Sequence[ObservedCheck],
    until: datetime,
    timeline: Sequence[tuple[datetime, EventKind]],
    recorded: AbstractSet[datetime],
) -> bool:
    """Whether nothing the point's checks depended on changed."""
    return (
        point.library_sha256 == library.sha256
        and point.protocol_id == protocol_id
        and point.start == start
        and until >= point.reach
        and len(order) >= len(point.order)
        # (A tuple compares item by item, the same object first: no Python loop over 1,400 checks.)
        and tuple(order[: len(point.order)]) == point.order
        and tuple(event for event in timeline if event[0] <= point.reach) == point.timeline
        and point.dropped.isdisjoint(recorded)
        and point.kept <= recorded
    )


def _step(
    index: int,
    order: Sequence[ObservedCheck],
    recorded: AbstractSet[datetime],
    pauses: Sequence[datetime],
    retightened: Sequence[datetime],
    follow_ups: Sequence[FollowUp],
    slots: dict[datetime, Slot],
    dues: list[datetime],
    done: set[datetime],
    until: datetime,
    monitoring: Monitoring,
) -> _Step:
    """The follow-ups and the grid rule's check after the recorded check `order[index]`."""
    observation = order[index]
    taken_at = observation.taken_at
    if observation.check_due is not None:
        done.add(observation.check_due)
    step = _Step(reach=taken_at)
    for follow_up in follow_ups:
        if not set(follow_up.rules).intersection(observation.fired):
            continue
        due = _follow_up_due(follow_up, taken_at, pauses)
        step.reach = max(step.reach, due)
        if due > until:
            step.open_ended = True
            continue
        if follow_up.until == "rule-clears" and _overtaken(order, index, due, recorded, step):
            continue
        reason = CheckReason(label=follow_up.label, observed_at=taken_at)
        if follow_up.at_least and _any_in(dues, taken_at, due):
            continue
        _add(
            slots,
            dues,
            step,
            _Put(due, "follow-up", frozenset(monitoring.core_items), follow_up.every_min, reason),
        )
    # The grid rule: the next check not yet recorded after this one, if any.
    position = bisect.bisect_right(dues, taken_at)
    while position < len(dues) and dues[position] in done:
        position += 1
    if position == len(dues):
        step.open_ended = True  # a later `until` may bring one
        return step
    nxt_due = dues[position]
    step.reach = max(step.reach, nxt_due)
    nxt = slots[nxt_due]
    every = min(nxt.intervals)
    # The latest re-tightening event in (taken_at, nxt_due), if any, else the check itself.
    before = bisect.bisect_left(retightened, nxt_due)
    since = retightened[before - 1] if before and retightened[before - 1] > taken_at else taken_at
    latest = since + timedelta(minutes=every)
    # (Every slot is at or before `until`, so `latest`, before `nxt_due`, is too.)
    if nxt_due <= latest or _overtaken(order, index, latest, recorded, step):
        return step
    reason = CheckReason(label=GRID_RULE_LABEL, observed_at=taken_at)
    _add(slots, dues, step, _Put(latest, "routine", frozenset(nxt.items), every, reason))
    return step


def _follow_up_due(follow_up: FollowUp, taken_at: datetime, pauses: Sequence[datetime]) -> datetime:
    """When the follow-up raised at a check taken at `taken_at` falls due."""
    every = timedelta(minutes=follow_up.every_min)
    anchor = taken_at
    if follow_up.anchor == "pause":
        # After the first pause recorded before the check was due; a later pause does not move it.
        first = bisect.bisect_left(pauses, anchor)
        if first < len(pauses) and pauses[first] < anchor + every:
            anchor = pauses[first]
    return anchor + every


def _overtaken(
    order: Sequence[ObservedCheck], index: int, due: datetime, recorded: AbstractSet[datetime], step: _Step
) -> bool:
    """Whether the check raised at `order[index]` for `due` was overtaken: not recorded, and the next
    recorded check was taken before it fell due. Notes what the answer depended on."""
    if index + 1 == len(order) or order[index + 1].taken_at >= due:
        return False
    if due in recorded:
        step.kept.append(due)
        return False
    step.dropped.append(due)
    return True


def _any_in(dues: Sequence[datetime], after: datetime, until: datetime) -> bool:
    """Whether a due time lies in (after, until] (`dues` sorted)."""
    index = bisect.bisect_right(dues, after)
    return index < len(dues) and dues[index] <= until


def _add(slots: dict[datetime, Slot], dues: list[datetime], step: _Step, put: _Put) -> None:
    put_slot(slots, put.due, put.kind, put.items, put.every, put.reason, dues)
    step.puts.append(put)
