"""The monitoring schedule, example by example: the contract's example, each phase's items, every event
kind, stops with and without observation afterwards, grace, and the check-state helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ketamine_desktop.domain import schedule as schedule_module
from ketamine_desktop.domain.library import ITEMS, EventKind, Item, Library, Phase
from ketamine_desktop.domain.schedule import (
    Check,
    InvalidSchedule,
    ScheduleEvent,
    check_state,
    grace_minutes,
    monitoring_checks,
    next_check,
    was_late,
)

START = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
WARD_PROTOCOLS = ("chronic-opioid-tolerant", "opioid-weaning", "neuropathic-prolonged")
CORE: tuple[Item, ...] = (
    "respiratory_rate",
    "spo2",
    "heart_rate",
    "blood_pressure",
    "sedation",
    "pain",
    "psychotomimetic",
)
# Core items plus the companions that ride along with them (not temperature, which goes 4-hourly).
FULL: frozenset[Item] = frozenset((*CORE, "consciousness", "nausea", "monitors_attached"))


def at(hhmm: str, day: int = 21) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime(2026, 11, day, int(hours), int(minutes), tzinfo=UTC)


def ev(hhmm: str, kind: EventKind, day: int = 21) -> ScheduleEvent:
    return ScheduleEvent(at=at(hhmm, day), kind=kind)


def checks(
    library: Library,
    protocol: str,
    events: tuple[ScheduleEvent, ...] = (),
    until: datetime | None = None,
    start: datetime = START,
) -> tuple[Check, ...]:
    # Elapsed time is added in UTC: `+` on a datetime with a zone like Europe/London is wall-clock arithmetic.
    return monitoring_checks(
        library, protocol, start, events, until or start.astimezone(UTC) + timedelta(hours=24)
    )


def times(result: tuple[Check, ...]) -> list[str]:
    return [check.due.strftime("%H:%M") for check in result]


def timeline(result: tuple[Check, ...]) -> list[tuple[str, str]]:
    return [(check.due.strftime("%H:%M"), check.kind) for check in result]


def check_at(result: tuple[Check, ...], due: datetime) -> Check:
    (found,) = [check for check in result if check.due == due]
    return found


# --- The contract's example and the base grid ---------------------------------------------------------------


@pytest.mark.parametrize("protocol", WARD_PROTOCOLS)
def test_contract_example_exactly(library: Library, protocol: str) -> None:
    result = checks(library, protocol, until=at("12:00"))
    assert times(result) == [
        "08:00",
        "08:15",
        "08:30",
        "08:45",
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "12:00",
    ]
    assert [c.kind for c in result] == ["baseline"] + ["routine"] * 9
    assert all(c.due.tzinfo is UTC for c in result)


def test_baseline_has_every_core_item_and_every_companion(library: Library) -> None:
    baseline = checks(library, "chronic-opioid-tolerant")[0]
    assert baseline.due == START
    assert baseline.kind == "baseline"
    assert baseline.items == ITEMS  # all core items, consciousness, nausea, temperature, monitors
    assert baseline.interval_min == 15  # the grid's first step: it must be done before 08:15
    assert baseline.grace_min == 5


def test_items_per_phase_of_the_ward_infusion(library: Library) -> None:
    result = checks(library, "neuropathic-prolonged", until=START + timedelta(hours=72))
    hour = timedelta(hours=1)
    one_hour = check_at(result, START + hour)
    assert set(one_hour.items) == FULL
    assert (one_hour.interval_min, one_hour.grace_min) == (15, 5)
    four_hours = check_at(result, START + 4 * hour)
    assert set(four_hours.items) == FULL | {"temperature"}
    assert (four_hours.interval_min, four_hours.grace_min) == (60, 15)
    # From 12 h the observations of BP, HR and SpO2 go 2-hourly while RR, sedation, pain and the
    # psychotomimetic items stay hourly until 24 h.
    thirteen = check_at(result, START + 13 * hour)
    assert thirteen.items == (
        "respiratory_rate",
        "sedation",
        "consciousness",
        "pain",
        "psychotomimetic",
        "nausea",
        "monitors_attached",
    )
    assert set(check_at(result, START + 14 * hour).items) == FULL
    assert set(check_at(result, START + 24 * hour).items) == FULL | {"temperature"}
    with pytest.raises(ValueError):
        check_at(result, START + 25 * hour)  # 2-hourly after 24 h
    twenty_six = check_at(result, START + 26 * hour)
    assert set(twenty_six.items) == FULL  # 26 h is not a multiple of 4 h: no temperature
    assert (twenty_six.interval_min, twenty_six.grace_min) == (120, 15)
    assert "temperature" in check_at(result, START + 28 * hour).items


def test_temperature_only_at_baseline_and_every_fourth_hour(library: Library) -> None:
    result = checks(library, "opioid-weaning", until=START + timedelta(hours=72))
    with_temperature = [c.due - START for c in result if "temperature" in c.items]
    assert with_temperature == [timedelta(hours=h) for h in range(0, 73, 4)]


def test_monitored_and_theatre_and_bolus_grids(library: Library) -> None:
    assert times(checks(library, "shock", until=at("12:00"))) == [
        "08:00",
        "08:15",
        "08:30",
        "08:45",
        "09:00",
        "10:00",
        "11:00",
        "12:00",
    ]
    theatre = checks(library, "intraoperative", until=at("09:00"))
    assert times(theatre) == ["08:00", "08:15", "08:30", "08:45", "09:00"]
    assert {c.grace_min for c in theatre} == {5}
    # A single bolus is watched for 2 h and then the list ends, however long one asks for.
    assert times(checks(library, "acute-bolus")) == [
        "08:00",
        "08:15",
        "08:30",
        "08:45",
        "09:00",
        "09:30",
        "10:00",
    ]


def test_until_at_the_start_gives_the_baseline_only(library: Library) -> None:
    assert timeline(checks(library, "shock", until=START)) == [("08:00", "baseline")]


def test_the_baseline_interval_is_the_grids_first_step(library: Library) -> None:
    ward = library.schedule("ward-infusion")
    slower = ward.tracks[1].model_copy(update={"phases": (_phase(30, 180), _phase(60, None))})
    edited = _with_schedule(library, "ward-infusion", tracks=(ward.tracks[0], slower))
    baseline = checks(edited, "opioid-weaning")[0]
    assert (baseline.kind, baseline.interval_min, baseline.grace_min) == ("baseline", 15, 5)
    edited = _with_schedule(library, "ward-infusion", tracks=(slower,))
    baseline = checks(edited, "opioid-weaning")[0]
    assert (baseline.kind, baseline.interval_min, baseline.grace_min) == ("baseline", 30, 10)


def test_a_schedule_without_baseline_starts_with_the_grid(library: Library) -> None:
    edited = _with_schedule(library, "theatre", baseline=False)
    assert times(checks(edited, "intraoperative", until=at("09:00"))) == ["08:15", "08:30", "08:45", "09:00"]


# --- Re-tightening events ------------------------------------------------------------------------------


def test_rate_increase_inside_the_base_phases(library: Library) -> None:
    result = checks(library, "chronic-opioid-tolerant", (ev("08:40", "rate-increase"),), until=at("13:00"))
    assert timeline(result) == [
        ("08:00", "baseline"),
        ("08:15", "routine"),
        ("08:30", "routine"),
        # window (08:40, 11:40]: 15-min steps for 1 h, then 30-min to 3 h; base 08:45 ... 11:00 dropped
        ("08:55", "after-change"),
        ("09:10", "after-change"),
        ("09:25", "after-change"),
        ("09:40", "after-change"),
        ("10:10", "after-change"),
        ("10:40", "after-change"),
        ("11:10", "after-change"),
        ("11:40", "after-change"),
        ("12:00", "routine"),
        ("13:00", "routine"),
    ]
    window = [c for c in result if c.kind == "after-change"]
    assert all(set(c.items) == FULL for c in window)
    assert [c.grace_min for c in window] == [5, 5, 5, 5, 10, 10, 10, 10]


def test_rate_increase_after_the_base_phases(library: Library) -> None:
    result = checks(library, "neuropathic-prolonged", (ev("14:10", "rate-increase"),), until=at("19:00"))
    assert timeline([c for c in result if c.due >= at("13:00")]) == [
        ("13:00", "routine"),
        ("14:00", "routine"),
        ("14:25", "after-change"),
        ("14:40", "after-change"),
        ("14:55", "after-change"),
        ("15:10", "after-change"),
        ("15:40", "after-change"),
        ("16:10", "after-change"),
        ("16:40", "after-change"),
        ("17:10", "after-change"),
        ("18:00", "routine"),
        ("19:00", "routine"),
    ]
    # The window observes all core items even where the base grid had gone hourly.
    assert all(set(c.items) >= set(CORE) for c in result if c.kind == "after-change")


def test_event_on_a_grid_instant_keeps_that_check(library: Library) -> None:
    result = checks(library, "chronic-opioid-tolerant", (ev("09:00", "bolus"),), until=at("10:00"))
    assert timeline(result)[4:] == [
        ("09:00", "routine"),
        ("09:15", "after-change"),
        ("09:30", "after-change"),
        ("09:45", "after-change"),
        ("10:00", "after-change"),
    ]


def test_a_later_window_replaces_an_earlier_one_from_the_later_event_on(library: Library) -> None:
    events = (ev("10:00", "rate-increase"), ev("10:50", "bolus"))
    result = checks(library, "opioid-weaning", events, until=at("15:00"))
    assert timeline([c for c in result if c.due > at("09:00")]) == [
        ("09:30", "routine"),
        ("10:00", "routine"),
        ("10:15", "after-change"),
        ("10:30", "after-change"),
        ("10:45", "after-change"),
        # the first window's 11:00, 11:30, 12:00 ... are gone: the bolus window runs from 10:50
        ("11:05", "after-change"),
        ("11:20", "after-change"),
        ("11:35", "after-change"),
        ("11:50", "after-change"),
        ("12:20", "after-change"),
        ("12:50", "after-change"),
        ("13:20", "after-change"),
        ("13:50", "after-change"),
        ("14:00", "routine"),
        ("15:00", "routine"),
    ]


def test_a_window_check_at_the_next_event_stays(library: Library) -> None:
    events = (ev("10:00", "rate-increase"), ev("10:30", "rate-increase"))
    result = checks(library, "shock", events, until=at("11:30"))
    assert timeline([c for c in result if c.due >= at("10:00")]) == [
        ("10:00", "routine"),
        ("10:15", "after-change"),
        ("10:30", "after-change"),
        ("10:45", "after-change"),
        ("11:00", "after-change"),
        ("11:15", "after-change"),
        ("11:30", "after-change"),
    ]


def test_simultaneous_events_give_one_window(library: Library) -> None:
    one = checks(library, "shock", (ev("10:05", "bolus"),))
    two = checks(library, "shock", (ev("10:05", "bolus"), ev("10:05", "rate-increase")))
    assert one == two


@pytest.mark.parametrize("kind", ["pause", "rate-decrease"])
@pytest.mark.parametrize("protocol", ["chronic-opioid-tolerant", "shock", "intraoperative"])
def test_pause_and_rate_decrease_leave_the_grid(library: Library, protocol: str, kind: EventKind) -> None:
    events = (ev("08:20", kind), ev("10:10", kind), ev("14:33", kind))
    assert checks(library, protocol, events) == checks(library, protocol)


def test_resume_retightens_like_a_rate_increase(library: Library) -> None:
    resumed = checks(library, "chronic-opioid-tolerant", (ev("13:00", "pause"), ev("14:10", "resume")))
    increased = checks(library, "chronic-opioid-tolerant", (ev("14:10", "rate-increase"),))
    assert resumed == increased
    assert check_at(resumed, at("14:25")).kind == "after-change"


def test_monitored_infusion_window_is_one_hour(library: Library) -> None:
    result = checks(library, "icu-infusion", (ev("11:20", "bolus"),), until=at("13:00"))
    assert timeline([c for c in result if c.due >= at("11:00")]) == [
        ("11:00", "routine"),
        ("11:35", "after-change"),
        ("11:50", "after-change"),
        ("12:05", "after-change"),
        ("12:20", "after-change"),
        ("13:00", "routine"),  # 12:00 fell inside the window
    ]


def test_bolus_only_repeat_bolus_restarts_the_whole_grid(library: Library) -> None:
    result = checks(library, "acute-bolus", (ev("08:50", "bolus"),))
    assert timeline(result) == [
        ("08:00", "baseline"),
        ("08:15", "routine"),
        ("08:30", "routine"),
        ("08:45", "routine"),
        ("09:05", "after-change"),
        ("09:20", "after-change"),
        ("09:35", "after-change"),
        ("09:50", "after-change"),
        ("10:20", "after-change"),
        ("10:50", "after-change"),
    ]


@pytest.mark.parametrize("kind", ["bolus", "rate-increase", "rate-decrease", "pause", "resume"])
def test_theatre_ignores_events(library: Library, kind: EventKind) -> None:
    events = (ev("08:07", kind), ev("09:41", kind))
    assert checks(library, "intraoperative", events) == checks(library, "intraoperative")


def test_an_event_at_the_start(library: Library) -> None:
    result = checks(library, "subanesthetic-infusion", (ev("08:00", "bolus"),), until=at("10:00"))
    assert timeline(result) == [
        ("08:00", "baseline"),
        ("08:15", "after-change"),
        ("08:30", "after-change"),
        ("08:45", "after-change"),
        ("09:00", "after-change"),
        ("10:00", "routine"),
    ]


def test_an_open_ended_retightening_lasts_until_the_next_event(library: Library) -> None:
    edited = _with_schedule(
        library,
        "monitored-infusion",
        retighten=(
            library.schedule("monitored-infusion")
            .retighten[0]
            .model_copy(update={"phases": (_phase(30, None),)}),
        ),
    )
    result = checks(edited, "shock", (ev("09:10", "bolus"), ev("10:20", "bolus")), until=at("11:30"))
    assert timeline([c for c in result if c.due >= at("09:00")]) == [
        ("09:00", "routine"),
        ("09:40", "after-change"),
        ("10:10", "after-change"),
        ("10:50", "after-change"),
        ("11:20", "after-change"),
    ]


# --- Stop ---------------------------------------------------------------------------------------------------


def test_stop_without_observation_afterwards(library: Library) -> None:
    result = checks(library, "intraoperative", (ev("09:10", "stop"),))
    assert times(result) == ["08:00", "08:15", "08:30", "08:45", "09:00"]


def test_stop_exactly_on_a_grid_instant_keeps_that_check(library: Library) -> None:
    result = checks(library, "intraoperative", (ev("09:15", "stop"),))
    assert times(result) == ["08:00", "08:15", "08:30", "08:45", "09:00", "09:15"]
    hourly = checks(library, "subanesthetic-infusion", (ev("10:30", "stop"),))
    assert times(hourly)[-2:] == ["09:00", "10:00"]  # no check at 10:30: the grid had none


def test_stop_with_observation_afterwards(library: Library) -> None:
    result = checks(library, "chronic-opioid-tolerant", (ev("13:20", "stop"),))
    assert timeline([c for c in result if c.due >= at("12:00")]) == [
        ("12:00", "routine"),
        ("13:00", "routine"),
        ("14:20", "after-stop"),
        ("15:20", "after-stop"),
        ("16:20", "after-stop"),
        ("17:20", "after-stop"),
    ]
    after = [c for c in result if c.kind == "after-stop"]
    # 16:20 is the first check after the 16:00 mark, so the 4-hourly temperature rides on it.
    assert [set(c.items) - FULL for c in after] == [set(), set(), {"temperature"}, set()]
    assert all((c.interval_min, c.grace_min) == (60, 15) for c in after)


def test_stop_on_a_grid_instant_with_observation_afterwards(library: Library) -> None:
    result = checks(library, "opioid-weaning", (ev("12:00", "stop"),))
    assert timeline([c for c in result if c.due >= at("11:00")]) == [
        ("11:00", "routine"),
        ("12:00", "routine"),
        ("13:00", "after-stop"),
        ("14:00", "after-stop"),
        ("15:00", "after-stop"),
        ("16:00", "after-stop"),
    ]
    assert "temperature" in check_at(result, at("16:00")).items  # 8 h from the start


def test_stop_inside_a_window(library: Library) -> None:
    events = (ev("09:40", "rate-increase"), ev("10:10", "stop"))
    result = checks(library, "neuropathic-prolonged", events)
    assert timeline([c for c in result if c.due >= at("09:30")]) == [
        ("09:30", "routine"),
        ("09:55", "after-change"),
        ("10:10", "after-change"),
        ("11:10", "after-stop"),
        ("12:10", "after-stop"),
        ("13:10", "after-stop"),
        ("14:10", "after-stop"),
    ]


def test_stop_at_the_start(library: Library) -> None:
    result = checks(library, "chronic-opioid-tolerant", (ev("08:00", "stop"),))
    assert timeline(result) == [
        ("08:00", "baseline"),
        ("09:00", "after-stop"),
        ("10:00", "after-stop"),
        ("11:00", "after-stop"),
        ("12:00", "after-stop"),
    ]


def test_observation_after_stopping_is_cut_at_until(library: Library) -> None:
    result = checks(library, "chronic-opioid-tolerant", (ev("11:30", "stop"),), until=at("13:45"))
    assert times(result)[-3:] == ["11:00", "12:30", "13:30"]
    late_stop = checks(library, "chronic-opioid-tolerant", (ev("20:00", "stop"),), until=at("12:00"))
    assert late_stop == checks(library, "chronic-opioid-tolerant", until=at("12:00"))


def test_events_at_the_stop_instant_change_nothing(library: Library) -> None:
    stopped = checks(library, "chronic-opioid-tolerant", (ev("13:20", "stop"),))
    with_more = checks(
        library, "chronic-opioid-tolerant", (ev("13:20", "stop"), ev("13:20", "rate-increase"))
    )
    assert with_more == stopped


def test_theatre_stop_ends_the_checks(library: Library) -> None:
    events = (ev("08:05", "bolus"), ev("08:50", "stop"))
    assert times(checks(library, "intraoperative", events)) == ["08:00", "08:15", "08:30", "08:45"]


# --- Every protocol over 72 h -------------------------------------------------------------------------------


def test_every_protocol_for_72_hours(library: Library) -> None:
    until = START + timedelta(hours=72)
    for protocol in library.document.protocols:
        result = checks(library, protocol.id, until=until)
        dues = [c.due for c in result]
        assert dues == sorted(set(dues)), protocol.id
        assert dues[0] == START
        assert dues[-1] <= until
        for check in result:
            assert check.items == tuple(item for item in ITEMS if item in check.items)
            assert "monitors_attached" in check.items
            assert check.grace_min == grace_minutes(library.document.monitoring, check.interval_min)
            assert check.overdue_at == check.due + timedelta(minutes=check.grace_min)


def test_counts_over_72_hours(library: Library) -> None:
    until = START + timedelta(hours=72)
    counts = {p.id: len(checks(library, p.id, until=until)) for p in library.document.protocols}
    # ward: baseline + 4 + 4 + hourly 4..24 h (21) + 2-hourly 26..72 h (24) = 54
    assert counts["chronic-opioid-tolerant"] == 54
    # monitored: baseline + 4 + hourly 2..72 h (71) = 76
    assert counts["icu-infusion"] == 76
    assert counts["intraoperative"] == 1 + 72 * 4
    assert counts["acute-bolus"] == 7


# --- Time zones ---------------------------------------------------------------------------------------------


def test_start_with_an_offset_gives_utc_instants(library: Library) -> None:
    local = datetime(2026, 11, 21, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert checks(library, "shock", start=local) == checks(library, "shock")


def test_across_the_spring_dst_change_every_step_is_exact_elapsed_time(library: Library) -> None:
    london = ZoneInfo("Europe/London")
    # 00:30 GMT on the night the clocks go forward at 01:00 GMT (to 02:00 BST).
    start = datetime(2026, 3, 29, 0, 30, tzinfo=london)
    result = checks(library, "intraoperative", start=start, until=datetime(2026, 3, 29, 2, 30, tzinfo=UTC))
    assert [c.due for c in result] == [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC) + timedelta(minutes=15 * k) for k in range(9)
    ]
    # On the wall clock in London the 01:00 GMT check reads 02:00 BST, one quarter hour after 00:45 GMT.
    assert result[2].due.astimezone(london).strftime("%H:%M %Z") == "02:00 BST"


def test_across_the_autumn_dst_change(library: Library) -> None:
    london = ZoneInfo("Europe/London")
    start = datetime(2026, 10, 25, 0, 30, tzinfo=london)  # BST, 23:30 UTC the day before
    result = checks(library, "shock", start=start, until=datetime(2026, 10, 25, 3, 30, tzinfo=UTC))
    assert [c.due.astimezone(london).strftime("%H:%M %Z") for c in result if c.kind == "routine"][3:] == [
        "01:30 BST",
        "01:30 GMT",
        "02:30 GMT",
        "03:30 GMT",
    ]


# --- Invalid input ------------------------------------------------------------------------------------------


def invalid(library: Library, **kwargs: object) -> InvalidSchedule:
    arguments: dict[str, object] = {
        "protocol_id": "chronic-opioid-tolerant",
        "start": START,
        "events": (),
        "until": START + timedelta(hours=4),
        **kwargs,
    }
    with pytest.raises(InvalidSchedule) as caught:
        monitoring_checks(library, **arguments)  # type: ignore[arg-type]
    return caught.value


def test_invalid_inputs_name_their_field(library: Library) -> None:
    naive = datetime(2026, 11, 21, 8, 0)
    cases = [
        ({"start": naive}, "start", "has no time zone"),
        ({"until": naive}, "until", "has no time zone"),
        ({"events": (ScheduleEvent(at=naive, kind="bolus"),)}, "events", "has no time zone"),
        ({"protocol_id": "no-such-protocol"}, "protocol", "unknown protocol 'no-such-protocol'"),
        ({"until": START - timedelta(seconds=1)}, "until", "is before the start"),
        ({"events": (ev("07:59", "bolus"),)}, "events", "bolus at 2026-11-21T07:59:00Z is before the start"),
        ({"events": (ev("09:00", "stop"), ev("09:30", "resume"))}, "events", "resume at"),
        ({"events": (ev("09:00", "stop"), ev("09:00", "stop"))}, "events", "a second stop"),
        ({"events": (ev("10:00", "stop"), ev("09:00", "stop"))}, "events", "a second stop"),
    ]
    for kwargs, field, text in cases:
        error = invalid(library, **kwargs)
        assert error.field == field
        assert text in error.message
        assert str(error) == f"{field}: {error.message}"


# --- Grace --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "grace"), [(1, 5), (15, 5), (16, 10), (30, 10), (31, 15), (60, 15), (120, 15), (1440, 15)]
)
def test_grace_per_interval(library: Library, interval: int, grace: int) -> None:
    assert grace_minutes(library.document.monitoring, interval) == grace


def test_grace_without_an_open_ended_entry_is_a_library_problem(library: Library) -> None:
    monitoring = library.document.monitoring
    bounded = monitoring.model_copy(update={"grace": monitoring.grace[:2]})
    assert grace_minutes(bounded, 30) == 10
    with pytest.raises(InvalidSchedule) as caught:
        grace_minutes(bounded, 60)
    assert caught.value.field == "library"


def test_merged_kinds_follow_the_contract_precedence(library: Library) -> None:
    # No default-library input makes two kinds meet on one instant; the rule is pinned here directly.
    monitoring = library.document.monitoring
    slot = schedule_module.Slot(kinds={"routine", "after-change"}, items={"pain"}, intervals={60, 30})
    merged = schedule_module._check(monitoring, START + timedelta(hours=1), slot, set())
    assert (merged.kind, merged.interval_min, merged.grace_min) == ("after-change", 30, 10)
    slot = schedule_module.Slot(
        kinds={"after-stop", "after-change", "baseline"}, items={"pain"}, intervals={15}
    )
    assert schedule_module._check(monitoring, START, slot, set()).kind == "baseline"
    slot = schedule_module.Slot(kinds={"after-stop", "routine"}, items={"sedation"}, intervals={60})
    merged = schedule_module._check(monitoring, START + timedelta(minutes=90), slot, set())
    assert merged.kind == "after-stop"
    assert merged.items == ("sedation", "consciousness", "monitors_attached")


# --- Check state --------------------------------------------------------------------------------------------


def a_check(due: datetime = START, grace: int = 5) -> Check:
    return Check(due=due, kind="routine", items=("pain",), interval_min=15, grace_min=grace)


def test_check_state_boundaries() -> None:
    check = a_check()
    second = timedelta(microseconds=1)
    assert check_state(check, False, START - second) == "upcoming"
    assert check_state(check, False, START) == "due"
    assert check_state(check, False, START + timedelta(minutes=5) - second) == "due"
    assert check_state(check, False, START + timedelta(minutes=5)) == "overdue"
    assert check_state(check, False, START + timedelta(days=3)) == "overdue"
    assert check_state(check, True, START - timedelta(hours=1)) == "done"
    assert check_state(check, True, START + timedelta(days=3)) == "done"
    # The same instant in another zone is the same instant.
    assert (
        check_state(check, False, datetime(2026, 11, 21, 9, 4, tzinfo=timezone(timedelta(hours=1)))) == "due"
    )


def test_was_late() -> None:
    check = a_check(grace=10)
    assert not was_late(check, START + timedelta(minutes=9, seconds=59))
    assert was_late(check, START + timedelta(minutes=10))
    assert not was_late(check, START - timedelta(minutes=3))


def test_next_check_is_the_earliest_unrecorded() -> None:
    first, second, third = (a_check(START + timedelta(minutes=15 * k)) for k in range(3))
    now = START + timedelta(hours=5)
    assert next_check((third, first, second), set(), now) == first
    assert next_check((first, second, third), {first.due}, now) == second
    # An overdue unrecorded check stays first, however late it is.
    assert next_check((first, second, third), {second.due, third.due}, now) == first
    assert next_check((first, second, third), {first.due, second.due, third.due}, now) is None
    local_due = first.due.astimezone(ZoneInfo("Europe/London"))
    assert next_check((first, second), {local_due}, START) == second
    assert next_check((), set(), now) is None


def test_state_helpers_refuse_naive_times() -> None:
    naive = datetime(2026, 11, 21, 8, 0)
    with pytest.raises(InvalidSchedule, match=r"^now: "):
        check_state(a_check(), False, naive)
    with pytest.raises(InvalidSchedule, match=r"^recorded_at: "):
        was_late(a_check(), naive)
    with pytest.raises(InvalidSchedule, match=r"^now: "):
        next_check((a_check(),), set(), naive)
    with pytest.raises(InvalidSchedule, match=r"^recorded_dues: "):
        next_check((a_check(),), {naive}, START)


def test_a_check_read_back_is_aware_and_in_utc() -> None:
    check = Check.model_validate(
        {
            "due": "2026-11-21T09:15:00+01:00",
            "kind": "routine",
            "items": ["pain"],
            "interval_min": 15,
            "grace_min": 5,
        }
    )
    assert check.due == START + timedelta(minutes=15)
    assert check.due.utcoffset() == timedelta(0)
    assert check == a_check(START + timedelta(minutes=15))
    with pytest.raises(ValueError, match="timezone"):
        a_check(datetime(2026, 11, 21, 8, 15))


def test_models_are_frozen() -> None:
    check = a_check()
    with pytest.raises(ValueError, match="frozen"):
        check.grace_min = 1  # type: ignore[misc]
    with pytest.raises(ValueError):
        ScheduleEvent(at=START, kind="explode")  # type: ignore[arg-type]


# --- helpers that edit a copy of the library in memory ------------------------------------------------------


def _phase(every: int, until: int | None) -> Phase:
    return Phase(every_min=every, until_min=until)


def _with_schedule(library: Library, schedule_id: str, **update: object) -> Library:
    document = library.document
    schedules = tuple(s.model_copy(update=update) if s.id == schedule_id else s for s in document.schedules)
    return library.model_copy(update={"document": document.model_copy(update={"schedules": schedules})})


def test_temperature_is_not_skipped_when_a_window_moves_the_grid_off_the_mark(library: Library) -> None:
    """Start 08:00, rate increase 14:10: the 16:00 base check is dropped inside the window, so the
    4-hourly temperature rides on the first check after 16:00 (16:10) instead of waiting until 20:00."""
    result = checks(library, "chronic-opioid-tolerant", (ev("14:10", "rate-increase"),))
    with_temperature = [c.due for c in result if "temperature" in c.items and c.due <= at("20:00")]
    assert with_temperature == [at("08:00"), at("12:00"), at("16:10"), at("20:00")]


@pytest.mark.parametrize("kind", ["stop", "pause", "resume", "rate-increase", "rate-decrease"])
def test_a_bolus_only_protocol_takes_only_bolus_events(library: Library, kind: str) -> None:
    """acute-bolus, 08:00, stop at 08:20 would have dropped every post-dose check after 08:15."""
    with pytest.raises(InvalidSchedule, match="acute-bolus has no infusion: only bolus events apply"):
        checks(library, "acute-bolus", (ev("08:20", kind),))
