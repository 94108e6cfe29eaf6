"""NEWS2 scoring and observation input: every band edge of RCP 2017, the risk levels, incomplete totals.

The expected scores are written out here from the clinical spec (default-library.md section 6) so that a
changed library band shows up as a failing test, not as a silently different score.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from ketamine_desktop.domain.assessment import (
    OBSERVATION_RANGES,
    AssessmentContext,
    News2Scores,
    Observation,
    ObservationRange,
    blood_pressure_problem,
    score_news2,
)
from ketamine_desktop.domain.library import Band, Library, News2Risk

NORMAL: dict[str, Any] = {
    "respiration_rate": 16,
    "spo2": 98,
    "oxygen": False,
    "systolic_bp": 130,
    "pulse": 70,
    "consciousness": "A",
    "temperature": Decimal("37.0"),
}


def obs(**changes: Any) -> Observation:
    return Observation(**{**NORMAL, **changes})


# --- every band edge, both sides ------------------------------------------------------------------------

RR_EDGES = [(0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (80, 3)]
SPO2_EDGES = [(50, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]
SBP_EDGES = [(0, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3), (300, 3)]
PULSE_EDGES = [
    (0, 3),
    (40, 3),
    (41, 1),
    (50, 1),
    (51, 0),
    (90, 0),
    (91, 1),
    (110, 1),
    (111, 2),
    (130, 2),
    (131, 3),
    (300, 3),
]
TEMPERATURE_EDGES = [
    ("25.0", 3),
    ("35.0", 3),
    ("35.04", 3),  # rounds to 35.0
    ("35.049999", 3),
    ("35.05", 1),  # half up to 35.1
    ("35.1", 1),
    ("36.0", 1),
    ("36.04", 1),
    ("36.05", 0),  # half up to 36.1
    ("36.1", 0),
    ("38.0", 0),
    ("38.04", 0),
    ("38.05", 1),  # half up to 38.1
    ("38.1", 1),
    ("39.0", 1),
    ("39.04", 1),
    ("39.05", 2),  # half up to 39.1
    ("39.1", 2),
    ("45.0", 2),
    ("37", 0),
]


@pytest.mark.parametrize(("field", "value", "score"), [("respiration_rate", v, s) for v, s in RR_EDGES])
def test_respiration_rate_bands(library: Library, field: str, value: int, score: int) -> None:
    result = score_news2(library, Observation(respiration_rate=value))
    assert result.scores.respiration_rate == score
    assert result.total == score


@pytest.mark.parametrize(("value", "score"), SPO2_EDGES)
def test_spo2_bands(library: Library, value: int, score: int) -> None:
    result = score_news2(library, Observation(spo2=value))
    assert result.scores.spo2 == score
    assert result.total == score


@pytest.mark.parametrize(("value", "score"), SBP_EDGES)
def test_systolic_bp_bands(library: Library, value: int, score: int) -> None:
    result = score_news2(library, Observation(systolic_bp=value))
    assert result.scores.systolic_bp == score
    assert result.total == score


@pytest.mark.parametrize(("value", "score"), PULSE_EDGES)
def test_pulse_bands(library: Library, value: int, score: int) -> None:
    result = score_news2(library, Observation(pulse=value))
    assert result.scores.pulse == score
    assert result.total == score


@pytest.mark.parametrize(("text", "score"), TEMPERATURE_EDGES)
def test_temperature_bands_after_half_up_rounding(library: Library, text: str, score: int) -> None:
    result = score_news2(library, Observation(temperature=Decimal(text)))
    assert result.scores.temperature == score
    assert result.total == score


@pytest.mark.parametrize(("oxygen", "score"), [(False, 0), (True, 2)])
def test_air_or_oxygen(library: Library, oxygen: bool, score: int) -> None:
    result = score_news2(library, Observation(oxygen=oxygen))
    assert result.scores.air_or_oxygen == score
    assert result.total == score


@pytest.mark.parametrize(("level", "score"), [("A", 0), ("C", 3), ("V", 3), ("P", 3), ("U", 3)])
def test_consciousness(library: Library, level: str, score: int) -> None:
    result = score_news2(library, Observation(consciousness=level))
    assert result.scores.consciousness == score
    assert result.total == score


# --- totals, completeness and risk ----------------------------------------------------------------------


def test_all_normal_is_complete_zero_low(library: Library) -> None:
    result = score_news2(library, obs())
    assert result.total == 0
    assert result.complete is True
    assert result.risk == "low"
    assert result.risk_text == "Continue routine monitoring."
    assert result.scores.missing() == ()
    assert result.scores.present() == (0, 0, 0, 0, 0, 0, 0)


def test_nothing_recorded(library: Library) -> None:
    result = score_news2(library, Observation())
    assert result.total == 0
    assert result.complete is False
    assert result.risk == "low"
    assert result.scores == News2Scores(
        respiration_rate=None,
        spo2=None,
        air_or_oxygen=None,
        systolic_bp=None,
        pulse=None,
        consciousness=None,
        temperature=None,
    )
    assert len(result.scores.missing()) == 7


@pytest.mark.parametrize("missing", list(NORMAL))
def test_any_one_missing_parameter_makes_it_incomplete(library: Library, missing: str) -> None:
    values = {**NORMAL, "respiration_rate": 25}  # RR scores 3, so the total shows what is counted
    values[missing] = None
    result = score_news2(library, Observation(**values))
    assert result.complete is False
    expected_missing = "air_or_oxygen" if missing == "oxygen" else missing
    assert result.scores.missing() == (expected_missing,)
    assert result.total == (0 if missing == "respiration_rate" else 3)


def test_incomplete_total_is_the_sum_of_what_is_present(library: Library) -> None:
    result = score_news2(library, Observation(respiration_rate=22, pulse=120, oxygen=True))
    assert result.total == 2 + 2 + 2
    assert result.complete is False
    assert result.risk == "medium"


@pytest.mark.parametrize(
    ("changes", "total", "risk"),
    [
        ({}, 0, "low"),
        ({"pulse": 91}, 1, "low"),
        ({"respiration_rate": 21, "oxygen": True}, 4, "low"),  # 4 without a single 3
        ({"respiration_rate": 8}, 3, "low-medium"),  # a single 3
        ({"consciousness": "C"}, 3, "low-medium"),
        ({"respiration_rate": 8, "pulse": 91}, 4, "low-medium"),
        ({"respiration_rate": 21, "oxygen": True, "pulse": 91}, 5, "medium"),
        ({"respiration_rate": 8, "oxygen": True}, 5, "medium"),  # medium outranks low-medium
        ({"respiration_rate": 21, "oxygen": True, "pulse": 91, "temperature": Decimal("38.5")}, 6, "medium"),
        (
            {"respiration_rate": 21, "oxygen": True, "pulse": 91, "temperature": Decimal("38.5"), "spo2": 95},
            7,
            "high",
        ),
        (
            {
                "respiration_rate": 25,
                "spo2": 91,
                "oxygen": True,
                "systolic_bp": 90,
                "pulse": 131,
                "consciousness": "U",
                "temperature": Decimal("35.0"),
            },
            20,
            "high",
        ),
    ],
)
def test_risk_levels(library: Library, changes: dict[str, Any], total: int, risk: str) -> None:
    result = score_news2(library, obs(**changes))
    assert result.total == total
    assert result.risk == risk
    assert result.complete is True


def test_risk_texts_come_from_the_library(library: Library) -> None:
    texts = {risk.level: risk.text for risk in library.document.news2.risks}
    for changes in (
        {},
        {"respiration_rate": 8},
        {"respiration_rate": 8, "oxygen": True},
        {"consciousness": "U", "spo2": 91, "pulse": 131},
    ):
        result = score_news2(library, obs(**changes))
        assert result.risk_text == texts[result.risk]


# --- libraries the loader would refuse, built directly to reach the defensive errors --------------------


def _with_news2(library: Library, **update: Any) -> Library:
    news2 = library.document.news2.model_copy(update=update)
    return library.model_copy(update={"document": library.document.model_copy(update={"news2": news2})})


def test_a_gap_between_bands_is_an_error_not_a_silent_score(library: Library) -> None:
    parameters = tuple(
        p.model_copy(update={"bands": (Band(max=Decimal(8), score=3), Band(min=Decimal(12), score=0))})
        if p.id == "respiration_rate"
        else p
        for p in library.document.news2.parameters
    )
    broken = _with_news2(library, parameters=parameters)
    assert score_news2(broken, Observation(respiration_rate=12)).scores.respiration_rate == 0
    with pytest.raises(ValueError, match="no band holds 10"):
        score_news2(broken, Observation(respiration_rate=10))


def test_risks_that_do_not_cover_a_total_are_an_error(library: Library) -> None:
    broken = _with_news2(library, risks=(News2Risk(level="high", total_min=7, text="x"),))
    with pytest.raises(ValueError, match="no risk level covers a total of 0"):
        score_news2(broken, obs())


def test_a_risk_with_both_criteria_needs_both_and_one_with_none_catches_all(library: Library) -> None:
    risks = (
        News2Risk(level="high", total_min=4, any_parameter_score=3, text="both"),
        News2Risk(level="low", text="anything else"),
    )
    custom = _with_news2(library, risks=risks)
    assert score_news2(custom, obs(respiration_rate=8, pulse=91)).risk_text == "both"  # 4 with a 3
    assert score_news2(custom, obs(respiration_rate=8)).risk_text == "anything else"  # a 3, total 3
    assert score_news2(custom, obs(respiration_rate=21, oxygen=True)).risk_text == "anything else"  # 4, no 3


# --- observation input ----------------------------------------------------------------------------------

RANGE_EDGES = [
    ("respiration_rate", 0, 80),
    ("spo2", 50, 100),
    ("pulse", 0, 300),
    ("systolic_bp", 0, 300),
    ("diastolic_bp", 0, 300),
    ("pain", 0, 10),
    ("rass", -5, 4),
]


@pytest.mark.parametrize(("field", "low", "high"), RANGE_EDGES)
def test_whole_number_ranges(field: str, low: int, high: int) -> None:
    assert getattr(Observation(**{field: low}), field) == low
    assert getattr(Observation(**{field: high}), field) == high
    for outside in (low - 1, high + 1):
        with pytest.raises(ValidationError, match=f"must be from {low} to {high}"):
            Observation(**{field: outside})


def test_diastolic_is_charted_beside_the_systolic_and_not_scored(library: Library) -> None:
    pair = Observation(systolic_bp=128, diastolic_bp=76)
    assert (pair.systolic_bp, pair.diastolic_bp) == (128, 76)
    assert score_news2(library, pair) == score_news2(library, Observation(systolic_bp=128))
    assert Observation(systolic_bp=90, diastolic_bp=90).diastolic_bp == 90  # equal: accepted
    assert Observation(diastolic_bp=80).systolic_bp is None  # either may be recorded alone
    with pytest.raises(ValidationError, match="diastolic 129 is above the systolic 128: check the order"):
        Observation(systolic_bp=128, diastolic_bp=129)
    assert blood_pressure_problem(128, 129) == "diastolic 129 is above the systolic 128: check the order"
    assert blood_pressure_problem(128, 128) is None
    assert blood_pressure_problem(None, 129) is None
    assert blood_pressure_problem(128, None) is None
    with pytest.raises(ValidationError):
        Observation(diastolic_bp=True)


def test_temperature_range() -> None:
    assert Observation(temperature=Decimal("25.0")).temperature == Decimal("25.0")
    assert Observation(temperature=Decimal("45.0")).temperature == Decimal("45.0")
    for outside in ("24.99", "45.01"):
        with pytest.raises(ValidationError, match=re.escape("must be from 25.0 to 45.0")):
            Observation(temperature=Decimal(outside))


@pytest.mark.parametrize("bad", [36.5, float("nan")])
def test_temperature_refuses_floats(bad: float) -> None:
    with pytest.raises(ValidationError, match="not a float"):
        Observation(temperature=bad)


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_temperature_refuses_non_finite(bad: str) -> None:
    with pytest.raises(ValidationError):
        Observation(temperature=Decimal(bad))


def test_temperature_text_is_read_exactly() -> None:
    # model_dump(mode="json") writes Decimals as text; it must read back the same digits.
    original = Observation(temperature=Decimal("36.05"))
    again = Observation.model_validate(original.model_dump(mode="json"))
    assert again == original
    assert again.temperature == Decimal("36.05")


@pytest.mark.parametrize(
    ("field", "bad"),
    [("respiration_rate", True), ("spo2", 96.0), ("pulse", "70"), ("hallucinations", 1), ("oxygen", "yes")],
)
def test_strict_types(field: str, bad: object) -> None:
    with pytest.raises(ValidationError):
        Observation(**{field: bad})


@pytest.mark.parametrize(
    ("field", "bad"),
    [("consciousness", "a"), ("consciousness", "N"), ("poss", "5"), ("poss", "s"), ("poss", 3)],
)
def test_scale_levels_are_exact(field: str, bad: object) -> None:
    with pytest.raises(ValidationError):
        Observation(**{field: bad})


def test_observation_is_frozen_and_closed() -> None:
    observation = Observation()
    with pytest.raises(ValidationError):
        observation.spo2 = 90  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Observation(heart_rate=70)  # type: ignore[call-arg]


def test_defaults_mean_not_recorded() -> None:
    observation = Observation()
    assert observation.oxygen is None
    assert observation.hallucinations is False
    assert observation.pain is None


def test_context_validation() -> None:
    assert AssessmentContext() == AssessmentContext(prior_episodes=0, previous_pain=None)
    assert AssessmentContext(previous_pain=10).previous_pain == 10
    assert AssessmentContext(prior_episodes=3).prior_episodes == 3
    with pytest.raises(ValidationError):
        AssessmentContext(prior_episodes=-1)
    with pytest.raises(ValidationError, match="must be from 0 to 10"):
        AssessmentContext(previous_pain=11)
    with pytest.raises(ValidationError):
        AssessmentContext(prior_episodes=True)


def test_observation_ranges_are_the_contract() -> None:
    expected = {
        "respiration_rate": ("0", "80", True),
        "spo2": ("50", "100", True),
        "pulse": ("0", "300", True),
        "systolic_bp": ("0", "300", True),
        "diastolic_bp": ("0", "300", True),
        "temperature": ("25.0", "45.0", False),
        "pain": ("0", "10", True),
        "previous_pain": ("0", "10", True),
        "rass": ("-5", "4", True),
    }
    assert {name: (str(r.low), str(r.high), r.whole) for name, r in OBSERVATION_RANGES.items()} == expected
    with pytest.raises(TypeError):
        OBSERVATION_RANGES["spo2"] = OBSERVATION_RANGES["pulse"]  # type: ignore[index]


def test_observation_range_problem_messages() -> None:
    rr: ObservationRange = OBSERVATION_RANGES["respiration_rate"]
    assert rr.message == "must be from 0 to 80"
    assert rr.problem(Decimal("12")) is None
    assert rr.problem(Decimal("12.0")) is None
    assert rr.problem(Decimal("12.5")) == "must be a whole number"
    assert rr.problem(Decimal("81")) == "must be from 0 to 80"
    assert rr.problem(Decimal("-1")) == "must be from 0 to 80"
    temperature = OBSERVATION_RANGES["temperature"]
    assert temperature.problem(Decimal("36.55")) is None
    assert temperature.problem(Decimal("45.05")) == "must be from 25.0 to 45.0"
    assert OBSERVATION_RANGES["rass"].problem(Decimal("-5")) is None
