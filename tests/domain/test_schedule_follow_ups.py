"""Follow-up checks and the grid rule (default-library.md section 6, issue 9 items 3 and 4).

Every follow-up edge: each rule at both sides of its threshold (the observation that raises it and the
nearest one that does not), each `until` (`once` stays until recorded; `rule-clears` goes on while the rule
fires and ends at the first check at which it does not), the `pause` anchor and the `at_least` rule; and
the grid rule: after the last recorded check, the next is due at most one interval later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ketamine_desktop.domain.assessment import AssessmentContext, Observation, assess
from ketamine_desktop.domain.library import Library, LibraryError, load_library, parse_library
from ketamine_desktop.domain.observed_schedule import observed_checks
from ketamine_desktop.domain.schedule import (
    GRID_RULE_LABEL,
    Check,
    ObservedCheck,
    ScheduleEvent,
    monitoring_checks,
)
from tests.helpers.library_edit import DEFAULT_LIBRARY, replaced

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
WARD = "chronic-opioid-tolerant"  # POSS; 15-min first hour, 30-min to 3 h, then hourly; after-stop hourly
ICU = "icu-infusion"  # RASS; 15-min first hour, then hourly; no after-stop observation
STOP_LABEL = "POSS 4, RASS -4/-5, RR 8 or less or SpO2 91% or less"
REDUCE_LABEL = "POSS 3 or RASS -3"
RESP_LABEL = "RR 9-11 or SpO2 92-93%"
NEWS2_HIGH_LABEL = "NEWS2 7 or more"
NEWS2_REVIEW_LABEL = "NEWS2 5-6 or one parameter scoring 3"
REVIEW_PREFIX = "Psychotomimetic episode"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(DEFAULT_LIBRARY)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def observed(
    library: Library, minutes: float, *, due: float | None = None, episodes: int = 0, **values: Any
) -> ObservedCheck:
    """A check recorded `minutes` after the start (answering the check due at `due`, by default the same
    instant), with the rules the assessment fires for `values`."""
    assessment = assess(library, Observation(**values), AssessmentContext(prior_episodes=episodes))
    return ObservedCheck(
        taken_at=at(minutes),
        check_due=at(minutes if due is None else due),
        fired=tuple(action.code for action in assessment.actions if action.superseded_by is None),
    )


def schedule(
    library: Library,
    observations: list[ObservedCheck],
    *,
    protocol: str = WARD,
    events: tuple[tuple[float, str], ...] = (),
    until: float = 300,
) -> tuple[Check, ...]:
    timeline = [ScheduleEvent(at=at(m), kind=kind) for m, kind in events]  # type: ignore[arg-type]
    return observed_checks(library, protocol, T0, timeline, observations, at(until))


def follow_ups(checks: tuple[Check, ...]) -> dict[float, tuple[str, ...]]:
    """Minutes from the start -> the labels of the follow-up reasons on that check."""
    return {
        (c.due - T0) / timedelta(minutes=1): tuple(r.label for r in c.reasons)
        for c in checks
        if c.kind == "follow-up"
    }


def test_with_nothing_recorded_it_is_the_grid(library: Library) -> None:
    assert schedule(library, []) == monitoring_checks(library, WARD, T0, [], at(300))


# --- each rule at both sides of its threshold -----------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "label", "other"),
    [
        ({"poss": "3"}, REDUCE_LABEL, {"poss": "2"}),
        ({"respiration_rate": 11}, RESP_LABEL, {"respiration_rate": 12}),
        ({"respiration_rate": 9}, RESP_LABEL, {"respiration_rate": 12}),
        ({"spo2": 93}, RESP_LABEL, {"spo2": 94}),
        ({"spo2": 92}, RESP_LABEL, {"spo2": 94}),
        ({"poss": "4"}, STOP_LABEL, {"poss": "3"}),
        ({"respiration_rate": 8}, STOP_LABEL, {"respiration_rate": 9}),
        ({"spo2": 91}, STOP_LABEL, {"spo2": 92}),
    ],
)
def test_ward_rules_raise_a_check_15_min_after_at_their_edge_and_not_beside_it(
    library: Library, values: dict[str, Any], label: str, other: dict[str, Any]
) -> None:
    # Recorded at 70 min (off the grid: the 30-min phase has 60 and 90), so +15 is 85: only a follow-up.
    raised = follow_ups(schedule(library, [observed(library, 70, due=60, **values)]))
    assert label in raised[85]
    beside = follow_ups(schedule(library, [observed(library, 70, due=60, **other)]))
    assert label not in beside.get(85, ())


@pytest.mark.parametrize(
    ("values", "label", "other"),
    [
        ({"rass": -3}, REDUCE_LABEL, {"rass": -2}),
        ({"rass": -4}, STOP_LABEL, {"rass": -3}),
        ({"rass": -5}, STOP_LABEL, {"rass": -3}),
    ],
)
def test_rass_edges_on_a_rass_protocol(
    library: Library, values: dict[str, Any], label: str, other: dict[str, Any]
) -> None:
    raised = follow_ups(schedule(library, [observed(library, 70, due=60, **values)], protocol=ICU))
    assert label in raised[85]
    beside = follow_ups(schedule(library, [observed(library, 70, due=60, **other)], protocol=ICU))
    assert label not in beside.get(85, ())


NEWS2_7 = {"respiration_rate": 25, "spo2": 95, "oxygen": False, "pulse": 100, "temperature": Decimal("39.1")}
NEWS2_6 = {"respiration_rate": 21, "spo2": 95, "oxygen": False, "pulse": 111, "temperature": Decimal("38.1")}
NEWS2_5 = {"respiration_rate": 21, "spo2": 95, "oxygen": False, "pulse": 91, "temperature": Decimal("38.1")}
NEWS2_4 = {"respiration_rate": 21, "spo2": 95, "oxygen": False, "pulse": 91, "temperature": Decimal("37")}


def test_news2_edges(library: Library) -> None:
    for values, total in ((NEWS2_7, 7), (NEWS2_6, 6), (NEWS2_5, 5), (NEWS2_4, 4)):
        assert assess(library, Observation(**values)).news2.total == total
    # 7: every 15 min (news2-high); the 5-6 rule is not raised beside it (one family).
    seven = follow_ups(schedule(library, [observed(library, 250, due=240, **NEWS2_7)], until=400))
    assert seven == {265.0: (NEWS2_HIGH_LABEL,)}
    # 6 and 5: hourly at least; in the hourly phase a grid check is due within the hour, so none is added.
    for values in (NEWS2_6, NEWS2_5):
        checks = schedule(library, [observed(library, 250, due=240, **values)], until=400)
        assert follow_ups(checks) == {}
        assert [(c.due - T0) / timedelta(minutes=1) for c in checks if c.due > at(250)][:1] == [300.0]
    # 4 with no parameter at 3: nothing.
    assert follow_ups(schedule(library, [observed(library, 250, due=240, **NEWS2_4)], until=400)) == {}


def test_news2_5_6_adds_an_hourly_check_where_no_other_check_is_due_within_the_hour(library: Library) -> None:
    # After a stop on a protocol with no observation after stopping there is no grid: the hourly follow-up
    # is the only check.
    checks = schedule(
        library, [observed(library, 30, **NEWS2_5)], protocol=ICU, events=((20, "stop"),), until=200
    )
    assert follow_ups(checks) == {90.0: (NEWS2_REVIEW_LABEL,)}
    single_three = schedule(
        library,
        [observed(library, 30, respiration_rate=25)],  # one parameter scoring 3, NEWS2 3
        protocol=ICU,
        events=((20, "stop"),),
        until=200,
    )
    assert follow_ups(single_three) == {90.0: (NEWS2_REVIEW_LABEL,)}
    quiet = schedule(
        library, [observed(library, 30, respiration_rate=24)], protocol=ICU, events=((20, "stop"),), until=200
    )
    assert follow_ups(quiet) == {}


# --- until ----------------------------------------------------------------------------------------------


def test_rule_clears_goes_on_while_the_rule_fires_and_ends_at_the_first_check_at_which_it_does_not(
    library: Library,
) -> None:
    first = [observed(library, 70, due=60, respiration_rate=10)]
    assert follow_ups(schedule(library, first)) == {85.0: (RESP_LABEL,)}
    again = [*first, observed(library, 85, respiration_rate=10)]
    assert follow_ups(schedule(library, again)) == {85.0: (RESP_LABEL,), 100.0: (RESP_LABEL,)}
    cleared = [*again, observed(library, 100, respiration_rate=14)]
    assert follow_ups(schedule(library, cleared)) == {85.0: (RESP_LABEL,), 100.0: (RESP_LABEL,)}
    # A follow-up not recorded is dropped when a check recorded before it fell due decided again (here:
    # the rule cleared) ...
    skipped = [*first, observed(library, 80, due=None, respiration_rate=14)]
    assert follow_ups(schedule(library, skipped)) == {}
    # ... but once due it stays until recorded, whatever else is recorded.
    overdue = [*first, observed(library, 90, due=90, respiration_rate=14)]
    assert follow_ups(schedule(library, overdue)) == {85.0: (RESP_LABEL,)}


def test_once_stays_until_recorded_whatever_is_recorded_in_between(library: Library) -> None:
    raised = [observed(library, 70, due=60, poss="3"), observed(library, 75, due=None, poss="2")]
    assert follow_ups(schedule(library, raised)) == {85.0: (REDUCE_LABEL,)}
    # Not raised again by a check at which POSS is back to 2.
    done = [*raised, observed(library, 85, poss="2")]
    assert follow_ups(schedule(library, done)) == {85.0: (REDUCE_LABEL,)}


def test_the_stop_rule_raises_15_min_checks_after_the_stop_too(library: Library) -> None:
    checks = schedule(library, [observed(library, 70, due=60, poss="4")], events=((72, "stop"),), until=400)
    kinds = {(c.due - T0) / timedelta(minutes=1): c.kind for c in checks if c.due > at(70)}
    # The follow-up at 85, then the protocol's hourly after-stop checks from the stop.
    assert kinds == {
        85.0: "follow-up",
        132.0: "after-stop",
        192.0: "after-stop",
        252.0: "after-stop",
        312.0: "after-stop",
    }


def test_a_psychotomimetic_review_is_60_min_after_the_pause(library: Library) -> None:
    episode = observed(library, 70, due=60, hallucinations=True)
    before_pause = follow_ups(schedule(library, [episode]))
    assert list(before_pause) == [130.0] and before_pause[130.0][0].startswith(REVIEW_PREFIX)
    paused = follow_ups(schedule(library, [episode], events=((74, "pause"),)))
    assert list(paused) == [134.0]
    # A pause before the episode is not its pause; a pause once the review fell due does not move it.
    earlier = follow_ups(schedule(library, [episode], events=((65, "pause"),)))
    assert list(earlier) == [130.0]
    too_late = follow_ups(schedule(library, [episode], events=((130, "pause"),)))
    assert list(too_late) == [130.0]
    # The second episode raises its review too.
    second = observed(library, 200, due=None, episodes=1, nightmares=True)
    both = follow_ups(schedule(library, [episode, second], events=((74, "pause"),), until=400))
    assert list(both) == [134.0, 260.0]


def test_nothing_is_raised_beyond_until(library: Library) -> None:
    assert follow_ups(schedule(library, [observed(library, 70, due=60, poss="3")], until=80)) == {}


def test_a_follow_up_on_a_grid_instant_is_one_check_of_kind_follow_up(library: Library) -> None:
    checks = schedule(library, [observed(library, 75, due=None, poss="3")])
    merged = next(c for c in checks if c.due == at(90))
    assert merged.kind == "follow-up" and merged.reasons[0].observed_at == at(75)
    assert merged.interval_min == 15 and merged.grace_min == 5
    assert "consciousness" in merged.items and "monitors_attached" in merged.items


# --- the grid rule --------------------------------------------------------------------------------------


def test_an_early_check_pulls_the_next_forward_to_one_interval_after_it(library: Library) -> None:
    # The 90-min check (30-min phase) recorded at 77 (13 min early): the next is due by 107, not 120.
    checks = schedule(library, [observed(library, 77, due=90)])
    pulled = next(c for c in checks if c.due == at(107))
    assert pulled.kind == "routine" and pulled.interval_min == 30
    assert [r.label for r in pulled.reasons] == [GRID_RULE_LABEL]
    assert at(120) in {c.due for c in checks}  # the grid stays


def test_a_check_on_time_or_late_leaves_the_grid_as_it_is(library: Library) -> None:
    grid = monitoring_checks(library, WARD, T0, [], at(300))
    assert schedule(library, [observed(library, 90)]) == grid
    assert schedule(library, [observed(library, 100, due=90)]) == grid


def test_a_pulled_check_not_recorded_goes_once_a_later_check_is_recorded(library: Library) -> None:
    early = observed(library, 77, due=90)
    dropped = schedule(library, [early, observed(library, 100, due=None)])
    assert at(107) not in {c.due for c in dropped}
    overdue = schedule(library, [early, observed(library, 110, due=None)])
    assert at(107) in {c.due for c in overdue}
    # A check already raised is never dropped, even when the next check looks earlier (clock put back).
    timeline: list[ScheduleEvent] = []
    held = observed_checks(
        library, WARD, T0, timeline, [early, observed(library, 100, due=None)], at(300), held={at(107)}
    )
    assert at(107) in {c.due for c in held}
    kept = schedule(library, [early, observed(library, 107, due=107)])
    assert at(107) in {c.due for c in kept}


def test_the_grid_rule_needs_a_next_check_and_room_before_until(library: Library) -> None:
    # After the last after-stop check there is nothing to pull forward.
    stopped = schedule(library, [observed(library, 310, due=None)], events=((60, "stop"),), until=400)
    assert max(c.due for c in stopped) == at(300)
    assert schedule(library, [observed(library, 77, due=90)], until=100) == monitoring_checks(
        library, WARD, T0, [], at(100)
    )


# --- the library ----------------------------------------------------------------------------------------


def test_each_follow_up_is_library_data_with_its_sources(library: Library) -> None:
    follow = {rule: f for f in library.document.follow_ups for rule in f.rules}
    assert set(follow) == {
        "stop-infusion",
        "reduce-infusion",
        "notify-respiratory",
        "news2-high",
        "news2-review",
        "psychotomimetic-first",
        "psychotomimetic-repeat",
    }
    assert (follow["reduce-infusion"].until, follow["reduce-infusion"].every_min) == ("once", 15)
    assert follow["news2-high"].flags == ("derived",)  # "until below 7" is derived: the app says so
    assert follow["news2-review"].at_least and follow["news2-review"].every_min == 60
    assert follow["psychotomimetic-first"].anchor == "pause"
    assert all(f.sources for f in library.document.follow_ups)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('rules = ["reduce-infusion"]', 'rules = ["no-such-rule"]', "unknown escalation rule 'no-such-rule'"),
        (
            'rules = ["reduce-infusion"]',
            'rules = ["stop-infusion"]',
            "'stop-infusion' already has a follow-up",
        ),
        (
            'until = "once"\nsources = ["POSS"]\nflags = ["derived"]',
            'until = "once"\nsources = []\nflags = []',
            "give its sources, or flag it derived",
        ),
    ],
)
def test_a_follow_up_that_cannot_be_used_is_refused_at_load(old: str, new: str, problem: str) -> None:
    with pytest.raises(LibraryError) as caught:
        parse_library(replaced(old, new).encode())
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_a_bolus_after_the_last_check_counts_the_gap_from_the_bolus(library: Library) -> None:
    # The baseline at 0, a bolus at 3: the re-tightened grid's first check is at 18, 15 min after the bolus.
    checks = schedule(library, [observed(library, 0)], events=((3, "bolus"),), until=60)
    assert [(c.due - T0) / timedelta(minutes=1) for c in checks][:3] == [0.0, 18.0, 33.0]
