"""One decision per check: the strongest infusion action decides; conflicting infusion instructions are
superseded (kept, with `superseded_by`); of one family only the higher rule is shown; what the
superseded actions still ask that does not touch the infusion stays in the numbered list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ketamine_desktop.domain.assessment import (
    CONTINUE_CODE,
    Action,
    Assessment,
    AssessmentContext,
    Observation,
    assess,
    assess_series,
)
from ketamine_desktop.domain.library import Library, load_library
from tests.helpers.library_edit import DEFAULT_LIBRARY


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(DEFAULT_LIBRARY)


def run(library: Library, context: AssessmentContext | None = None, /, **observed: Any) -> Assessment:
    return assess(library, Observation(**observed), context or AssessmentContext())


def superseded(result: Assessment) -> dict[str, str | None]:
    return {action.code: action.superseded_by for action in result.actions}


def test_the_issue_check_has_one_decision_stop_and_halve_is_only_also_triggered(library: Library) -> None:
    # RR 9, SpO2 91, RASS -3, voice: stop, reduce, news2-high, notify-respiratory, news2-review all fire.
    result = run(library, respiration_rate=9, spo2=91, rass=-3, consciousness="V", oxygen=False)
    decision = result.decision
    assert (decision.infusion, decision.code, decision.severity) == ("stop", "stop-infusion", "urgent")
    assert decision.text.startswith("Stop the ketamine infusion")
    assert superseded(result) == {
        "stop-infusion": None,
        "reduce-infusion": "stop-infusion",
        "news2-high": None,
        "notify-respiratory": None,
        "news2-review": "news2-high",
    }
    assert [a.code for a in result.shown_actions] == ["stop-infusion", "news2-high", "notify-respiratory"]
    assert [a.code for a in result.superseded] == ["reduce-infusion", "news2-review"]
    # No "halve" anywhere as an instruction; its notify and recheck stay.
    assert not any("Halve" in text for text in result.instructions)
    assert result.instructions == (
        "NEWS2 7 or more: emergency assessment and continuous monitoring.",
        "Notify the prescriber; check every 15 min until breathing and saturation are back to normal.",
        "Notify the prescriber.",
        "Recheck in 15 min.",
    )


def test_a_pause_supersedes_a_reduce_and_a_stop_supersedes_a_pause(library: Library) -> None:
    paused = run(library, poss="3", hallucinations=True)
    assert paused.decision.code == "psychotomimetic-first"
    assert superseded(paused) == {"reduce-infusion": "psychotomimetic-first", "psychotomimetic-first": None}
    stopped = run(library, poss="4", systolic_bp=185)
    assert stopped.decision.code == "stop-infusion"
    assert superseded(stopped)["haemodynamic-high"] == "stop-infusion"
    assert "Ask for a medical review (blood pressure or pulse high)." in stopped.instructions


def test_two_actions_with_the_same_infusion_instruction_do_not_conflict(library: Library) -> None:
    # The second episode (urgent) decides; the blood-pressure pause is not superseded: both say pause.
    result = run(library, AssessmentContext(prior_episodes=1), hallucinations=True, systolic_bp=180)
    assert result.decision.code == "psychotomimetic-repeat"
    assert superseded(result) == {"psychotomimetic-repeat": None, "haemodynamic-high": None}
    assert result.instructions == (
        "Pause the infusion and ask for a medical review (blood pressure or pulse high).",
    )


def test_the_higher_rule_of_a_family_hides_the_lower(library: Library) -> None:
    # NEWS2 7 with one parameter scoring 3: news2-high and news2-review both fire; only news2-high shows.
    result = run(
        library,
        respiration_rate=25,
        spo2=95,
        oxygen=False,
        systolic_bp=120,
        pulse=100,
        consciousness="A",
        temperature=Decimal("39.1"),
    )
    assert result.news2.total == 7
    assert superseded(result) == {"news2-high": None, "news2-review": "news2-high"}
    assert result.decision.code == CONTINUE_CODE and result.decision.infusion == "continue"
    assert result.decision.severity is None
    assert result.instructions == ("NEWS2 7 or more: emergency assessment and continuous monitoring.",)
    # NEWS2 5 alone: the lower rule is not superseded by anything.
    lower = run(library, respiration_rate=25, spo2=95, oxygen=False, systolic_bp=120, pulse=100)
    assert lower.news2.total == 5 and superseded(lower) == {"news2-review": None}


def test_a_quiet_check_continues_with_no_list(library: Library) -> None:
    result = run(library, respiration_rate=16, spo2=98)
    assert result.decision.code == CONTINUE_CODE and result.instructions == () and result.shown_actions == ()


def test_a_reduce_decides_with_its_own_text_and_no_repeat_in_the_list(library: Library) -> None:
    result = run(library, poss="3")
    assert result.decision.code == "reduce-infusion" and result.instructions == ()
    assert result.shown_actions[0].code == "reduce-infusion"


def test_an_old_record_without_superseded_by_still_has_a_decision() -> None:
    """Records written before decisions existed: the strongest action still decides; nothing superseded."""
    action = Action.model_validate(
        {
            "code": "stop-infusion",
            "severity": "urgent",
            "text": "Stop.",
            "sources": [],
            "flags": [],
            "infusion": "stop",
        }
    )
    assert action.superseded_by is None and action.steps == ()


def test_a_series_carries_episodes_and_the_last_pain_forward(library: Library) -> None:
    series = assess_series(
        library,
        [
            Observation(hallucinations=True, pain=8),
            Observation(),
            Observation(nightmares=True, pain=7),
        ],
    )
    assert [a.decision.code for a in series] == [
        "psychotomimetic-first",
        CONTINUE_CODE,
        "psychotomimetic-repeat",
    ]
    assert "pain-titration" in [a.code for a in series[2].actions]  # pain 8, then (no pain), then 7
