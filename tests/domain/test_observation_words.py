"""The one wording of a recorded check (History tab, chart PDF and handover all use it)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.formatting import COMMA, POINT
from ketamine_desktop.domain.observation_words import observation_summary, side_effects_recorded


def test_a_full_check_in_the_forms_order() -> None:
    obs = Observation(
        respiration_rate=14,
        spo2=97,
        oxygen=False,
        pulse=80,
        systolic_bp=120,
        diastolic_bp=70,
        poss="2",
        consciousness="A",
        pain=4,
        temperature=Decimal("36.8"),
        nausea=True,
        hallucinations=True,
    )
    assert observation_summary(obs, POINT) == (
        "RR 14, SpO2 97% air, HR 80, BP 120/70, POSS 2, ACVPU A, pain 4/10, temp 36.8 °C, hallucinations, nausea"
    )


def test_oxygen_is_said_in_full_and_unknown_oxygen_says_nothing() -> None:
    assert observation_summary(Observation(spo2=93, oxygen=True), POINT) == "SpO2 93% on oxygen"
    assert observation_summary(Observation(spo2=93), POINT) == "SpO2 93%"


def test_a_lone_blood_pressure_says_which_one_it_is() -> None:
    assert observation_summary(Observation(systolic_bp=120), POINT) == "BP 120 systolic"
    assert observation_summary(Observation(diastolic_bp=80), POINT) == "BP 80 diastolic"


def test_rass_carries_its_sign_and_zero_has_none() -> None:
    assert observation_summary(Observation(rass=-2), POINT) == "RASS -2"
    assert observation_summary(Observation(rass=1), POINT) == "RASS +1"
    assert observation_summary(Observation(rass=0), POINT) == "RASS 0"


def test_temperature_uses_the_decimal_mark_and_no_trailing_zero() -> None:
    assert observation_summary(Observation(temperature=Decimal("36.8")), COMMA) == "temp 36,8 °C"
    assert observation_summary(Observation(temperature=Decimal("37.0")), POINT) == "temp 37 °C"


def test_nothing_recorded_says_nothing() -> None:
    assert observation_summary(Observation(), POINT) == ""
    assert side_effects_recorded(Observation()) == ()


@given(
    st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.integers(0, 300), st.integers(0, 300)
)
def test_every_ticked_side_effect_and_every_pressure_is_said_once(
    hallucinations: bool, dysphoria: bool, nightmares: bool, nausea: bool, first: int, second: int
) -> None:
    systolic, diastolic = max(first, second), min(first, second)  # a diastolic above the systolic is refused
    obs = Observation(
        hallucinations=hallucinations,
        dysphoria=dysphoria,
        nightmares=nightmares,
        nausea=nausea,
        systolic_bp=systolic,
        diastolic_bp=diastolic,
    )
    words = observation_summary(obs, POINT)
    for name, ticked in (
        ("hallucinations", hallucinations),
        ("dysphoria", dysphoria),
        ("nightmares", nightmares),
        ("nausea", nausea),
    ):
        assert words.count(name) == int(ticked)
    assert f"BP {systolic}/{diastolic}" in words
