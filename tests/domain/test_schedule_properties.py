"""Recipe 6: schedule arithmetic under hypothesis. Random starts (Europe/London across both DST changes,
as fixed +00:00/+01:00 offsets or as the zone itself), random event sequences, random horizons.

Every due time must be an anchor (the start, an event or the stop) plus a whole number of that grid's
minutes exactly; the list is sorted without duplicates; nothing routine sits inside a re-tightening
window; the same inputs give the same output whatever zone they are written in; a shorter horizon gives
a prefix of a longer one (a restart recomputes the same next check); and the result equals an
independent instant-by-instant oracle.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_desktop.domain.library import ITEMS, EventKind, Item, Library, Track, load_library
from ketamine_desktop.domain.schedule import Check, ScheduleEvent, grace_minutes, monitoring_checks
from tests.helpers.library_edit import DEFAULT_LIBRARY
from tests.helpers.runs import examples

LIBRARY = load_library(DEFAULT_LIBRARY)
PROTOCOL_IDS = tuple(p.id for p in LIBRARY.document.protocols)
LONDON = ZoneInfo("Europe/London")
HOURS_72 = timedelta(hours=72)
# Europe/London's clock changes (01:00 UTC each time) over the years the strategies draw from.
DST_CHANGES = tuple(
    datetime(*day, 1, 0, tzinfo=UTC)
    for day in (
        (2025, 3, 30),
        (2025, 10, 26),
        (2026, 3, 29),
        (2026, 10, 25),
        (2027, 3, 28),
        (2027, 10, 31),
        (2028, 3, 26),
        (2028, 10, 29),
    )
)
NON_STOP_KINDS: tuple[EventKind, ...] = ("bolus", "rate-increase", "rate-decrease", "pause", "resume")
EVERY_RUN = examples(300, long=5000)


@dataclass(frozen=True)
class Scenario:
    protocol_id: str
    start: datetime
    events: tuple[ScheduleEvent, ...]
    until: datetime


def written_as(instant_utc: datetime, style: str) -> datetime:
    """The same instant in London, as the zone itself, as its fixed offset, or in UTC."""
    local = instant_utc.astimezone(LONDON)
    if style == "zone":
        return local
    if style == "offset":
        offset = local.utcoffset()
        assert offset is not None
        return local.replace(tzinfo=timezone(offset))
    return instant_utc


def elapsed() -> st.SearchStrategy[timedelta]:
    """Up to 72 h: mostly whole minutes (events on the grid), sometimes to the microsecond."""
    return st.one_of(
        st.integers(0, 72 * 60).map(lambda m: timedelta(minutes=m)),
        st.integers(0, 72 * 4).map(lambda q: timedelta(minutes=15 * q)),
        st.integers(0, 72 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us)),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    near_dst = st.tuples(st.sampled_from(DST_CHANGES), st.integers(-3 * 86400, 3 * 86400)).map(
        lambda pair: pair[0] + timedelta(seconds=pair[1])
    )
    anywhere = st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31)).map(lambda d: d.replace(tzinfo=UTC))
    start_utc = draw(st.one_of(near_dst, anywhere))
    style = st.sampled_from(("zone", "offset", "utc"))
    protocol_id = draw(st.sampled_from(PROTOCOL_IDS))
    # A protocol without an infusion takes bolus events only (anything else is refused).
    has_infusion = LIBRARY.protocol(protocol_id).infusion is not None
    stop_after = draw(st.none() | elapsed()) if has_infusion else None
    kinds = NON_STOP_KINDS if has_infusion else ("bolus",)
    events = []
    for offset, kind in draw(st.lists(st.tuples(elapsed(), st.sampled_from(kinds)), max_size=8)):
        at = start_utc + (offset if stop_after is None else min(offset, stop_after))
        events.append(ScheduleEvent(at=written_as(at, draw(style)), kind=kind))
    if stop_after is not None:
        events.insert(
            draw(st.integers(0, len(events))), ScheduleEvent(at=start_utc + stop_after, kind="stop")
        )
    until_utc = start_utc + draw(elapsed())
    return Scenario(
        protocol_id=protocol_id,
        start=written_as(start_utc, draw(style)),
        events=tuple(events),
        until=written_as(until_utc, draw(style)),
    )


def compute(s: Scenario) -> tuple[Check, ...]:
    return monitoring_checks(LIBRARY, s.protocol_id, s.start, s.events, s.until)


# --- An independent formulation: decide each candidate instant on its own -----------------------------------


def offsets(track: Track, bound_min: int) -> dict[int, int]:
    """Minutes from the anchor -> the phase's interval, for steps up to `bound_min`."""
    steps: dict[int, int] = {}
    previous = 0
    for phase in track.phases:
        end = bound_min if phase.until_min is None else phase.until_min
        for minute in range(previous + phase.every_min, min(end, bound_min) + 1, phase.every_min):
            steps[minute] = phase.every_min
        previous = end
    return steps


Grid = tuple[tuple[Track, dict[int, int]], ...]


def grid(tracks: tuple[Track, ...], bound_min: int) -> Grid:
    return tuple((track, offsets(track, bound_min)) for track in tracks)


def grid_step(tracks: Grid, anchor: datetime, due: datetime) -> list[tuple[Track, int]]:
    """The tracks anchored at `anchor` that have a step exactly at `due`, with that step's interval."""
    since = due - anchor
    if since <= timedelta(0) or since % timedelta(minutes=1):
        return []
    minutes = since // timedelta(minutes=1)
    return [(track, steps[minutes]) for track, steps in tracks if minutes in steps]


def oracle(library: Library, s: Scenario) -> list[tuple[datetime, str, tuple[Item, ...], int]]:
    protocol = library.protocol(s.protocol_id)
    schedule = library.schedule(protocol.schedule)
    monitoring = library.document.monitoring
    start, until = s.start.astimezone(UTC), s.until.astimezone(UTC)
    stops = [e.at.astimezone(UTC) for e in s.events if e.kind == "stop"]
    stop = stops[0] if stops else None
    horizon = until if stop is None else min(until, stop)
    retightening = sorted(e.at.astimezone(UTC) for e in s.events if e.kind in schedule.retighten_on)
    window = timedelta(minutes=max((t.phases[-1].until_min or 0 for t in schedule.retighten), default=0))
    span = int((until - start) // timedelta(minutes=1)) + 1
    base, retighten = grid(schedule.tracks, span), grid(schedule.retighten, span)
    after_stop = (
        grid(library.schedule(protocol.after_stop_schedule).tracks, span)
        if protocol.after_stop_schedule
        else ()
    )

    # Every instant any grid could put a check on, then each one decided by the rules alone.
    steps = {0} | {m for g in (base, retighten, after_stop) for _, offs in g for m in offs}
    anchors = [start, *retightening, *([stop] if stop else [])]
    candidates = {anchor + timedelta(minutes=m) for anchor in anchors for m in steps}

    result = []
    for due in sorted(c for c in candidates if start <= c <= until):
        kinds: list[str] = []
        items: set[Item] = set()
        intervals: list[int] = []
        if due == start and schedule.baseline:
            kinds.append("baseline")
            items |= set(monitoring.core_items)
            intervals.append(min(t.phases[0].every_min for t in schedule.tracks))
        if due <= horizon:
            if not any(e < due <= e + window for e in retightening):
                for track, every in grid_step(base, start, due):
                    kinds.append("routine")
                    items |= set(track.items)
                    intervals.append(every)
            earlier = [e for e in retightening if e < due]
            if earlier and due <= earlier[-1] + window:
                for track, every in grid_step(retighten, earlier[-1], due):
                    kinds.append("after-change")
                    items |= set(track.items)
                    intervals.append(every)
        if stop is not None:
            for track, every in grid_step(after_stop, stop, due):
                kinds.append("after-stop")
                items |= set(track.items)
                intervals.append(every)
        if not items:
            continue
        kind = next(k for k in ("baseline", "after-stop", "after-change", "routine") if k in kinds)
        for companion in monitoring.companions:
            if (
                (companion.with_item in items)
                or companion.with_every_check
                or (companion.at_baseline and kind == "baseline")
            ):
                items.add(companion.item)
        result.append((due, kind, items, min(intervals)))
    # Periodic companions: the first check at or after each whole multiple of the period from the start.
    for companion in monitoring.companions:
        n = companion.every_min_from_start
        if n is None:
            continue
        period = timedelta(minutes=n)
        mark = start + period
        while result and mark <= result[-1][0]:
            first = next(entry for entry in result if entry[0] >= mark)
            first[2].add(companion.item)
            mark += period
            while mark <= first[0]:
                mark += period
    return [
        (due, kind, tuple(i for i in ITEMS if i in items), interval) for due, kind, items, interval in result
    ]


# --- The properties -----------------------------------------------------------------------------------------


def check_properties(s: Scenario) -> None:
    result = compute(s)
    protocol = LIBRARY.protocol(s.protocol_id)
    schedule = LIBRARY.schedule(protocol.schedule)
    start, until = s.start.astimezone(UTC), s.until.astimezone(UTC)
    stop = next((e.at.astimezone(UTC) for e in s.events if e.kind == "stop"), None)
    retightening = [e.at.astimezone(UTC) for e in s.events if e.kind in schedule.retighten_on]

    dues = [c.due for c in result]
    assert dues == sorted(set(dues)), "sorted, no duplicates"
    assert all(start <= due <= until and due.utcoffset() == timedelta(0) for due in dues)

    for check in result:
        # Exactly an anchor plus a whole number of the producing grid's minutes.
        if check.kind == "baseline":
            assert check.due == start
            continue
        span = int((check.due - start) // timedelta(minutes=1)) + 1
        if check.kind == "routine":
            anchors = [(start, grid(schedule.tracks, span))]
        elif check.kind == "after-change":
            anchors = [(e, grid(schedule.retighten, span)) for e in retightening]
        else:
            assert stop is not None and protocol.after_stop_schedule is not None
            anchors = [(stop, grid(LIBRARY.schedule(protocol.after_stop_schedule).tracks, span))]
        matches = [every for anchor, tracks in anchors for _, every in grid_step(tracks, anchor, check.due)]
        assert check.interval_min in matches, (check, anchors)
        assert check.grace_min == grace_minutes(LIBRARY.document.monitoring, check.interval_min)
        if stop is not None and check.due > stop:
            assert check.kind == "after-stop"

    # Nothing but the window's own checks inside a re-tightening window.
    window_min = max((t.phases[-1].until_min or 0 for t in schedule.retighten), default=0)
    for event in retightening:
        for check in result:
            inside = event < check.due <= event + timedelta(minutes=window_min)
            if inside and (stop is None or check.due <= stop):
                assert check.kind == "after-change", (event, check)

    # Purity: the same inputs, in any order and written in any zone, give the same checks.
    assert compute(s) == result
    same_in_utc = Scenario(
        s.protocol_id,
        start,
        tuple(ScheduleEvent(at=e.at.astimezone(UTC), kind=e.kind) for e in reversed(s.events)),
        until,
    )
    assert compute(same_in_utc) == result

    # A restart with a shorter horizon recomputes exactly the first part of the list.
    halfway = start + (until - start) / 2
    shorter = compute(Scenario(s.protocol_id, s.start, s.events, halfway))
    assert shorter == tuple(c for c in result if c.due <= halfway)

    assert [(c.due, c.kind, c.items, c.interval_min) for c in result] == oracle(LIBRARY, s)


@pytest.mark.long_run
@EVERY_RUN
@given(scenarios())
def test_schedule_properties(s: Scenario) -> None:
    check_properties(s)


@examples(300, long=300)
@given(
    st.sampled_from(DST_CHANGES),
    st.integers(-6 * 60, 6 * 60),
    st.sampled_from(PROTOCOL_IDS),
    st.sampled_from(("zone", "offset")),
)
def test_dst_local_display_is_elapsed_time(
    change: datetime, minutes: int, protocol_id: str, style: str
) -> None:
    """Across a clock change a grid step is exactly its interval of elapsed time, and the local wall
    clock shows the zone's own reading of that instant (an hourly check may read 2 h or 0 h later)."""
    start_utc = change + timedelta(minutes=minutes)
    start = written_as(start_utc, style)
    result = monitoring_checks(LIBRARY, protocol_id, start, (), start_utc + timedelta(hours=12))
    for before, after in itertools.pairwise(result):
        assert after.due - before.due in {timedelta(minutes=m) for m in (15, 30, 60, 120)}
    for check in result:
        local = check.due.astimezone(LONDON)
        assert local.astimezone(UTC) == check.due
        assert local.utcoffset() == (timedelta(hours=1) if _is_summer(check.due) else timedelta(0))


def _is_summer(instant: datetime) -> bool:
    year_changes = [c for c in DST_CHANGES if c.year == instant.year]
    return year_changes[0] <= instant < year_changes[1]
